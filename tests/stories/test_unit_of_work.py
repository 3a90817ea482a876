"""A change and the notices it causes are kept or lost together: when the outbox cannot take
a notice, nothing of the person's action is kept, nothing is said but the apology, and the
same action works once the outbox is back."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

import bot.notify
from db.models import OutboxMessage, Person, Proposal, Report, Rsvp, RsvpAnswer
from tests.conftest import ZONE, link, run_jobs
from tests.stories.test_reports import asked, fill_until_review

APOLOGY = "hệ thống gặp sự cố"


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


class Outbox:
    """Switches the outbox off (it refuses notices: a full disk, a lost connection) and on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.real = bot.notify.enqueue

    def down(self) -> None:
        async def refuse(*args, **kwargs):
            raise RuntimeError("the outbox is unavailable")

        self.monkeypatch.setattr(bot.notify, "enqueue", refuse)

    def restore(self) -> None:
        self.monkeypatch.setattr(bot.notify, "enqueue", self.real)


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
