"""Guided conversations: each is a draft row (bot/services/drafts.py), saved at every step, so
a restart loses nothing; its steps are declared by the flow's own module.

Two ways in, both declared here once:
- free input (text, photos, a voice message) goes to the flow the person has open, through
  the function `takes_input(flow)` registered for it;
- a button of a step carries its draft's id and revision: `on_draft(flow)` opens the draft it
  refers to, the presser's own, still open and unchanged since the button was made, or says
  the button is stale, the way `pressed()` refuses a button of the wrong shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from telegram import Update

from bot.pipeline.context import Ctx
from bot.pipeline.reply import answer_button, reply
from bot.render import start as start_screens
from bot.services.drafts import DraftService, Flow
from db.models import Draft

InputHandler = Callable[[Update, Ctx, Draft], Coroutine[Any, Any, None]]
INPUTS: dict[Flow, InputHandler] = {}


def takes_input(flow: Flow) -> Callable[[InputHandler], InputHandler]:
    """Register the function that takes a flow's free input."""

    def register(handler: InputHandler) -> InputHandler:
        INPUTS[flow] = handler
        return handler

    return register


class DraftButton(Protocol):
    """A step's button: the draft it belongs to, as the draft stood when it was made."""

    @property
    def draft_id(self) -> int: ...

    @property
    def revision(self) -> int: ...


Data = TypeVar("Data", bound=DraftButton)


def on_draft(
    flow: Flow, stale: Callable[[str], str] = start_screens.stale_button
) -> Callable[
    [Callable[[Update, Ctx, Data, Draft], Coroutine[Any, Any, Any]]],
    Callable[[Update, Ctx, Data], Coroutine[Any, Any, Any]],
]:
    """A step button's handler, given the draft the press refers to; a press on a draft that
    is another's, closed, or moved on since is answered with `stale(lang)` and does nothing."""

    def wrap(
        handler: Callable[[Update, Ctx, Data, Draft], Coroutine[Any, Any, Any]],
    ) -> Callable[[Update, Ctx, Data], Coroutine[Any, Any, Any]]:
        @functools.wraps(handler)
        async def opened(update: Update, ctx: Ctx, data: Data) -> Any:
            drafts = DraftService(ctx.db, ctx.clock)
            draft = await drafts.open_draft(
                ctx.actor.telegram_id, flow, data.draft_id, data.revision
            )
            if draft is None:
                await answer_button(update, stale(ctx.lang))
                return None
            return await handler(update, ctx, data, draft)

        return opened

    return wrap


async def open_conversation(ctx: Ctx) -> Draft | None:
    """The conversation that takes this person's free input now, if any."""
    actor = ctx.actor
    # A linked person's latest open draft came with them; it answers unless it belongs to a
    # flow that takes no free input, or the account has no person (looked up here).
    draft = actor.conversation
    if actor.person is None or (draft is not None and draft.flow not in INPUTS):
        draft = await DraftService(ctx.db, ctx.clock).latest_open(actor.telegram_id, list(INPUTS))
    return draft


async def answer_conversation(update: Update, ctx: Ctx) -> bool:
    """Give the message to the open conversation; False if there is none."""
    draft = await open_conversation(ctx)
    if draft is None:
        return False
    await INPUTS[Flow(draft.flow)](update, ctx, draft)
    return True


async def on_free_input(update: Update, ctx: Ctx) -> None:
    if not await answer_conversation(update, ctx):
        await reply(update, start_screens.not_understood(ctx.lang))
