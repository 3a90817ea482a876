"""Reminders reach each member once, at the right local time, never in quiet hours; answers
are recorded; absences go to the office, which finds a stand-in."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from db.models import (
    AttendeeKind,
    Meeting,
    OutboxMessage,
    OutboxState,
    Person,
    Rsvp,
    RsvpAnswer,
    Unit,
)
from sandbox.server import BotApiServer
from tests.conftest import ZONE, link, make_settings, nothing_sent, run_jobs, start_bot, stop_bot

MEETING = "19 giờ 30, thứ Bảy, ngày 05/12/2026"
STALE = (
    "Nút này không còn hiệu lực do buổi sinh hoạt đã thay đổi. Đề nghị xem lại lịch bằng lệnh"
    " /lich."
)


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


async def first_reminder(bot, clock, user):
    """The 3-day reminder of KP01's meeting on 05/12, as 02/12 08:00 brings it."""
    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    return await user.expect_message(contains=MEETING)


async def kp01_calendar(admin):
    """The office's /lich KP01: a heading, then a message per meeting; returns December's."""
    await admin.send("/lich KP01")
    await admin.expect_message(contains="Lịch sinh hoạt của Chi bộ Khu phố 1")
    december = await admin.expect_message(contains=MEETING)
    await admin.expect_message(contains="ngày 05/01/2027")
    await admin.expect_message(contains="ngày 05/02/2027")
    return december


async def test_each_reminder_once_at_its_local_time(roster, bot, tg, db, clock) -> None:
    an = await link(tg, db, "CB01", 800001)
    clock.set(at("2026-12-02 07:59"))
    await run_jobs(bot)
    await nothing_sent(bot, an)

    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    first = await an.expect_message(contains="Nhắc lịch sinh hoạt chi bộ")
    assert (
        "Kính gửi đồng chí Nguyễn Văn An,\n"
        "Văn phòng thông báo lịch sinh hoạt chi bộ đồng chí được phân công dự:\n"
    ) in first.text
    assert "Chi bộ Khu phố 1 — Khu vực 1 (các khu phố nội thị)" in first.text
    assert "Hình thức: sinh hoạt thường kỳ" in first.text
    assert f"Thời gian: {MEETING}" in first.text
    assert "Địa điểm: Nhà văn hóa Khu phố 1" in first.text
    assert "Bí thư chi bộ: Võ Văn Dũng, 0235 3800 100" in first.text
    assert first.button_texts == ["✅ Sẽ dự", "❌ Không dự được", "📅 Báo đổi lịch"]
    await run_jobs(bot)
    await run_jobs(bot)
    await nothing_sent(bot, an)

    clock.set(at("2026-12-04 08:00"))
    await run_jobs(bot)
    await an.expect_message(contains=MEETING)
    clock.set(at("2026-12-05 17:30"))
    await run_jobs(bot)
    last = await an.expect_message(contains=MEETING)
    assert "Đề nghị đồng chí xác nhận việc tham dự." in last.text
    await run_jobs(bot)
    await nothing_sent(bot, an)


async def test_a_bot_that_was_down_sends_the_latest_reminder_only(roster, bot, tg, db, clock):
    an = await link(tg, db, "CB01", 800001)
    clock.set(at("2026-12-05 18:00"))  # every reminder time has passed, the meeting has not
    await run_jobs(bot)
    only = await an.expect_message(contains=MEETING)
    await an.expect_no_message(within=0.7)
    keys = [
        k
        for (k,) in await db.all(
            select(OutboxMessage.key).where(OutboxMessage.key.like("remind:%"))
        )
    ]
    assert len(keys) == 1 and keys[0].endswith(":2h")
    assert only.button_texts[0] == "✅ Sẽ dự"


async def test_quiet_hours_hold_a_reminder_until_they_end(roster, tg, database_url, db, clock):
    settings = make_settings(tg, database_url, quiet_hours="07:30-09:00")
    app = await start_bot(settings, clock)
    try:
        an = await link(tg, db, "CB01", 800001)
        clock.set(at("2026-12-02 08:00"))
        await run_jobs(app)
        await nothing_sent(app, an)
        clock.set(at("2026-12-02 09:00"))
        await run_jobs(app)
        await an.expect_message(contains=MEETING)
    finally:
        await stop_bot(app)


