"""One job's tick, the same for every job: ask what is due, deliver it, finish; in one unit of
work, so that what a job records and what it sends are committed together, or neither."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox.deliver import deliver
from bot.runtime import Runtime, unit_of_work
from bot.services.notices import Notices


async def deliver_due(
    runtime: Runtime, due: Callable[[AsyncSession], Awaitable[Notices]]
) -> Notices:
    """`due(session)` says what is due (and records it as done); its notices are queued in the
    same unit of work, committed once."""
    async with unit_of_work(runtime.sessionmaker) as unit:
        notices = await due(unit.session)
        await deliver(unit.session, runtime, notices)
        await unit.finish()
    return notices
