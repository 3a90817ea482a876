"""Invented data to try chibo on: consistent, and refused on a database that has a roster."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.services.demo import SCALES, DemoData, DemoDataError
from db.models import Meeting, Proposal, Report, ReportVersion, Unit
from db.session import create_engine, create_sessionmaker
from tests.conftest import ZONE


async def test_the_town_is_consistent_and_filled_once(database_url, clock) -> None:
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as db:
            counts = await DemoData(db, clock, ZONE).fill(SCALES["town"])
            await db.commit()
        assert counts.units == 1 + 3 + 30 and counts.people == 25
        assert 30 * 12 <= counts.meetings <= 30 * 13
        assert counts.reports > counts.meetings * 0.7
        async with sessions() as db:
            assert await db.scalar(select(func.count()).select_from(Meeting)) == counts.meetings
            assert await db.scalar(select(func.count()).select_from(Proposal)) == counts.proposals
            versions = list(await db.scalars(select(ReportVersion)))
            assert len(versions) == counts.reports
            for v in versions:  # every report's attendance adds up
                assert (
                    v.exempted + v.present + v.absent_excused + v.absent_unexcused
                    == v.total_members
                )
            late = await db.scalar(select(func.count()).where(Report.late))
            assert 0 < late < counts.reports
            last = await db.scalar(select(func.max(Meeting.starts_at)))
            assert last < clock.now()  # a past year, ending before today
            assert await db.scalar(select(func.count()).where(Unit.is_branch)) == 30
        async with sessions() as db:
            with pytest.raises(DemoDataError):
                await DemoData(db, clock, ZONE).fill(SCALES["town"])
            # ids were chosen by the generator: new rows must still get fresh ones
            db.add(
                Unit(
                    code="MOI",
                    name="Đơn vị mới",
                    kind="Chi bộ",
                    is_branch=True,
                    active=True,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
            await db.commit()
    finally:
        await engine.dispose()