async def test_rsvp_is_recorded_and_later_reminders_know_it(roster, bot, tg, db, clock) -> None:
    an = await link(tg, db, "CB01", 800001)
    reminder = await first_reminder(bot, clock, an)
    yes = next(b["callback_data"] for b in reminder.buttons if b["text"] == "✅ Sẽ dự")
    await an.press("✅ Sẽ dự")
    thanks = await an.expect_message(contains="Cảm ơn đồng chí. Đồng chí sẽ dự sinh hoạt")
    assert MEETING in thanks.text
    assert reminder.button_texts == ["❌ Không dự được", "📅 Báo đổi lịch"]
    # The reminder itself says what was recorded, below what it said before, markup kept.
    state = f"✅ Đồng chí đã xác nhận sẽ dự, {MEETING}."
    assert reminder.text.endswith("\n\n" + state), reminder.text
    assert reminder.html.startswith("🔔 <b>Nhắc lịch sinh hoạt chi bộ</b>"), reminder.html
    again = await an.press(data=yes, message=reminder)  # a double tap: nothing new
    assert again["text"] == "Câu trả lời này đã được ghi nhận; không có gì thay đổi."
    assert reminder.text.count(state) == 1
    await nothing_sent(bot, an)
    answer = await db.scalar(
        select(Rsvp.answer).join(Person, Person.id == Rsvp.person_id).where(Person.code == "CB01")
    )
    assert answer == RsvpAnswer.YES
    clock.set(at("2026-12-04 08:00"))
    await run_jobs(bot)
    later = await an.expect_message(contains=MEETING)
    assert "Đồng chí đã xác nhận sẽ tham dự." in later.text


async def test_absence_to_stand_in_end_to_end(roster, bot, tg, db, clock, admin) -> None:
    an = await link(tg, db, "CB01", 800001)
    hanh = await link(tg, db, "CB05", 800005)
    await link(tg, db, "CB24", 800024)  # follows no branch: the least busy
    await first_reminder(bot, clock, an)
    await an.press("❌ Không dự được")
    why = await an.expect_message(contains="cho biết lý do")
    assert why.button_texts == ["Đi công tác", "Ốm", "Việc gia đình", "Lý do khác"]
    await an.press("Lý do khác")
    await an.expect_message(contains="ghi lý do trong một tin nhắn")
    await an.send("x" * 400)
    await an.expect_message(contains="Lý do quá dài")
    await an.send("Họp tổ dân phố đột xuất")
    await an.expect_message(contains="Đã ghi nhận đồng chí vắng mặt")

    notice = await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")
    assert "Lý do: Họp tổ dân phố đột xuất" in notice.text
    assert "Hoàng Thị Hồng Hạnh" in notice.button_texts
    assert "Nguyễn Văn An" not in notice.button_texts
    # Each candidate with what they already carry, the least busy first.
    assert (
        "• Hoàng Thị Hồng Hạnh: theo dõi Chi bộ Khu phố 5, Chi bộ Thôn 10;"
        " tháng 12/2026 có 2 buổi sinh hoạt" in notice.text
    )
    idle = await db.scalar(select(Person.full_name).where(Person.code == "CB24"))
    assert notice.button_texts.index(idle) < notice.button_texts.index("Hoàng Thị Hồng Hạnh")
    assert f"• {idle}: chưa theo dõi chi bộ nào; tháng 12/2026 có 0 buổi sinh hoạt" in notice.text
    pick = next(b["callback_data"] for b in notice.buttons if b["text"] == "Hoàng Thị Hồng Hạnh")
    await admin.press("Hoàng Thị Hồng Hạnh")
    await admin.expect_message(contains="Đã đề nghị đồng chí Hoàng Thị Hồng Hạnh dự thay")

    invitation = await hanh.expect_message(contains="Đề nghị dự thay sinh hoạt chi bộ")
    assert MEETING in invitation.text
    await hanh.press("✅ Đồng ý dự thay")
    await hanh.expect_message(contains="hệ thống sẽ gửi tin nhắc lịch")
    assert invitation.text.endswith("\n\n✅ Đồng chí đã nhận dự thay.")
    assert invitation.button_texts == [] and MEETING in invitation.text
    await admin.expect_message(
        contains="✅ Đồng chí Hoàng Thị Hồng Hạnh đã đồng ý dự thay sinh hoạt"
    )
    stand_in = await db.scalar(select(Rsvp).where(Rsvp.kind == AttendeeKind.STAND_IN))
    assert stand_in.answer == RsvpAnswer.YES

    clock.set(at("2026-12-04 08:00"))
    await run_jobs(bot)
    reminder = await hanh.expect_message(contains="Đồng chí dự thay đồng chí Nguyễn Văn An.")
    assert MEETING in reminder.text
    await an.expect_no_message(within=0.5)
    again = await admin.press(data=pick, message=notice)  # the same pick, pressed again
    assert again["text"] == "Đã mời người dự thay cho buổi sinh hoạt này."
    await admin.send("/lich KP01")
    await admin.expect_message(contains="Lịch sinh hoạt của Chi bộ Khu phố 1")
    calendar = await admin.expect_message(contains=MEETING)
    assert "Hoàng Thị Hồng Hạnh: sẽ dự, dự thay đồng chí Nguyễn Văn An" in calendar.text


async def test_a_paused_person_gets_no_reminders(roster, bot, tg, db, clock, admin) -> None:
    an = await link(tg, db, "CB01", 800001)
    await an.send("/vang 01/12/2026 10/12/2026 đi công tác tỉnh")
    recorded = await an.expect_message(contains="Đã ghi nhận thời gian vắng")
    assert "từ ngày 01/12/2026 đến ngày 10/12/2026" in recorded.text
    assert "Có 1 buổi sinh hoạt" in recorded.text
    await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")
    for moment in ("2026-12-02 08:00", "2026-12-04 08:00", "2026-12-05 17:30"):
        clock.set(at(moment))
        await run_jobs(bot)
    await nothing_sent(bot, an)
    await an.send("/vang mai")
    await an.expect_message(contains="Cách dùng: gửi /vang")


