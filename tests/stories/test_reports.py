"""The report after a meeting: asked for when it ends, answered with a thumb step by step,
saved at every step, sent once; nudges; amending; history by role."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select

from db.models import (
    AuditEntry,
    Draft,
    OutboxMessage,
    Proposal,
    ProposalUrgency,
    Report,
    ReportVersion,
)
from sandbox.users import TgUser
from tests.conftest import ZONE, link, make_settings, nothing_sent, run_jobs, start_bot, stop_bot

MEETING = "19 giờ 30, thứ Bảy, ngày 05/12/2026"


REQUEST_BUTTONS = [
    "📝 Báo cáo ngay",
    "🔔 Nhắc tối nay",
    "🔔 Nhắc sáng mai",
    "Tôi không dự buổi này",
]


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


async def asked(bot, clock, member: TgUser):
    clock.set(at("2026-12-05 21:30"))  # the meeting's expected end: quiet hours begin
    await run_jobs(bot)
    await nothing_sent(bot, member)
    clock.set(at("2026-12-06 06:30"))  # so the request waits for the morning
    await run_jobs(bot)
    request = await member.expect_message(contains="báo cáo kết quả dự sinh hoạt")
    assert (
        "Mời đồng chí Nguyễn Văn An báo cáo kết quả dự sinh hoạt Chi bộ Khu phố 1" in request.text
    )
    assert request.button_texts == REQUEST_BUTTONS
    return request


async def held_as_planned(user: TgUser, attendance: str) -> None:
    """Steps 1 to 4 from step 1's question: held as planned from 19h30 to 21h15, `attendance`
    as present/total with no one exempted and 2 excused, one topic; ends at step 5's
    question."""
    await user.press("Có, đúng lịch")
    await user.expect_message(contains="2/9.")
    await user.send("19h30-21h15")
    await user.expect_message(contains="3/9.")
    await user.send(attendance)
    await user.expect_message(contains="miễn sinh hoạt")
    await user.press("0")
    await user.expect_message(contains="Số đảng viên vắng có lý do")
    await user.send("2")
    await user.expect_message(contains="4/9.")
    await user.press("☐ Kết nạp đảng viên")
    await user.expect_message(contains="4/9.")
    await user.press("✅ Xong")
    await user.expect_message(contains="5/9.")


async def fill_until_review(an: TgUser) -> None:
    """Steps 2 to 9 with good answers and a few bad ones, from step 1's question."""
    await an.press("Có, đúng lịch")
    times = await an.expect_message(contains="2/9.")
    assert "Đúng lịch: 19:30–21:30" in times.button_texts
    await an.send("19h30-19h00")
    await an.expect_message(contains="Giờ kết thúc (19:00) phải sau giờ bắt đầu (19:30).")
    await an.send("19h30-21h15")
    await an.expect_message(contains="3/9.")
    await an.send("khoảng hai mươi")
    await an.expect_message(contains="Đề nghị nhập số đảng viên")
    await an.send("18/22")
    await an.expect_message(contains="miễn sinh hoạt")
    await an.press("2")
    await an.expect_message(contains="Số đảng viên vắng có lý do")
    await an.send("5")
    mismatch = await an.expect_message(contains="Các số liệu chưa khớp")
    assert (
        "miễn sinh hoạt (2) + có mặt (18) + vắng có lý do (5) = 25, lớn hơn tổng số (22)"
        in mismatch.text
    )
    await an.send("1")
    await an.expect_message(contains="4/9.")
    await an.press("☐ Kết nạp đảng viên")
    ticked = await an.expect_message(contains="4/9.")
    assert "☑ Kết nạp đảng viên" in ticked.button_texts
    # 13 topics: six to a page, so that the question stays on a phone's screen
    assert "Trang 1/3." in ticked.text and len(ticked.button_texts) == 6 + 1 + 2 + 2
    await an.press("Trang sau ▶")
    second = await an.expect_message(contains="Trang 2/3.")
    assert "Đã chọn: Kết nạp đảng viên." in second.text
    assert second.button_texts[6:8] == ["◀ Trang trước", "Trang sau ▶"]
    await an.press("☐ Phát triển kinh tế - xã hội")
    both = await an.expect_message(contains="Đã chọn: Kết nạp đảng viên; Phát triển kinh tế")
    assert "☑ Phát triển kinh tế - xã hội" in both.button_texts
    await an.press("✅ Xong")
    await an.expect_message(contains="5/9.")
    await an.send_photo()
    await an.expect_message(contains="Đã nhận: 0 ký tự, 1 tệp.")
    await an.send("x" * 5000)
    too_long = await an.expect_message(contains="Tin nhắn có 5000 ký tự")
    assert "Chưa lưu nội dung này" in too_long.text
    await an.send("Chi bộ quán triệt Chỉ thị 50-CT/TW; <b>bàn</b> việc kết nạp & phát triển đảng.")
    await an.expect_message(contains="Đã nhận: 78 ký tự, 1 tệp.")
    await an.press("✅ Xong")
    await an.expect_message(contains="6/9.")
    await an.send_sticker()
    await an.expect_message(contains="Đề nghị đồng chí viết bằng chữ.")
    await an.send("Bà con mong sớm sửa đường ngõ 5")
    await an.expect_message(contains="1. Bà con mong sớm sửa đường ngõ 5")
    await an.press("✅ Xong")
    await an.expect_message(contains="7/9.")
    await an.send("Lắp đèn chiếu sáng ngõ 5 trước Tết")
    await an.expect_message(contains="thuộc lĩnh vực nào")
    await an.press("Hạ tầng giao thông, điện, nước")
    await an.expect_message(contains="Kiến nghị này ở mức độ nào?")
    await an.press("🔴 Khẩn")
    await an.expect_message(contains="1. Lắp đèn chiếu sáng ngõ 5 trước Tết")
    await an.press("✅ Xong")
    await an.expect_message(contains="8/9.")
    await an.send("Truyền đạt Chỉ thị 50; đề nghị chi bộ rà soát hồ sơ kết nạp.")
    await an.expect_message(contains="9/9.")
    await an.press("☐ Ghi biên bản đầy đủ")
    await an.expect_message(contains="9/9.")
    await an.press("✅ Xong")
    await an.expect_message(contains="xếp loại chất lượng")
    await an.press("Tốt")
    # 2 criteria met (the minutes ticked; 105 minutes, computed): “Tốt” is asked once more
    questioned = await an.expect_message(contains="đạt 2/7 tiêu chí, chưa tương xứng với mức “Tốt”")
    await an.press("Tốt", message=questioned)
    await an.expect_message(contains="Nhận xét thêm")
    await an.press("Bỏ qua")


