"""The proposal loop in chat: /kiennghi, the triage buttons (assign, merge, answer, close,
reopen, deadline), the body's buttons (answer, another body, more time), and writing an
answer step by step, saved at every step. Who may do each is the services' to ask
(bot/services/policy.py); a refusal comes back as a Change with the proposal's state."""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import TelegramError

from bot.callbacks import (
    AnswerStepData,
    ProposalActData,
    ProposalAction,
    ProposalBodyData,
    ProposalCloseData,
    ProposalMergeData,
    WorkProposalsData,
)
from bot.domain.parsing import parse_coming_day
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
)
from bot.render import Screen, with_state
from bot.render import proposals as screens
from bot.render import start as start_screens
from bot.services.documents import SIZE_LIMIT, DocumentService
from bot.services.drafts import DraftService, Flow
from bot.services.proposals import Answer, Change, Outcome, ProposalService, Seen
from db.models import Draft

log = logging.getLogger(__name__)


class AnswerStep(enum.StrEnum):
    TEXT = "text"  # the answer, typed (up to 3,000 characters)
    FILE = "file"  # the official reply as a PDF or photo, or the button "no file"
    KIND = "kind"  # final or interim, by buttons


class DeadlineStep(enum.StrEnum):
    DAY = "day"  # the new deadline, typed as a date


def service_for(ctx: Ctx) -> ProposalService:
    settings = ctx.settings
    return ProposalService(
        ctx.db, ctx.clock, settings.zone, settings.proposal_deadlines, settings.triage_by
    )


async def _refuse(update: Update, ctx: Ctx, change: Change) -> None:
    await refuse(update, screens.refusal(change, ctx.lang))


# ---------------------------------------------------------------- /kiennghi


async def on_work_proposals(update: Update, ctx: Ctx, data: WorkProposalsData) -> None:
    """/start's "Proposals" button: what /kiennghi lists."""
    await answer_button(update)
    ctx.args = []
    await on_proposals(update, ctx)


async def on_proposals(update: Update, ctx: Ctx) -> None:
    """/kiennghi: what one has to do; /kiennghi KP01: a branch's proposals; /kiennghi 12: one
    in full. A member sees the proposals they raised."""
    service, zone, actor = service_for(ctx), ctx.settings.zone, ctx.actor
    argument = (ctx.args or [""])[0][:40]
    if argument.isdigit():
        seen = await service.seen_by(actor, int(argument), history=True)
        if seen is None:
            await _refuse(update, ctx, Change(Outcome.NOT_FOUND))
            return
        await _show_in_full(update, ctx, service, seen)
        return
    if argument:
        of_branch = await service.of_branch_for(actor, argument.upper())
        if of_branch is None:
            await reply(update, Screen(start_screens.not_permitted(ctx.lang)))
            return
        branch, views = of_branch
        if branch is None:
            await reply(update, screens.unknown_branch(ctx.lang))
            return
        for text in screens.listing(screens.branch_title(branch, ctx.lang), views, zone, ctx.lang):
            await reply(update, Screen(text))
        return
    todo = await service.todo(actor)
    if not any(todo.counts) and actor.person is not None:
        raised = await service.raised_by(actor.person)
        if raised:
            for text in screens.listing(screens.raised_title(ctx.lang), raised, zone, ctx.lang):
                await reply(update, Screen(text))
            return
    for screen in screens.todo(todo, ctx.lang):
        await reply(update, screen)


async def _show_in_full(update: Update, ctx: Ctx, service: ProposalService, seen: Seen) -> None:
    """The card, its history, and the official reply attached to the answer, as it came."""
    zone = ctx.settings.zone
    await reply(update, screens.card(seen.view, zone, ctx.lang, with_triage=seen.with_triage))
    await reply(update, screens.history(seen.view, zone, ctx.lang, with_names=seen.names))
    stored = await service.answer_file(seen.view.proposal)
    if stored is not None and stored.telegram_file_id:
        kind = "photo" if stored.mime_type.startswith("image/") else "document"
        await reply_media(update, kind, stored.telegram_file_id)


# ---------------------------------------------------------------- buttons on a proposal

Act = Callable[[Update, Ctx, ProposalActData], Awaitable[None]]


async def _history(update: Update, ctx: Ctx, data: ProposalActData) -> None:
    service = service_for(ctx)
    seen = await service.seen_by(ctx.actor, data.proposal_id, history=True)
    if seen is None:
        await _refuse(update, ctx, Change(Outcome.NOT_FOUND))
        return
    await answer_button(update)
    await _show_in_full(update, ctx, service, seen)


async def _give_back(update: Update, ctx: Ctx, data: ProposalActData) -> None:
    # The body's buttons stay good while the proposal is with the body (an interim answer
    # does not make them stale): no revision is checked.
    change = await service_for(ctx).give_back(data.proposal_id, None, ctx.actor)
    await _after(update, ctx, change, "back")


