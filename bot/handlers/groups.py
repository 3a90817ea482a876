"""The leadership group: registered by an admin, followed when it changes or the bot leaves."""

from __future__ import annotations

from telegram import ChatMember, Update

from bot.callbacks import GroupRegisterData
from bot.outbox.deliver import deliver
from bot.pipeline.context import Ctx
from bot.pipeline.reply import answer_button, edit_text, reply
from bot.render import groups as screens
from bot.render.start import stale_button
from bot.services import audit
from bot.services.groups import ConfirmOutcome, GroupService

PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}


async def on_my_membership(update: Update, ctx: Ctx) -> None:
    change = update.my_chat_member
    assert change is not None
    chat = change.chat
    if chat.type not in (chat.GROUP, chat.SUPERGROUP):
        return
    groups = GroupService(ctx.db, ctx.clock)
    title = chat.title or ""
    if change.new_chat_member.status in PRESENT:
        await groups.bot_added(chat.id, title)
        return
    who = audit.Who(telegram_id=change.from_user.id if change.from_user else None)
    told = await groups.bot_removed(chat.id, title, who, update.update_id)
    await deliver(ctx.db, ctx.runtime, told)


async def on_migration(update: Update, ctx: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    told = await GroupService(ctx.db, ctx.clock).migrated(old, new)
    if told:
        await ctx.menus.set_for_group(ctx.bot, new, ctx.settings.locale)
        await deliver(ctx.db, ctx.runtime, told)


async def on_register(update: Update, ctx: Ctx) -> None:
    chat = update.effective_chat
    assert chat is not None
    if chat.type not in (chat.GROUP, chat.SUPERGROUP):
        await reply(update, screens.not_here(ctx.lang))
        return
    await GroupService(ctx.db, ctx.clock).request(chat.id, chat.title or "")
    await reply(update, screens.registration_request(chat.id, chat.title or "", ctx.lang))


async def on_register_answer(update: Update, ctx: Ctx, data: GroupRegisterData) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    chat = query.message.chat
    # The chat comes from Telegram's own record of where the button is, never from the data.
    if data.chat_id != chat.id:
        await answer_button(update, stale_button(ctx.lang))
        return
    await answer_button(update)
    if data.answer != "ok":
        await edit_text(update, screens.cancelled(ctx.lang))
        return
    outcome = await GroupService(ctx.db, ctx.clock).confirm(chat.id, ctx.actor.who)
    if outcome == ConfirmOutcome.CONFIRMED:
        await ctx.menus.set_for_group(ctx.bot, chat.id, ctx.settings.locale)
    await edit_text(update, screens.confirmed(outcome, chat.title or "", ctx.lang))
