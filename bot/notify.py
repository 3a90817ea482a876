"""Telling people things the bot starts on its own: always through the outbox, in the same
unit of work as the change that causes them; the sender is woken once it is committed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox_keys
from bot.outbox import enqueue
from bot.render import Screen
from bot.render import meetings as meeting_screens
from bot.runtime import Runtime, current_unit
from bot.services.attendance import AttendanceResult
from bot.services.calendar import Rescheduled
from bot.services.groups import admin_recipients
from bot.settings import Settings
from db.models import Person


async def notify_admins(
    db: AsyncSession,
    runtime: Runtime,
    key: str,
    screen_for: Callable[[str], Screen],
    *,
    told: frozenset[int] = frozenset(),
) -> int:
    """Queue one message per admin under `key`, but for those `told` already (the admin who
    made the change, answered directly; an admin who was among the people told); returns how
    many were queued."""
    now = runtime.clock.now()
    recipients = [
        recipient
        for recipient in await admin_recipients(db, runtime.settings.admin_ids)
        if recipient.chat_id not in told
    ]
    for recipient in recipients:
        await enqueue(
            db,
            key=outbox_keys.per_admin(key, recipient.chat_id),
            chat_id=recipient.chat_id,
            person_id=recipient.person_id,
            now=now,
            due_at=now,
            screen=screen_for(recipient.lang or runtime.settings.locale),
        )
    wake_sender_after_commit(runtime)
    return len(recipients)


async def tell(
    db: AsyncSession,
    runtime: Runtime,
    key: str,
    person: Person,
    screen_for: Callable[[str], Screen],
) -> None:
    """Queue a message to one person, in their language (linked people only)."""
    if person.telegram_user_id is None:
        return
    now = runtime.clock.now()
    await enqueue(
        db,
        key=key,
        chat_id=person.telegram_user_id,
        person_id=person.id,
        now=now,
        due_at=now,
        screen=screen_for(person.language or runtime.settings.locale),
    )
    wake_sender_after_commit(runtime)


async def announce_rescheduled(
    db: AsyncSession, runtime: Runtime, rescheduled: Sequence[Rescheduled]
) -> int:
    """Tell each person, in one message, of their meetings a new schedule moved or removed;
    returns how many people were told."""
    await queue_rescheduled(db, runtime.settings, runtime.clock.now(), rescheduled)
    wake_sender_after_commit(runtime)
    return len({person.id for item in rescheduled for person in item.people})


async def queue_rescheduled(
    db: AsyncSession, settings: Settings, now: datetime, rescheduled: Sequence[Rescheduled]
) -> None:
    """The messages of announce_rescheduled, queued where no bot runs (the command line): the
    running bot's sender finds them due."""
    per_person: dict[int, tuple[Person, list[Rescheduled]]] = {}
    for item in rescheduled:
        for person in item.people:
            per_person.setdefault(person.id, (person, []))[1].append(item)
    for person, items in per_person.values():
        assert person.telegram_user_id is not None
        key = outbox_keys.rescheduled(person.id, [(i.meeting_id, i.revision) for i in items])
        lang = person.language or settings.locale
        await enqueue(
            db,
            key=key,
            chat_id=person.telegram_user_id,
            person_id=person.id,
            now=now,
            due_at=now,
            screen=meeting_screens.rescheduled_notice(items, settings.zone, lang),
        )


def wake_sender_after_commit(runtime: Runtime) -> None:
    """The sender looks for due rows as soon as the unit that queued them is committed."""
    sender = runtime.sender
    if sender is None:
        return
    unit = current_unit()
    if unit is None:
        sender.wake()
        return

    async def wake() -> None:
        sender.wake()

    unit.after_commit(wake)


async def ask_office_for_stand_in(
    db: AsyncSession, runtime: Runtime, result: AttendanceResult
) -> None:
    """Tell the office someone cannot attend, with buttons to pick a stand-in."""
    meeting, branch, absent, rsvp = result.meeting, result.branch, result.absent_for, result.rsvp
    assert meeting and branch and absent and rsvp
    zone = runtime.settings.zone

    def screen_for(lang: str) -> Screen:
        reason = meeting_screens.reason_text(rsvp.reason_code, rsvp.reason_text, lang)
        return meeting_screens.absence_notice(
            meeting, branch, absent, reason, result.candidates, zone, lang
        )

    await notify_admins(
        db, runtime, outbox_keys.absence(meeting.id, meeting.revision, absent.id), screen_for
    )
