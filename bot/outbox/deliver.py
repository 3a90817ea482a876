"""The one way out: every message the bot starts on its own is a notice (bot/services/notices.py)
that a service or a job returned; `deliver` renders each in its recipient's language and
queues it in the current unit of work, so the change and its notices are committed together,
or neither. The sender is woken once the unit is committed.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox import queue
from bot.render import Part, Screen
from bot.render.notices import letter
from bot.runtime import Runtime, current_unit
from bot.services import keys
from bot.services.groups import admin_recipients
from bot.services.notices import Chat, Notice, Office, Told, Withdrawal
from bot.settings import Settings
from db.models import Person


async def deliver(db: AsyncSession, runtime: Runtime, notices: Sequence[Told]) -> None:
    """Queue each notice (and carry out each withdrawal) in the current unit of work."""
    await queue_notices(db, runtime.settings, runtime.clock.now(), notices)
    if any(isinstance(notice, Notice) for notice in notices):
        wake_sender_after_commit(runtime)


async def queue_notices(
    db: AsyncSession, settings: Settings, now: datetime, notices: Sequence[Told]
) -> None:
    """deliver's work, also where no bot runs (the command line): the running bot's sender
    finds the messages due."""
    for notice in notices:
        if isinstance(notice, Withdrawal):
            await queue.withdraw(db, notice)
            continue
        for key, chat_id, person_id, lang in await _addresses(db, settings, notice):
            for suffix, part in _parts(notice, settings, lang):
                await queue.put(
                    db,
                    key=f"{key}:{suffix}" if suffix else key,
                    chat_id=chat_id,
                    part=part,
                    now=now,
                    due_at=notice.due_at,
                    person_id=person_id,
                    expires_at=notice.expires_at,
                    quiet_hours=notice.quiet_hours,
                )


Address = tuple[str, int, int | None, str]  # key, chat, person, language


async def _addresses(db: AsyncSession, settings: Settings, notice: Notice) -> list[Address]:
    recipient = notice.to
    if isinstance(recipient, Person):
        if recipient.telegram_user_id is None:
            return []
        lang = recipient.language or settings.locale
        return [(notice.key, recipient.telegram_user_id, recipient.id, lang)]
    if isinstance(recipient, Chat):
        return [(notice.key, recipient.chat_id, None, settings.locale)]
    assert isinstance(recipient, Office)
    return [
        (keys.per_admin(notice.key, admin.chat_id), admin.chat_id, admin.person_id, admin.lang)
        for admin in await admin_recipients(db, settings.admin_ids, settings.locale)
        if admin.chat_id not in recipient.already_told
    ]


def _parts(notice: Notice, settings: Settings, lang: str) -> list[tuple[str, Part]]:
    made = letter(notice, settings.zone, lang)
    if isinstance(made, Sequence):
        return list(made)
    if isinstance(made, Screen) and made.before:  # a long screen: its first parts go ahead
        ahead: list[tuple[str, Part]] = [(f"part{i}", Screen(t)) for i, t in enumerate(made.before)]
        return [*ahead, ("", Screen(made.text, made.reply_markup))]
    return [("", made)]


async def queue_answer(runtime: Runtime, chat_id: int, screen: Screen) -> None:
    """An answer to someone who wrote that could not be sent at once (Telegram's flood wait, a
    server down): the outbox sends it, in its own transaction, at any hour."""
    async with runtime.sessionmaker() as db:
        await queue.put(
            db,
            key=keys.undelivered_answer(secrets.token_hex(8)),
            chat_id=chat_id,
            part=screen,
            now=runtime.clock.now(),
            quiet_hours=False,
        )
        await db.commit()
    if runtime.sender is not None:
        runtime.sender.wake()


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
