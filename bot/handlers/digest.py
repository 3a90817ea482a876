"""The monthly digest on request: /tonghop [month] for leaders and admins, in private; the
office's copy carries a button to post it to the leadership group."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import DigestPostData
from bot.context import Ctx
from bot.policy import Permission
from bot.publish import make_digest, post_month, times_posted_again
from bot.render import Screen
from bot.render import digest as screens
from bot.reply import answer_button, progress, reply, reply_file
from bot.services.digest import DigestService, Edition, Month


async def on_digest(update: Update, ctx: Ctx) -> None:
    actor = ctx.actor
    today = ctx.clock.now().astimezone(ctx.settings.zone).date()
    args = ctx.args or []
    month = Month.parse(args[0]) if args else Month.of(today).shift(-1)
    if month is None or len(args) > 1:
        await reply(update, screens.usage(ctx.lang))
        return
    if month > Month.of(today):
        await reply(update, screens.not_begun(month, ctx.lang))
        return
    roots = await DigestService(ctx.runtime.sessionmaker, ctx.settings.zone).organisations()
    if not roots:
        await reply(update, screens.no_organisation(ctx.lang))
        return
    office = actor.may(Permission.OFFICE)
    await progress(update, screens.making(month, ctx.lang))
    for root in roots:
        await progress(update)
        edition = Edition.OFFICE if office else Edition.GROUP
        files = await make_digest(
            ctx.runtime.sessionmaker, ctx.settings, root, month, edition, ctx.lang, ctx.clock.now()
        )
        for text in files.messages:
            await reply(update, Screen(text))
        await reply_file(
            update, files.chart, files.names["chart"], files.captions["chart"], photo=True
        )
        await reply_file(update, files.sheet, files.names["sheet"], files.captions["sheet"])
        await reply_file(
            update, files.document, files.names["document"], files.captions["document"]
        )
        if office:
            reposts = await times_posted_again(ctx.db, root, month)
            await reply(update, screens.post_again(root.id, month, reposts, ctx.lang))


async def on_post_again(update: Update, ctx: Ctx, data: DigestPostData) -> None:
    month = Month.from_key(data.month)
    service = DigestService(ctx.runtime.sessionmaker, ctx.settings.zone)
    root = await service.organisation(data.root_id)
    today = ctx.clock.now().astimezone(ctx.settings.zone).date()
    if root is None or month is None or month > Month.of(today):
        await answer_button(update, screens.posted_notice("stale", "", ctx.lang))
        return
    result = await post_month(ctx.runtime, root, month, again_after=data.reposts, who=ctx.actor.who)
    await answer_button(
        update, screens.posted_notice(result.outcome, result.group_title[:80], ctx.lang)
    )
