"""Post last month's digest to the leadership group when it is due, once."""

from __future__ import annotations

from datetime import datetime

from bot.publish import PostResult, post_month
from bot.runtime import Runtime
from bot.services.digest import DigestService, Month
from bot.settings import Settings


def due_at(settings: Settings, month: Month) -> datetime:
    """When, in this month, last month's digest falls due (CHIBO_DIGEST_AT)."""
    day, at = settings.digest_day_and_time
    return datetime.combine(month.first.replace(day=day), at, tzinfo=settings.zone)


def due_month(runtime: Runtime) -> Month | None:
    """The month whose digest is due now (the one before this), or None before the day and
    time set by CHIBO_DIGEST_AT."""
    settings = runtime.settings
    local = runtime.clock.now().astimezone(settings.zone)
    this_month = Month.of(local.date())
    return this_month.shift(-1) if local >= due_at(settings, this_month) else None


async def post_due_digest(runtime: Runtime) -> list[PostResult]:
    month = due_month(runtime)
    if month is None:
        return []
    roots = await DigestService(runtime.sessionmaker, runtime.settings.zone).organisations()
    return [await post_month(runtime, root, month) for root in roots]
