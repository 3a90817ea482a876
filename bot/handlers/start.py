"""/start (with an invitation token or not), /help, sharing a phone number to link, and the
answer to anything the bot does not understand."""

from __future__ import annotations

import logging

from telegram import Update

from bot.callbacks import LanguageData
from bot.handlers import proposals
from bot.pipeline.access import refuse_stranger
from bot.pipeline.context import Ctx
from bot.pipeline.reply import answer_button, edit_text, refuse, reply
from bot.render import start as screens
from bot.services.directory import DirectoryService
from bot.services.linking import LinkingService, LinkOutcome, LinkResult
from bot.services.people import answers_for_body, choose_language
from bot.services.reports import ReportService
from bot.services.worklist import WorkList

log = logging.getLogger(__name__)


async def on_start(update: Update, ctx: Ctx) -> None:
    assert update.effective_user is not None
    if ctx.args:
        user = update.effective_user
        result = await LinkingService(ctx.db, ctx.clock).link_by_token(
            user.id, user.username, ctx.args[0]
        )
        await _after_link(update, ctx, result)
        return
    if not ctx.actor.is_known:
        await refuse_stranger(update, ctx)
        return
    branches, progress = [], None
    if ctx.actor.person is not None:
        zone = ctx.settings.zone
        branches = await DirectoryService(ctx.db, ctx.clock, zone).branches_of(ctx.actor.person)
        progress = await ReportService(ctx.db, ctx.clock, zone).progress(ctx.actor.person)
    commands = ctx.menus.for_actor(ctx.actor)
    await reply(update, screens.greeting(ctx.actor, branches, progress, commands))
    worklist = WorkList(ctx.db, ctx.clock, ctx.settings.zone, proposals.service_for(ctx))
    waiting = await worklist.for_actor(ctx.actor)
    if waiting.any:  # the office's and the leaders' day starts from here
        await reply(update, screens.work(waiting, ctx.lang))


async def on_contact(update: Update, ctx: Ctx) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.contact is not None and user is not None
    result = await LinkingService(ctx.db, ctx.clock).link_by_contact(
        user.id, user.username, message.contact.user_id, message.contact.phone_number
    )
    await _after_link(update, ctx, result)


async def _after_link(update: Update, ctx: Ctx, result: LinkResult) -> None:
    lang = ctx.lang
    person = result.person
    if result.outcome == LinkOutcome.LINKED and person and person.telegram_user_id is not None:
        lang = person.language or ctx.settings.locale
        roles = person.role_set | ctx.actor.roles
        held = ctx.menus.held(roles, await answers_for_body(ctx.db, person))
        await ctx.menus.set_for_person(ctx.bot, person.telegram_user_id, held, lang)
        log.info("telegram user %s linked to person %s", person.telegram_user_id, person.code)
    await reply(update, screens.link_result(result, lang))


async def on_help(update: Update, ctx: Ctx) -> None:
    await reply(update, screens.help_screen(ctx.actor, ctx.menus.for_actor(ctx.actor)))


async def on_language(update: Update, ctx: Ctx) -> None:
    await reply(update, screens.language_choice(ctx.lang))


async def on_language_choice(update: Update, ctx: Ctx, data: LanguageData) -> None:
    actor = ctx.actor
    if not await choose_language(ctx.db, ctx.clock, actor, data.code):
        await refuse(update, screens.language_not_kept(ctx.lang))
        return
    await answer_button(update)
    await edit_text(update, screens.language_chosen(data.code))
    await ctx.menus.set_for_actor(ctx.bot, actor, data.code)


async def on_private_only(update: Update, ctx: Ctx) -> None:
    """A command of the private chat sent in a group: answered, never met with silence."""
    message = update.effective_message
    words = (message.text or "").split() if message else []
    command = words[0].lstrip("/").split("@")[0] if words else ""
    await reply(update, screens.private_only(command, ctx.bot.username, ctx.lang))


async def on_unknown_button(update: Update, ctx: Ctx) -> None:
    await answer_button(update, screens.stale_button(ctx.lang))
