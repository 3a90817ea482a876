"""The office keeps the roster from chat: import the workbook with a confirmation, look
people and branches up, assign, and chase those not yet linked. Nobody else can."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, time

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.pipeline.throttle import STRANGER_EVERY
from db.models import Assignment, AuditEntry, Meeting, OutboxMessage, Person, Unit
from sandbox.server import BotApiServer
from sandbox.users import TgUser
from tests.conftest import SAMPLE_ROSTER, ZONE, link, nothing_sent, run_jobs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADMIN_COMMANDS = [
    "/donvi",
    "/timcanbo An",
    "/canbo CB01",
    "/phancong CB01 KP02",
    "/ketthuc CB01 KP01",
    "/chualienket",
    "/moi CB01",
    "/huylienket CB01",
    "/xuatdanhsach",
]


async def linked_member(tg: BotApiServer, db, code: str, user_id: int) -> TgUser:
    user = TgUser(tg, user_id, code)
    phone = await db.scalar(select(Person.phone).where(Person.code == code))
    await user.send_contact(phone)
    await user.expect_message(contains="Đã liên kết")
    return user


async def test_the_office_imports_the_workbook_after_confirming(bot, admin: TgUser, db) -> None:
    await admin.send_document("danh-sach.xlsx", SAMPLE_ROSTER.read_bytes(), XLSX)
    preview = await admin.expect_message(contains="Danh sách hợp lệ. Khi nhập sẽ có các thay đổi")
    assert "• Chi bộ: thêm 30, cập nhật 0, đưa ra khỏi danh sách 0" in preview.text
    assert preview.button_texts == ["✅ Nhập danh sách", "✖ Hủy"]
    assert await db.scalar(select(func.count()).select_from(Unit)) == 0  # nothing before Confirm
    confirm_data = preview.buttons[0]["callback_data"]

    await admin.press("✅ Nhập danh sách")
    done = await admin.expect_message(contains="Đã nhập danh sách")
    assert "• Cán bộ: thêm 25" in done.text
    assert await db.scalar(select(func.count()).select_from(Unit)) == 33
    assert preview.buttons == []  # the buttons are gone from the preview
    answer = await admin.press(data=confirm_data, message=preview)  # an old copy pressed again
    assert "không còn hiệu lực" in answer["text"]
    assert await db.scalar(select(func.count()).where(AuditEntry.action == "roster.import")) == 1

    await admin.send_document("danh-sach.xlsx", SAMPLE_ROSTER.read_bytes(), XLSX)
    same = await admin.expect_message(contains="Không có thay đổi")
    assert same.buttons == []


async def test_a_bad_workbook_is_explained_and_cancel_changes_nothing(bot, admin: TgUser, db):
    workbook = load_workbook(SAMPLE_ROSTER)
    workbook["Cán bộ"]["D4"] = "12345"
    workbook["Chi bộ"]["E3"] = "25h"
    buffer = io.BytesIO()
    workbook.save(buffer)
    await admin.send_document("sai.xlsx", buffer.getvalue(), XLSX)
    report = await admin.expect_message(contains="Danh sách có 2 lỗi; chưa nhập dữ liệu nào.")
    assert "Trang tính “Cán bộ”, dòng 4, cột “Điện thoại”, giá trị “12345”" in report.text
    assert "Trang tính “Chi bộ”, dòng 3, cột “Giờ bắt đầu”" in report.text
    assert report.buttons == []

    await admin.send_document("khong-phai.xlsx", b"this is not a workbook", XLSX)
    await admin.expect_message(contains="không phải là tệp Excel")
    await admin.send_document("danh-sach-cu.xls", b"\xd0\xcf\x11\xe0", "application/vnd.ms-excel")
    await admin.expect_message(contains="danh sách phải là tệp Excel .xlsx")
    # Any other file is a document for the members to bring to their meetings.
    await admin.send_document("anh.jpg", b"\xff\xd8", "image/jpeg")
    await admin.expect_message(contains="Đã nhận tệp “anh.jpg”")
    await admin.press("✖ Hủy")
    await admin.expect_message(contains="Đã hủy; tệp không được lưu.")

    await admin.send_document("danh-sach.xlsx", SAMPLE_ROSTER.read_bytes(), XLSX)
    await admin.expect_message(contains="Khi nhập sẽ có các thay đổi")
    await admin.press("✖ Hủy")
    await admin.expect_message(contains="Đã hủy. Dữ liệu không thay đổi.")
    assert await db.scalar(select(func.count()).select_from(Unit)) == 0


async def test_a_member_cannot_run_admin_commands_or_send_a_roster(
    roster, bot, tg: BotApiServer, db
) -> None:
    member = await linked_member(tg, db, "CB07", 700007)
    for command in ADMIN_COMMANDS:
        await member.send(command)
        refusal = await member.expect_message()
        assert refusal.text == "Chức năng này không thuộc quyền hạn của đồng chí.", command
    await member.send_document("danh-sach.xlsx", SAMPLE_ROSTER.read_bytes(), XLSX)
    await member.expect_message(contains="không thuộc quyền hạn")
    imports = select(func.count()).where(AuditEntry.action == "roster.import")
    assert await db.scalar(imports) == 1  # only the one that set up this test


async def test_a_stranger_learns_nothing_about_the_roster(roster, bot, stranger: TgUser) -> None:
    await stranger.send("/start")
    hint = (await stranger.expect_message()).text
    # Everything else at once: a stranger is answered at most once every few seconds, and
    # whatever answer comes is the same hint.
    for command in [*ADMIN_COMMANDS, "/help", "/dangkynhom", "Chi bộ Khu phố 1"]:
        await stranger.send(command)
    await stranger.send_document("danh-sach.xlsx", SAMPLE_ROSTER.read_bytes(), XLSX)
    await stranger.expect_no_message(within=1.0)
    await asyncio.sleep(STRANGER_EVERY)
    await stranger.send("/kiennghi")
    assert (await stranger.expect_message()).text == hint
    await stranger.send("/start CB01")  # an invitation's token is always read
    assert "không hợp lệ" in (await stranger.expect_message()).text
    for message in stranger.all_messages():
        assert "Khu phố" not in message.text and "Nguyễn" not in message.text


async def test_the_office_looks_up_and_assigns(roster, bot, tg: BotApiServer, admin, db) -> None:
    await admin.send("/donvi")
    overview = await admin.expect_message(contains="Đảng bộ phường Thành Cổ")
    assert "Chi bộ Khu phố 1 (KP01); ngày 5, 19 giờ 30 — Nguyễn Văn An" in overview.text

    await admin.send("/timcanbo chi")
    found = await admin.expect_message(contains="CB02")
    assert "Trần Thị Thu Chi" in found.text and "chưa liên kết" in found.text

    await admin.send("/phancong CB05 KP01 01/01/2027")
    await admin.expect_message(
        contains="Đã phân công đồng chí Hoàng Thị Hồng Hạnh theo dõi Chi bộ Khu phố 1"
    )
    await admin.send("/phancong CB05 KP01 01/02/2027")
    await admin.expect_message(contains="đã được phân công theo dõi Chi bộ Khu phố 1")
    await admin.send("/phancong CB05 KP01 31/02/2027")
    await admin.expect_message(contains="“31/02/2027” không phải là ngày hợp lệ")
    await admin.send("/phancong CB99 KP01")
    await admin.expect_message(contains="Không có cán bộ nào có mã này")
    await admin.send("/phancong CB05 XX01")
    await admin.expect_message(contains="Không có chi bộ nào có mã này")
    await admin.send("/phancong CB05")
    await admin.expect_message(contains="Cách dùng: gửi /phancong")
    await admin.send("/ketthuc CB05 KP01 31/03/2027")
    ended = await admin.expect_message(contains="Đã kết thúc việc phân công")
    assert "từ ngày 01/01/2027 đến ngày 31/03/2027" in ended.text

    await admin.send("/canbo CB05")
    card = await admin.expect_message(contains="Hoàng Thị Hồng Hạnh")
    assert "Telegram: chưa liên kết" in card.text
    assert "Chi bộ Khu phố 1 (KP01), từ ngày 01/01/2027 đến ngày 31/03/2027" in card.text
    assert await db.scalar(select(func.count()).where(AuditEntry.action.like("assignment.%"))) == 2

    await admin.send("/chualienket")
    chase = await admin.expect_message(contains="Có 25 cán bộ chưa liên kết tài khoản Telegram")
    assert "Trang 1/4." in chase.text and "CB05" in chase.text
    hanh = "✉ Hoàng Thị Hồng Hạnh"
    assert hanh in chase.button_texts and chase.button_texts[-1] == "Trang sau ▶"
    await admin.press(hanh, message=chase)
    link = await admin.expect_message(contains="mời dành cho đồng chí Hoàng Thị Hồng Hạnh")
    assert "https://t.me/" in link.text
    await admin.press("Trang sau ▶", message=chase)
    await admin.expect_edit(chase, "Trang 2/4.")
    assert chase.button_texts[-2:] == ["◀ Trang trước", "Trang sau ▶"]

    member = await linked_member(tg, db, "CB05", 700005)
    await admin.send("/huylienket CB05")
    await admin.expect_message(contains="Đã hủy liên kết tài khoản Telegram của đồng chí Hoàng Thị")
    await member.send("/help")
    await member.expect_message(contains="chưa được liên kết")
    actions = [a for (a,) in await db.all(select(AuditEntry.action))]
    assert "person.unlink" in actions
    assert await db.scalar(select(func.count()).select_from(Assignment)) == 32


async def test_the_office_exports_the_roster(roster, bot, admin: TgUser, tg: BotApiServer):
    await admin.send("/xuatdanhsach")
    sent = await admin.expect_message()
    assert sent.document["file_name"].startswith("danh-sach-")
    workbook = load_workbook(io.BytesIO(tg.files[sent.document["file_id"]].content))
    assert workbook["Cán bộ"]["B2"].value == "Nguyễn Văn An"


async def test_an_administrator_in_the_roster_sends_the_workbook(roster, bot, tg, db) -> None:
    """An office member who is a person of the roster, with the administrator's role there
    (not in CHIBO_ADMIN_IDS): the dry run's rollback must not lose who they are."""
    from db.models import PersonRole, Role

    async with db.sessions() as session:
        person = await session.scalar(select(Person).where(Person.code == "CB01"))
        session.add(PersonRole(person_id=person.id, role=Role.ADMIN))
        await session.commit()
    office = await linked_member(tg, db, "CB01", 800001)
    imported_before = await db.scalar(
        select(func.count()).where(AuditEntry.action == "roster.import")
    )
    # The roster does not give CB01 the role the database has: a change to confirm.
    await office.send_document("danh-sach.xlsx", SAMPLE_ROSTER.read_bytes(), XLSX)
    preview = await office.expect_message(contains="Khi nhập sẽ có các thay đổi")
    assert "• Cán bộ: thêm 0, cập nhật 1, đưa ra khỏi danh sách 0" in preview.text
    assert preview.button_texts == ["✅ Nhập danh sách", "✖ Hủy"]
    # The import takes CB01's own role: said by name, and confirmed twice.
    assert "Chính đồng chí sẽ mất vai trò quản trị" in preview.text
    assert "(CB01): quản trị" in preview.text
    await office.press("✅ Nhập danh sách", message=preview)
    again = await office.expect_message(contains="Đồng chí vẫn nhập?")
    assert again.button_texts == ["✅ Vẫn nhập", "✖ Hủy"]
    imports = select(func.count()).where(AuditEntry.action == "roster.import")
    assert preview.button_texts == [] and await db.scalar(imports) == imported_before
    await office.press("✅ Vẫn nhập", message=again)
    await office.expect_message(contains="Đã nhập danh sách")
    await office.send("/donvi")
    await office.expect_message(contains="không thuộc quyền hạn")


