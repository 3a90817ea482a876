"""Queue the reminders that are due, and tell the office of meetings that fall in an absence."""

from __future__ import annotations

from bot.jobs.work import deliver_due
from bot.runtime import Runtime
from bot.services.notices import Reminder
from bot.services.reminders import ReminderService


async def queue_reminders(runtime: Runtime) -> int:
    settings = runtime.settings
    notices = await deliver_due(
        runtime,
        lambda db: ReminderService(db, runtime.clock, settings.zone, settings.reminder_slots).due(),
    )
    return sum(isinstance(notice, Reminder) for notice in notices)
