"""Free input (text, photos, stickers) goes to the conversation the person has open, if any.

A conversation's state is a draft row, so it survives restarts; each flow registers the
function that takes the next input for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import Ctx
from bot.render import start as start_screens
from bot.reply import reply
from bot.services.drafts import DraftService
from db.models import Draft

FlowHandler = Callable[[Update, Ctx, Draft], Awaitable[None]]
FLOWS: dict[str, FlowHandler] = {}


def flow(name: str) -> Callable[[FlowHandler], FlowHandler]:
    def register(handler: FlowHandler) -> FlowHandler:
        FLOWS[name] = handler
        return handler

    return register


async def open_conversation(ctx: Ctx) -> Draft | None:
    """The conversation that takes this person's free input now, if any."""
    actor = ctx.actor
    # A linked person's latest open draft came with them; it answers unless it belongs to a
    # flow that takes no free input, or the account has no person (looked up here).
    draft = actor.conversation
    if actor.person is None or (draft is not None and draft.flow not in FLOWS):
        draft = await DraftService(ctx.db, ctx.clock).latest_open(actor.telegram_id, list(FLOWS))
    return draft


async def answer_conversation(update: Update, ctx: Ctx) -> bool:
    """Give the message to the open conversation; False if there is none."""
    draft = await open_conversation(ctx)
    if draft is None:
        return False
    await FLOWS[draft.flow](update, ctx, draft)
    return True


async def on_free_input(update: Update, ctx: Ctx) -> None:
    if not await answer_conversation(update, ctx):
        await reply(update, start_screens.not_understood(ctx.lang))