async def _ask_extension(update: Update, ctx: Ctx, data: ProposalActData) -> None:
    change = await service_for(ctx).ask_extension(data.proposal_id, None, ctx.actor)
    await _after(update, ctx, change, "extend")


async def _start_answer(update: Update, ctx: Ctx, data: ProposalActData) -> None:
    change = await service_for(ctx).answerable(data.proposal_id, ctx.actor)
    if change.outcome != Outcome.DONE or change.view is None:
        await _refuse(update, ctx, change)
        return
    await answer_button(update)
    draft = await DraftService(ctx.db, ctx.clock).save(
        ctx.actor.telegram_id,
        ctx.actor.person_id,
        Flow.PROPOSAL_ANSWER,
        change.view.proposal.id,
        AnswerStep.TEXT,
        {},
    )
    await reply(update, screens.ask_answer(change.view, draft.id, draft.revision, ctx.lang))


async def _reopen(update: Update, ctx: Ctx, data: ProposalActData) -> None:
    change = await service_for(ctx).reopen(data.proposal_id, data.revision, ctx.actor)
    await _after(update, ctx, change, "reopen")


def _picker(show: Callable[[Ctx, Change, ProposalService], Awaitable[Screen]]) -> Act:
    """A triage button that opens a picker (a body, a proposal to merge into, a reason, a
    deadline): shown to whoever triages, while the proposal is as it was."""

    async def act(update: Update, ctx: Ctx, data: ProposalActData) -> None:
        service = service_for(ctx)
        change = await service.triageable(data.proposal_id, data.revision, ctx.actor)
        if change.outcome != Outcome.DONE or change.view is None:
            await _refuse(update, ctx, change)
            return
        await answer_button(update)
        await reply(update, await show(ctx, change, service))

    return act


async def _bodies(ctx: Ctx, change: Change, service: ProposalService) -> Screen:
    assert change.view is not None
    return screens.bodies_picker(change.view, await service.bodies(), ctx.lang)


async def _merge_targets(ctx: Ctx, change: Change, service: ProposalService) -> Screen:
    assert change.view is not None
    candidates = await service.merge_candidates(change.view)
    return screens.merge_picker(change.view, candidates, ctx.lang)


async def _reasons(ctx: Ctx, change: Change, service: ProposalService) -> Screen:
    assert change.view is not None
    return screens.close_picker(change.view, ctx.lang)


async def _deadline(ctx: Ctx, change: Change, service: ProposalService) -> Screen:
    view = change.view
    assert view is not None
    await DraftService(ctx.db, ctx.clock).save(
        ctx.actor.telegram_id,
        ctx.actor.person_id,
        Flow.PROPOSAL_DEADLINE,
        view.proposal.id,
        DeadlineStep.DAY,
        {"revision": view.proposal.revision},
    )
    return screens.ask_deadline(view, ctx.lang)


async def _dismiss(update: Update, ctx: Ctx, data: ProposalActData) -> None:
    await answer_button(update)
    await edit_buttons(update)
    await reply(update, screens.dismissed(data.proposal_id, ctx.lang))


# What each button of a proposal's card does (ProposalActData.act).
ACTS: dict[ProposalAction, Act] = {
    "dismiss": _dismiss,
    "history": _history,
    "back": _give_back,
    "extend": _ask_extension,
    "answer": _start_answer,
    "reopen": _reopen,
    "assign": _picker(_bodies),
    "merge": _picker(_merge_targets),
    "close": _picker(_reasons),
    "deadline": _picker(_deadline),
}


async def on_act(update: Update, ctx: Ctx, data: ProposalActData) -> None:
    await ACTS[data.act](update, ctx, data)


async def _after(update: Update, ctx: Ctx, change: Change, what: str) -> None:
    """The change's result: refused with the current state, or done and its notices sent."""
    if change.outcome != Outcome.DONE:
        await _refuse(update, ctx, change)
        return
    await answer_button(update)
    done = screens.done(change, what, ctx.settings.zone, ctx.lang)
    if what != "extend":  # asking for more time leaves the proposal to answer
        # The message pressed says what was done, and offers nothing more.
        edited = with_state(pressed_html(update), done.text, None)
        await (edit_text(update, edited) if edited is not None else edit_buttons(update))
    await deliver(ctx.db, ctx.runtime, change.notices)
    await reply(update, done)


async def on_body(update: Update, ctx: Ctx, data: ProposalBodyData) -> None:
    change = await service_for(ctx).assign(data.proposal_id, data.revision, data.body_id, ctx.actor)
    await _after(update, ctx, change, "assign")