async def send_full_report(user: TgUser) -> None:
    """From step 1's question: every step answered, reviewed and sent."""
    await fill_until_review(user)
    await user.expect_message(contains="Báo cáo dự sinh hoạt")
    await user.press("📨 Gửi báo cáo")
    await user.expect_message(contains="✅ Đã nhận báo cáo số")


async def amend_with_proposal(user: TgUser, text: str, field: str, urgency: str) -> None:
    """The sent report reopened from /baocao, a second proposal added, and sent again."""
    await user.send("/baocao")
    listing = await user.expect_message(contains="còn trong thời hạn chỉnh sửa")
    await user.press(listing.button_texts[0])
    review = await user.expect_message(contains="Báo cáo dự sinh hoạt")
    await user.press("✏ Kiến nghị", message=review)
    await user.expect_message(contains="7/9.")
    await user.send(text)
    await user.expect_message(contains="thuộc lĩnh vực nào")
    await user.press(field)
    await user.expect_message(contains="Kiến nghị này ở mức độ nào?")
    await user.press(urgency)
    await user.expect_message(contains=f"2. {text}")
    await user.press("✅ Xong")
    await user.expect_message(contains="Báo cáo dự sinh hoạt")
    await user.press("📨 Gửi báo cáo")
    await user.expect_message(contains="✅ Đã cập nhật báo cáo số")


