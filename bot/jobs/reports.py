"""Ask for reports once a meeting has ended, and nudge those that have not come."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import outbox_keys
from bot.notify import wake_sender_after_commit
from bot.outbox import enqueue, queued_since
from bot.render import reports as screens
from bot.runtime import Runtime, unit_of_work
from bot.services.reports import Owed, ReportService, meeting_end

NUDGES = ((2, "nudge1"), (5, "nudge2"))


async def queue_report_requests(runtime: Runtime) -> int:
    """A request when the meeting's expected end has passed (quiet hours hold it till the
    morning), a nudge 2 days after, another 5 days after; each once, by its key. A bot that
    was down asks first: a nudge comes only a day or more after the request."""
    settings, clock = runtime.settings, runtime.clock
    zone = settings.zone
    queued = 0
    async with unit_of_work(runtime.sessionmaker) as unit:
        db = unit.session
        now = clock.now()
        service = ReportService(db, clock, zone)
        await service.ensure_attendees()
        owed = [item for item in await service.owed() if item.person.telegram_user_id is not None]
        codes = ("request", *(code for _, code in NUDGES))
        sent = await queued_since(
            db,
            [outbox_keys.report(i.meeting.id, i.person.id, c) for i in owed for c in codes],
        )
        for item in owed:
            code, due = _next_message(item, sent, now, zone)
            if code is None:
                continue
            person = item.person
            lang = person.language or settings.locale
            if code == "request":
                screen = screens.request(item, zone, lang)
            else:
                screen = screens.nudge(item, code == "nudge2", zone, lang)
            await enqueue(
                db,
                key=outbox_keys.report(item.meeting.id, person.id, code),
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


def _next_message(
    item: Owed, sent: dict[str, datetime], now: datetime, zone: ZoneInfo
) -> tuple[str | None, datetime]:
    """What to send this person about this meeting now, if anything: the request, or the
    latest nudge that has fallen due (one, not two, after a long stop)."""
    meeting, person = item.meeting, item.person
    asked = sent.get(outbox_keys.report(meeting.id, person.id, "request"))
    if asked is None:
        return "request", meeting_end(meeting)
    local_day = meeting.starts_at.astimezone(zone).date()
    fallen_due = [
        (code, due)
        for days, code in NUDGES
        if (due := datetime.combine(local_day + timedelta(days=days), time(8), tzinfo=zone)) <= now
    ]
    if not fallen_due:
        return None, now
    code, due = fallen_due[-1]
    due = max(due, asked + timedelta(days=1))  # never on the heels of a late request
    if due > now or outbox_keys.report(meeting.id, person.id, code) in sent:
        return None, now
    return code, due
