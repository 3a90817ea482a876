"""One way out: every message the bot starts on its own is an outbox row, sent by one sender.

enqueue() adds a row under a unique key, so enqueueing the same logical message twice is
harmless. The Sender claims due rows, marks each as being sent before calling Telegram (the
Bot API has no idempotency key: a crash can repeat only the messages in flight), paces itself
within Telegram's limits, and records the outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time as monotonic_time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.clock import Clock
from bot.render import Screen
from db.models import GroupChat, OutboxMessage, OutboxState, Person

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A row claimed this long ago whose sending never finished was cut off by a crash.
STALE_CLAIM = timedelta(minutes=2)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    zone: ZoneInfo

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_end(self, moment: datetime) -> datetime:
        """The first moment at or after `moment` that is outside quiet hours."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(self.zone)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end


async def enqueue(
    db: AsyncSession,
    *,
    key: str,
    chat_id: int,
    screen: Screen,
    due_at: datetime,
    now: datetime,
    person_id: int | None = None,
    expires_at: datetime | None = None,
    respect_quiet_hours: bool = True,
) -> None:
    """Add a message to the outbox unless one with this key is already there."""
    payload: dict[str, Any] = {"text": screen.text}
    if screen.reply_markup is not None:
        payload["reply_markup"] = screen.reply_markup.to_dict()
    values = dict(
        key=key,
        chat_id=chat_id,
        person_id=person_id,
        method="sendMessage",
        payload=payload,
        due_at=due_at,
        expires_at=expires_at,
        respect_quiet_hours=respect_quiet_hours,
        state=OutboxState.PENDING,
        attempts=0,
        last_error="",
        created_at=now,
    )
    insert = pg_insert if db.bind.dialect.name == "postgresql" else sqlite_insert
    await db.execute(
        insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
    )


class Pacer:
    """Telegram's limits, kept on our side so the server never has to say 429."""

    def __init__(
        self,
        per_second: int = 30,
        per_private_chat_interval: float = 1.05,
        per_group_minute: int = 20,
    ) -> None:
        self.per_second = per_second
        self.private_interval = per_private_chat_interval
        self.per_group_minute = per_group_minute
        self._recent: deque[float] = deque()
        self._last_private: dict[int, float] = {}
        self._group_recent: dict[int, deque[float]] = {}
        self.paused_until = 0.0

    def wait_for(self, chat_id: int, now: float) -> float:
        """Seconds to wait before a message may go to this chat (0 if it may go now)."""
        wait = max(0.0, self.paused_until - now)
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_second:
            wait = max(wait, self._recent[0] + 1.0 - now)
        if chat_id > 0:
            last = self._last_private.get(chat_id)
            if last is not None:
                wait = max(wait, last + self.private_interval - now)
        else:
            recent = self._group_recent.setdefault(chat_id, deque())
            while recent and recent[0] <= now - 60.0:
                recent.popleft()
            if len(recent) >= self.per_group_minute:
                wait = max(wait, recent[0] + 60.0 - now)
        return wait

    def sent(self, chat_id: int, now: float) -> None:
        self._recent.append(now)
        if chat_id > 0:
            self._last_private[chat_id] = now
        else:
            self._group_recent.setdefault(chat_id, deque()).append(now)