async def test_the_whole_report_with_buttons(roster, bot, tg, db, clock, admin) -> None:
    an = await link(tg, db, "CB01", 800001)
    leader = await link(tg, db, "CB02", 800002)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    first = await an.expect_message(contains="1/9. Buổi sinh hoạt có được tổ chức không?")
    assert first.button_texts[-2:] == ["⬅ Quay lại", "✖ Dừng, lưu nháp"]
    await fill_until_review(an)
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt Chi bộ Khu phố 1")
    assert "Thời gian: 19:30–21:15 (105 phút)" in review.text
    assert (
        "Đảng viên dự: có mặt 18/20 (90%); tổng số 22, miễn sinh hoạt 2, vắng có lý do 1,"
        " vắng không có lý do 1"
    ) in review.text
    assert "Chủ đề: Kết nạp đảng viên, Phát triển kinh tế - xã hội" in review.text
    assert "[Hạ tầng giao thông, điện, nước] Lắp đèn chiếu sáng ngõ 5 trước Tết 🔴" in review.text
    assert "<b>bàn</b> việc kết nạp & phát triển" in review.text  # typed text, shown as typed
    assert "Chất lượng: Tốt; đạt 2/7 tiêu chí" in review.text

    await an.press("✏ Đảng viên dự")
    await an.expect_message(contains="3/9.")
    await an.send("19/22")
    await an.expect_message(contains="miễn sinh hoạt")
    await an.press("0")
    await an.expect_message(contains="Số đảng viên vắng có lý do")
    await an.send("2")
    edited = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    assert "có mặt 19/22 (86%)" in edited.text

    await an.press("📨 Gửi báo cáo")
    done = await an.expect_message(contains="✅ Đã nhận báo cáo số")
    assert edited.button_texts == []  # a sent review keeps no buttons to press
    await an.send("Bổ sung: đề nghị sửa cống ngõ 5")  # typed after the report was sent
    hint = await an.expect_message()
    assert hint.text.startswith("Xin lỗi đồng chí"), hint.text  # not taken into the report
    assert await db.scalar(select(func.count()).select_from(Proposal)) == 1
    urgent = await leader.expect_message(contains="Kiến nghị khẩn")
    assert "Lắp đèn chiếu sáng ngõ 5 trước Tết" in urgent.text
    report = await db.scalar(select(Report))
    assert f"số {report.id}" in done.text
    version = await db.scalar(select(ReportVersion))
    assert (
        version.total_members,
        version.exempted,
        version.present,
        version.absent_excused,
        version.absent_unexcused,
    ) == (22, 0, 19, 2, 1)
    assert version.rating == "good" and version.criteria_met == ["duration", "minutes"]
    assert version.content["attachments"][0]["kind"] == "photo"
    proposal = await db.scalar(select(Proposal))
    assert proposal.urgency == ProposalUrgency.URGENT and proposal.state.value == "new"
    assert not report.late

    clock.set(at("2026-12-07 08:00"))  # no nudge once the report is in
    await run_jobs(bot)
    # (but a leader's summary of the proposal awaiting assignment)
    await an.expect_message(contains="Tình hình xử lý kiến nghị, ngày 07/12/2026")
    await nothing_sent(bot, an)


async def test_stop_restart_and_resume_then_back(roster, settings, tg, db, clock) -> None:
    app = await start_bot(settings, clock)
    try:
        an = await link(tg, db, "CB01", 800001)
        await asked(app, clock, an)
        await an.press("📝 Báo cáo ngay")
        await an.expect_message(contains="1/9.")
        await an.press("Có, vào ngày khác")
        await an.expect_message(contains="được tổ chức vào ngày nào")
        await an.send("06/12")
        await an.expect_message(contains="2/9.")
        await an.send("19h30-21h00")
        question = await an.expect_message(contains="3/9.")
        await an.press("✖ Dừng, lưu nháp", message=question)
        await an.expect_message(contains="Đã lưu bản nháp")
        await an.send("lạc đề")  # the draft is stopped: free text is not taken as an answer
        await an.expect_message(contains="chưa hiểu")
    finally:
        await stop_bot(app)
    app = await start_bot(settings, clock)  # a restart
    try:
        await an.send("/baocao")
        listing = await an.expect_message(contains="Báo cáo cần gửi")
        assert "đang soạn" in listing.text
        await an.press(listing.button_texts[0])
        resumed = await an.expect_message(contains="3/9.")
        await an.press("⬅ Quay lại", message=resumed)
        await an.expect_message(contains="2/9.")
        draft = await db.scalar(select(Draft).where(Draft.flow == "report"))
        assert draft.data["held"] == "other_date" and draft.data["held_on"] == "2026-12-06"
    finally:
        await stop_bot(app)


