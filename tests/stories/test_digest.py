"""The monthly digest: posted to the leadership group once, whatever restarts and ticks come;
asked for in private by leaders and admins; its files open."""

from __future__ import annotations

import asyncio
import io
import struct
from datetime import datetime

import docx
import openpyxl
import pytest
from sqlalchemy import func, select, update

from bot.cli import main as chibo
from db.models import Digest, GroupChat, GroupState, OutboxMessage, Person, PersonRole, Role
from sandbox.server import BotApiServer
from sandbox.users import BotMessage, TgUser
from tests.conftest import (
    ADMIN_TELEGRAM_ID,
    ZONE,
    make_settings,
    nothing_sent,
    run_jobs,
    start_bot,
    stop_bot,
)
from tests.unit.test_digest_figures import build

GROUP_ID = -100200300
LEADER_ID, MEMBER_ID = 700001, 700002


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


@pytest.fixture
async def world(database_url: str, db, tg: BotApiServer):
    """The hand-built month of test_digest_figures, a leader and a member linked to Telegram."""
    await build(database_url)
    engine_rows = [
        update(Person).where(Person.code == "P1").values(telegram_user_id=MEMBER_ID),
        update(Person).where(Person.code == "P6").values(telegram_user_id=LEADER_ID),
    ]
    async with db.sessions() as session:
        for statement in engine_rows:
            await session.execute(statement)
        leader = await session.scalar(select(Person.id).where(Person.code == "P6"))
        session.add(PersonRole(person_id=leader, role=Role.LEADER))
        await session.commit()
    return {
        "leader": TgUser(tg, LEADER_ID, "Lãnh đạo"),
        "member": TgUser(tg, MEMBER_ID, "Đảng viên"),
        "admin": TgUser(tg, ADMIN_TELEGRAM_ID, "Văn phòng"),
    }


async def register_group(db, tg: BotApiServer):
    group = tg.group_chat(GROUP_ID, "Thường trực Đảng ủy")
    async with db.sessions() as session:
        session.add(
            GroupChat(
                chat_id=GROUP_ID,
                title=group.title,
                state=GroupState.ACTIVE,
                updated_at=at("2026-11-20 08:00"),
            )
        )
        await session.commit()
    return group


def file_content(tg: BotApiServer, message: BotMessage) -> bytes:
    item = message.document or message.photo[-1]  # type: ignore[index]
    return tg.files[item["file_id"]].content


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", content[16:24])


