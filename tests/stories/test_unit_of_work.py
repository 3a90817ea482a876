"""A change and the notices it causes are kept or lost together: when the outbox cannot take
a notice, nothing of the person's action is kept, nothing is said but the apology, and the
same action works once the outbox is back."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

import bot.outbox.queue
from db.models import (
    AttendeeKind,
    Meeting,
    MeetingStatus,
    OutboxMessage,
    Person,
    Proposal,
    Report,
    Rsvp,
    RsvpAnswer,
    Unit,
)
from tests.conftest import SAMPLE_ROSTER, ZONE, link, run_jobs
from tests.stories.test_reminders import kp01_calendar
from tests.stories.test_reports import asked, fill_until_review
from tests.stories.test_roster_in_chat import XLSX

APOLOGY = "hệ thống gặp sự cố"


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


class Outbox:
    """Switches the outbox off (it refuses notices: a full disk, a lost connection) and on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.real = bot.outbox.queue.put

    def down(self) -> None:
        async def refuse(*args, **kwargs):
            raise RuntimeError("the outbox is unavailable")

        self.monkeypatch.setattr(bot.outbox.queue, "put", refuse)

    def restore(self) -> None:
        self.monkeypatch.setattr(bot.outbox.queue, "put", self.real)


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Outbox:
    return Outbox(monkeypatch)


async def notices(db) -> int:
    return await db.scalar(select(func.count()).select_from(OutboxMessage))


async def test_an_absence_is_kept_only_with_the_offices_notice(
    roster, bot, tg, db, clock, admin, outbox
) -> None:
    an = await link(tg, db, "CB01", 800001)
    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    await an.expect_message(contains="Nhắc lịch")
    await an.press("❌ Không dự được")
    await an.expect_message(contains="cho biết lý do")
    queued = await notices(db)

    outbox.down()
    await an.press("Đi công tác")
    sorry = await an.expect_message(contains=APOLOGY)
    assert "Đã ghi nhận" not in sorry.text
    await an.expect_no_message(within=0.3)  # no "recorded", only the apology
    answer = await db.scalar(
        select(Rsvp.answer).join(Person, Person.id == Rsvp.person_id).where(Person.code == "CB01")
    )
    assert answer != RsvpAnswer.NO, "the absence was kept without the office's notice"
    assert await notices(db) == queued
    outbox.restore()

    await an.press("Đi công tác")
    await an.expect_message(contains="Đã ghi nhận đồng chí vắng mặt")
    await admin.expect_message(contains="Đồng chí Nguyễn Văn An không dự được")


async def test_a_report_is_kept_only_with_the_leaders_urgent_notice(
    roster, bot, tg, db, clock, outbox
) -> None:
    an = await link(tg, db, "CB01", 800001)
    leader = await link(tg, db, "CB02", 800002)
    await asked(bot, clock, an)
    await an.press("📝 Báo cáo ngay")
    await an.expect_message(contains="1/9.")
    await fill_until_review(an)
    await an.expect_message(contains="Báo cáo dự sinh hoạt")

    outbox.down()
    await an.press("📨 Gửi báo cáo")
    await an.expect_message(contains=APOLOGY)
    await an.expect_no_message(within=0.3)
    assert await db.scalar(select(func.count()).select_from(Report)) == 0
    assert await db.scalar(select(func.count()).select_from(Proposal)) == 0
    outbox.restore()

    await an.press("📨 Gửi báo cáo")  # the review is still there: nothing was lost
    await an.expect_message(contains="✅ Đã nhận báo cáo số")
    await leader.expect_message(contains="Kiến nghị khẩn")
    assert await db.scalar(select(func.count()).select_from(Report)) == 1


async def meeting_of_kp01(db, day: int) -> Meeting:
    return await db.scalar(
        select(Meeting)
        .join(Unit, Unit.id == Meeting.unit_id)
        .where(Unit.code == "KP01", Meeting.occurrence_on == date(2026, 12, day))
    )