async def test_a_stale_button_is_answered_politely(roster, bot, tg, db, clock, admin) -> None:
    an = await link(tg, db, "CB01", 800001)
    old = await first_reminder(bot, clock, an)
    yes_data = old.buttons[0]["callback_data"]
    await an.press("📅 Báo đổi lịch")
    await an.expect_message(contains="Đề nghị đồng chí nhập ngày giờ mới")
    await an.send("mai nhé")
    await an.expect_message(contains="Hệ thống chưa đọc được ngày giờ")
    await an.send("19:30 ngày 6/12")
    confirm = await an.expect_message(contains="sang 19 giờ 30, Chủ nhật, ngày 06/12/2026?")
    assert confirm.button_texts == ["✅ Xác nhận", "✖ Hủy"]
    await an.press("✅ Xác nhận")
    # A member's move is a request: the office decides, the member hears.
    await an.expect_message(contains="Đã gửi đề nghị dời lịch tới Văn phòng")
    request = await admin.expect_message(
        contains="Đồng chí Nguyễn Văn An đề nghị dời lịch sinh hoạt"
    )
    assert "sang 19 giờ 30, Chủ nhật, ngày 06/12/2026" in request.text
    assert request.button_texts == ["✅ Đồng ý", "✖ Không đồng ý"]
    agree = request.buttons[0]["callback_data"]
    await admin.press("✅ Đồng ý", message=request)
    await admin.expect_edit(request, "✅ Đã đồng ý.")
    told = await an.expect_message(contains="Văn phòng đã đồng ý")
    assert "dời sang 19 giờ 30, Chủ nhật, ngày 06/12/2026" in told.text
    await an.expect_no_message(within=0.3)  # told once, not also as one of those expected
    again = await admin.press(data=agree, message=request)  # a double tap
    assert again["text"]

    answer = await an.press(data=yes_data, message=old)
    assert answer["text"] == STALE
    forged = await an.press(data="1:rsvp:999999:1:y", message=old)
    assert forged["text"] == STALE
    clock.set(at("2026-12-06 08:00"))
    await run_jobs(bot)
    moved = await an.expect_message(contains="19 giờ 30, Chủ nhật, ngày 06/12/2026")
    assert "(dời từ 19 giờ 30, thứ Bảy, ngày 05/12/2026)" in moved.text


async def test_a_members_move_refused_by_the_office_changes_nothing(
    roster, bot, tg, db, clock, admin
) -> None:
    an = await link(tg, db, "CB01", 800001)
    await first_reminder(bot, clock, an)
    await an.press("📅 Báo đổi lịch")
    await an.expect_message(contains="nhập ngày giờ mới")
    await an.send("19:30 ngày 6/12")
    await an.expect_message(contains="ngày 06/12/2026?")
    await an.press("✅ Xác nhận")
    await an.expect_message(contains="Đã gửi đề nghị dời lịch tới Văn phòng")
    request = await admin.expect_message(contains="đề nghị dời lịch sinh hoạt")
    await admin.press("✖ Không đồng ý", message=request)
    await admin.expect_edit(request, "❌ Không đồng ý.")
    refused = await an.expect_message(contains="Văn phòng không đồng ý dời buổi sinh hoạt")
    assert "giữ nguyên lịch" in refused.text
    starts = await db.scalar(
        select(Meeting.starts_at)
        .join(Unit, Unit.id == Meeting.unit_id)
        .where(Unit.code == "KP01", Meeting.starts_at > at("2026-12-01 00:00"))
        .order_by(Meeting.starts_at)
    )
    assert starts == at("2026-12-05 19:30")


async def test_the_office_cancels_and_everyone_hears(roster, bot, tg, db, clock, admin) -> None:
    an = await link(tg, db, "CB01", 800001)
    first = await kp01_calendar(admin)
    assert "Nguyễn Văn An: chưa trả lời" in first.text
    await admin.press("🚫 Hủy buổi sinh hoạt", message=first)
    await admin.expect_message(contains="Hủy buổi sinh hoạt của Chi bộ Khu phố 1")
    await admin.press("🚫 Đồng ý hủy")
    await admin.expect_message(contains="Thông báo hủy buổi sinh hoạt")
    cancelled = await an.expect_message(contains="Thông báo hủy buổi sinh hoạt")
    assert MEETING in cancelled.text and "sẽ không được tổ chức" in cancelled.text
    await run_jobs(bot)  # the outbox emptied: the office that cancelled heard it once
    told = [m for m in admin.all_messages() if "Thông báo hủy buổi sinh hoạt" in m.text]
    assert len(told) == 1
    queued_for_admin = select(OutboxMessage.key).where(OutboxMessage.chat_id == admin.id)
    assert list(await db.all(queued_for_admin)) == []
    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    await nothing_sent(bot, an)
    await an.send("/lich")
    mine = await an.expect_message(contains="Lịch dự sinh hoạt của đồng chí")
    assert f"🚫 {MEETING}: Chi bộ Khu phố 1 — đã hủy" in mine.text


