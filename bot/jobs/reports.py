"""Ask for reports once a meeting has ended, and nudge those that have not come."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot import outbox_keys
from bot.notify import wake_sender_after_commit
from bot.outbox import enqueue, existing_keys
from bot.render import reports as screens
from bot.runtime import Runtime, unit_of_work
from bot.services.reports import ReportService, meeting_end

NUDGES = ((2, "nudge1"), (5, "nudge2"))


async def queue_report_requests(runtime: Runtime) -> int:
    """A request when the meeting's expected end has passed (quiet hours hold it till the
    morning), a nudge 2 days after, another 5 days after; each once, by its key."""
    settings, clock = runtime.settings, runtime.clock
    zone = settings.zone
    queued = 0
    async with unit_of_work(runtime.sessionmaker) as unit:
        db = unit.session
        now = clock.now()
        planned = []
        for item in await ReportService(db, clock, zone).owed():
            if item.person.telegram_user_id is None:
                continue
            local_day = item.meeting.starts_at.astimezone(zone).date()
            due_nudges = [
                (code, datetime.combine(local_day + timedelta(days=days), time(8), tzinfo=zone))
                for days, code in NUDGES
            ]
            passed = [(code, due) for code, due in due_nudges if due <= now]
            code, due = passed[-1] if passed else ("request", meeting_end(item.meeting))
            planned.append(
                (outbox_keys.report(item.meeting.id, item.person.id, code), code, due, item)
            )
        already = await existing_keys(db, [key for key, *_ in planned])
        for key, code, due, item in planned:
            if key in already:
                continue
            person = item.person
            lang = person.language or settings.locale
            if code == "request":
                screen = screens.request(item, zone, lang)
            else:
                screen = screens.nudge(item, code == "nudge2", zone, lang)
            await enqueue(
                db,
                key=key,
                chat_id=person.telegram_user_id,
                person_id=person.id,
                screen=screen,
                due_at=due,
                now=now,
            )
            queued += 1
        if queued:
            wake_sender_after_commit(runtime)
        await unit.finish()
    return queued
