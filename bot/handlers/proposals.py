"""The proposal loop in chat: /kiennghi, the triage buttons (assign, merge, answer, close,
reopen, deadline), the body's buttons (answer, another body, more time), and writing an
answer step by step, saved at every step."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.callbacks import (
    AnswerStepData,
    ProposalActData,
    ProposalBodyData,
    ProposalCloseData,
    ProposalMergeData,
)
from bot.context import Ctx
from bot.handlers.conversation import flow
from bot.notify import deliver
from bot.policy import Permission
from bot.render import Screen
from bot.render import proposals as screens
from bot.render import start as start_screens
from bot.reply import answer_button, edit_buttons, reply, reply_media
from bot.services.documents import SIZE_LIMIT, DocumentService
from bot.services.drafts import DraftService
from bot.services.parsing import parse_day
from bot.services.proposals import OPEN_STATES, Answer, Change, Outcome, ProposalService
from db.models import Draft, Role

log = logging.getLogger(__name__)

ANSWER_FLOW = "proposal_answer"
DEADLINE_FLOW = "proposal_deadline"


def _service(ctx: Ctx) -> ProposalService:
    settings = ctx.settings
    return ProposalService(
        ctx.db, ctx.clock, settings.zone, settings.proposal_deadlines, settings.triage_by
    )


def _triages(ctx: Ctx) -> bool:
    """Whoever triages proposals (CHIBO_PROPOSAL_TRIAGE): the leaders, the office, or both."""
    by, actor = ctx.settings.triage_by, ctx.actor
    return ("leaders" in by and Role.LEADER in actor.roles) or (
        "office" in by and actor.may(Permission.OFFICE)
    )


async def _refuse(update: Update, ctx: Ctx, change: Change) -> None:
    await answer_button(update, screens.refusal(change, ctx.lang))


# ---------------------------------------------------------------- /kiennghi


async def on_proposals(update: Update, ctx: Ctx) -> None:
    """/kiennghi: what one has to do; /kiennghi KP01: a branch's proposals; /kiennghi 12: one
    in full. A member sees the proposals they raised."""
    service, zone, actor = _service(ctx), ctx.settings.zone, ctx.actor
    argument = (ctx.args or [""])[0][:40]
    if argument.isdigit():
        view = await service.view(int(argument), history=True)
        if view is None or not await _may_see(ctx, service, view):
            await reply(update, Screen(screens.refusal(Change(Outcome.NOT_FOUND), ctx.lang)))
            return
        await reply(update, screens.card(view, zone, ctx.lang, triages=_triages(ctx)))
        await reply(update, screens.history(view, zone, ctx.lang, with_names=_triages(ctx)))
        await _send_answer_file(update, ctx, service, view)
        return
    if argument and not _triages(ctx):
        await reply(update, Screen(start_screens.not_permitted(ctx.lang)))
        return
    if argument:
        branch, views = await service.of_branch(argument.upper())
        if branch is None:
            await reply(update, screens.unknown_branch(ctx.lang))
            return
        title = screens.branch_title(branch, ctx.lang)
        for text in screens.listing(title, views, zone, ctx.lang):
            await reply(update, Screen(text))
        return
    todo = await service.todo(actor.person, _triages(ctx))
    if not any(todo.counts) and actor.person is not None:
        raised = await service.raised_by(actor.person)
        if raised:
            for text in screens.listing(screens.raised_title(ctx.lang), raised, zone, ctx.lang):
                await reply(update, Screen(text))
            return
    for screen in screens.todo(todo, ctx.lang):
        await reply(update, screen)


async def _may_see(ctx: Ctx, service: ProposalService, view) -> bool:
    """Those who triage, the people of its body, and the member who raised it."""
    person = ctx.actor.person
    if _triages(ctx):
        return True
    if person is None:
        return False
    return view.raiser == person or await service.answers_for(person, view.proposal.body_id)


async def _send_answer_file(update: Update, ctx: Ctx, service: ProposalService, view) -> None:
    """The official reply attached to the answer, sent back as it came."""
    stored = await service.answer_file(view.proposal)
    if stored is not None and stored.telegram_file_id:
        kind = "photo" if stored.mime_type.startswith("image/") else "document"
        await reply_media(update, kind, stored.telegram_file_id)


# ---------------------------------------------------------------- buttons


async def on_act(update: Update, ctx: Ctx, data: ProposalActData) -> None:
    service, zone = _service(ctx), ctx.settings.zone
    view = await service.view(data.proposal_id, history=data.act == "history")
    if view is None:
        await _refuse(update, ctx, Change(Outcome.NOT_FOUND))
        return
    person = ctx.actor.person
    if data.act == "history":
        if not await _may_see(ctx, service, view):
            await _refuse(update, ctx, Change(Outcome.NOT_FOUND))
            return
        await answer_button(update)
        await reply(update, screens.card(view, zone, ctx.lang, triages=_triages(ctx)))
        await reply(update, screens.history(view, zone, ctx.lang, with_names=_triages(ctx)))
        await _send_answer_file(update, ctx, service, view)
        return
    who = ctx.actor.who
    # The body's buttons stay good while the proposal is with the body (an interim answer
    # does not make them stale); the service checks its state and who may press them.
    if data.act in ("back", "extend"):
        change = await (service.give_back if data.act == "back" else service.ask_extension)(
            data.proposal_id, None, who
        )
        await _after(update, ctx, change, data.act)
        return
    if data.act == "answer":
        if view.proposal.state not in OPEN_STATES:
            await _refuse(update, ctx, Change(Outcome.CHANGED, view))
            return
        if not await service.may_answer(view.proposal, person, _triages(ctx)):
            await _refuse(update, ctx, Change(Outcome.NOT_YOURS, view))
            return
        await answer_button(update)
        draft = await DraftService(ctx.db, ctx.clock).save(
            ctx.actor.telegram_id, ctx.actor.person_id, ANSWER_FLOW, view.proposal.id, "text", {}
        )
        await reply(update, screens.ask_answer(view, draft.id, draft.revision, ctx.lang))
        return
    if not _triages(ctx):
        await _refuse(update, ctx, Change(Outcome.NOT_YOURS, view))
        return
    if view.proposal.revision != data.revision:
        await _refuse(update, ctx, Change(Outcome.CHANGED, view))
        return
    await answer_button(update)
    match data.act:
        case "assign":
            await reply(update, screens.bodies_picker(view, await service.bodies(), ctx.lang))
        case "merge":
            candidates = await service.merge_candidates(view)
            await reply(update, screens.merge_picker(view, candidates, ctx.lang))
        case "close":
            await reply(update, screens.close_picker(view, ctx.lang))
        case "deadline":
            await DraftService(ctx.db, ctx.clock).save(
                ctx.actor.telegram_id,
                ctx.actor.person_id,
                DEADLINE_FLOW,
                view.proposal.id,
                "day",
                {"revision": view.proposal.revision},
            )
            await reply(update, screens.ask_deadline(view, ctx.lang))
        case "reopen":
            change = await service.reopen(data.proposal_id, data.revision, who)
            await _after(update, ctx, change, "reopen", answered=True)


async def _after(
    update: Update, ctx: Ctx, change: Change, what: str, *, answered: bool = False
) -> None:
    """The change's result: refused with the current state, or done and its notices sent."""
    if change.outcome != Outcome.DONE:
        if answered:
            await reply(update, Screen(screens.refusal(change, ctx.lang)))
        else:
            await _refuse(update, ctx, change)
        return
    if not answered:
        await answer_button(update)
    if what != "extend":  # asking for more time leaves the proposal to answer
        await edit_buttons(update)
    await deliver(ctx.db, ctx.runtime, change.notices)
    await reply(update, screens.done(change, what, ctx.settings.zone, ctx.lang))


