"""The outbox's rows: every message the bot starts is queued here under a unique key, so
queueing the same logical message twice is harmless; the sender (bot/outbox/sender.py)
sends them. Nothing outside bot/outbox reads or writes these rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.render import FilePart, Part
from bot.services import keys
from bot.services.notices import DropDocumentCopies, DropReminders, Withdrawal
from db.models import OutboxMessage, OutboxState
from db.session import insert_for

FILE_METHODS = ("sendPhoto", "sendDocument")


async def put(
    db: AsyncSession,
    *,
    key: str,
    chat_id: int,
    part: Part,
    now: datetime,
    due_at: datetime | None = None,
    person_id: int | None = None,
    expires_at: datetime | None = None,
    quiet_hours: bool = True,
) -> None:
    """Add a message (a screen, or a stored file) to the outbox unless one with this key is
    already there. A file is a row too, so it waits with its message."""
    payload: dict[str, Any]
    method: str
    if isinstance(part, FilePart):
        method, payload = part.method, {"file": part.file_id, "caption": part.caption}
    else:
        method, payload = "sendMessage", {"text": part.text}
        if part.reply_markup is not None:
            payload["reply_markup"] = part.reply_markup.to_dict()
    await db.execute(
        insert_for(db)(OutboxMessage)
        .values(
            key=key,
            chat_id=chat_id,
            person_id=person_id,
            method=method,
            payload=payload,
            due_at=due_at or now,
            expires_at=expires_at,
            respect_quiet_hours=quiet_hours,
            created_at=now,
            state=OutboxState.PENDING,
            attempts=0,
            last_error="",
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def withdraw(db: AsyncSession, withdrawal: Withdrawal) -> None:
    """Messages a change made pointless are dropped, unless already sent (or being sent)."""
    match withdrawal:
        case DropReminders(meeting_id=meeting_id, person_id=person_id):
            which = _starting(keys.reminders_prefix(meeting_id))
            if person_id is not None:
                which = which & (OutboxMessage.person_id == person_id)
            why = "the meeting changed, or the person will not attend"
        case DropDocumentCopies(document_id=document_id):
            which = _starting(keys.document_copies_prefix(document_id))
            why = "the office withdrew the document"
        case _:
            raise TypeError(f"no way to withdraw {withdrawal!r}")
    await db.execute(
        update(OutboxMessage)
        .where(which, OutboxMessage.state == OutboxState.PENDING)
        .values(state=OutboxState.DROPPED, last_error=why)
    )


@dataclass(frozen=True)
class Summary:
    backlog: int  # due and not sent
    oldest_due_at: datetime | None
    sending: int  # claimed by a sender
    last_sent_at: datetime | None


async def summary(connection: AsyncConnection, now: datetime) -> Summary:
    """What waits, what is being sent, and when a message last went out (`chibo status`)."""
    due = (OutboxMessage.state == OutboxState.PENDING) & (OutboxMessage.due_at <= now)
    backlog, oldest = (
        await connection.execute(select(func.count(), func.min(OutboxMessage.due_at)).where(due))
    ).one()
    sending = await connection.scalar(
        select(func.count()).where(OutboxMessage.state == OutboxState.SENDING)
    )
    last_sent = await connection.scalar(select(func.max(OutboxMessage.sent_at)))
    return Summary(backlog, oldest, sending or 0, last_sent)


def _starting(prefix: str) -> ColumnElement[bool]:
    return OutboxMessage.key.startswith(prefix, autoescape=True)
