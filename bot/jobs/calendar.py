"""Keep the coming months' meetings as rows: once a day, and after a roster change."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.jobs.work import deliver_due
from bot.runtime import Runtime
from bot.services.calendar import CalendarChanges, CalendarService
from bot.services.notices import Notices

log = logging.getLogger(__name__)


async def extend_calendar(runtime: Runtime, *, force: bool = False) -> CalendarChanges | None:
    """The calendar extended to its horizon, unless that was done today already."""
    changes: CalendarChanges | None = None

    async def due(db: AsyncSession) -> Notices:
        nonlocal changes
        service = CalendarService(db, runtime.clock, runtime.settings.zone)
        changes = await service.extend_daily(force=force)
        return changes.notices if changes is not None else ()

    await deliver_due(runtime, due)
    if changes is not None:
        log.info("calendar extended: %s", changes)
    return changes
