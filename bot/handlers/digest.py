"""The monthly digest on request: /tonghop [month] for leaders and admins, in private; the
office's copy carries a button to post it to the leadership group."""

from __future__ import annotations

from telegram import Update

from bot.callbacks import DigestPostData
from bot.domain.digest import Edition, Month
from bot.jobs.digest import edition_of, post_month
from bot.pipeline.context import Ctx
from bot.pipeline.reply import answer_button, progress, reply, reply_file
from bot.render import Screen
from bot.render import digest as screens
from bot.services.digest import DigestService
from bot.services.digest.posting import DigestPostingService
from bot.services.policy import digest_edition, may_post_digest


async def on_digest(update: Update, ctx: Ctx) -> None:
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
    edition = digest_edition(ctx.actor)
    await progress(update, screens.making(month, ctx.lang))
    for root in roots:
        await progress(update)
        made = await edition_of(ctx.runtime, root, month, edition, ctx.lang)
        files, names = made.files, made.files.names
        captions = screens.captions(made.figures, ctx.lang)
        for text in screens.digest_messages(made.figures, ctx.lang):
            await reply(update, Screen(text))
        await reply_file(update, files.chart, names["chart"], captions["chart"], photo=True)
        await reply_file(update, files.sheet, names["sheet"], captions["sheet"])
        await reply_file(update, files.document, names["document"], captions["document"])
        if edition == Edition.OFFICE:
            reposts = await DigestPostingService(ctx.db, ctx.clock).times_posted_again(root, month)
            await reply(update, screens.post_again(root.id, month, reposts, ctx.lang))


async def on_post_again(update: Update, ctx: Ctx, data: DigestPostData) -> None:
    month = Month.from_key(data.month)
    service = DigestService(ctx.runtime.sessionmaker, ctx.settings.zone)
    root = await service.organisation(data.root_id)
    today = ctx.clock.now().astimezone(ctx.settings.zone).date()
    if root is None or month is None or month > Month.of(today) or not may_post_digest(ctx.actor):
        await answer_button(update, screens.posted_notice("stale", "", ctx.lang))
        return
    result = await post_month(ctx.runtime, root, month, again_after=data.reposts, who=ctx.actor.who)
    await answer_button(
        update, screens.posted_notice(result.outcome, result.group_title[:80], ctx.lang)
    )
