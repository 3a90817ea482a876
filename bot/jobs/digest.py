"""Post last month's digest to the leadership group when it is due, once."""

from __future__ import annotations

from datetime import datetime

from bot.publish import PostResult, post_month
from bot.runtime import Runtime
from bot.services.digest import DigestService, Month


def due_month(runtime: Runtime) -> Month | None:
    """The month whose digest is due now (the one before this), or None before the day and
    time set by CHIBO_DIGEST_AT."""
    settings = runtime.settings
    local = runtime.clock.now().astimezone(settings.zone)
    day, at = settings.digest_day_and_time
    this_month = Month.of(local.date())
    due = datetime.combine(this_month.first.replace(day=day), at, tzinfo=settings.zone)
    return this_month.shift(-1) if local >= due else None


async def post_due_digest(runtime: Runtime) -> list[PostResult]:
    month = due_month(runtime)
    if month is None:
        return []
    roots = await DigestService(runtime.sessionmaker, runtime.settings.zone).organisations()
    return [await post_month(runtime, root, month) for root in roots]
