"""Ask for reports once a meeting has ended, and nudge those that have not come."""

from __future__ import annotations

from bot.jobs.work import deliver_due
from bot.runtime import Runtime
from bot.services.reports import ReportService


async def queue_report_requests(runtime: Runtime) -> int:
    notices = await deliver_due(
        runtime,
        lambda db: ReportService(db, runtime.clock, runtime.settings.zone).requests_due(),
    )
    return len(notices)