async def test_a_blocked_member_is_marked_and_the_others_still_get_theirs(
    roster, bot, tg: BotApiServer, db, clock, admin
) -> None:
    an = await link(tg, db, "CB01", 800001)
    binh = await link(tg, db, "CB02", 800002)  # follows Khu phố 2 (ngày 10) and Thôn 7
    tg.chats[an.id].blocked = True
    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    clock.set(at("2026-12-07 08:00"))
    await run_jobs(bot)
    await binh.expect_message(contains="Chi bộ Khu phố 2")
    row = await db.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == an.id))
    assert row.state == OutboxState.UNREACHABLE
    assert await db.scalar(select(Person.unreachable_since).where(Person.code == "CB01"))
    await admin.send("/khongnhan")
    listing = await admin.expect_message(contains="Cán bộ không nhận được tin nhắn của hệ thống")
    assert "CB01 Nguyễn Văn An, từ ngày 02/12/2026" in listing.text
    tg.chats[an.id].blocked = False  # they unblock the bot and write to it
    await an.send("/lich")
    await an.expect_message(contains="Lịch dự sinh hoạt")
    assert await db.scalar(select(Person.unreachable_since).where(Person.code == "CB01")) is None


async def test_a_429_is_waited_out(roster, bot, tg: BotApiServer, db, clock) -> None:
    from sandbox.spec import ApiError

    an = await link(tg, db, "CB01", 800001)
    tg.inject_error("sendMessage", ApiError(429, "Too Many Requests: retry after 1", 1))
    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    await an.expect_message(contains=MEETING, timeout=15)
    row = await db.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == an.id))
    assert row.state == OutboxState.SENT
    tries = [c for c in tg.calls_of("sendMessage") if c.params.get("chat_id") == an.id]
    assert [c.ok for c in tries[-2:]] == [False, True]  # refused with 429, then delivered
    assert tries[-1].at - tries[-2].at >= 0.9  # after waiting the second asked for
    assert tg.error_counts[429] == 1
    assert len([m for m in an.all_messages() if MEETING in m.text]) == 1


async def test_overlapping_meetings_are_warned_and_shown_to_the_office(
    roster, bot, tg, db, clock, admin
) -> None:
    an = await link(tg, db, "CB01", 800001)
    await admin.send("/phancong CB01 KP11 01/12/2026")  # Khu phố 11 also meets on the 5th, 19:30
    await admin.expect_message(contains="Đã phân công")
    await admin.send("/trunglich")
    clash = await admin.expect_message(contains="trùng giờ")
    assert "Nguyễn Văn An: Chi bộ Khu phố 1 (" in clash.text
    assert "Chi bộ Khu phố 11 (19 giờ 30, thứ Bảy, ngày 05/12/2026)" in clash.text
    await admin.send("/xungdot")  # the command's earlier name still answers
    assert (await admin.expect_message(contains="trùng giờ")).text == clash.text
    await an.send("/lich")
    mine = await an.expect_message(contains="Lịch dự sinh hoạt của đồng chí")
    assert mine.text.count("⚠ trùng giờ với buổi sinh hoạt khác của đồng chí") == 4  # Dec, Jan
    first = await first_reminder(bot, clock, an)
    assert "⚠" in first.text


async def test_the_months_guidance_rides_on_its_reminders(roster, bot, tg, db, clock, admin):
    an = await link(tg, db, "CB01", 800001)
    await admin.send("/huongdan 12/2026 Quán triệt Chỉ thị 50-CT/TW & Hướng dẫn 42 <mới>")
    await admin.expect_message(contains="Đã lưu hướng dẫn tháng 12/2026")
    await admin.send("/huongdan tháng này")
    await admin.expect_message(contains="Cách dùng: /huongdan")
    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    reminder = await an.expect_message(contains="Hướng dẫn của Văn phòng trong tháng")
    assert "Quán triệt Chỉ thị 50-CT/TW & Hướng dẫn 42 <mới>" in reminder.text
    member = await link(tg, db, "CB07", 800007)
    await member.send("/huongdan 12/2026 không được")
    await member.expect_message(contains="không thuộc quyền hạn")


