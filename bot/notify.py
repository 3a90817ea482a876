"""Telling people things the bot starts on its own: always through the outbox, in the same
unit of work as the change that causes them; the sender is woken once it is committed.

Services return notices (bot/notices.py) with their results; `deliver` renders each in its
recipient's language and queues it: the one way a message the bot starts is made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outbox_keys
from bot.notices import Notice
from bot.outbox import enqueue
from bot.render import Screen
from bot.render import notices as notice_screens
from bot.runtime import Runtime, current_unit
from bot.services.groups import admin_recipients
from bot.settings import Settings
from db.models import Person

ScreenFor = Callable[[str], Screen]  # the screen in a language


async def deliver(db: AsyncSession, runtime: Runtime, notices: Sequence[Notice]) -> None:
    """Each notice a service returned, rendered in its recipient's language and queued in the
    current unit of work: the change and its notices are committed together, or neither."""
    await queue_notices(db, runtime.settings, runtime.clock.now(), notices)
    if notices:
        wake_sender_after_commit(runtime)


async def queue_notices(
    db: AsyncSession, settings: Settings, now: datetime, notices: Sequence[Notice]
) -> None:
    """deliver's work, also where no bot runs (the command line): the running bot's sender
    finds the messages due."""
    for notice in notices:

        def screen_for(lang: str, notice: Notice = notice) -> Screen:
            return notice_screens.screen(notice, settings.zone, lang)

        if notice.person is None:
            await _to_admins(db, settings, now, notice.key, screen_for, notice.already_told)
        else:
            await _to_person(db, settings, now, notice.key, notice.person, screen_for)


async def _to_admins(
    db: AsyncSession,
    settings: Settings,
    now: datetime,
    key: str,
    screen_for: ScreenFor,
    told: frozenset[int],
) -> int:
    recipients = [
        recipient
        for recipient in await admin_recipients(db, settings.admin_ids)
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
            screen=screen_for(recipient.lang or settings.locale),
        )
    return len(recipients)


async def _to_person(
    db: AsyncSession,
    settings: Settings,
    now: datetime,
    key: str,
    person: Person,
    screen_for: ScreenFor,
) -> None:
    if person.telegram_user_id is None:
        return
    await enqueue(
        db,
        key=key,
        chat_id=person.telegram_user_id,
        person_id=person.id,
        now=now,
        due_at=now,
        screen=screen_for(person.language or settings.locale),
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
