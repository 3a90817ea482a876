"""Post last month's digest to the leadership group when it is due, once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.digest import Edition, Month, UnitName
from bot.jobs.work import deliver_due
from bot.runtime import Runtime
from bot.services import audit
from bot.services.digest import DigestService
from bot.services.digest.posting import (
    DigestEdition,
    DigestPostingService,
    Posted,
    PostResult,
    make_edition,
)
from bot.services.notices import Notices
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


async def edition_of(
    runtime: Runtime, root: UnitName, month: Month, edition: Edition, lang: str
) -> DigestEdition:
    """The month's digest as it stands now, in one edition and language."""
    settings = runtime.settings
    return await make_edition(
        runtime.sessionmaker,
        root,
        month,
        edition,
        lang=lang,
        now=runtime.clock.now(),
        zone=settings.zone,
        quota=settings.attendance_quota or None,
        letterhead_for=settings.letterhead,
    )


async def post_month(
    runtime: Runtime,
    root: UnitName,
    month: Month,
    *,
    again_after: int | None = None,
    who: audit.Who | None = None,
) -> PostResult:
    """Queue the month's digest for the leadership group, unless it was posted already; with
    again_after (the office's button), once more."""
    async with runtime.sessionmaker() as db:  # no transaction held while the files are made
        refused = await DigestPostingService(db, runtime.clock).refusal(root, month, again_after)
    result = refused
    if refused is None:
        edition = await edition_of(runtime, root, month, Edition.GROUP, runtime.settings.locale)

    async def due(db: AsyncSession) -> Notices:
        nonlocal result
        service = DigestPostingService(db, runtime.clock)
        if refused is None:
            result = await service.post(root, month, edition, again_after=again_after, who=who)
        elif refused.outcome == Posted.NO_GROUP:
            result = await service.without_group(root, month, again_after)
        return result.notices if result is not None else ()

    if refused is None or refused.outcome == Posted.NO_GROUP:
        await deliver_due(runtime, due)
    assert result is not None
    return result