async def test_the_account_of_someone_taken_off_the_roster_may_link_again(
    roster, bot, tg, db, admin: TgUser
) -> None:
    """CB05 leaves the roster; the same Telegram account belongs to a new row (another code,
    another phone): sharing that phone links it, where it was refused as taken."""
    user = await linked_member(tg, db, "CB05", 800005)
    workbook = load_workbook(SAMPLE_ROSTER)
    for row in workbook["Cán bộ"].iter_rows(min_row=2):
        if row[0].value == "CB05":
            row[3].value = "0912345678"  # a new phone: a new person, not CB05 recoded
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and "CB05" in cell.value:
                    cell.value = cell.value.replace("CB05", "VP05")
    buffer = io.BytesIO()
    workbook.save(buffer)
    await admin.send_document("moi.xlsx", buffer.getvalue(), XLSX)
    await admin.press("✅ Nhập danh sách", message=await admin.expect_message(contains="thêm 1"))
    await admin.expect_message(contains="Đã nhập danh sách")
    await user.send_contact("0912345678")
    await user.expect_message(contains="Đã liên kết")
    assert await db.scalar(select(Person.code).where(Person.telegram_user_id == 800005)) == "VP05"


async def test_a_workbook_with_a_long_file_name_imports(bot, admin: TgUser, db) -> None:
    """Telegram allows file names of 255 characters: the import is kept whatever the name,
    on SQLite and on PostgreSQL alike."""
    name = "danh-sach-can-bo-" + "phan-cong-theo-doi-chi-bo-" * 8 + "2026.xlsx"
    assert len(name) > 200
    await admin.send_document(name, SAMPLE_ROSTER.read_bytes(), XLSX)
    await admin.expect_message(contains="Khi nhập sẽ có các thay đổi")
    await admin.press("✅ Nhập danh sách")
    await admin.expect_message(contains="Đã nhập danh sách")
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "roster.import"))
    assert entry.details["source"] == name