async def test_a_move_is_kept_only_with_the_notices_of_it(
    roster, bot, tg, db, clock, admin, outbox
) -> None:
    an = await link(tg, db, "CB01", 800001)
    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    await an.expect_message(contains="Nhắc lịch")
    await an.press("📅 Báo đổi lịch")
    await an.expect_message(contains="nhập ngày giờ mới")
    await an.send("19:30 ngày 6/12")
    await an.expect_message(contains="ngày 06/12/2026?")
    before = await meeting_of_kp01(db, 5)
    queued = await notices(db)

    outbox.down()
    await an.press("✅ Xác nhận")
    await an.expect_message(contains=APOLOGY)
    await an.expect_no_message(within=0.3)
    after = await meeting_of_kp01(db, 5)
    assert (after.starts_at, after.revision) == (before.starts_at, before.revision)
    assert await notices(db) == queued
    outbox.restore()

    await an.press("✅ Xác nhận")  # the confirmation still stands: nothing was lost
    await an.expect_message(contains="Đã gửi đề nghị dời lịch tới Văn phòng")
    request = await admin.expect_message(contains="đề nghị dời lịch sinh hoạt")
    assert "sang 19 giờ 30, Chủ nhật, ngày 06/12/2026" in request.text


async def test_a_cancellation_is_kept_only_with_the_notices_of_it(
    roster, bot, tg, db, clock, admin, outbox
) -> None:
    an = await link(tg, db, "CB01", 800001)
    december = await kp01_calendar(admin)
    await admin.press("🚫 Hủy buổi sinh hoạt", message=december)
    await admin.expect_message(contains="Hủy buổi sinh hoạt của Chi bộ Khu phố 1")

    outbox.down()
    await admin.press("🚫 Đồng ý hủy")
    await admin.expect_message(contains=APOLOGY)
    assert (await meeting_of_kp01(db, 5)).status == MeetingStatus.PLANNED
    await an.expect_no_message(within=0.3)
    outbox.restore()

    await admin.press("🚫 Đồng ý hủy")
    await admin.expect_message(contains="Thông báo hủy buổi sinh hoạt")
    await an.expect_message(contains="Thông báo hủy buổi sinh hoạt")
    assert (await meeting_of_kp01(db, 5)).status == MeetingStatus.CANCELLED


async def test_a_stand_in_is_invited_only_with_the_invitation(
    roster, bot, tg, db, clock, admin, outbox
) -> None:
    an = await link(tg, db, "CB01", 800001)
    hanh = await link(tg, db, "CB05", 800005)
    clock.set(at("2026-12-02 08:00"))
    await run_jobs(bot)
    await an.expect_message(contains="Nhắc lịch")
    await an.press("❌ Không dự được")
    await an.expect_message(contains="cho biết lý do")
    await an.press("Đi công tác")
    await an.expect_message(contains="Đã ghi nhận")
    await admin.expect_message(contains="không dự được")

    outbox.down()
    await admin.press("Hoàng Thị Hồng Hạnh")
    await admin.expect_message(contains=APOLOGY)
    stand_ins = select(func.count()).where(Rsvp.kind == AttendeeKind.STAND_IN)
    assert await db.scalar(stand_ins) == 0
    outbox.restore()

    await admin.press("Hoàng Thị Hồng Hạnh")
    await admin.expect_message(contains="Đã đề nghị đồng chí Hoàng Thị Hồng Hạnh dự thay")
    await hanh.expect_message(contains="Đề nghị dự thay sinh hoạt chi bộ")
    assert await db.scalar(stand_ins) == 1


async def test_a_new_schedule_is_imported_only_with_the_notices_of_it(
    roster, bot, tg, db, clock, admin, outbox
) -> None:
    an = await link(tg, db, "CB01", 800001)
    await run_jobs(bot)  # the calendar of the coming months
    workbook = load_workbook(SAMPLE_ROSTER)
    workbook["Chi bộ"]["D2"] = "ngày 7"  # KP01 moves from the 5th
    buffer = io.BytesIO()
    workbook.save(buffer)
    await admin.send_document("danh-sach.xlsx", buffer.getvalue(), XLSX)
    await admin.expect_message(contains="Khi nhập sẽ có các thay đổi")

    outbox.down()
    await admin.press("✅ Nhập danh sách")
    await admin.expect_message(contains=APOLOGY)
    assert await meeting_of_kp01(db, 7) is None and await meeting_of_kp01(db, 5) is not None
    await an.expect_no_message(within=0.3)
    outbox.restore()

    await admin.press("✅ Nhập danh sách")
    await admin.expect_message(contains="Đã nhập danh sách")
    await an.expect_message(contains="Lịch sinh hoạt thay đổi")
    assert await meeting_of_kp01(db, 7) is not None