async def test_stale_and_forged_buttons_are_refused(roster, bot, tg, db, clock) -> None:
    an = await link(tg, db, "CB01", 800001)
    binh = await link(tg, db, "CB02", 800002)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    first = await an.expect_message(contains="1/9.")
    yes = first.buttons[0]["callback_data"]
    await an.press("Có, đúng lịch")
    await an.expect_message(contains="2/9.")
    stale = await an.press(data=yes, message=first)  # the same button, again
    assert stale["text"] == "Nút này không còn hiệu lực. Đề nghị gửi /baocao."
    draft = await db.scalar(select(Draft).where(Draft.flow == "report"))
    forged = await binh.press(
        data=f"1:ra:{draft.id}:{draft.revision}:yes", message=first, chat=binh.chat
    )
    assert forged["text"] == "Nút này không còn hiệu lực. Đề nghị gửi /baocao."
    rsvp_id = draft.subject_id
    other = await binh.press(data=f"1:rq:{rsvp_id}:now", message=first, chat=binh.chat)
    assert other["text"] == "Báo cáo này không phải của đồng chí."


async def test_two_devices_answering_the_same_step_at_once(roster, bot, tg, db, clock) -> None:
    """A phone and a computer of the same account press the same answer at the same moment:
    one press moves the report on, the other is told its button has expired, and the draft
    has taken the step once."""
    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    first = await an.expect_message(contains="1/9.")
    before = await db.scalar(select(Draft).where(Draft.flow == "report"))
    yes = first.buttons[0]["callback_data"]
    answers = await asyncio.gather(
        an.press(data=yes, message=first), an.press(data=yes, message=first)
    )
    notices = sorted((answer.get("text") or "") for answer in answers)
    assert notices == ["", "Nút này không còn hiệu lực. Đề nghị gửi /baocao."]
    await an.expect_message(contains="2/9.")
    await an.expect_no_message(within=0.5)
    after = await db.scalar(select(Draft).where(Draft.flow == "report"))
    assert after.id == before.id and after.revision == before.revision + 1
    assert after.data["held"] == "yes"


async def test_the_two_nudges_and_a_late_report(roster, bot, tg, db, clock) -> None:
    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    clock.set(at("2026-12-07 07:59"))
    await run_jobs(bot)
    await nothing_sent(bot, an)
    clock.set(at("2026-12-07 08:00"))
    await run_jobs(bot)
    await run_jobs(bot)
    first = await an.expect_message(contains="Nhắc báo cáo: hệ thống chưa nhận được báo cáo")
    assert MEETING in first.text
    clock.set(at("2026-12-10 08:00"))
    await run_jobs(bot)
    await an.expect_message(contains="Nhắc lần hai")
    await an.expect_no_message(within=0.5)
    keys = [
        k
        for (k,) in await db.all(
            select(OutboxMessage.key).where(OutboxMessage.key.like("report:%"))
        )
    ]
    assert sorted(k.rsplit(":", 1)[1] for k in keys) == ["nudge1", "nudge2", "request"]

    clock.set(at("2026-12-11 09:00"))  # after the second nudge: still accepted, counted late
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await an.press("Không tổ chức được")
    await an.expect_message(contains="Vì sao")
    await an.send("Mất điện toàn khu vực")
    review = await an.expect_message(contains="Không tổ chức.")
    assert "Lý do: Mất điện toàn khu vực" in review.text
    await an.press("📨 Gửi báo cáo")
    await an.expect_message(contains="✅ Đã nhận báo cáo số")
    report = await db.scalar(select(Report))
    assert report.late
    assert (await db.scalar(select(ReportVersion))).held is False