async def test_a_move_asks_everyone_again(roster, bot, tg, db, clock, admin) -> None:
    """Who said "will attend" said it for the old time: after the office moves the meeting,
    the office sees that, and the next reminder asks again."""
    an = await link(tg, db, "CB01", 800001)
    before_the_move = await first_reminder(bot, clock, an)
    await an.press("✅ Sẽ dự")
    await an.expect_message(contains="Đồng chí sẽ dự sinh hoạt")

    first = await kp01_calendar(admin)
    assert "Nguyễn Văn An: sẽ dự" in first.text
    await admin.press("📅 Dời lịch", message=first)
    await admin.expect_message(contains="nhập ngày giờ mới")
    await admin.send("19:30 ngày 6/12")
    await admin.expect_message(contains="sang 19 giờ 30, Chủ nhật, ngày 06/12/2026?")
    await admin.press("✅ Xác nhận")
    await admin.expect_message(contains="được dời sang 19 giờ 30, Chủ nhật, ngày 06/12/2026")
    moved = await an.expect_message(contains="được dời sang")
    assert moved.text.endswith("\nNgười thay đổi: Văn phòng.")  # who made the change
    answer = await db.scalar(
        select(Rsvp.answer).join(Person, Person.id == Rsvp.person_id).where(Person.code == "CB01")
    )
    assert answer == RsvpAnswer.PENDING
    # The reminder of the old time, pressed now: it says so and records nothing.
    old = await an.press("❌ Không dự được", message=before_the_move)
    assert "buổi sinh hoạt đã thay đổi" in old["text"] and "/lich" in old["text"]
    assert (
        await db.scalar(
            select(Rsvp.answer)
            .join(Person, Person.id == Rsvp.person_id)
            .where(Person.code == "CB01")
        )
        == RsvpAnswer.PENDING
    )

    await admin.send("/lich KP01")
    await admin.expect_message(contains="Lịch sinh hoạt của Chi bộ Khu phố 1")
    moved = await admin.expect_message(contains="06/12/2026")
    assert "Nguyễn Văn An: đã xác nhận giờ cũ, chưa xác nhận giờ mới" in moved.text

    clock.set(at("2026-12-05 08:00"))
    await run_jobs(bot)
    again = await an.expect_message(contains="19 giờ 30, Chủ nhật, ngày 06/12/2026")
    assert "đã xác nhận dự theo giờ cũ" in again.text
    assert again.button_texts[0] == "✅ Sẽ dự"
    await an.press("✅ Sẽ dự", message=again)
    await an.expect_message(contains="Đồng chí sẽ dự sinh hoạt")
    assert await db.scalar(
        select(Rsvp.answer).join(Person, Person.id == Rsvp.person_id).where(Person.code == "CB01")
    ) == (RsvpAnswer.YES)


async def test_a_member_asking_for_a_branch_calendar_is_told_it_is_the_offices(
    roster, bot, tg, db
) -> None:
    an = await link(tg, db, "CB01", 800001)
    await an.send("/lich KP02")
    note = await an.expect_message(contains="Lịch của từng chi bộ do Văn phòng theo dõi")
    assert "Khu phố 2" not in note.text
    mine = await an.expect_message(contains="Lịch dự sinh hoạt của đồng chí")
    assert "Chi bộ Khu phố 1" in mine.text


async def test_an_old_reason_button_changes_the_reason_visibly_and_tells_the_office(
    roster, bot, tg, db, clock, admin
) -> None:
    """A typed reason, then the old "Ốm" on the question above it: the record changes, the
    member is told from what to what, and so is the office (asked nothing again); the same
    reason pressed twice changes nothing and tells nobody."""
    an = await link(tg, db, "CB01", 800001)
    await first_reminder(bot, clock, an)
    await an.press("❌ Không dự được")
    why = await an.expect_message(contains="cho biết lý do")
    await an.press("Lý do khác")
    await an.expect_message(contains="ghi lý do trong một tin nhắn")
    await an.send("Trùng lịch họp HĐND phường")
    await an.expect_message(contains="Đã ghi nhận đồng chí vắng mặt")
    first = await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")
    assert "Lý do: Trùng lịch họp HĐND phường" in first.text

    ill = next(b["callback_data"] for b in why.buttons if b["text"] == "Ốm")
    await an.press("Ốm", message=why)
    changed = await an.expect_message(contains="Đã đổi lý do vắng mặt")
    assert "từ “Trùng lịch họp HĐND phường” thành “Ốm”" in changed.text
    assert why.button_texts == []  # the reasons pressed are done with
    told = await admin.expect_message(contains="đã đổi lý do không dự được")
    assert "Lý do mới: Ốm" in told.text
    assert "Lý do đã báo trước đó: Trùng lịch họp HĐND phường" in told.text
    assert told.button_texts == []  # the stand-in was asked for once, not again
    rsvp = await db.scalar(
        select(Rsvp).join(Person, Person.id == Rsvp.person_id).where(Person.code == "CB01")
    )
    assert (rsvp.answer, rsvp.reason_code, rsvp.reason_text) == (RsvpAnswer.NO, "ill", "")

    again = await an.press(data=ill, message=why)  # a double tap, or the old message again
    assert again["text"] == "Câu trả lời này đã được ghi nhận; không có gì thay đổi."
    await nothing_sent(bot, an)
    await admin.expect_no_message(within=0.5)


