"""The last line: log the traceback, tell the person briefly, never show them the traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.context import Ctx
from bot.render import start as screens
from bot.reply import reply

log = logging.getLogger("chibo.errors")


async def on_error(update: object, ctx: Ctx) -> None:
    log.error("error while handling an update", exc_info=ctx.error)
    if not isinstance(update, Update):
        return
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    try:
        await reply(update, screens.apology(ctx.lang))
    except TelegramError:
        log.exception("could not send the apology")
