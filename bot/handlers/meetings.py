"""Meetings from the member's and the office's side: answering reminders, giving a reason,
stand-ins, moving and cancelling meetings, calendars, absences and the month's guidance.

Three short conversations live here: the reason typed by someone who cannot attend (one
step, the text), a period away by buttons (bot/services/absence_flow.py), and a meeting's
move (the new time typed, then confirmed with buttons)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from telegram import Update

from bot.callbacks import (
    AbsenceCancelData,
    AbsenceNewData,
    AbsenceStepData,
    CalendarAnswerData,
    CancelConfirmData,
    CancelData,
    MoveConfirmData,
    MoveData,
    MoveRequestData,
    ReasonData,
    RsvpData,
    StandInAnswerData,
    StandInPickData,
    StandInSuggestData,
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
)
from bot.render import Screen, with_state
from bot.render import meetings as screens
from bot.render.questions import refusal_line
from bot.services import absence_flow
from bot.services.absence_flow import AbsenceStep
from bot.services.attendance import (
    AbsenceOutcome,
    AbsenceResult,
    AttendanceResult,
    AttendanceService,
    Outcome,
)
from bot.services.calendar import (
    CalendarService,
    ChangeOutcome,
    ChangeResult,
    from_stamp,
    parse_meeting_time,
)
from bot.services.directory import DirectoryService
from bot.services.drafts import DraftService, Flow
from bot.services.questions import Input
from db.models import Draft, RsvpAnswer

REASON_LIMIT = 300


class ReasonStep(enum.StrEnum):
    TEXT = "text"  # "Another reason": the person writes it


class MoveStep(enum.StrEnum):
    NEW_TIME = "new_time"  # the new date and time, typed
    CONFIRM = "confirm"  # the move shown, with Confirm / Cancel


def _services(ctx: Ctx) -> tuple[AttendanceService, CalendarService]:
    zone = ctx.settings.zone
    return AttendanceService(ctx.db, ctx.clock, zone), CalendarService(ctx.db, ctx.clock, zone)


async def _refuse(update: Update, ctx: Ctx, result: AttendanceResult) -> None:
    await refuse(update, screens.attendance_refusal(result, ctx.lang))


# ---------------------------------------------------------------------- answering a reminder


async def on_rsvp(update: Update, ctx: Ctx, data: RsvpData) -> None:
    attendance, _ = _services(ctx)
    zone = ctx.settings.zone
    meeting_id, revision = data.meeting_id, data.revision
    if data.answer == "y":
        result = await attendance.answer(ctx.actor, meeting_id, revision, RsvpAnswer.YES)
        if result.outcome != Outcome.DONE:
            await _refuse(update, ctx, result)
            return
        assert result.meeting is not None and result.rsvp is not None
        await answer_button(update)
        answered = screens.reminder_answered(pressed_html(update), result, zone, ctx.lang)
        if answered is not None:
            await edit_text(update, answered)
        else:
            await edit_buttons(update, screens.rsvp_keyboard(result.meeting, result.rsvp, ctx.lang))
        await reply(update, screens.answered_yes(result, zone, ctx.lang))
        await deliver(ctx.db, ctx.runtime, result.notices)  # the office, if it was told "no"
        return
    result = await attendance.changeable(meeting_id, revision, ctx.actor)
    if result.outcome != Outcome.DONE:
        await _refuse(update, ctx, result)
        return
    assert result.meeting is not None
    await answer_button(update)
    await reply(update, screens.ask_reason(result.meeting, ctx.lang))


async def on_reason(update: Update, ctx: Ctx, data: ReasonData) -> None:
    actor = ctx.actor
    meeting_id, revision, code = data.meeting_id, data.revision, data.code
    if code != "other":
        await _decline(update, ctx, meeting_id, revision, code, "")
        return
    attendance, _ = _services(ctx)
    result = await attendance.changeable(meeting_id, revision, actor)
    if result.outcome != Outcome.DONE or actor.person is None:
        await _refuse(update, ctx, AttendanceResult(Outcome.STALE))
        return
    await DraftService(ctx.db, ctx.clock).save(
        actor.telegram_id,
        actor.person_id,
        Flow.ABSENCE_REASON,
        meeting_id,
        ReasonStep.TEXT,
        {"revision": revision},
    )
    await answer_button(update)
    await reply(update, screens.ask_reason_text(ctx.lang))


@takes_input(Flow.ABSENCE_REASON)
async def on_reason_text(update: Update, ctx: Ctx, draft: Draft) -> None:
    message = update.effective_message
    text = (message.text or "").strip() if message else ""
    if not text:
        await reply(update, screens.ask_reason_text(ctx.lang))
        return
    if len(text) > REASON_LIMIT:
        await reply(update, screens.reason_too_long(ctx.lang))
        return
    await DraftService(ctx.db, ctx.clock).close(draft)
    await _decline(update, ctx, draft.subject_id, draft.data.get("revision"), "other", text)


async def _decline(
    update: Update, ctx: Ctx, meeting_id: int | None, revision: int | None, code: str, text: str
) -> None:
    attendance, _ = _services(ctx)
    result = await attendance.give_reason(ctx.actor, meeting_id, revision, code, text)
    if result.outcome != Outcome.DONE:
        await _refuse(update, ctx, result)
        return
    await answer_button(update)
    await edit_buttons(update)  # the reasons pressed are done with; a typed one has no buttons
    await reply(update, screens.reason_recorded(result, ctx.lang))
    await deliver(ctx.db, ctx.runtime, result.notices)


# ---------------------------------------------------------------------- stand-ins


async def on_stand_in_suggest(update: Update, ctx: Ctx, data: StandInSuggestData) -> None:
    attendance, _ = _services(ctx)
    result = await attendance.suggest_stand_in(
        ctx.actor, data.meeting_id, data.revision, data.candidate_id
    )
    if result.outcome != Outcome.DONE:
        await _refuse(update, ctx, result)
        return
    await answer_button(update)
    await edit_buttons(update)  # one suggestion is enough; the office decides
    await reply(update, screens.stand_in_suggested(result, ctx.lang))
    await deliver(ctx.db, ctx.runtime, result.notices)


async def on_stand_in_pick(update: Update, ctx: Ctx, data: StandInPickData) -> None:
    attendance, _ = _services(ctx)
    result = await attendance.invite_stand_in(
        data.meeting_id, data.revision, data.candidate_id, data.absent_id, ctx.actor
    )
    if result.outcome != Outcome.DONE:
        await _refuse(update, ctx, result)
        return
    await deliver(ctx.db, ctx.runtime, result.notices)
    await answer_button(update)
    await edit_buttons(update)
    await reply(update, screens.stand_in_invited(result, ctx.lang))


async def on_stand_in_answer(update: Update, ctx: Ctx, data: StandInAnswerData) -> None:
    attendance, _ = _services(ctx)
    result = await attendance.answer_stand_in(
        ctx.actor, data.meeting_id, data.revision, data.answer == "y"
    )
    if result.outcome != Outcome.DONE:
        await _refuse(update, ctx, result)
        return
    await answer_button(update)
    answered = screens.invitation_answered(pressed_html(update), result, ctx.lang)
    if answered is not None:
        await edit_text(update, answered)
    else:
        await edit_buttons(update)
    await reply(update, screens.stand_in_answered(result, ctx.settings.zone, ctx.lang))
    await deliver(ctx.db, ctx.runtime, result.notices)


# ---------------------------------------------------------------------- moving and cancelling


async def on_move(update: Update, ctx: Ctx, data: MoveData) -> None:
    actor = ctx.actor
    attendance, _ = _services(ctx)
    result = await attendance.changeable(data.meeting_id, data.revision, actor)
    if result.outcome != Outcome.DONE:
        await _refuse(update, ctx, result)
        return
    meeting, branch = result.meeting, result.branch
    assert meeting is not None and branch is not None
    await DraftService(ctx.db, ctx.clock).save(
        actor.telegram_id,
        actor.person_id,
        Flow.MOVE,
        meeting.id,
        MoveStep.NEW_TIME,
        {"revision": meeting.revision},
    )
    await answer_button(update)
    await reply(update, screens.ask_new_time(meeting, branch, ctx.settings.zone, ctx.lang))


@takes_input(Flow.MOVE)
async def on_move_text(update: Update, ctx: Ctx, draft: Draft) -> None:
    message = update.effective_message
    text = (message.text or "") if message else ""
    zone = ctx.settings.zone
    _, calendar = _services(ctx)
    found = await calendar.meeting(draft.subject_id)
    new_start = parse_meeting_time(text[:200], zone, calendar.today()) if text else None
    if found is None:
        await DraftService(ctx.db, ctx.clock).close(draft)
        await reply(update, screens.change_refusal(ChangeResult(ChangeOutcome.STALE), ctx.lang))
        return
    if new_start is None:
        await reply(update, screens.new_time_not_understood(ctx.lang))
        return
    meeting, branch = found
    data = {**draft.data, "new_start": new_start.isoformat()}
    await DraftService(ctx.db, ctx.clock).advance(draft, MoveStep.CONFIRM, data)
    clashes = await calendar.clashes_if_moved(meeting, new_start)
    await reply(update, screens.confirm_move(meeting, branch, new_start, zone, ctx.lang, clashes))


async def on_move_confirm(update: Update, ctx: Ctx, data: MoveConfirmData) -> None:
    actor = ctx.actor
    drafts = DraftService(ctx.db, ctx.clock)
    draft = await drafts.active(actor.telegram_id, Flow.MOVE, data.meeting_id)
    if draft is None or draft.step != MoveStep.CONFIRM:
        await _refuse(update, ctx, AttendanceResult(Outcome.STALE))
        return
    await drafts.close(draft)
    await answer_button(update)
    await edit_buttons(update)
    if data.answer != "y":
        await reply(update, screens.move_dropped(ctx.lang))
        return
    _, calendar = _services(ctx)
    new_start = datetime.fromisoformat(draft.data["new_start"])
    result = await calendar.move_or_ask(draft.subject_id, draft.data["revision"], new_start, actor)
    if result.outcome == ChangeOutcome.REQUESTED:  # a member's move: the office decides
        await deliver(ctx.db, ctx.runtime, result.notices)
        await reply(update, screens.move_requested(ctx.lang))
        return
    if result.outcome != ChangeOutcome.DONE:
        await reply(update, screens.change_refusal(result, ctx.lang))
        return
    assert result.meeting and result.branch and result.previous_start
    await deliver(ctx.db, ctx.runtime, result.notices)
    await reply(
        update,
        screens.moved_notice(
            result.meeting, result.branch, result.previous_start, ctx.settings.zone, ctx.lang
        ),
    )


async def on_move_request_answer(update: Update, ctx: Ctx, data: MoveRequestData) -> None:
    """The office agrees to a member's move (made, and everyone told) or refuses it; the
    member hears either way, and the request shows what was decided."""
    _, calendar = _services(ctx)
    new_start = from_stamp(str(data.when))
    if new_start is None:
        await _refuse(update, ctx, AttendanceResult(Outcome.STALE))
        return
    approve = data.answer == "y"
    result = await calendar.answer_move_request(
        data.meeting_id, data.revision, new_start, data.person_id, approve, ctx.actor
    )
    if result.outcome != ChangeOutcome.DONE:
        await refuse(update, screens.change_refusal(result, ctx.lang).text)
        return
    await answer_button(update)
    decided = with_state(
        pressed_html(update), screens.move_request_decided(approve, ctx.lang), None
    )
    await (edit_text(update, decided) if decided is not None else edit_buttons(update))
    await deliver(ctx.db, ctx.runtime, result.notices)


async def on_cancel_meeting(update: Update, ctx: Ctx, data: CancelData) -> None:
    attendance, _ = _services(ctx)
    result = await attendance.changeable(data.meeting_id, data.revision, ctx.actor)
    if result.outcome != Outcome.DONE:
        await _refuse(update, ctx, result)
        return
    assert result.meeting is not None and result.branch is not None
    await answer_button(update)
    await reply(
        update, screens.confirm_cancel(result.meeting, result.branch, ctx.settings.zone, ctx.lang)
    )


async def on_cancel_confirm(update: Update, ctx: Ctx, data: CancelConfirmData) -> None:
    if data.answer != "y":
        await answer_button(update)
        await edit_buttons(update)
        return
    _, calendar = _services(ctx)
    result = await calendar.cancel(data.meeting_id, data.revision, "", ctx.actor)
    if result.outcome != ChangeOutcome.DONE:
        await _refuse(update, ctx, AttendanceResult(Outcome.STALE))
        return
    assert result.meeting is not None and result.branch is not None
    await answer_button(update)
    await edit_buttons(update)
    await deliver(ctx.db, ctx.runtime, result.notices)
    await reply(
        update,
        screens.cancelled_notice(result.meeting, result.branch, ctx.settings.zone, ctx.lang),
    )


# ---------------------------------------------------------------------- views and settings


async def on_calendar(update: Update, ctx: Ctx) -> None:
    actor = ctx.actor
    attendance, calendar = _services(ctx)
    zone = ctx.settings.zone
    if ctx.args:
        branch_calendar = await calendar.branch_calendar_for(actor, ctx.args[0][:40])
        if branch_calendar is not None:
            branch, meetings = branch_calendar
            if branch is None:
                await reply(update, screens.unknown_branch(ctx.lang))
                return
            for screen in screens.branch_calendar(branch, meetings, zone, ctx.lang):
                await reply(update, screen)
            return
        # A branch's calendar is the office's; say so, then show their own.
        await reply(update, screens.branch_calendar_is_for_the_office(ctx.lang))
    if actor.person is None:
        await reply(update, screens.my_calendar([], set(), [], ctx.clock.now(), zone, ctx.lang)[0])
        return
    rows = await calendar.upcoming_for(actor.person)
    clashing = await calendar.conflicts_for(actor.person)
    absences = await attendance.absences(actor.person)
    for screen in screens.my_calendar(rows, clashing, absences, ctx.clock.now(), zone, ctx.lang):
        await reply(update, screen)


async def on_calendar_answer(update: Update, ctx: Ctx, data: CalendarAnswerData) -> None:
    """A meeting of /lich: its answer, with the buttons that change it."""
    attendance, _ = _services(ctx)
    result = await attendance.own(ctx.actor, data.meeting_id, data.revision)
    if result.outcome != Outcome.DONE:
        await _refuse(update, ctx, result)
        return
    await answer_button(update)
    await reply(update, screens.own_answer(result, ctx.settings.zone, ctx.lang))


async def on_absence(update: Update, ctx: Ctx) -> None:
    actor, args = ctx.actor, ctx.args or []
    attendance, _ = _services(ctx)
    if not args and actor.person is not None:
        await reply(
            update,
            screens.absences(await attendance.absences(actor.person), actor.person.id, ctx.lang),
        )
        return
    first = parse_day(args[0]) if len(args) >= 2 else None
    last = parse_day(args[1]) if len(args) >= 2 else None
    if actor.person is None or first is None or last is None or last < first:
        await reply(update, screens.absence_usage(ctx.lang))
        return
    await _registered(update, ctx, await attendance.pause(actor, first, last, " ".join(args[2:])))


async def _registered(update: Update, ctx: Ctx, result: AbsenceResult) -> None:
    """A period away registered, typed whole or given step by step: what it did, and the
    office told of each meeting it declines."""
    if result.outcome != AbsenceOutcome.DONE or result.absence is None:
        await reply(update, screens.absence_refusal(result, ctx.lang))
        return
    await reply(update, screens.absence_recorded(result.absence, len(result.declined), ctx.lang))
    for declined in result.declined:
        await deliver(ctx.db, ctx.runtime, declined.notices)


async def on_absence_new(update: Update, ctx: Ctx, data: AbsenceNewData) -> None:
    actor = ctx.actor
    if data.person_id != actor.person_id:  # another's list, forwarded
        await _refuse(update, ctx, AttendanceResult(Outcome.STALE))
        return
    draft = await DraftService(ctx.db, ctx.clock).save(
        actor.telegram_id,
        actor.person_id,
        Flow.ABSENCE_PERIOD,
        actor.person_id,
        absence_flow.FIRST,
        {},
    )
    await answer_button(update)
    await reply(update, screens.absence_step(draft, _today(ctx), ctx.lang))


@on_draft(Flow.ABSENCE_PERIOD)
async def on_absence_step(update: Update, ctx: Ctx, data: AbsenceStepData, draft: Draft) -> None:
    await answer_button(update)
    await edit_buttons(update)  # answered: the next message carries the buttons that count
    await _absence_answer(update, ctx, draft, Input("choice", data.value))


@takes_input(Flow.ABSENCE_PERIOD)
async def on_absence_text(update: Update, ctx: Ctx, draft: Draft) -> None:
    message = update.effective_message
    text = message.text if message is not None and message.text else None
    await _absence_answer(update, ctx, draft, Input("text", text) if text else Input("media"))


async def _absence_answer(update: Update, ctx: Ctx, draft: Draft, value: Input) -> None:
    """One answer to the step the draft is at: the next step, or the same with why not."""
    today, lang = _today(ctx), ctx.lang
    drafts = DraftService(ctx.db, ctx.clock)
    outcome = absence_flow.answer(draft.data, draft.step, value, today)
    if outcome.step == "cancelled":
        await drafts.close(draft)
        await reply(update, screens.absence_dropped(lang))
        return
    attendance, _ = _services(ctx)
    person = ctx.actor.person
    assert person is not None
    first = date.fromisoformat(outcome.data["from"]) if "from" in outcome.data else None
    last = date.fromisoformat(outcome.data["until"]) if "until" in outcome.data else None
    refusal = None
    if outcome.error is not None:
        refusal = refusal_line(outcome.error, outcome.params, lang)
    elif outcome.step == AbsenceStep.REASON and first is not None and last is not None:
        overlapping = await attendance.overlapping_absence(person, first, last)
        if overlapping is not None:
            overlaps = AbsenceResult(AbsenceOutcome.OVERLAPS, overlapping)
            refusal = screens.absence_refusal(overlaps, lang).text
    if refusal is not None:
        await reply(update, screens.absence_step(draft, today, lang, refusal))
        return
    if outcome.step == "done" and first is not None and last is not None:
        await drafts.close(draft)
        reason = screens.absence_reason(outcome.data, ctx.settings.locale)
        await _registered(update, ctx, await attendance.pause(ctx.actor, first, last, reason))
        return
    await drafts.advance(draft, outcome.step, outcome.data)
    await reply(update, screens.absence_step(draft, today, lang))


def _today(ctx: Ctx) -> date:
    return ctx.clock.now().astimezone(ctx.settings.zone).date()


async def on_absence_cancel(update: Update, ctx: Ctx, data: AbsenceCancelData) -> None:
    attendance, _ = _services(ctx)
    result = await attendance.cancel_absence(ctx.actor, data.absence_id)
    if result.outcome != AbsenceOutcome.DONE:
        await refuse(update, screens.absence_refusal(result, ctx.lang).text)
        return
    assert ctx.actor.person is not None
    left = await attendance.absences(ctx.actor.person)
    await answer_button(update)
    await edit_text(
        update, screens.absences(left, ctx.actor.person.id, ctx.lang)
    )  # the list as it now stands
    await reply(update, screens.absence_cancelled(result, ctx.settings.zone, ctx.lang))
    await deliver(ctx.db, ctx.runtime, result.notices)


async def on_guidance(update: Update, ctx: Ctx) -> None:
    args = ctx.args or []
    month = parse_day("01/" + args[0]) if args else None
    if month is None:
        await reply(update, screens.guidance_usage(ctx.lang))
        return
    message = update.effective_message
    words = ((message.text if message else None) or "").split(None, 2)
    text = words[2].strip()[:1500] if len(words) > 2 else ""
    attendance, _ = _services(ctx)
    saved = await attendance.set_guidance(month, text, ctx.actor.who)
    await reply(update, screens.guidance_saved(f"{month:%m/%Y}", not saved, ctx.lang))


async def on_unreachable(update: Update, ctx: Ctx) -> None:
    people = await DirectoryService(ctx.db, ctx.clock, ctx.settings.zone).unreachable()
    for text in screens.unreachable(people, ctx.settings.zone, ctx.lang):
        await reply(update, Screen(text))


async def on_conflicts(update: Update, ctx: Ctx) -> None:
    _, calendar = _services(ctx)
    rows = await calendar.conflicts()
    for text in screens.conflicts(rows, ctx.settings.zone, ctx.lang):
        await reply(update, Screen(text))