async def on_body(update: Update, ctx: Ctx, data: ProposalBodyData) -> None:
    if not _triages(ctx):
        await _refuse(update, ctx, Change(Outcome.NOT_YOURS))
        return
    change = await _service(ctx).assign(
        data.proposal_id, data.revision, data.body_id, ctx.actor.who
    )
    await _after(update, ctx, change, "assign")


async def on_merge(update: Update, ctx: Ctx, data: ProposalMergeData) -> None:
    if not _triages(ctx):
        await _refuse(update, ctx, Change(Outcome.NOT_YOURS))
        return
    change = await _service(ctx).merge(data.proposal_id, data.revision, data.into_id, ctx.actor.who)
    await _after(update, ctx, change, "merge")


async def on_close(update: Update, ctx: Ctx, data: ProposalCloseData) -> None:
    if not _triages(ctx):
        await _refuse(update, ctx, Change(Outcome.NOT_YOURS))
        return
    change = await _service(ctx).close(data.proposal_id, data.revision, data.reason, ctx.actor.who)
    await _after(update, ctx, change, "close")


# ---------------------------------------------------------------- typed steps


@flow(DEADLINE_FLOW)
async def on_deadline_input(update: Update, ctx: Ctx, draft: Draft) -> None:
    message = update.effective_message
    assert message is not None
    day = parse_day(message.text or "")
    if day is None:
        await reply(update, screens.bad_date(ctx.lang))
        return
    change = await _service(ctx).set_deadline(
        draft.subject_id, draft.data["revision"], day, ctx.actor.who
    )
    if change.outcome == Outcome.PAST_DATE:
        await reply(update, screens.past_date(ctx.lang))
        return
    await DraftService(ctx.db, ctx.clock).close(draft)
    if change.outcome != Outcome.DONE:
        await reply(update, Screen(screens.refusal(change, ctx.lang)))
        return
    await reply(update, screens.done(change, "deadline", ctx.settings.zone, ctx.lang))