async def expect_digest(
    reader: TgUser, tg: BotApiServer, chat, dated: str = "ngày 01 tháng 12 năm 2026"
) -> dict[str, BotMessage]:
    text = await reader.expect_message(chat=chat, contains="TỔNG HỢP THÁNG 11/2026")
    chart = await reader.expect_message(chat=chat, contains="tỷ lệ theo đơn vị")
    sheet = await reader.expect_message(chat=chat, contains="Bảng tính tháng 11/2026")
    document = await reader.expect_message(chat=chat, contains="Dự thảo báo cáo tháng 11/2026")
    assert png_size(file_content(tg, chart)) == (1080, 1920)
    book = openpyxl.load_workbook(io.BytesIO(file_content(tg, sheet)))
    assert book.sheetnames[:6] == [
        "Tổng hợp",
        "Đơn vị",
        "Buổi sinh hoạt",
        "Báo cáo",
        "Kiến nghị",
        "Theo dõi 12 tháng",
    ]
    assert book["Buổi sinh hoạt"].freeze_panes == "A2"
    assert book["Báo cáo"]["E2"].number_format.lower() == "dd/mm/yyyy"
    report = docx.Document(io.BytesIO(file_content(tg, document)))
    paragraphs = [p.text for p in report.paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert "kết quả cấp ủy viên dự sinh hoạt chi bộ tháng 11 năm 2026" in paragraphs
    (_, party), (_, date_line) = (row.cells for row in report.tables[0].rows)
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert dated in date_line.text
    return {"text": text, "chart": chart, "sheet": sheet, "document": document}


async def test_the_digest_is_posted_once_whatever_restarts_and_ticks(
    world, tg: BotApiServer, database_url, clock, db
) -> None:
    group = await register_group(db, tg)
    reader = TgUser(tg, 700099, "Thành viên nhóm")
    settings = make_settings(tg, database_url, digest_at="1@08:00", place="Quảng Trị")
    clock.set(at("2026-12-01 07:59"))
    bot = await start_bot(settings, clock)
    await run_jobs(bot)
    await nothing_sent(bot, reader, group)

    clock.set(at("2026-12-01 08:00"))
    await run_jobs(bot)
    posted = await expect_digest(reader, tg, group)
    text = posted["text"].text
    assert "Số lượt cấp ủy viên được phân công dự: 7" in text
    assert "Phải báo cáo: 6; đúng hạn: 3; chậm: 1; chưa nhận: 2." in text
    assert "Đồng chí P" not in text  # the group's edition names no one

    clock.set(at("2026-12-01 08:01"))
    await run_jobs(bot)
    await stop_bot(bot)
    bot = await start_bot(settings, clock)  # a restart
    await run_jobs(bot)
    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    await nothing_sent(bot, reader, group)
    await stop_bot(bot)
    assert await db.scalar(select(func.count()).select_from(Digest)) == 1
    assert (
        await db.scalar(
            select(func.count()).where(
                OutboxMessage.key.like("digest:%"), OutboxMessage.chat_id == GROUP_ID
            )
        )
        == 4
    )


async def test_with_no_group_the_admins_are_told_once(
    world, tg: BotApiServer, database_url, clock, db
) -> None:
    admin = world["admin"]
    settings = make_settings(tg, database_url, digest_at="1@08:00")
    clock.set(at("2026-12-01 08:00"))
    bot = await start_bot(settings, clock)
    await run_jobs(bot)
    notice = await admin.expect_message(contains="chưa có nhóm lãnh đạo được đăng ký")
    assert "/tonghop 11/2026" in notice.text
    # (The morning's summary of the proposals awaiting assignment came too.)
    await admin.expect_message(contains="Tình hình xử lý kiến nghị, ngày 01/12/2026")
    clock.set(at("2026-12-01 09:00"))
    await run_jobs(bot)
    await nothing_sent(bot, admin)
    group = await register_group(db, tg)
    clock.set(at("2026-12-01 10:00"))
    await run_jobs(bot)  # the group is there now: the digest goes out
    await expect_digest(TgUser(tg, 700099, "Thành viên nhóm"), tg, group)
    await stop_bot(bot)


async def test_leaders_and_admins_ask_for_it_members_may_not(
    world, tg: BotApiServer, database_url, clock, db
) -> None:
    leader, member, admin = world["leader"], world["member"], world["admin"]
    group = await register_group(db, tg)
    settings = make_settings(tg, database_url, attendance_quota=6)
    clock.set(at("2026-12-03 09:00"))
    bot = await start_bot(settings, clock)
    await run_jobs(bot)  # the morning's work, read now: report requests, the proposals' summary
    for reader in (leader, admin):
        texts = [(await reader.expect_message()).text for _ in reader.unread()]
        assert any("Tình hình xử lý kiến nghị, ngày 03/12/2026" in text for text in texts)

    await member.send("/tonghop")
    await member.expect_message(contains="không thuộc quyền hạn")

    await leader.send("/tonghop 11/2026")
    await leader.expect_message(contains="Đang tổng hợp")
    leaders = await expect_digest(leader, tg, leader.chat, "ngày 03 tháng 12 năm 2026")
    assert "Chưa nhận báo cáo của" not in leaders["text"].text
    await leader.expect_no_message(within=0.5)  # no button to post: that is the office's

    await admin.send("/tonghop")
    await admin.expect_message(contains="Đang tổng hợp")
    office = await expect_digest(admin, tg, admin.chat, "ngày 03 tháng 12 năm 2026")
    assert (
        "Chưa nhận báo cáo của:\n• Đồng chí P4 (P4): Chi bộ B3, 15/11/2026" in office["text"].text
    )
    assert "Tiến độ chỉ tiêu dự sinh hoạt (6 lần/năm)" in office["text"].text
    book = openpyxl.load_workbook(io.BytesIO(file_content(tg, office["sheet"])))
    assert {"Chưa báo cáo", "Chỉ tiêu năm"} <= set(book.sheetnames)
    offer = await admin.expect_message(contains="Bản gửi nhóm lãnh đạo có cùng số liệu")

    answer = await admin.press("📤 Gửi vào nhóm lãnh đạo", message=offer)
    assert answer["text"] == "Báo cáo tổng hợp đang được gửi vào nhóm “Thường trực Đảng ủy”."
    await run_jobs(bot)
    reader = TgUser(tg, 700099, "Thành viên nhóm")
    await expect_digest(reader, tg, group, "ngày 03 tháng 12 năm 2026")
    again = await admin.press("📤 Gửi vào nhóm lãnh đạo", message=offer)
    assert again["text"] == "Nút này đã được sử dụng; báo cáo tổng hợp không được gửi lại."
    await run_jobs(bot)
    await nothing_sent(bot, reader, group)

    await admin.send("/tonghop 13/2026")
    await admin.expect_message(contains="Cách dùng: /tonghop để xem báo cáo tổng hợp tháng trước")
    await admin.send("/tonghop 01/2027")
    await admin.expect_message(contains="Tháng 01/2027 chưa bắt đầu.")
    await stop_bot(bot)


async def test_the_command_line_writes_the_four_files(
    world, database_url: str, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("CHIBO_DATABASE_URL", database_url)
    out = tmp_path / "digest"
    # The command runs its own event loop, as it does from a shell.
    assert await asyncio.to_thread(chibo, ["digest", "--month", "11/2026", "--out", str(out)]) == 0
    names = sorted(path.name for path in out.iterdir())
    assert names == [
        "bao-cao-db-2026-11.docx",
        "tong-hop-db-2026-11.png",
        "tong-hop-db-2026-11.txt",
        "tong-hop-db-2026-11.xlsx",
    ]
    text = (out / "tong-hop-db-2026-11.txt").read_text()
    assert text.startswith("📊 BÁO CÁO TỔNG HỢP THÁNG 11/2026")
    assert "<b>" not in text
    openpyxl.load_workbook(out / "tong-hop-db-2026-11.xlsx")
    docx.Document(str(out / "bao-cao-db-2026-11.docx"))
    assert await asyncio.to_thread(chibo, ["digest", "--month", "tháng 11", "--out", str(out)]) == 1


async def test_a_month_in_progress_counts_meetings_still_to_come_as_upcoming(
    world, tg: BotApiServer, database_url, clock
) -> None:
    leader = world["leader"]
    settings = make_settings(tg, database_url)
    clock.set(at("2026-11-15 20:30"))  # B3's meeting began an hour ago; three are to come
    bot = await start_bot(settings, clock)
    await leader.send("/tonghop 11/2026")
    await leader.expect_message(contains="Đang tổng hợp")
    text = await leader.expect_message(contains="TỔNG HỢP THÁNG 11/2026")
    assert "Tháng 11/2026 chưa kết thúc" in text.text
    assert "3 cuộc sinh hoạt chưa diễn ra nên chưa được tính" in text.text
    assert "Chi bộ B3" not in text.text  # neither missed nor without a committee member
    await leader.expect_message(contains="tỷ lệ theo đơn vị")
    sheet = await leader.expect_message(contains="Bảng tính tháng 11/2026")
    document = await leader.expect_message(contains="Dự thảo báo cáo tháng 11/2026")
    book = openpyxl.load_workbook(io.BytesIO(file_content(tg, sheet)))
    cells = [
        str(cell) for row in book["Buổi sinh hoạt"].iter_rows(values_only=True) for cell in row
    ]
    assert cells.count("chưa diễn ra") == 3
    report = docx.Document(io.BytesIO(file_content(tg, document)))
    assert any("chưa kết thúc" in p.text for p in report.paragraphs)
    await stop_bot(bot)


async def test_several_answers_in_a_row_keep_telegrams_pace(
    world, tg: BotApiServer, database_url, clock
) -> None:
    """The office's digest is several messages and three files to one chat: they go a second
    apart, as Telegram asks, instead of being refused (429) and retried."""
    admin = world["admin"]
    tg.flood_limits_on = True
    settings = make_settings(tg, database_url, attendance_quota=6, chat_pace=1.05)
    clock.set(at("2026-12-03 09:00"))
    bot = await start_bot(settings, clock)
    await run_jobs(bot)  # the morning's summary of the proposals first, read now
    await admin.expect_message(contains="Tình hình xử lý kiến nghị, ngày 03/12/2026")
    await admin.send("/tonghop 11/2026")
    await admin.expect_message(contains="Đang tổng hợp")
    await expect_digest(admin, tg, admin.chat, "ngày 03 tháng 12 năm 2026")
    await admin.expect_message(contains="Bản gửi nhóm lãnh đạo có cùng số liệu")
    assert tg.error_counts[429] == 0
    # the summary, the progress note, the text, the chart, the spreadsheet, the document, the
    # offer to post
    assert len(admin.all_messages()) >= 7
    await stop_bot(bot)
