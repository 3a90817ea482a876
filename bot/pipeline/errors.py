"""The last line: log the traceback, tell the person briefly, never show them the traceback."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.operations import incidents
from bot.pipeline.context import Ctx
from bot.pipeline.reply import reply_now
from bot.render import start as screens
from bot.runtime import Runtime, current_unit

log = logging.getLogger("chibo.errors")


async def on_error(update: object, ctx: Ctx) -> None:
    """An error a handler or a job did not handle: logged, reported to the technical contact,
    and (for an update) the unit rolled back and the person told."""
    assert ctx.error is not None
    if update is None and ctx.job is not None:
        await incidents.report(ctx.runtime, ctx.error, doing=f"running the job {ctx.job.name}")
        return
    unit = current_unit()
    if unit is not None:  # nothing of the update is kept, and nothing of it is sent
        unit.fail()
        # Now, not at the unit's end: on SQLite its write lock would keep the report waiting.
        await unit.session.rollback()
    await incidents.report(
        ctx.runtime,
        ctx.error,
        doing="handling an update",
        update_kind=incidents.update_kind_of(update),
    )
    await apologize(update, ctx.lang)
    # No later handler group runs on a unit that is rolled back (on PostgreSQL its
    # transaction is aborted: each would fail again, and be reported as another error).
    raise ApplicationHandlerStop


def on_commit_failure(runtime: Runtime) -> Callable[[object, BaseException], Awaitable[None]]:
    """What the update processor does when an update's commit fails."""

    async def failed(update: object, error: BaseException) -> None:
        await incidents.report(
            runtime,
            error,
            doing="saving an update's changes (nothing of it was kept)",
            update_kind=incidents.update_kind_of(update),
        )
        await apologize(update, runtime.settings.locale)

    return failed


async def apologize(update: object, lang: str) -> None:
    """Tell the person, in private, that it did not work and to try again."""
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:  # the button stops turning; the message says why
        try:
            await update.callback_query.answer()
        except TelegramError:
            log.info("the failed press could not be acknowledged", exc_info=True)
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    try:
        await reply_now(update, screens.apology(lang))
    except TelegramError:
        log.exception("could not send the apology")