async def test_a_new_schedule_moves_untouched_meetings_and_tells_who_expected_them(
    roster, bot, tg: BotApiServer, admin: TgUser, db, clock
) -> None:
    # CB01 follows KP01 (meets on the 5th at 19:30) and has its reminder for 05/12 in hand.
    an = await link(tg, db, "CB01", 800001)
    clock.set(datetime(2026, 12, 2, 8, 0, tzinfo=ZONE))
    await run_jobs(bot)
    reminder = await an.expect_message(contains="ngày 05/12/2026")

    # The office moves KP01 to the 7th, and adds a branch that has no meetings yet.
    workbook = load_workbook(SAMPLE_ROSTER)
    branches = workbook["Chi bộ"]
    assert branches["A2"].value == "KP01"
    branches["D2"] = "ngày 7"
    branches.append(
        ["KP99", "Chi bộ Khu phố mới", "KV1", "ngày 9", time(19, 30), 90, "Nhà văn hóa"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    await admin.send_document("danh-sach.xlsx", buffer.getvalue(), XLSX)
    await admin.expect_message(contains="Khi nhập sẽ có các thay đổi")
    await admin.press("✅ Nhập danh sách")
    await admin.expect_message(contains="Đã nhập danh sách")

    # One message to CB01 for the three meetings moved, whatever later ticks come.
    notice = await an.expect_message(contains="Lịch sinh hoạt thay đổi")
    assert (
        "Chi bộ Khu phố 1: buổi sinh hoạt 19 giờ 30, thứ Bảy, ngày 05/12/2026 chuyển sang"
        " <b>19 giờ 30, thứ Hai, ngày 07/12/2026</b>" in notice.html
    )
    assert "ngày 05/01/2027" in notice.text and "ngày 05/02/2027" in notice.text
    # The old reminder's buttons no longer act; a new reminder for the new time comes.
    answer = await an.press("✅ Sẽ dự", message=reminder)
    assert answer["text"] == (
        "Nút này không còn hiệu lực do buổi sinh hoạt đã thay đổi. Đề nghị xem lại lịch bằng lệnh"
        " /lich."
    )
    clock.set(datetime(2026, 12, 4, 8, 0, tzinfo=ZONE))  # three days before the 7th
    await run_jobs(bot)
    fresh = await an.expect_message(contains="ngày 07/12/2026")
    assert fresh.button_texts[0] == "✅ Sẽ dự"
    await run_jobs(bot)
    await nothing_sent(bot, an)
    told = await db.scalar(select(func.count()).where(OutboxMessage.key.like("rescheduled:%")))
    assert told == 1
    # The new branch has its calendar at once, not at tomorrow's extension.
    new_branch = await db.scalar(select(Unit.id).where(Unit.code == "KP99"))
    meetings = await db.scalar(select(func.count()).where(Meeting.unit_id == new_branch))
    assert meetings >= 3