async def test_amend_within_seven_days_and_not_after(roster, bot, tg, db, clock) -> None:
    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await send_full_report(an)

    clock.advance(timedelta(days=3))
    await an.send("/baocao")
    listing = await an.expect_message(contains="còn trong thời hạn chỉnh sửa")
    amend = listing.buttons[0]["callback_data"]
    await an.press(listing.button_texts[0])
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    await an.press("✏ Ý kiến", message=review)
    await an.expect_message(contains="8/9.")
    await an.send("Bổ sung: đề nghị chi bộ báo cáo kết quả vào tháng sau.")
    await an.expect_message(contains="Báo cáo dự sinh hoạt")
    await an.press("📨 Gửi báo cáo")
    await an.expect_message(contains="✅ Đã cập nhật báo cáo số")
    report = await db.scalar(select(Report))
    assert report.current_version == 2
    assert await db.scalar(select(func.count()).select_from(ReportVersion)) == 2
    assert await db.scalar(select(func.count()).select_from(Proposal)) == 1  # not duplicated

    clock.advance(timedelta(days=5))  # 8 days after sending
    answer = await an.press(data=amend, message=listing)
    assert answer["text"] == "Báo cáo này đã hết thời hạn chỉnh sửa; đề nghị liên hệ Văn phòng."


async def test_the_amend_window_is_the_organisations_setting(
    roster, tg, database_url, db, clock
) -> None:
    bot = await start_bot(make_settings(tg, database_url, amend_days=2), clock)
    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await fill_until_review(an)
    await an.expect_message(contains="Báo cáo dự sinh hoạt")
    await an.press("📨 Gửi báo cáo")
    await an.expect_message(contains="Trong thời hạn 2 ngày, đồng chí có thể chỉnh sửa báo cáo")

    clock.advance(timedelta(days=1))
    await an.send("/baocao")
    listing = await an.expect_message(contains="còn trong thời hạn chỉnh sửa")
    clock.advance(timedelta(days=2))  # 3 days after sending
    answer = await an.press(listing.button_texts[0], message=listing)
    assert answer["text"] == "Báo cáo này đã hết thời hạn chỉnh sửa; đề nghị liên hệ Văn phòng."
    await an.send("/baocao")
    assert "còn trong thời hạn chỉnh sửa" not in (await an.expect_message()).text
    await stop_bot(bot)


async def test_the_office_reports_for_a_member(roster, bot, tg, db, clock) -> None:
    office = await link(tg, db, "CB25", 800025)  # the office's own person, role quản trị
    await run_jobs(bot)  # the bot has been running: the calendar is there
    clock.set(at("2026-12-06 09:00"))
    await run_jobs(bot)  # and still is, the day after the meeting
    await office.send("/baocaothay CB01")
    listing = await office.expect_message(contains="Báo cáo cần gửi")
    await office.press(listing.button_texts[0])
    await office.expect_message(contains="1/9.")
    await send_full_report(office)
    report = await db.scalar(select(Report))
    author = await db.scalar(select(AuditEntry.details).where(AuditEntry.action == "report.submit"))
    assert author["author"] == "CB01"
    from db.models import Person

    office_id = await db.scalar(select(Person.id).where(Person.code == "CB25"))
    assert report.entered_by_id == office_id


async def test_history_respects_roles(roster, bot, tg, db, clock) -> None:
    an = await link(tg, db, "CB01", 800001)
    leader = await link(tg, db, "CB02", 800002)
    member = await link(tg, db, "CB07", 800007)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await send_full_report(an)
    number = (await db.scalar(select(Report))).id
    await leader.expect_message(contains="Kiến nghị khẩn")

    await leader.send("/lichsu KP01")
    listing = await leader.expect_message(contains="Báo cáo")
    assert f"{number} Chi bộ Khu phố 1, 05/12/2026, Nguyễn Văn An" in listing.text
    await leader.send(f"/xembaocao {number}")
    full = await leader.expect_message(contains=f"Báo cáo số {number}")
    assert "Lắp đèn chiếu sáng" in full.text
    photo = await leader.expect_message()  # the photo of the report, sent back
    assert photo.raw["photo"]
    await leader.send("/kiennghi KP01")
    open_ = await leader.expect_message(contains="Kiến nghị của Chi bộ Khu phố 1")
    assert "🔴" in open_.text and "[Hạ tầng giao thông, điện, nước]" in open_.text

    await member.send("/lichsu KP01")
    await member.expect_message(contains="không thuộc quyền")
    await member.send(f"/xembaocao {number}")  # another's: the same answer as none such
    refused = await member.expect_message(contains=f"Không có báo cáo số {number}")
    await member.send("/xembaocao 999999")
    assert (await member.expect_message()).text == refused.text.replace(str(number), "999999")
    await member.send("/xembaocao")
    assert (await member.expect_message()).text == "Đồng chí chưa gửi báo cáo nào."
    await member.send("/kiennghi KP01")
    await member.expect_message(contains="không thuộc quyền hạn")
    await an.send("/lichsu")
    mine = await an.expect_message(contains="Báo cáo")
    assert f"{number} Chi bộ Khu phố 1" in mine.text
    await an.send(f"/xembaocao {number}")
    await an.expect_message(contains=f"Báo cáo số {number}")
    assert (await an.expect_message()).raw["photo"]
    await an.send("/xembaocao")  # one's own, a button each
    own = await an.expect_message(contains="Báo cáo của đồng chí")
    assert f"Số {number}: Chi bộ Khu phố 1, 05/12/2026" in own.text
    assert own.button_texts == [f"📄 Số {number}"]
    await an.press(f"📄 Số {number}", message=own)
    await an.expect_message(contains=f"Báo cáo số {number}")
    assert (await an.expect_message()).raw["photo"]