async def test_a_period_away_is_listed_and_cancelled_and_the_office_told(
    roster, bot, tg, db, clock, admin
) -> None:
    """/vang lists one's periods away with a Cancel button each; the office's notice carries
    the reason typed; a period past or overlapping is refused; a cancelled period opens its
    meetings again, tells the office (naming the stand-in it had invited), and its old
    button then changes nothing."""
    an = await link(tg, db, "CB01", 800001)
    hanh = await link(tg, db, "CB05", 800005)
    clock.set(at("2026-11-28 08:00"))
    await an.send("/vang")
    await an.expect_message(contains="Đồng chí chưa đăng ký thời gian vắng nào.")
    await an.send("/vang 20/11/2026 25/11/2026 ốm")
    await an.expect_message(contains="Thời gian này đã qua")
    await an.send("/vang 01/12/2026 10/12/2026 Trùng lịch họp HĐND phường")
    await an.expect_message(contains="Đã ghi nhận thời gian vắng")
    notice = await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")
    assert "Lý do: Vắng (đã đăng ký): Trùng lịch họp HĐND phường" in notice.text
    await admin.press("Hoàng Thị Hồng Hạnh", message=notice)
    await admin.expect_message(contains="Đã đề nghị đồng chí Hoàng Thị Hồng Hạnh dự thay")
    await hanh.expect_message(contains="Đề nghị dự thay sinh hoạt chi bộ")
    await an.send("/vang 05/12/2026 06/12/2026")
    overlap = await an.expect_message(contains="trùng với thời gian vắng đã đăng ký")
    assert "từ ngày 01/12/2026 đến ngày 10/12/2026" in overlap.text

    await an.send("/vang")
    listed = await an.expect_message(contains="Thời gian vắng đồng chí đã đăng ký")
    assert "từ ngày 01/12/2026 đến ngày 10/12/2026: Trùng lịch họp HĐND phường" in listed.text
    assert listed.button_texts == ["✖ Hủy 01/12–10/12", "➕ Đăng ký thời gian vắng"]
    cancel = listed.buttons[0]["callback_data"]
    await an.press("✖ Hủy 01/12–10/12")
    done = await an.expect_message(contains="Đã hủy thời gian vắng của đồng chí")
    assert "nhắc lịch trở lại cho 1 buổi sinh hoạt" in done.text
    assert "chưa đăng ký thời gian vắng nào" in listed.text  # the list, as it now stands
    assert listed.button_texts == ["➕ Đăng ký thời gian vắng"]
    told = await admin.expect_message(contains="đã hủy đăng ký vắng")
    assert f"Chi bộ Khu phố 1, {MEETING}" in told.text
    assert f"Hoàng Thị Hồng Hạnh: Chi bộ Khu phố 1, {MEETING}" in told.text
    rsvp = await db.scalar(
        select(Rsvp).join(Person, Person.id == Rsvp.person_id).where(Person.code == "CB01")
    )
    assert rsvp.answer == RsvpAnswer.PENDING

    again = await an.press(data=cancel, message=listed)
    assert again["text"] == "Thời gian vắng này không còn trong danh sách đăng ký."
    await admin.expect_no_message(within=0.3)
    await first_reminder(bot, clock, an)  # the reminders are back


async def test_an_answer_is_changed_from_the_calendar_and_the_office_told(
    roster, bot, tg, db, clock, admin
) -> None:
    """/lich has a button per coming meeting: it shows the answer and the buttons that change
    it. Declining tells the office; saying “Sẽ dự” after all tells it again, naming the
    stand-in it had invited meanwhile."""
    an = await link(tg, db, "CB01", 800001)
    hanh = await link(tg, db, "CB05", 800005)
    await an.send("/lich")
    calendar = await an.expect_message(contains="Lịch dự sinh hoạt của đồng chí")
    assert calendar.button_texts[0] == "✏ 05/12"
    await an.press("✏ 05/12", message=calendar)
    one = await an.expect_message(contains="Câu trả lời của đồng chí: chưa trả lời")
    assert one.button_texts == ["✅ Sẽ dự", "❌ Không dự được", "📅 Báo đổi lịch"]
    await an.press("❌ Không dự được", message=one)
    await an.expect_message(contains="cho biết lý do")
    await an.press("Ốm")
    await an.expect_message(contains="Đã ghi nhận đồng chí vắng mặt")
    notice = await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")
    await admin.press("Hoàng Thị Hồng Hạnh", message=notice)
    await admin.expect_message(contains="Đã đề nghị đồng chí Hoàng Thị Hồng Hạnh dự thay")
    await hanh.expect_message(contains="Đề nghị dự thay sinh hoạt chi bộ")

    clock.advance(timedelta(minutes=30))
    await an.send("/lich")
    calendar = await an.expect_message(contains="Lịch dự sinh hoạt của đồng chí")
    assert "không dự được (Ốm)" in calendar.text
    await an.press("✏ 05/12", message=calendar)
    one = await an.expect_message(contains="Câu trả lời của đồng chí: không dự được (Ốm)")
    await an.press("✅ Sẽ dự", message=one)
    await an.expect_message(contains="Cảm ơn đồng chí. Đồng chí sẽ dự sinh hoạt")
    told = await admin.expect_message(contains="Đồng chí Nguyễn Văn An đã báo sẽ dự")
    assert "Hoàng Thị Hồng Hạnh" in told.text
    rsvp = await db.scalar(
        select(Rsvp).join(Person, Person.id == Rsvp.person_id).where(Person.code == "CB01")
    )
    assert (rsvp.answer, rsvp.reason_code) == (RsvpAnswer.YES, None)