@flow(ANSWER_FLOW)
async def on_answer_input(update: Update, ctx: Ctx, draft: Draft) -> None:
    """The answer's text, then a file (a PDF or a photo of the official reply)."""
    message = update.effective_message
    assert message is not None
    drafts = DraftService(ctx.db, ctx.clock)
    if draft.step == "text":
        if not message.text:
            await reply(update, screens.answer_needs_text(ctx.lang))
            return
        text = message.text.strip()
        if len(text) > screens.ANSWER_LIMIT:
            await reply(update, Screen(screens.answer_too_long(len(text), ctx.lang)))
            return
        await drafts.advance(draft, "file", {"text": text})
        await reply(update, screens.ask_file(draft.id, draft.revision, ctx.lang))
        return
    if draft.step == "file":
        stored = await _keep_reply_file(update, ctx)
        if stored is None:
            await reply(update, screens.ask_file(draft.id, draft.revision, ctx.lang))
            return
        await drafts.advance(draft, "kind", {**draft.data, "file": stored})
        await reply(update, screens.ask_kind(draft.id, draft.revision, ctx.lang))
        return
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


async def on_answer_step(update: Update, ctx: Ctx, data: AnswerStepData) -> None:
    drafts = DraftService(ctx.db, ctx.clock)
    draft = await drafts.open_draft(
        ctx.actor.telegram_id, ANSWER_FLOW, data.draft_id, data.revision
    )
    if draft is None:
        await answer_button(update, screens.stale_step(ctx.lang))
        return
    if data.choice == "no":
        await answer_button(update)
        await edit_buttons(update)
        await drafts.close(draft)
        await reply(update, screens.answer_stopped(ctx.lang))
        return
    if data.choice == "nofile" and draft.step == "file":
        await answer_button(update)
        await edit_buttons(update)
        await drafts.advance(draft, "kind", {**draft.data, "file": None})
        await reply(update, screens.ask_kind(draft.id, draft.revision, ctx.lang))
        return
    if data.choice in ("final", "interim") and draft.step == "kind":
        service = _service(ctx)
        change = await service.answer(
            draft.subject_id,
            Answer(draft.data["text"], data.choice == "final", draft.data.get("file")),
            ctx.actor.who,
            triages=_triages(ctx),
        )
        await drafts.close(draft)
        await _after(update, ctx, change, "answer")
        return
    await answer_button(update, screens.stale_step(ctx.lang))