async def test_a_proposal_added_when_amending_is_tracked(roster, bot, tg, db, clock) -> None:
    an = await link(tg, db, "CB01", 800001)
    leader = await link(tg, db, "CB02", 800002)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await send_full_report(an)
    first = await leader.expect_message(contains="Kiến nghị khẩn")
    assert "Lắp đèn chiếu sáng ngõ 5 trước Tết" in first.text

    clock.advance(timedelta(days=1))
    await amend_with_proposal(
        an, "Cấp kinh phí sửa nhà văn hóa khu phố", "Văn hóa, thể thao", "🔴 Khẩn"
    )

    texts = sorted(row[0] for row in await db.all(select(Proposal.text)))
    assert texts == ["Cấp kinh phí sửa nhà văn hóa khu phố", "Lắp đèn chiếu sáng ngõ 5 trước Tết"]
    added = await leader.expect_message(contains="Kiến nghị khẩn")
    assert "Cấp kinh phí sửa nhà văn hóa khu phố" in added.text
    await run_jobs(bot)
    await nothing_sent(bot, leader)  # the first one is not told again


async def test_saying_after_the_meeting_that_one_did_not_attend(roster, bot, tg, db, clock):
    """The reason is kept as a code and read in the reader's language: the office's
    spreadsheet in Vietnamese never shows an English sentence."""
    from bot.formats.wording import reason_text
    from db.models import Rsvp, RsvpAnswer

    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    await an.press("Tôi không dự buổi này")
    await an.expect_message()
    rsvp = await db.scalar(select(Rsvp).where(Rsvp.answer == RsvpAnswer.NO))
    assert (rsvp.reason_code, rsvp.reason_text) == ("after", "")
    assert reason_text(rsvp.reason_code, rsvp.reason_text, "vi") == (
        "Không dự (báo sau buổi sinh hoạt)"
    )
    assert reason_text(rsvp.reason_code, rsvp.reason_text, "en") == (
        "Did not attend (said after the meeting)"
    )


async def test_after_days_of_downtime_the_request_comes_before_any_nudge(
    roster, bot, tg, db, clock
) -> None:
    """The bot was down from before the meeting until five days after it: the first message
    is the request to report, and a nudge follows a day later, not at once."""
    an = await link(tg, db, "CB01", 800001)
    await run_jobs(bot)  # 1 December: the calendar is made, nothing is due yet
    clock.set(at("2026-12-10 08:00"))  # the meeting was on the 5th; both nudges "due"
    await run_jobs(bot)
    await run_jobs(bot)
    request = await an.expect_message(contains="báo cáo kết quả dự sinh hoạt")
    assert "Nhắc" not in request.text
    assert request.button_texts == REQUEST_BUTTONS
    await an.expect_no_message(within=0.3)
    clock.set(at("2026-12-11 07:59"))
    await run_jobs(bot)
    await nothing_sent(bot, an)
    clock.set(at("2026-12-11 08:00"))
    await run_jobs(bot)
    await an.expect_message(contains="Nhắc lần hai")
    await run_jobs(bot)
    await nothing_sent(bot, an)