async def test_a_member_who_cannot_attend_suggests_a_stand_in_and_the_office_confirms(
    roster, bot, tg, db, clock, admin
) -> None:
    an = await link(tg, db, "CB01", 800001)
    hanh = await link(tg, db, "CB05", 800005)
    await first_reminder(bot, clock, an)
    await an.press("❌ Không dự được")
    await an.expect_message(contains="cho biết lý do")
    await an.press("Ốm")
    recorded = await an.expect_message(contains="Đã ghi nhận đồng chí vắng mặt")
    assert "đề xuất một đồng chí không trùng lịch" in recorded.text
    assert "Hoàng Thị Hồng Hạnh" in recorded.button_texts
    await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")
    await an.press("Hoàng Thị Hồng Hạnh", message=recorded)
    await an.expect_message(contains="Đã chuyển đề xuất đồng chí Hoàng Thị Hồng Hạnh dự thay")
    assert recorded.button_texts == []
    suggested = await admin.expect_message(contains="đề xuất người dự thay")
    assert "đồng chí Hoàng Thị Hồng Hạnh" in suggested.text and MEETING in suggested.text
    await admin.press("Hoàng Thị Hồng Hạnh", message=suggested)  # the office decides
    await admin.expect_message(contains="Đã đề nghị đồng chí Hoàng Thị Hồng Hạnh dự thay")
    await hanh.expect_message(contains="Đề nghị dự thay sinh hoạt chi bộ")


async def test_a_period_away_is_registered_by_buttons(roster, bot, tg, db, clock, admin) -> None:
    """/vang's ➕: the first day pressed or typed ("1/12"), the last typed, the reason typed,
    then confirmed; a day past, a last day before the first, a photo and an overlapping
    period are each refused with the step kept; the office's notice carries the reason; the
    old confirmation changes nothing."""
    an = await link(tg, db, "CB01", 800001)
    clock.set(at("2026-11-28 08:00"))
    await an.send("/vang")
    empty = await an.expect_message(contains="chưa đăng ký thời gian vắng nào")
    assert empty.button_texts == ["➕ Đăng ký thời gian vắng"]
    hanh = await link(tg, db, "CB05", 800005)
    await hanh.send("/start")
    anchor = await hanh.expect_message()
    forwarded = await hanh.press(data=empty.buttons[0]["callback_data"], message=anchor)
    assert "không còn hiệu lực" in forwarded["text"]  # another's list, forwarded: nothing opens
    await an.press("➕ Đăng ký thời gian vắng", message=empty)
    first = await an.expect_message(contains="Đồng chí vắng từ ngày nào?")
    assert first.button_texts[:4] == ["T7 28/11", "CN 29/11", "T2 30/11", "T3 01/12"]
    assert len(first.button_texts) == 16 + 1 and first.button_texts[-1] == "✖ Hủy"
    await an.send("20/11/2026")
    past = await an.expect_message(contains="Ngày này đã qua")
    assert "Đồng chí vắng từ ngày nào?" in past.text and len(past.button_texts) == 17
    await an.send_photo()
    await an.expect_message(contains="Đề nghị đồng chí bấm chọn ngày, hoặc gõ ngày")
    await an.press("T3 01/12", message=past)
    until = await an.expect_message(contains="Vắng từ ngày 01/12/2026.")
    assert past.button_texts == []  # the step answered keeps no buttons
    assert until.button_texts[0] == "T3 01/12"
    await an.send("30/11")
    await an.expect_message(contains="Ngày cuối không thể trước ngày bắt đầu (01/12/2026)")
    await an.send("10/12")
    reason = await an.expect_message(contains="Lý do vắng để báo Văn phòng")
    assert reason.button_texts == [
        "Đi công tác",
        "Ốm",
        "Việc gia đình",
        "Không ghi lý do",
        "✖ Hủy",
    ]
    await an.send("Trùng lịch họp HĐND phường")
    confirm = await an.expect_message(contains="xác nhận đăng ký thời gian vắng này")
    assert "Thời gian vắng: từ ngày 01/12/2026 đến ngày 10/12/2026." in confirm.text
    assert "Lý do: Trùng lịch họp HĐND phường." in confirm.text
    ok = next(b["callback_data"] for b in confirm.buttons if b["text"] == "✅ Đăng ký")
    await an.press("✅ Đăng ký", message=confirm)
    done = await an.expect_message(contains="Đã ghi nhận thời gian vắng")
    assert "1 buổi sinh hoạt" in done.text
    notice = await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")
    assert "Trùng lịch họp HĐND phường" in notice.text
    again = await an.press(data=ok, message=confirm)  # the old confirmation, pressed again
    assert "không còn hiệu lực" in again["text"]
    await admin.expect_no_message(within=0.3)

    await an.send("/vang")
    listed = await an.expect_message(contains="Thời gian vắng đồng chí đã đăng ký")
    assert listed.button_texts == ["✖ Hủy 01/12–10/12", "➕ Đăng ký thời gian vắng"]
    await an.press("➕ Đăng ký thời gian vắng", message=listed)
    await an.expect_message(contains="Đồng chí vắng từ ngày nào?")
    await an.send("3/12")
    await an.expect_message(contains="Vắng từ ngày 03/12/2026.")
    await an.send("4/12")
    overlap = await an.expect_message(contains="trùng với thời gian vắng đã đăng ký")
    assert "Vắng từ ngày 03/12/2026." in overlap.text  # the step is asked again
    await an.press("✖ Hủy", message=overlap)
    await an.expect_message(contains="chưa có thời gian vắng nào được đăng ký")
    await an.send("Ốm")  # typing after the flow ended starts nothing
    await an.expect_message(contains="chưa hiểu")


