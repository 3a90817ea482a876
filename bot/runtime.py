"""What every handler and job shares: settings, clock and the database."""

from __future__ import annotations

from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from bot.clock import Clock
    from bot.outbox import Sender
    from bot.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    sender: Sender | None = None


# The session of the update being processed. The update processor opens it around the whole
# update, so every handler (and the error handler) of one update shares it and it is closed
# exactly once, whichever handler stopped the update.
_update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)


@asynccontextmanager
async def update_session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        token = _update_session.set(session)
        try:
            yield session
        finally:
            _update_session.reset(token)


def current_update_session() -> AsyncSession:
    session = _update_session.get()
    if session is None:
        raise RuntimeError("no database session: not inside an update being processed")
    return session