async def test_none_after_a_typed_proposal_asks_and_loses_nothing(
    roster, bot, tg, db, clock
) -> None:
    """“Không có” after a proposal was typed asks first, listing it; “Giữ lại” keeps it, and
    only “Bỏ các mục này” drops it."""
    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await fill_until_review(an)
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    await an.press("✏ Kiến nghị", message=review)
    await an.expect_message(contains="7/9.")
    await an.press("Không có")
    question = await an.expect_message(contains="Đồng chí đã chọn “Không có”")
    assert "đã nhập 1 mục" in question.text
    assert "1. Lắp đèn chiếu sáng ngõ 5 trước Tết" in question.text
    await an.press("↩ Giữ lại")
    kept = await an.expect_message(contains="7/9.")
    assert "1. Lắp đèn chiếu sáng ngõ 5 trước Tết" in kept.text
    await an.press("✅ Xong", message=kept)
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    assert "Lắp đèn chiếu sáng ngõ 5 trước Tết" in review.text

    await an.press("✏ Kiến nghị", message=review)
    await an.expect_message(contains="7/9.")
    await an.press("Không có")
    await an.expect_message(contains="Đồng chí đã chọn “Không có”")
    await an.press("🗑 Bỏ các mục này")
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    assert "Lắp đèn chiếu sáng ngõ 5 trước Tết" not in review.text


async def test_a_request_put_off_comes_again_at_the_time_chosen(roster, bot, tg, db, clock) -> None:
    """“Nhắc tối nay” at 08:00: the request says when it will come again, and comes at
    19:30; “Nhắc sáng mai” then brings it at 07:30 the next day; once the report is sent,
    a request put off does not come."""
    an = await link(tg, db, "CB01", 800001)
    request = await asked(bot, clock, an)
    clock.set(at("2026-12-06 08:00"))
    answer = await an.press("🔔 Nhắc tối nay", message=request)
    when = "19 giờ 30, Chủ nhật, ngày 06/12/2026"
    assert answer["text"] == f"Hệ thống sẽ nhắc lại đồng chí lúc {when}."
    await an.expect_edit(request, f"🔔 Hệ thống sẽ nhắc lại lúc {when}.")
    assert request.text.endswith(f"🔔 Hệ thống sẽ nhắc lại lúc {when}.")
    assert request.button_texts == REQUEST_BUTTONS  # the choice can still be changed
    clock.set(at("2026-12-06 19:29"))
    await run_jobs(bot)
    await nothing_sent(bot, an)
    clock.set(at("2026-12-06 19:30"))
    await run_jobs(bot)
    again = await an.expect_message(contains="báo cáo kết quả dự sinh hoạt")
    assert again.button_texts == REQUEST_BUTTONS
    await run_jobs(bot)
    await nothing_sent(bot, an)  # once

    answer = await an.press("🔔 Nhắc sáng mai", message=again)
    assert "7 giờ 30, thứ Hai, ngày 07/12/2026" in answer["text"]
    clock.set(at("2026-12-07 07:30"))
    await run_jobs(bot)
    morning = await an.expect_message(contains="báo cáo kết quả dự sinh hoạt")
    await an.press("🔔 Nhắc sáng mai", message=morning)
    await an.press("📝 Báo cáo ngay", message=morning)
    await an.expect_message(contains="1/9.")
    await send_full_report(an)
    refused = await an.press("🔔 Nhắc tối nay", message=morning)
    assert refused["text"] == "Nút này không còn hiệu lực. Đề nghị gửi /baocao."  # it has come
    clock.set(at("2026-12-08 07:30"))
    await run_jobs(bot)
    assert not [m for m in an.unread() if "báo cáo kết quả dự sinh hoạt" in m.text]