async def test_the_spreadsheet_names_who_is_to_go_before_anyone_is_reminded(
    roster, bot, tg, db, clock, admin
) -> None:
    """On 1 December nobody has been reminded of the meeting of the 5th yet: its row in the
    month's «Buổi sinh hoạt» sheet names the assignee from the roster."""
    import io

    import openpyxl

    from tests.stories.test_digest import file_content

    clock.set(at("2026-12-01 07:00"))
    await run_jobs(bot)
    assert await db.scalar(select(Rsvp.id)) is None  # no one asked yet
    await admin.send("/tonghop 12/2026")
    await admin.expect_message(contains="Đang tổng hợp")
    sheet = None
    for _ in range(6):
        message = await admin.expect_message()
        if message.document and message.document["file_name"].endswith(".xlsx"):
            sheet = message
            break
    assert sheet is not None
    book = openpyxl.load_workbook(io.BytesIO(file_content(tg, sheet)))
    rows = [
        [str(cell) for cell in row]
        for row in book["Buổi sinh hoạt"].iter_rows(values_only=True)
        if any(str(cell).startswith("2026-12-05") for cell in row)
    ]
    names = {cell for row in rows for cell in row}
    assert "Nguyễn Văn An" in names, rows


async def test_a_move_shows_the_clashes_it_makes_before_it_is_confirmed(
    roster, bot, tg, db, clock, admin
) -> None:
    """Nguyễn Văn An follows KP01 and Thôn 6, which meets at 14 giờ on the last Saturday:
    moving KP01's meeting onto that afternoon shows him before the office confirms; cancelling
    moves nothing."""
    await link(tg, db, "CB01", 800001)
    calendar = await kp01_calendar(admin)
    await admin.press("📅 Dời lịch", message=calendar)
    await admin.expect_message(contains="nhập ngày giờ mới")
    await admin.send("14:30 ngày 26/12")
    confirm = await admin.expect_message(contains="sang 14 giờ 30, thứ Bảy, ngày 26/12/2026?")
    assert "Vào giờ này, các đồng chí sau có lịch dự sinh hoạt khác" in confirm.text
    assert "• Nguyễn Văn An: Chi bộ Thôn 6, 14 giờ 00, thứ Bảy, ngày 26/12/2026" in confirm.text
    await admin.press("✖ Hủy", message=confirm)
    starts = await db.scalar(
        select(Meeting.starts_at)
        .join(Unit, Unit.id == Meeting.unit_id)
        .where(Unit.code == "KP01")
        .order_by(Meeting.starts_at)
        .where(Meeting.starts_at > at("2026-12-01 00:00"))
    )
    assert starts == at("2026-12-05 19:30")


async def test_the_offices_start_says_what_waits_and_opens_it(
    roster, bot, tg, db, clock, admin
) -> None:
    """After a decline, the office's /start lists it with the other work waiting (people not
    linked, branches nobody follows); its button brings the decline back with its
    candidates, and picking one invites them."""
    an = await link(tg, db, "CB01", 800001)
    await link(tg, db, "CB05", 800005)
    await first_reminder(bot, clock, an)
    await an.press("❌ Không dự được")
    await an.expect_message(contains="cho biết lý do")
    await an.press("Ốm")
    await an.expect_message(contains="Đã ghi nhận đồng chí vắng mặt")
    await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")

    await admin.send("/start")
    await admin.expect_message(contains="quản trị")
    waiting = await admin.expect_message(contains="Việc cần đồng chí xử lý")
    assert "• Buổi sinh hoạt có người vắng, chưa có người dự thay: 1" in waiting.text
    assert "• Cán bộ chưa liên kết Telegram: 23" in waiting.text
    assert "🤝 Tìm người dự thay" in waiting.button_texts
    await admin.press("🤝 Tìm người dự thay", message=waiting)
    again = await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")
    assert "Lý do: Ốm" in again.text
    await admin.press("Hoàng Thị Hồng Hạnh", message=again)
    await admin.expect_message(contains="Đã đề nghị đồng chí Hoàng Thị Hồng Hạnh dự thay")
    await admin.send("/start")
    await admin.expect_message(contains="quản trị")
    after = await admin.expect_message(contains="Việc cần đồng chí xử lý")
    assert "chưa có người dự thay" not in after.text  # covered now
    member = await link(tg, db, "CB07", 800007)
    await member.send("/start")
    await member.expect_message(contains="Kính chào đồng chí")
    await member.expect_no_message(within=0.3)  # a member has no such list