class Sender:
    """Sends due outbox rows. One task; start() and stop() follow the application's life."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        quiet_hours: QuietHours,
        *,
        idle_poll: float = 5.0,
        batch: int = 100,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.quiet_hours = quiet_hours
        self.idle_poll = idle_poll
        self.batch = batch
        self.pacer = Pacer()
        self.wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self.wakeup.set()

    async def start(self) -> None:
        await self.recover_stale_claims()
        self._task = asyncio.create_task(self._run(), name="chibo-outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def recover_stale_claims(self) -> int:
        """Rows left 'sending' by a crash go back to the queue: at most these repeat."""
        cutoff = self.clock.now() - STALE_CLAIM
        async with self.sessionmaker() as db:
            result = await db.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.state == OutboxState.SENDING, OutboxMessage.claimed_at <= cutoff
                )
                .values(state=OutboxState.PENDING)
            )
            await db.commit()
        return result.rowcount or 0

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox sender failed; retrying shortly")
                sent = 0
            if sent:
                continue
            self.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wakeup.wait(), self.idle_poll)

    async def send_due(self) -> int:
        """Send what is due now; returns how many rows were handled."""
        rows = await self._claim()
        for row in rows:
            await self._send(row)
        return len(rows)

    async def _claim(self) -> list[OutboxMessage]:
        now = self.clock.now()
        quiet = self.quiet_hours.contains(now)
        async with self.sessionmaker() as db:
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.due_at <= now)
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
                .limit(self.batch)
            )
            if quiet:
                query = query.where(OutboxMessage.respect_quiet_hours.is_(False))
            if db.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(await db.scalars(query))
            for row in rows:
                if row.expires_at is not None and row.expires_at <= now:
                    row.state = OutboxState.DROPPED
                    row.last_error = "expired before it could be sent"
                    log.info("outbox %s dropped: expired at %s", row.key, row.expires_at)
                    continue
                row.state = OutboxState.SENDING
                row.claimed_at = now
                row.attempts += 1
            await db.commit()
        return [row for row in rows if row.state == OutboxState.SENDING]

    async def _send(self, row: OutboxMessage) -> None:
        # Pacing waits on time, not on an event.
        while (wait := self.pacer.wait_for(row.chat_id, monotonic_time.monotonic())) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        self.pacer.sent(row.chat_id, monotonic_time.monotonic())
        payload = row.payload
        markup = payload.get("reply_markup")
        try:
            message = await self.bot.send_message(
                row.chat_id,
                payload["text"],
                reply_markup=InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None,
            )
        except RetryAfter as exc:
            seconds = _seconds(exc.retry_after)
            self.pacer.paused_until = monotonic_time.monotonic() + seconds
            await self._finish(row, OutboxState.PENDING, f"retry after {seconds}s", retry_in=0)
        except ChatMigrated as exc:
            await self._finish(row, OutboxState.PENDING, "chat migrated", chat_id=exc.new_chat_id)
        except Forbidden as exc:
            await self._finish(row, OutboxState.UNREACHABLE, str(exc), unreachable=True)
        except BadRequest as exc:
            unreachable = "chat not found" in str(exc).lower()
            state = OutboxState.UNREACHABLE if unreachable else OutboxState.FAILED
            log.error("outbox %s refused by Telegram: %s", row.key, exc)
            await self._finish(row, state, str(exc), unreachable=unreachable)
        except (TimedOut, NetworkError) as exc:
            state = OutboxState.FAILED if row.attempts >= MAX_ATTEMPTS else OutboxState.PENDING
            await self._finish(row, state, str(exc), retry_in=min(300, 2**row.attempts))
        else:
            await self._finish(row, OutboxState.SENT, "", message_id=message.message_id)

    async def _finish(
        self,
        row: OutboxMessage,
        state: OutboxState,
        error: str,
        *,
        message_id: int | None = None,
        retry_in: float | None = None,
        chat_id: int | None = None,
        unreachable: bool = False,
    ) -> None:
        now = self.clock.now()
        values: dict[str, Any] = {"state": state, "last_error": error[:500]}
        if state == OutboxState.SENT:
            values.update(sent_message_id=message_id, sent_at=now)
        if retry_in:
            values["due_at"] = now + timedelta(seconds=retry_in)
        if chat_id is not None:
            values["chat_id"] = chat_id
        async with self.sessionmaker() as db:
            await db.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
            )
            if chat_id is not None:  # a group became a supergroup: follow it
                await db.execute(
                    update(GroupChat)
                    .where(GroupChat.chat_id == row.chat_id)
                    .values(chat_id=chat_id, updated_at=now)
                )
                await db.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.chat_id == row.chat_id,
                        OutboxMessage.state == OutboxState.PENDING,
                    )
                    .values(chat_id=chat_id)
                )
            if unreachable and row.person_id is not None:
                await db.execute(
                    update(Person)
                    .where(Person.id == row.person_id, Person.unreachable_since.is_(None))
                    .values(unreachable_since=now)
                )
            await db.commit()


def _seconds(retry_after: int | timedelta) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