async def test_the_criteria_the_figures_decide_are_shown_not_asked(
    roster, bot, tg, db, clock
) -> None:
    """30 of 32 present (94%), none absent without leave, 105 minutes: both criteria are
    ticked from the figures, with why, and offered as no button; the report stores them."""
    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await held_as_planned(an, "30/32")
    await an.send("Quán triệt Chỉ thị 50.")
    await an.expect_message(contains="Đã nhận")
    await an.press("✅ Xong")
    await an.expect_message(contains="6/9.")
    await an.press("Không có")
    await an.expect_message(contains="7/9.")
    await an.press("Không có")
    await an.expect_message(contains="8/9.")
    await an.send("Truyền đạt Chỉ thị 50.")
    criteria = await an.expect_message(contains="9/9.")
    assert (
        "☑ Trên 85% đảng viên dự, không có đảng viên vắng mặt không có lý do: có mặt 94%,"
        " vắng không có lý do 0" in criteria.text
    )
    assert "☑ Thời gian từ 90 phút trở lên: 105 phút" in criteria.text
    labels = " ".join(criteria.button_texts)
    assert "85%" not in labels and "90 phút" not in labels
    await an.press("☐ Ghi biên bản đầy đủ")
    await an.expect_message(contains="9/9.")
    await an.press("✅ Xong")
    await an.expect_message(contains="xếp loại chất lượng")
    await an.press("Khá")
    await an.expect_message(contains="Nhận xét thêm")
    await an.press("Bỏ qua")
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    assert "Chất lượng: Khá; đạt 3/7 tiêu chí" in review.text
    await an.press("📨 Gửi báo cáo")
    await an.expect_message(contains="✅ Đã nhận báo cáo số")
    version = await db.scalar(select(ReportVersion))
    assert version.criteria_met == ["attendance", "duration", "minutes"]
    # The month's digest counts the criterion the same way as it gives the attendance.
    leader = await link(tg, db, "CB02", 800002)
    await leader.send("/tonghop 12/2026")
    await leader.expect_message(contains="Đang tổng hợp")
    digest = await leader.expect_message(contains="Chất lượng sinh hoạt")
    assert "Tỷ lệ đảng viên dự: 93,8%" in digest.text
    assert "dự trên 85%: 1/1" in digest.text


async def test_one_proposal_is_edited_then_deleted_from_the_review(
    roster, bot, tg, db, clock
) -> None:
    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await fill_until_review(an)
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    await an.press("✏ Kiến nghị", message=review)
    listed = await an.expect_message(contains="7/9.")
    await an.press("✏ Sửa hoặc xóa một mục", message=listed)
    which = await an.expect_message(contains="chọn số thứ tự")
    assert which.button_texts == ["1", "⬅ Quay lại", "✖ Dừng, lưu nháp"]
    await an.press("1", message=which)
    one = await an.expect_message(contains="Mục 1: “Lắp đèn chiếu sáng ngõ 5 trước Tết”")
    await an.send("Lắp đèn chiếu sáng ngõ 5 và ngõ 7 trước Tết")
    again = await an.expect_message(contains="7/9.")
    assert "1. Lắp đèn chiếu sáng ngõ 5 và ngõ 7 trước Tết" in again.text
    stale = await an.press("🗑 Xóa mục này", message=one)  # the old item's button: no effect
    assert stale["text"]
    await an.press("✏ Sửa hoặc xóa một mục", message=again)
    await an.expect_message(contains="chọn số thứ tự")
    await an.press("1")
    await an.expect_message(contains="Mục 1: “Lắp đèn chiếu sáng ngõ 5 và ngõ 7 trước Tết”")
    await an.press("🗑 Xóa mục này")
    emptied = await an.expect_message(contains="7/9.")
    assert "Lắp đèn" not in emptied.text
    await an.press("✅ Xong", message=emptied)
    review = await an.expect_message(contains="Báo cáo dự sinh hoạt")
    assert "Lắp đèn" not in review.text


async def test_a_member_sees_their_year_on_start(roster, bot, tg, db, clock) -> None:
    """/start shows the year so far: reports sent for the meetings assigned, the reports
    still owed, and the proposals raised and answered."""
    an = await link(tg, db, "CB01", 800001)
    await asked(bot, clock, an)
    await an.send("/start")
    before = await an.expect_message(contains="Kết quả của đồng chí trong năm 2026")
    assert "Đã gửi 0 báo cáo / 1 buổi sinh hoạt được phân công dự" in before.text
    assert "Còn 1 báo cáo chưa gửi (gửi bằng lệnh /baocao)" in before.text
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await send_full_report(an)
    await an.send("/start")
    after = await an.expect_message(contains="Kết quả của đồng chí trong năm 2026")
    assert "Đã gửi 1 báo cáo / 1 buổi sinh hoạt được phân công dự" in after.text
    assert "chưa gửi" not in after.text
    assert "Kiến nghị đã nêu: 1, đã được trả lời: 0" in after.text
