"""Telling people things the bot starts on its own: always through the outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox import enqueue
from bot.render import Screen
from bot.runtime import Runtime
from bot.services.groups import admin_recipients


async def notify_admins(
    db: AsyncSession, runtime: Runtime, key: str, screen_for: Callable[[str], Screen]
) -> int:
    """Queue one message per admin under `key`; returns how many were queued."""
    now = runtime.clock.now()
    recipients = await admin_recipients(db, runtime.settings.admin_ids)
    for recipient in recipients:
        await enqueue(
            db,
            key=f"{key}:to:{recipient.chat_id}",
            chat_id=recipient.chat_id,
            person_id=recipient.person_id,
            now=now,
            due_at=now,
            screen=screen_for(recipient.lang or runtime.settings.locale),
        )
    await db.commit()
    if runtime.sender is not None:
        runtime.sender.wake()
    return len(recipients)
