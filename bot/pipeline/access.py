"""Access in one place: every update is resolved to an actor before any handler runs, and
the routing table (bot/routes.py) guards each handler with the permission it needs
(bot/policy.py says who holds it).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, filters

from bot import render
from bot.callbacks import CallbackData
from bot.pipeline.context import ChiboContext
from bot.pipeline.reply import answer_button, reply
from bot.render import start as start_screens
from bot.services.people import mark_reachable, person_by_telegram_id
from bot.services.policy import Permission, actor_for
from db.models import Role

log = logging.getLogger(__name__)

# What links an account: sharing one's own contact, or an invitation's /start with its token.
_LINKING = filters.ChatType.PRIVATE & (filters.Regex(r"^/start(@\w+)?\s+\S") | filters.CONTACT)
# The only things a stranger may do: open the bot, and share their own contact to link it.
_STRANGER_MAY = filters.ChatType.PRIVATE & (
    filters.Regex(r"^/start(@\w+)?(\s|$)") | filters.CONTACT
)


async def resolve_actor(update: Update, ctx: ChiboContext) -> None:
    """Group -1: who sent this update. Strangers are told how to link, and stop here."""
    if _about_a_chat(update):
        return  # the bot's own membership, or a group's migration: facts, not requests
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    person, conversation, answers_for_body = await person_by_telegram_id(ctx.db, user.id)
    if person is not None and person.unreachable_since is not None:
        await mark_reachable(ctx.db, person)
    roles = set(person.role_set) if person is not None else set()
    if user.id in ctx.settings.admin_ids:
        roles.add(Role.ADMIN)
    ctx.actor = actor_for(
        user.id,
        person,
        frozenset(roles),
        lang=(person.language if person is not None else None) or ctx.settings.locale,
        conversation=conversation,
        triage_by=ctx.settings.triage_by,
        answers_for_body=answers_for_body,
    )
    if _held_back(update, ctx, user.id):
        raise ApplicationHandlerStop  # faster than answered: left quietly (throttle.py)
    if update.edited_message is not None:
        await _edit_not_taken(update, ctx)
        raise ApplicationHandlerStop
    if ctx.actor.is_known or _STRANGER_MAY.check_update(update):
        return
    await refuse_stranger(update, ctx)
    raise ApplicationHandlerStop


def _held_back(update: Update, ctx: ChiboContext, telegram_id: int) -> bool:
    """Whether the update is left unanswered, the person writing faster than answered
    (bot/pipeline/throttle.py). Linking is always taken (sharing one's phone number, or an
    invitation's /start with its token), and a stranger in a group is never answered."""
    throttle = ctx.runtime.throttle
    if throttle is None or _LINKING.check_update(update):
        return False
    known = ctx.actor.is_known
    chat = update.effective_chat
    if not known and update.callback_query is None and (chat is None or chat.type != "private"):
        return False
    return not throttle.lets_through(telegram_id, known=known, now=time.monotonic())


async def _edit_not_taken(update: Update, ctx: ChiboContext) -> None:
    """Telegram's "edit" of an earlier message is never an answer: at the step the person is
    at now it would be taken for something they did not mean. A known person is told, in
    private; a stranger and a group hear nothing."""
    chat = update.effective_chat
    known = ctx.has_actor and ctx.actor.is_known
    if known and chat is not None and chat.type == ChatType.PRIVATE:
        await reply(update, start_screens.edit_not_taken(ctx.lang))


def _about_a_chat(update: Update) -> bool:
    if update.my_chat_member is not None:
        return True
    message = update.message
    return message is not None and bool(message.migrate_to_chat_id or message.migrate_from_chat_id)


async def refuse_stranger(update: Update, ctx: ChiboContext) -> None:
    if update.callback_query is not None:  # the answer is seen by the presser alone
        await answer_button(update, render.texts(ctx.lang).gettext("Not available."))
        return
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return  # never answer strangers in groups: it would tell the group who may do what
    await reply(update, start_screens.stranger(ctx.lang))


Handler = Callable[[Update, ChiboContext], Coroutine[Any, Any, Any]]
Data = TypeVar("Data", bound=CallbackData)
ButtonHandler = Callable[[Update, ChiboContext, Any], Coroutine[Any, Any, Any]]


def pressed(
    data_class: type[Data],
    handler: Callable[[Update, ChiboContext, Data], Coroutine[Any, Any, Any]],
) -> Handler:
    """A button's handler, given the press's data parsed into its action's class. A press whose
    data is not of that shape (stale, broken or forged) is answered as stale and goes no
    further."""

    @functools.wraps(handler)
    async def parsed(update: Update, ctx: ChiboContext) -> Any:
        query = update.callback_query
        data = data_class.parse(query.data if query is not None else None)
        if data is None:
            log.info("refused %s data %r", data_class.__name__, query and query.data)
            await answer_button(update, start_screens.stale_button(ctx.lang))
            return None
        return await handler(update, ctx, data)

    return parsed


def requires(permission: Permission = Permission.KNOWN) -> Callable[[Handler], Handler]:
    """The handler runs only for someone holding the permission; a stranger is told how to
    link, a known person without it that it is not theirs to do."""

    def decorate(handler: Handler) -> Handler:
        if permission == Permission.ANYONE:
            return handler

        @functools.wraps(handler)
        async def guarded(update: Update, ctx: ChiboContext) -> Any:
            if not ctx.has_actor or not ctx.actor.is_known:
                await refuse_stranger(update, ctx)
                return None
            actor = ctx.actor
            if not actor.may(permission):
                log.info("refused %s to telegram user %s", handler.__name__, actor.telegram_id)
                notice = start_screens.not_permitted(ctx.lang)
                if update.callback_query is not None:
                    await answer_button(update, notice)
                else:
                    await reply(update, render.Screen(notice))
                return None
            return await handler(update, ctx)

        return guarded

    return decorate
