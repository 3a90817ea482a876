"""/start and /help, and the answer to anything the bot does not understand."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.access import refuse_stranger, requires
from bot.context import Ctx
from bot.render import start as screens
from bot.reply import answer_button, reply


async def on_start(update: Update, ctx: Ctx) -> None:
    assert ctx.actor is not None
    if not ctx.actor.is_known:
        await refuse_stranger(update, ctx)
        return
    await reply(update, screens.greeting(ctx.actor))


@requires()
async def on_help(update: Update, ctx: Ctx) -> None:
    assert ctx.actor is not None
    await reply(update, screens.help_screen(ctx.actor))


@requires()
async def on_unknown_message(update: Update, ctx: Ctx) -> None:
    await reply(update, screens.not_understood(ctx.lang))


@requires()
async def on_unknown_button(update: Update, ctx: Ctx) -> None:
    await answer_button(update, screens.stale_button(ctx.lang))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", on_start, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("help", on_help))


def register_fallbacks(app: Application) -> None:
    """Registered after every other handler of group 0, so they catch only what none took."""
    private_message = filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL
    app.add_handler(MessageHandler(private_message, on_unknown_message))
    app.add_handler(CallbackQueryHandler(on_unknown_button))
