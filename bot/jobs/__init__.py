"""Periodic work. Each tick asks the database what is due, does it, and records it under
unique keys, so a late, repeated or concurrent tick is harmless."""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import Application, ContextTypes

from bot import metrics
from bot.jobs.calendar import extend_calendar
from bot.jobs.digest import post_due_digest
from bot.jobs.proposals import queue_proposal_mornings
from bot.jobs.reminders import queue_reminders
from bot.jobs.reports import queue_report_requests
from bot.pipeline.context import RUNTIME_KEY
from bot.runtime import Runtime
from db.models import JobTick
from db.session import insert_for

log = logging.getLogger(__name__)

TICK_SECONDS = 60


JOBS = (
    ("calendar", extend_calendar),
    ("reminders", queue_reminders),
    ("report_requests", queue_report_requests),
    ("digest", post_due_digest),
    ("proposal_mornings", queue_proposal_mornings),
)


async def run_due_work(runtime: Runtime) -> None:
    """Everything that is due now. The scheduler calls it every minute; tests call it after
    moving the clock. Each job's run is timed and recorded (/healthz, `chibo status`)."""
    ticks: list[dict[str, object]] = []
    try:
        for name, job in JOBS:
            started_at, started = runtime.clock.now(), time.perf_counter()
            tick = {"name": name, "started_at": started_at, "ok": False}
            ticks.append(tick)
            await job(runtime)
            tick["ok"] = True
            seconds = time.perf_counter() - started
            tick["duration_ms"] = round(seconds * 1000)
            metrics.TICK_SECONDS.labels(name).observe(seconds)
    finally:
        for tick in ticks:
            tick.setdefault("duration_ms", 0)
        await _record_ticks(runtime, ticks)


async def _record_ticks(runtime: Runtime, ticks: list[dict[str, object]]) -> None:
    now = runtime.clock.now()
    try:
        async with runtime.sessionmaker() as db:
            for tick in ticks:
                values = {**tick, "finished_at": now, "instance_id": runtime.instance_id}
                await db.execute(
                    insert_for(db)(JobTick)
                    .values(**values)
                    .on_conflict_do_update(index_elements=["name"], set_=values)
                )
            await db.commit()
    except SQLAlchemyError as exc:
        log.warning("the jobs' ticks could not be recorded: %s", exc)


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
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
