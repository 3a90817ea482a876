"""The calendar follows each branch's rule; typed dates are read as Vietnamese write them."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.services.calendar import CalendarService, parse_meeting_time
from bot.services.policy import actor_for
from db.models import Meeting, MeetingStatus, Role, Unit
from db.session import create_engine, create_sessionmaker
from tests.conftest import SAMPLE_ROSTER
from tests.unit.test_roster_import import run_import

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("12/12 19h30", datetime(2026, 12, 12, 19, 30)),
        ("19:30 ngày 12/12", datetime(2026, 12, 12, 19, 30)),
        ("12/12/2026 19 giờ 30", datetime(2026, 12, 12, 19, 30)),
        ("ngày 5/1 lúc 8h", datetime(2027, 1, 5, 8, 0)),
        ("14h 03-01-2027", datetime(2027, 1, 3, 14, 0)),
    ],
)
def test_typed_dates(typed: str, meant: datetime) -> None:
    assert parse_meeting_time(typed, ZONE, TODAY) == meant.replace(tzinfo=ZONE)


@pytest.mark.parametrize("typed", ["mai", "12/12", "19h30", "31/02 19h", "12/12 25h"])
def test_not_dates(typed: str) -> None:
    assert parse_meeting_time(typed, ZONE, TODAY) is None


async def meetings_of(sessions, code: str) -> list[Meeting]:
    async with sessions() as db:
        return list(
            await db.scalars(
                select(Meeting)
                .join(Unit, Unit.id == Meeting.unit_id)
                .where(Unit.code == code)
                .order_by(Meeting.starts_at)
            )
        )


def local_days(meetings: list[Meeting]) -> list[str]:
    return [m.starts_at.astimezone(ZONE).strftime("%d/%m %H:%M") for m in meetings]


async def test_meetings_from_each_form_with_month_ends_and_february(database_url, clock) -> None:
    await run_import(database_url, clock, SAMPLE_ROSTER.name, SAMPLE_ROSTER.read_bytes())
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as db:
            changes = await CalendarService(db, clock, ZONE).extend()
            await db.commit()
        assert changes.created > 0
        async with sessions() as db:  # a second run changes nothing
            again = await CalendarService(db, clock, ZONE).extend()
            await db.commit()
        assert (again.created, again.updated, again.removed) == (0, 0, 0)
        assert local_days(await meetings_of(sessions, "KP01"))[:3] == [
            "05/12 19:30",
            "05/01 19:30",
            "05/02 19:30",
        ]
        assert local_days(await meetings_of(sessions, "KP10"))[:3] == [
            "31/12 19:30",
            "31/01 19:30",
            "28/02 19:30",
        ]
        assert local_days(await meetings_of(sessions, "KP03"))[:2] == ["06/12 19:30", "03/01 19:30"]
        assert local_days(await meetings_of(sessions, "KP04"))[:2] == ["26/12 19:30", "30/01 19:30"]
        assert local_days(await meetings_of(sessions, "TH01"))[0].endswith("14:00")
        first = (await meetings_of(sessions, "KP01"))[0]
        assert first.starts_at.isoformat() == "2026-12-05T12:30:00+00:00"  # stored as UTC
    finally:
        await engine.dispose()


async def test_a_changed_rule_moves_only_future_untouched_meetings(database_url, clock) -> None:
    await run_import(database_url, clock, SAMPLE_ROSTER.name, SAMPLE_ROSTER.read_bytes())
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as db:
            await CalendarService(db, clock, ZONE).extend()
            await db.commit()
        january = (await meetings_of(sessions, "KP01"))[1]
        async with sessions() as db:  # someone moves January's meeting by hand
            moved = await CalendarService(db, clock, ZONE).move(
                january.id,
                january.revision,
                datetime(2027, 1, 9, 19, 30, tzinfo=ZONE),
                actor_for(900001, None, frozenset({Role.ADMIN})),
            )
            await db.commit()
        assert moved.meeting.status == MeetingStatus.MOVED

        workbook = load_workbook(SAMPLE_ROSTER)
        sheet = workbook["Chi bộ"]
        sheet["D2"] = "ngày 7"  # KP01 now meets on the 7th
        buffer = io.BytesIO()
        workbook.save(buffer)
        await run_import(database_url, clock, "moi.xlsx", buffer.getvalue())
        clock.advance(timedelta(days=1))
        async with sessions() as db:
            changes = await CalendarService(db, clock, ZONE).extend()
            await db.commit()
        # The untouched meetings move to the 7th (the same meetings, in a new revision);
        # January's, moved by hand, stays where it was put.
        assert changes.removed == 0
        moves = [
            (item.previous_start.astimezone(ZONE).day, item.new_start.astimezone(ZONE).day)
            for item in changes.rescheduled
            if item.branch.code == "KP01" and item.new_start is not None
        ]
        assert moves[:2] == [(5, 7), (5, 7)]
        assert all(item.revision == 2 for item in changes.rescheduled)
        days = local_days(await meetings_of(sessions, "KP01"))
        assert days[:3] == ["07/12 19:30", "07/01 19:30", "09/01 19:30"]
        assert "05/12 19:30" not in days and "05/02 19:30" not in days
    finally:
        await engine.dispose()
