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
import secrets
import time as monotonic_time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot import metrics
from bot.clock import Clock
from bot.outbox.queue import FILE_METHODS
from db.models import GroupChat, OutboxMessage, OutboxState, Person, StoredFile
from db.session import dialect_of

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


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


class Pacer:
    """Telegram's limits, kept on our side so that the server never has to say 429.

    Sends start evenly spaced, and never more than `per_second` are counted in any
    one-second window; a chat gets at most one message a second, and a group at most
    `group_per_minute` in any minute (Telegram allows 20), so a digest's few messages go out
    a second apart. Checking and recording happen without an await in between, so concurrent
    senders cannot both take the last place in a window.

    Telegram counts a message when its request arrives, somewhere between our start and its
    answer, and requests do not all take the same time (a fresh connection after a restart is
    slower than a warm one). So a message counts from the moment it starts until one second
    after its answer (`sending`): whatever the delays, Telegram can never see more in a
    second than we counted.

    Answers to people count like every other message; with `answers_wait_for_second` off
    (against a local server with no limit of its own: the benchmarks) they keep only their
    chat's pace, and the outbox alone waits for the second.
    """

    def __init__(
        self,
        per_second: int = 29,
        chat_interval: float = 1.05,
        group_per_minute: int = 19,
        *,
        answers_wait_for_second: bool = True,
    ) -> None:
        self.per_second = per_second
        self.answers_wait_for_second = answers_wait_for_second
        # A little tighter than per_second: waking from a sleep is always a little late, and
        # the one-second window still keeps the count.
        self.spacing = 1.0 / (per_second + 1)
        self.chat_interval = chat_interval
        self.group_per_minute = group_per_minute
        self._last_start = float("-inf")
        self._in_flight = 0
        self._answered: deque[float] = deque()  # when each answer came, oldest first
        self._next_for_chat: dict[int, float] = {}
        self._group_minute: dict[int, deque[float]] = {}
        self._paused_until = 0.0

    def wait(self, chat_id: int, now: float, *, answer: bool = False) -> float:
        """Seconds until a message to this chat may start; 0 means now, and the message is
        then counted as in flight until `answered`."""
        whole_second = self.answers_wait_for_second or not answer
        while self._answered and self._answered[0] <= now - 1.0:
            self._answered.popleft()
        chat_free = self._next_for_chat.get(chat_id, 0.0)
        if chat_free == float("inf"):  # its last message has no answer yet: look again soon
            chat_free = now + 0.05
        wait = max(self._paused_until, chat_free) - now
        if whole_second:
            wait = max(wait, self._last_start + self.spacing - now)
        if whole_second and self._in_flight + len(self._answered) >= self.per_second:
            wait = max(wait, self._answered[0] + 1.0 - now if self._answered else self.spacing)
        minute = self._group_minute.get(chat_id) if chat_id < 0 else None
        if minute is not None:
            while minute and minute[0] <= now - 60.0:
                minute.popleft()
            if len(minute) >= self.group_per_minute:
                wait = max(wait, minute[0] + 60.0 - now)
        if wait > 0:
            return wait
        self._last_start = now
        self._in_flight += 1
        self._next_for_chat[chat_id] = float("inf")
        if chat_id < 0:
            self._group_minute.setdefault(chat_id, deque()).append(now)
        return 0.0

    def answered(self, chat_id: int, now: float) -> None:
        """The message that `wait` let start has its answer (or failed)."""
        self._in_flight -= 1
        self._answered.append(now)
        self._next_for_chat[chat_id] = now + self.chat_interval

    @contextlib.asynccontextmanager
    async def sending(self, chat_id: int, *, answer: bool = False) -> AsyncIterator[None]:
        """Wait for this chat's turn, then count the message in flight until the block ends."""
        while (wait := self.wait(chat_id, monotonic_time.monotonic(), answer=answer)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)  # pacing waits on time, not on an event
        try:
            yield
        finally:
            self.answered(chat_id, monotonic_time.monotonic())

    def remember(self, sends: list[tuple[int, float]], now: float) -> None:
        """Messages sent before this pacer began (by the process before a restart, or the
        instance before a takeover), each (chat, seconds since its answer): they still count
        in Telegram's windows, so the first sends after a start do not exceed them."""
        for chat_id, ago in sorted(sends, key=lambda sent: -sent[1]):
            answered = now - ago
            if ago < 1.0:
                self._answered.append(answered)
                self._next_for_chat[chat_id] = max(
                    self._next_for_chat.get(chat_id, 0.0), answered + self.chat_interval
                )
            if chat_id < 0 and ago < 60.0:
                self._group_minute.setdefault(chat_id, deque()).append(answered)

    def pause(self, seconds: float, now: float) -> None:
        """Telegram asked us to wait: nothing goes out before then."""
        self._paused_until = max(self._paused_until, now + seconds)

    def forget_idle_chats(self, now: float) -> None:
        for chat_id in [c for c, t in self._next_for_chat.items() if t < now]:
            del self._next_for_chat[chat_id]
        for chat_id in [c for c, m in self._group_minute.items() if not m or m[-1] < now - 60]:
            del self._group_minute[chat_id]


