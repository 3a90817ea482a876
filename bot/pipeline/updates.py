"""Updates from one person are handled in order; different people's concurrently. Each
update is one unit of work: one session, committed once after its handlers return, and the
answers sent after the commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import metrics
from bot.runtime import Undelivered, unit_of_work

if TYPE_CHECKING:
    from bot.outbox.sender import Pacer

log = logging.getLogger(__name__)


def ordering_key(update: object) -> int | None:
    """The person (or, failing that, the chat) whose updates must not overtake each other."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        pacer: Pacer | None = None,
        max_concurrent_updates: int = 256,
        undelivered: Undelivered | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._sessionmaker = sessionmaker
        self._pacer = pacer
        self._undelivered = undelivered
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}
        # Told when an update's commit fails (the app reports it and apologises).
        self.on_commit_failure: Callable[[object, BaseException], Awaitable[None]] | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await self._one_unit(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                await self._one_unit(update, coroutine)
        finally:
            self._holders[key] -= 1
            if self._holders[key] == 0:
                del self._holders[key]
                del self._locks[key]

    async def _one_unit(self, update: object, coroutine: Awaitable[Any]) -> None:
        """The handlers run (their errors are the error handler's, which fails the unit),
        then the one commit, then the answers."""
        metrics.UPDATES.inc()
        async with unit_of_work(self._sessionmaker, self._pacer, self._undelivered) as unit:
            await coroutine
            try:
                await unit.finish()
            except Exception as exc:
                with contextlib.suppress(Exception):  # before the report is written
                    await unit.session.rollback()
                if self.on_commit_failure is None:
                    log.exception("an update's changes could not be saved; nothing was kept")
                else:
                    await self.on_commit_failure(update, exc)

    def waiting(self, key: int) -> int:
        """How many updates of this person (or chat) wait behind the one being handled."""
        return max(0, self._holders.get(key, 0) - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