async def on_merge(update: Update, ctx: Ctx, data: ProposalMergeData) -> None:
    change = await service_for(ctx).merge(data.proposal_id, data.revision, data.into_id, ctx.actor)
    await _after(update, ctx, change, "merge")


async def on_close(update: Update, ctx: Ctx, data: ProposalCloseData) -> None:
    change = await service_for(ctx).close(data.proposal_id, data.revision, data.reason, ctx.actor)
    await _after(update, ctx, change, "close")


# ---------------------------------------------------------------- typed steps


@takes_input(Flow.PROPOSAL_DEADLINE)
async def on_deadline_input(update: Update, ctx: Ctx, draft: Draft) -> None:
    message = update.effective_message
    assert message is not None
    today = ctx.clock.now().astimezone(ctx.settings.zone).date()
    day = parse_coming_day((message.text or "")[:40], today)  # "15/2" too, as everywhere
    if day is None:
        await reply(update, screens.bad_date(ctx.lang))
        return
    change = await service_for(ctx).set_deadline(
        draft.subject_id, draft.data["revision"], day, ctx.actor
    )
    if change.outcome == Outcome.PAST_DATE:
        await reply(update, screens.past_date(ctx.lang))
        return
    await DraftService(ctx.db, ctx.clock).close(draft)
    if change.outcome != Outcome.DONE:
        await _refuse(update, ctx, change)
        return
    await reply(update, screens.done(change, "deadline", ctx.settings.zone, ctx.lang))


@takes_input(Flow.PROPOSAL_ANSWER)
async def on_answer_input(update: Update, ctx: Ctx, draft: Draft) -> None:
    """The answer's text, then a file (a PDF or a photo of the official reply); the last
    step is answered with buttons only, and asked again."""
    message = update.effective_message
    assert message is not None
    drafts = DraftService(ctx.db, ctx.clock)
    if draft.step == AnswerStep.TEXT:
        if not message.text:
            await reply(update, screens.answer_needs_text(ctx.lang))
            return
        text = message.text.strip()
        if len(text) > screens.ANSWER_LIMIT:
            await reply(update, Screen(screens.answer_too_long(len(text), ctx.lang)))
            return
        await drafts.advance(draft, AnswerStep.FILE, {"text": text})
        await reply(update, screens.ask_file(draft.id, draft.revision, ctx.lang))
        return
    if draft.step == AnswerStep.FILE:
        stored = await _keep_reply_file(update, ctx)
        if stored is None:
            await reply(update, screens.ask_file(draft.id, draft.revision, ctx.lang))
            return
        await drafts.advance(draft, AnswerStep.KIND, {**draft.data, "file": stored})
    await reply(update, screens.ask_kind(draft.id, draft.revision, ctx.lang))


async def _keep_reply_file(update: Update, ctx: Ctx) -> int | None:
    """The official reply sent with the answer, kept in the database; None if the message
    holds no file (or one too big or not received)."""
    message = update.effective_message
    assert message is not None
    if message.document is not None:
        telegram_id, size = message.document.file_id, message.document.file_size or 0
        name = message.document.file_name or "tra-loi"
        mime = message.document.mime_type or "application/octet-stream"
    elif message.photo:
        telegram_id, size = message.photo[-1].file_id, message.photo[-1].file_size or 0
        name, mime = "tra-loi.jpg", "image/jpeg"
    else:
        return None
    if size > SIZE_LIMIT:
        return None
    try:
        content = bytes(await (await ctx.bot.get_file(telegram_id)).download_as_bytearray())
    except TelegramError:
        log.exception("could not download an answer's file")
        return None
    documents = DocumentService(ctx.db, ctx.clock, ctx.settings.zone)
    return await documents.store(name, mime, content, telegram_id)


@on_draft(Flow.PROPOSAL_ANSWER, screens.stale_step)
async def on_answer_step(update: Update, ctx: Ctx, data: AnswerStepData, draft: Draft) -> None:
    drafts = DraftService(ctx.db, ctx.clock)
    if data.choice == "no":
        await answer_button(update)
        await edit_buttons(update)
        await drafts.close(draft)
        await reply(update, screens.answer_stopped(ctx.lang))
        return
    if data.choice == "nofile" and draft.step == AnswerStep.FILE:
        await answer_button(update)
        await edit_buttons(update)
        await drafts.advance(draft, AnswerStep.KIND, {**draft.data, "file": None})
        await reply(update, screens.ask_kind(draft.id, draft.revision, ctx.lang))
        return
    if data.choice in ("final", "interim") and draft.step == AnswerStep.KIND:
        answer = Answer(draft.data["text"], data.choice == "final", draft.data.get("file"))
        change = await service_for(ctx).answer(draft.subject_id, answer, ctx.actor)
        await drafts.close(draft)
        await _after(update, ctx, change, "answer")
        return
    await answer_button(update, screens.stale_step(ctx.lang))
