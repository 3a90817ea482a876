"""The proposal loop's mornings: one summary for each who triages, the bodies reminded of a
deadline two days off, the leaders told of one passed; each once, by its key."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import delete

from bot.notify import deliver
from bot.runtime import Runtime, unit_of_work
from bot.services.proposals import ProposalService
from db.models import OrgSetting
from db.session import insert_for

MORNING = time(7, 30)
MARKER = "proposals.morning:"


async def queue_proposal_mornings(runtime: Runtime) -> int:
    """Once a morning, from 07:30. The morning is claimed by inserting its marker row: of two
    ticks at once (the scheduler's and a moved clock's, or two instances), one inserts it and
    the other finds it there and does nothing; the outbox keys would make a repeat harmless
    anyway."""
    settings, clock = runtime.settings, runtime.clock
    zone = settings.zone
    now = clock.now()
    today = now.astimezone(zone).date()
    if now < datetime.combine(today, MORNING, tzinfo=zone):
        return 0
    marker = MARKER + today.isoformat()
    async with unit_of_work(runtime.sessionmaker) as unit:
        db = unit.session
        if await db.get(OrgSetting, marker) is not None:
            return 0
        claimed = await db.scalar(
            insert_for(db)(OrgSetting)
            .values(key=marker, value={}, updated_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(OrgSetting.key)
        )
        if claimed is None:  # (rowcount is not reliable here: psycopg reports -1)
            return 0
        await db.execute(
            delete(OrgSetting).where(OrgSetting.key.startswith(MARKER), OrgSetting.key != marker)
        )
        service = ProposalService(db, clock, zone, settings.proposal_deadlines, settings.triage_by)
        work = await service.daily()
        await deliver(db, runtime, work.notices)
        await unit.finish()
    return len(work.notices)