class Sender:
    """Sends due outbox rows. One task; start() and stop() follow the application's life."""

    def __init__(
        self,
        bot: ExtBot[Any],
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        quiet_hours: QuietHours,
        *,
        idle_poll: float = 5.0,
        batch: int = 200,
        concurrency: int = 16,
        pacer: Pacer | None = None,
        on_failure: Callable[[BaseException], Awaitable[object]] | None = None,
    ) -> None:
        self.bot = bot
        # Told of an unexpected failure of a round of sending (it is reported, then retried).
        self.on_failure = on_failure
        self.concurrency = asyncio.Semaphore(concurrency)
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.quiet_hours = quiet_hours
        self.idle_poll = idle_poll
        self.batch = batch
        # Shared with the answers to people who write (bot/reply.py): one chat, one pace.
        self.pacer = pacer or Pacer()
        self.wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Rows this sender has claimed and not finished, and those of them whose call to
        # Telegram has begun: on a stop, the others go back to the queue at once.
        self._claimed: set[int] = set()
        self._attempted: set[int] = set()
        # No retries inside the rate limiter on a flood wait: the row goes back to the queue
        # and the pacer holds everything until the wait is over (bot/floodgate.py).
        self._no_retry: dict[str, Any] = {"rate_limit_args": 0} if bot.rate_limiter else {}

    def wake(self) -> None:
        self.wakeup.set()

    async def start(self) -> None:
        # Messages sent just before a restart still count in Telegram's windows.
        await self.count_recent_sends()
        await self.recover_claims()
        self._task = asyncio.create_task(self._run(), name="chibo-outbox-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._return_unattempted()

    async def count_recent_sends(self) -> int:
        """What the outbox sent in the last minute (its rows' send times, on the wall clock)
        and what was in flight when the process before stopped (those may have reached
        Telegram a moment ago), counted by the pacer before the first send."""
        now = datetime.now(UTC)
        async with self.sessionmaker() as db:
            sent = list(
                await db.execute(
                    select(OutboxMessage.chat_id, OutboxMessage.sent_at).where(
                        OutboxMessage.sent_at >= now - timedelta(seconds=60)
                    )
                )
            )
            in_flight = list(
                await db.scalars(
                    select(OutboxMessage.chat_id).where(OutboxMessage.state == OutboxState.SENDING)
                )
            )
        sends = [(chat_id, max(0.0, (now - at).total_seconds())) for chat_id, at in sent if at]
        sends += [(chat_id, 0.0) for chat_id in in_flight]
        self.pacer.remember(sends, monotonic_time.monotonic())
        return len(sends)

    async def recover_claims(self) -> int:
        """Rows left 'sending' by a process that is gone go back to the queue, at once. One
        instance sends at a time, so at start every such row is another process's: those it
        never tried go out now, and only those it had in flight can repeat."""
        async with self.sessionmaker() as db:
            result = await db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.state == OutboxState.SENDING)
                .values(state=OutboxState.PENDING)
                .returning(OutboxMessage.id)
            )
            recovered = len(result.all())
            await db.commit()
        if recovered:
            log.info("outbox: %s messages claimed before a restart are queued again", recovered)
        return recovered

    async def _return_unattempted(self) -> None:
        """On a stop: what this sender claimed but never began to send is queued again, not
        left 'sending' for a later start to find."""
        unattempted = sorted(self._claimed - self._attempted)
        self._claimed.clear()
        self._attempted.clear()
        if not unattempted:
            return
        async with self.sessionmaker() as db:
            for start in range(0, len(unattempted), 500):
                await db.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id.in_(unattempted[start : start + 500]),
                        OutboxMessage.state == OutboxState.SENDING,
                    )
                    .values(state=OutboxState.PENDING, attempts=OutboxMessage.attempts - 1)
                )
            await db.commit()
        log.info("outbox: %s claimed messages returned to the queue at stop", len(unattempted))

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.on_failure is None:
                    log.exception("outbox sender failed; retrying shortly")
                else:
                    await self.on_failure(exc)
                sent = 0
            if sent:
                continue
            self.wakeup.clear()
            # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a stop()'s
            # cancellation that comes as the sender is woken.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.idle_poll):
                    await self.wakeup.wait()

    async def send_due(self) -> int:
        """Send what is due now; returns how many rows were handled. One chat's messages go
        in the order they were queued (a digest's text, then its files); chats side by side."""
        rows = await self._claim()
        by_chat: dict[int, list[OutboxMessage]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        await asyncio.gather(*(self._send_in_order(chat_rows) for chat_rows in by_chat.values()))
        self.pacer.forget_idle_chats(monotonic_time.monotonic())
        return len(rows)

    async def _send_in_order(self, rows: list[OutboxMessage]) -> None:
        for row in rows:
            await self._send(row)

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
            if dialect_of(db) == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(await db.scalars(query))
            expired = [row for row in rows if row.expires_at is not None and row.expires_at <= now]
            for row in expired:
                log.info("outbox %s dropped: its moment passed at %s", row.key, row.expires_at)
            if expired:
                await db.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_([row.id for row in expired]))
                    .values(state=OutboxState.DROPPED, last_error="expired before it was sent")
                )
            wanted = [row.id for row in rows if row not in expired]
            token = secrets.token_hex(8)
            if wanted:
                # Only rows still pending are taken: another claimer cannot take them too.
                await db.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(wanted), OutboxMessage.state == OutboxState.PENDING)
                    .values(
                        state=OutboxState.SENDING,
                        claimed_at=now,
                        claim_token=token,
                        attempts=OutboxMessage.attempts + 1,
                    )
                )
            await db.commit()
            if not wanted:
                return []
            claimed = list(
                await db.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.claim_token == token)
                    .order_by(OutboxMessage.due_at, OutboxMessage.id)
                )
            )
            self._claimed.update(row.id for row in claimed)
            return claimed

    async def _send(self, row: OutboxMessage) -> None:
        async with self.concurrency:
            await self._deliver(row)
            self._claimed.discard(row.id)
            self._attempted.discard(row.id)

    async def _deliver(self, row: OutboxMessage) -> None:
        try:
            async with self.pacer.sending(row.chat_id):
                self._attempted.add(row.id)
                if row.method in FILE_METHODS:
                    message = await self._send_file(row)
                else:
                    markup = row.payload.get("reply_markup")
                    message = await self.bot.send_message(
                        row.chat_id,
                        row.payload["text"],
                        reply_markup=(
                            InlineKeyboardMarkup.de_json(markup, self.bot) if markup else None
                        ),
                        **self._no_retry,
                    )
        except TelegramError as exc:
            metrics.SEND_ERRORS.labels(metrics.message_kind(row.key), type(exc).__name__).inc()
            await self._failed(row, exc)
        else:
            metrics.SENT.labels(metrics.message_kind(row.key)).inc()
            await self._finish(row, OutboxState.SENT, "", message_id=message.message_id)

    async def _failed(self, row: OutboxMessage, error: TelegramError) -> None:
        if isinstance(error, RetryAfter):  # the flood gate paused everything, and logged it
            seconds = _seconds(error.retry_after)
            self.pacer.pause(seconds, monotonic_time.monotonic())
            await self._finish(row, OutboxState.PENDING, f"retry after {seconds}s", retry_in=0)
        elif isinstance(error, ChatMigrated):
            await self._finish(row, OutboxState.PENDING, "chat migrated", chat_id=error.new_chat_id)
        elif isinstance(error, Forbidden):  # blocked by the person: expected, not an error
            log.info("outbox %s: the chat is closed to the bot (%s)", row.key, error)
            await self._finish(row, OutboxState.UNREACHABLE, str(error), unreachable=True)
        elif isinstance(error, BadRequest):
            unreachable = "chat not found" in str(error).lower()
            state = OutboxState.UNREACHABLE if unreachable else OutboxState.FAILED
            log.error("outbox %s refused by Telegram: %s", row.key, error)
            await self._finish(row, state, str(error), unreachable=unreachable)
        else:  # TimedOut, NetworkError: tried again later, given up after MAX_ATTEMPTS
            if row.attempts >= MAX_ATTEMPTS:
                log.error("outbox %s failed %s times, given up: %s", row.key, row.attempts, error)
                state = OutboxState.FAILED
            else:
                log.warning("outbox %s not sent (%s); trying again later", row.key, error)
                state = OutboxState.PENDING
            await self._finish(row, state, str(error), retry_in=min(300, 2**row.attempts))

    async def _send_file(self, row: OutboxMessage) -> Message:
        """A stored file: by Telegram's file id once Telegram has it, else uploaded."""
        async with self.sessionmaker() as db:
            stored = await db.get(StoredFile, row.payload["file"])
        if stored is None:
            raise BadRequest(f"stored file {row.payload['file']} is gone")
        upload = stored.telegram_file_id or InputFile(stored.content, filename=stored.name)
        caption = row.payload.get("caption") or None
        if row.method == "sendPhoto":
            message = await self.bot.send_photo(
                row.chat_id, upload, caption=caption, **self._no_retry
            )
            file_id = message.photo[-1].file_id if message.photo else None
        else:
            message = await self.bot.send_document(
                row.chat_id, upload, caption=caption, **self._no_retry
            )
            file_id = message.document.file_id if message.document else None
        if file_id and not stored.telegram_file_id:
            async with self.sessionmaker() as db:
                await db.execute(
                    update(StoredFile)
                    .where(StoredFile.id == stored.id)
                    .values(telegram_file_id=file_id)
                )
                await db.commit()
        return message

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
            # On the wall clock, whatever the bot's clock says: it paces the sends after a
            # restart (count_recent_sends) and says when the outbox last worked.
            values.update(sent_message_id=message_id, sent_at=datetime.now(UTC))
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
