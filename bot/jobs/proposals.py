"""The proposal loop's mornings: one summary for each who triages, the bodies reminded of a
deadline two days off, the leaders told of one passed; each once, by its key."""

from __future__ import annotations

from datetime import datetime, time

from bot.notify import deliver
from bot.runtime import Runtime, unit_of_work
from bot.services.directory import DirectoryService
from bot.services.proposals import ProposalService
from db.models import OrgSetting, Role

MORNING = time(7, 30)
MARKER = "proposals.morning_on"


async def queue_proposal_mornings(runtime: Runtime) -> int:
    """Once a morning, from 07:30 (the marker is a row: a restart or a second instance does
    not do it again, and the outbox keys would make a repeat harmless anyway)."""
    settings, clock = runtime.settings, runtime.clock
    zone = settings.zone
    now = clock.now()
    today = now.astimezone(zone).date()
    if now < datetime.combine(today, MORNING, tzinfo=zone):
        return 0
    async with unit_of_work(runtime.sessionmaker) as unit:
        db = unit.session
        marker = await db.get(OrgSetting, MARKER)
        if marker is not None and marker.value.get("day") == today.isoformat():
            return 0
        leaders = await DirectoryService(db, clock, zone).linked_with(Role.LEADER)
        work = await ProposalService(db, clock, zone, settings.proposal_deadlines).daily(leaders)
        await deliver(db, runtime, work.notices)
        if marker is None:
            db.add(OrgSetting(key=MARKER, value={"day": today.isoformat()}, updated_at=now))
        else:
            marker.value, marker.updated_at = {"day": today.isoformat()}, now
        await unit.finish()
    return len(work.notices)
