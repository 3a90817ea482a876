"""What every handler and job shares: settings, clock and the database."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from bot.clock import Clock
    from bot.outbox.sender import Pacer, Sender
    from bot.pipeline.menus import Menus
    from bot.pipeline.throttle import Throttle
    from bot.render import Screen
    from bot.settings import Settings

log = logging.getLogger(__name__)

# Takes a message to a chat that could not be sent at once (the outbox will send it).
Undelivered = Callable[[int, "Screen"], Awaitable[None]]


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    sender: Sender | None = None
    # The command menus, made from the routing table (bot/pipeline/menus.py).
    menus: Menus | None = None
    # Who writes faster than they are answered (bot/pipeline/throttle.py).
    throttle: Throttle | None = None
    # This process, in the instances table and in what it records.
    instance_id: str = field(default_factory=lambda: secrets.token_hex(8))


class UnitOfWork:
    """One update's (or one job tick's) work: one session, committed once at the end, and
    the answers to the person who wrote, sent only after that commit. Services never commit;
    if anything fails, everything of the unit is rolled back and nothing of it is sent."""

    def __init__(
        self,
        session: AsyncSession,
        pacer: Pacer | None = None,
        undelivered: Undelivered | None = None,
    ) -> None:
        self.session = session
        # Telegram's limits, shared with the outbox: answers to one chat go a second apart.
        self.pacer = pacer
        # Where a message that could not be sent now goes (the outbox, which keeps trying).
        self.undelivered = undelivered
        self.failed = False
        self._after_commit: list[Callable[[], Awaitable[Any]]] = []

    def after_commit(self, send: Callable[[], Awaitable[Any]]) -> None:
        """Run `send` once the unit is committed; never if it is rolled back."""
        self._after_commit.append(send)

    def fail(self) -> None:
        """The unit will be rolled back and none of its answers sent."""
        self.failed = True
        self._after_commit.clear()

    async def finish(self) -> bool:
        """Commit (unless failed), then send what waited for the commit; returns whether it
        committed."""
        if self.failed:
            await self.session.rollback()
            return False
        await self.session.commit()
        for send in self._after_commit:
            try:
                await send()  # tried again, or handed to the outbox (bot/pipeline/reply.py)
            except Exception:  # the change is kept; what failed is logged, not raised
                log.exception("an answer after the commit could not be sent")
        return True


_unit: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
    pacer: Pacer | None = None,
    undelivered: Undelivered | None = None,
) -> AsyncIterator[UnitOfWork]:
    """A session for one update or tick. The caller finishes it (commit, then the answers);
    leaving the block without finishing, or by an exception, rolls it back."""
    async with sessionmaker() as session:
        unit = UnitOfWork(session, pacer, undelivered)
        token = _unit.set(unit)
        try:
            yield unit
        finally:
            _unit.reset(token)


def current_unit() -> UnitOfWork | None:
    return _unit.get()


def current_update_session() -> AsyncSession:
    unit = _unit.get()
    if unit is None:
        raise RuntimeError("no database session: not inside an update being processed")
    return unit.session
