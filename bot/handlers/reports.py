"""The report after a meeting: requests, the guided conversation, sending, and history. The
conversation's steps are declared in bot/services/report_flow.py."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.callbacks import (
    ReportBackData,
    ReportChoiceData,
    ReportEditData,
    ReportOnBehalfData,
    ReportRequestData,
    ReportSendData,
    ReportStartData,
    ReportStopData,
    ReportViewData,
)
from bot.domain.parsing import parse_day
from bot.outbox.deliver import deliver
from bot.pipeline.context import Ctx
from bot.pipeline.conversations import on_draft, takes_input
from bot.pipeline.reply import (
    answer_button,
    edit_buttons,
    edit_text,
    pressed_html,
    refuse,
    reply,
    reply_media,
    respond,
)
from bot.render import Screen
from bot.render import reports as screens
from bot.render.start import not_permitted
from bot.services.drafts import Flow
from bot.services.report_flow import Input, Lists, Step
from bot.services.reports import Refusal, ReportService, ReportView, StepResult
from db.models import Draft


def _service(ctx: Ctx) -> ReportService:
    settings = ctx.settings
    return ReportService(ctx.db, ctx.clock, settings.zone, settings.amend_days, settings.triage_by)


def _stale(lang: str) -> str:
    return screens.refusal(Refusal.STALE, lang)


async def step_screen(
    ctx: Ctx, draft: Draft, error: str | None = None, params: dict[str, Any] | None = None
) -> Screen:
    """The screen of the step the draft is at, with an error line if the answer was refused."""
    service = _service(ctx)
    needs_lists = draft.step in (Step.TOPICS, Step.PROPOSAL_FIELD, Step.REVIEW)
    lists = await service.lists(every=draft.step == Step.REVIEW) if needs_lists else Lists()
    if draft.step != Step.REVIEW:
        return screens.step(draft, lists, ctx.lang, error, params)
    meeting, branch = await service.meeting_of(draft)
    screen = screens.review(draft, lists, branch, meeting, ctx.settings.zone, ctx.lang)
    if error is not None:
        screen = screen.with_note(f"⚠ {error}")
    return screen


async def _start(update: Update, ctx: Ctx, rsvp_id: int | None, on_behalf: bool) -> None:
    result = await _service(ctx).start(ctx.actor, rsvp_id, on_behalf)
    if result.draft is None:
        await _refuse(update, ctx, result)
        return
    await respond(update, await step_screen(ctx, result.draft))


async def _refuse(update: Update, ctx: Ctx, result: StepResult) -> None:
    await refuse(update, screens.refusal(result.refusal or Refusal.STALE, ctx.lang, result.missing))


async def on_pending(update: Update, ctx: Ctx) -> None:
    actor = ctx.actor
    if actor.person is None:
        await reply(update, screens.pending([], ctx.settings.zone, ctx.lang))
        return
    items = await _service(ctx).pending_for(actor.person, actor.telegram_id)
    await reply(update, screens.pending(items, ctx.settings.zone, ctx.lang))


async def on_request_button(update: Update, ctx: Ctx, data: ReportRequestData) -> None:
    if data.choice == "now":
        await _start(update, ctx, data.rsvp_id, on_behalf=False)
    elif data.choice == "later":
        await answer_button(update, screens.later(ctx.lang))
    elif data.choice in ("eve", "morn"):
        at = await _service(ctx).ask_again(
            ctx.actor, data.rsvp_id, "evening" if data.choice == "eve" else "morning"
        )
        if isinstance(at, Refusal):
            await _refuse(update, ctx, StepResult(refusal=at))
            return
        zone = ctx.settings.zone
        await answer_button(update, screens.asked_again_at(at, zone, ctx.lang))
        edited = screens.asked_again(pressed_html(update), data.rsvp_id, at, zone, ctx.lang)
        if edited is not None:
            await edit_text(update, edited)
    else:
        refusal = await _service(ctx).did_not_attend(ctx.actor, data.rsvp_id)
        if refusal is not None:
            await _refuse(update, ctx, StepResult(refusal=refusal))
            return
        await respond(update, Screen(screens.did_not_attend(ctx.lang)))


async def on_start_from_list(update: Update, ctx: Ctx, data: ReportStartData) -> None:
    await _start(update, ctx, data.rsvp_id, on_behalf=False)


async def on_start_on_behalf(update: Update, ctx: Ctx, data: ReportOnBehalfData) -> None:
    await _start(update, ctx, data.rsvp_id, on_behalf=True)


async def on_report_for(update: Update, ctx: Ctx) -> None:
    """/baocaothay CB07: the office enters a report for a member who cannot use the bot."""
    code = (ctx.args or [""])[0][:40]
    found = await _service(ctx).owed_on_behalf(ctx.actor, code)
    if found is None:
        await reply(update, Screen(screens.refusal(Refusal.NOT_YOURS, ctx.lang)))
        return
    member, items = found
    await reply(update, screens.pending(items, ctx.settings.zone, ctx.lang, on_behalf=member))


@on_draft(Flow.REPORT, _stale)
async def on_choice(update: Update, ctx: Ctx, data: ReportChoiceData, draft: Draft) -> None:
    await _apply(update, ctx, draft, Input("choice", data.value))


@on_draft(Flow.REPORT, _stale)
async def on_back(update: Update, ctx: Ctx, data: ReportBackData, draft: Draft) -> None:
    await _service(ctx).go_back(draft)
    await respond(update, await step_screen(ctx, draft))


@on_draft(Flow.REPORT, _stale)
async def on_stop(update: Update, ctx: Ctx, data: ReportStopData, draft: Draft) -> None:
    await _service(ctx).pause(draft)
    await respond(update, screens.paused(ctx.lang))


@on_draft(Flow.REPORT, _stale)
async def on_edit(update: Update, ctx: Ctx, data: ReportEditData, draft: Draft) -> None:
    result = await _service(ctx).edit_section(draft, data.section)
    if result.draft is None:
        await _refuse(update, ctx, result)
        return
    await respond(update, await step_screen(ctx, draft))


@on_draft(Flow.REPORT, _stale)
async def on_send(update: Update, ctx: Ctx, data: ReportSendData, draft: Draft) -> None:
    service = _service(ctx)
    result = await service.submit(draft, ctx.actor.who)
    if isinstance(result, StepResult):
        await _refuse(update, ctx, result)
        return
    await edit_buttons(update)  # the review is sent: its edit and Send buttons are done with
    await respond(update, screens.sent(result, service.amend_days, ctx.lang))
    await deliver(ctx.db, ctx.runtime, result.notices)


@takes_input(Flow.REPORT)
async def on_report_input(update: Update, ctx: Ctx, draft: Draft) -> None:
    message = update.effective_message
    assert message is not None
    if message.text:
        value = Input("text", message.text)
    elif message.voice:
        value = Input("media", message.voice.file_id, "voice", message.caption or "")
    elif message.photo:
        value = Input("media", message.photo[-1].file_id, "photo", message.caption or "")
    elif message.document:
        value = Input("media", message.document.file_id, "document", message.caption or "")
    else:  # a sticker, a location…: answers no step; the step says what it needs
        value = Input("text", "")
    await _apply(update, ctx, draft, value)


async def _apply(update: Update, ctx: Ctx, draft: Draft, value: Input) -> None:
    if draft.step != Step.REVIEW:  # the review answers buttons only; anything else shows it
        result = await _service(ctx).step(draft, value)
        if result.error is not None:
            await respond(update, await step_screen(ctx, draft, result.error, result.params))
            return
    await respond(update, await step_screen(ctx, draft))


# ---------------------------------------------------------------------- history


async def on_history(update: Update, ctx: Ctx) -> None:
    args = ctx.args or []
    if not args and ctx.actor.person is None:
        await reply(update, screens.history_usage(ctx.lang))
        return
    days = [parse_day(value) for value in args[1:3]]
    if any(day is None for day in days):
        await reply(update, screens.history_usage(ctx.lang))
        return
    code = args[0][:40] if args else None
    rows = await _service(ctx).history_for(ctx.actor, code, [d for d in days if d is not None])
    if rows is None:
        await reply(update, Screen(not_permitted(ctx.lang)))
        return
    for text in screens.report_list(rows, ctx.settings.zone, ctx.lang):
        await reply(update, Screen(text))


async def on_view(update: Update, ctx: Ctx) -> None:
    args = ctx.args or []
    if not args:  # one's own reports, a button each
        rows = await _service(ctx).history_for(ctx.actor, None, []) or []
        await reply(update, screens.own_reports(rows, ctx.settings.zone, ctx.lang))
        return
    number = int(args[0]) if args[0].isdigit() else None
    view = await _service(ctx).view_for(ctx.actor, number)
    if view is None:  # none such, or not the actor's to read: the same answer
        await reply(update, screens.no_such_report(number, ctx.lang))
        return
    await _show_report(update, ctx, view)


async def on_view_button(update: Update, ctx: Ctx, data: ReportViewData) -> None:
    view = await _service(ctx).view_for(ctx.actor, data.report_id)
    if view is None:
        await refuse(update, screens.no_such_report(data.report_id, ctx.lang).text)
        return
    await answer_button(update)
    await _show_report(update, ctx, view)


async def _show_report(update: Update, ctx: Ctx, view: ReportView) -> None:
    service = _service(ctx)
    lists = await service.lists(every=True)
    for text in screens.report_full(view, lists, ctx.settings.zone, ctx.lang):
        await reply(update, Screen(text))
    # The photos, voice messages and files of the report, as the member sent them.
    for attachment in view.version.content.get("attachments", []):
        await reply_media(
            update, attachment["kind"], attachment["file_id"], attachment.get("caption", "")
        )
