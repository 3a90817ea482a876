"""Periodic work. Each tick asks the database what is due, does it, and records it under
unique keys, so a late, repeated or concurrent tick is harmless."""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from bot.jobs.calendar import extend_calendar
from bot.jobs.digest import post_due_digest
from bot.jobs.proposals import queue_proposal_mornings
from bot.jobs.reminders import queue_reminders
from bot.jobs.reports import queue_report_requests
from bot.runtime import Runtime

log = logging.getLogger(__name__)

TICK_SECONDS = 60


async def run_due_work(runtime: Runtime) -> None:
    """Everything that is due now. The scheduler calls it every minute; tests call it after
    moving the clock."""
    await extend_calendar(runtime)
    await queue_reminders(runtime)
    await queue_report_requests(runtime)
    await post_due_digest(runtime)
    await queue_proposal_mornings(runtime)


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.context import RUNTIME_KEY

    await run_due_work(context.application.bot_data[RUNTIME_KEY])


def schedule(app: Application) -> None:
    assert app.job_queue is not None, "python-telegram-bot's job-queue extra is required"
    # A late tick catches up instead of being skipped: jobs only ask what is due.
    app.job_queue.run_repeating(
        _tick,
        interval=TICK_SECONDS,
        first=5,
        name="chibo-tick",
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
