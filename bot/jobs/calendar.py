"""Keep the coming months' meetings as rows: once a day, and after a roster change."""

from __future__ import annotations

import logging

from bot.notify import deliver
from bot.runtime import Runtime, unit_of_work
from bot.services.calendar import CalendarChanges, CalendarService
from db.models import OrgSetting

log = logging.getLogger(__name__)
MARKER = "calendar.extended_on"


async def extend_calendar(runtime: Runtime, *, force: bool = False) -> CalendarChanges | None:
    """Extend the horizon unless it was already done today (the marker is a row, so two
    instances or a restart do not repeat it; repeating would be harmless anyway)."""
    async with unit_of_work(runtime.sessionmaker) as unit:
        db = unit.session
        calendar = CalendarService(db, runtime.clock, runtime.settings.zone)
        today = calendar.today().isoformat()
        marker = await db.get(OrgSetting, MARKER)
        if not force and marker is not None and marker.value.get("day") == today:
            return None
        changes = await calendar.extend()
        await deliver(db, runtime, changes.notices)
        if marker is None:
            db.add(OrgSetting(key=MARKER, value={"day": today}, updated_at=runtime.clock.now()))
        else:
            marker.value = {"day": today}
            marker.updated_at = runtime.clock.now()
        await unit.finish()
    log.info("calendar extended: %s", changes)
    return changes
