"""The last line: log the traceback, tell the person briefly, never show them the traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.context import Ctx
from bot.render import start as screens
from bot.reply import reply_now
from bot.runtime import current_unit

log = logging.getLogger("chibo.errors")


async def on_error(update: object, ctx: Ctx) -> None:
    log.error("error while handling an update", exc_info=ctx.error)
    unit = current_unit()
    if unit is not None:  # nothing of the update is kept, and nothing of it is sent
        unit.fail()
    await apologize(update, ctx.lang)


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
