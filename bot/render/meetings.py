"""Meetings: reminders, answers, stand-ins, changes of date, calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.domain.phones import display_phone
from bot.formats.dates import day, moment, period
from bot.formats.wording import REASON_TEXTS, reason_text
from bot.i18n import N_
from bot.render import (
    Screen,
    capped,
    documents,
    esc,
    inline_keyboard,
    said,
    split_lines,
    texts,
    usage_line,
    with_state,
)
from bot.render import proposals as proposal_screens
from bot.render.questions import drawn
from bot.services import absence_flow
from bot.services.absence_flow import AbsenceStep
from bot.services.attendance import AbsenceOutcome, AbsenceResult, AttendanceResult, Outcome
from bot.services.calendar import ChangeOutcome, ChangeResult, Rescheduled
from bot.services.notices import (
    CandidateLoad,
    MoveRequestAnswered,
    MoveRequested,
    StandInAnswered,
)
from bot.services.reminders import DueReminder
from db.models import (
    Absence,
    AttendeeKind,
    Draft,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Person,
    Rsvp,
    RsvpAnswer,
    Unit,
)


def _kind(meeting: Meeting, lang: str) -> str:
    t = texts(lang)
    if meeting.kind == MeetingKind.THEMED:
        return t.gettext("themed meeting")
    return t.gettext("regular monthly meeting")


def rsvp_keyboard(meeting: Meeting, rsvp: Rsvp, lang: str) -> InlineKeyboardMarkup:
    t = texts(lang)
    m, r = meeting.id, meeting.revision
    first_row = []
    if rsvp.answer != RsvpAnswer.YES:
        first_row.append(
            InlineKeyboardButton(
                t.gettext("✅ I will attend"), callback_data=cb.RsvpData(m, r, "y").pack()
            )
        )
    first_row.append(
        InlineKeyboardButton(
            t.gettext("❌ I cannot attend"), callback_data=cb.RsvpData(m, r, "n").pack()
        )
    )
    moved = InlineKeyboardButton(
        t.gettext("📅 The date changed"), callback_data=cb.MoveData(m, r).pack()
    )
    return InlineKeyboardMarkup([first_row, [moved]])


def meeting_lines(
    meeting: Meeting,
    branch: Unit,
    unit: Unit | None,
    secretary: str,
    secretary_phone: str,
    zone: ZoneInfo,
    lang: str,
) -> list[str]:
    t = texts(lang)
    branch_line = esc(branch.name) + (f" — {esc(unit.name)}" if unit else "")
    lines = [
        t.gettext("Branch: <b>{branch}</b>").format(branch=branch_line),
        t.gettext("Meeting: {kind}").format(kind=_kind(meeting, lang)),
        t.gettext("Time: <b>{when}</b>").format(
            when=moment(meeting.starts_at.astimezone(zone), lang)
        ),
    ]
    if meeting.venue:
        lines.append(t.gettext("Venue: {venue}").format(venue=esc(meeting.venue)))
    if secretary:
        contact = esc(secretary) + (
            f", {esc(display_phone(secretary_phone))}" if secretary_phone else ""
        )
        lines.append(t.gettext("Branch secretary: {contact}").format(contact=contact))
    return lines


def reminder(due: DueReminder, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("🔔 <b>Reminder: branch meeting</b>"),
        t.gettext("Dear comrade <b>{name}</b>,").format(name=esc(due.person.full_name)),
    ]
    if due.stand_in_for is not None:
        lines.append(
            t.gettext("You attend in place of comrade {name}.").format(
                name=esc(due.stand_in_for.full_name)
            )
        )
    else:
        lines.append(t.gettext("The office reminds you of the meeting you are assigned to:"))
    schedule = due.schedule
    lines += meeting_lines(
        due.meeting,
        due.branch,
        due.unit,
        schedule.secretary_name if schedule else "",
        schedule.secretary_phone if schedule else "",
        zone,
        lang,
    )
    if due.meeting.status == MeetingStatus.MOVED and due.meeting.original_starts_at:
        lines.append(
            t.gettext("(moved from {when})").format(
                when=moment(due.meeting.original_starts_at.astimezone(zone), lang)
            )
        )
    if due.clashes:
        lines.append(
            t.gettext(
                "⚠ This overlaps another meeting you are due at; please tell the"
                " office which one you will attend."
            )
        )
    if due.open_proposals:
        lines += ["", t.gettext("<b>Open proposals from the branch's last report</b>")]
        lines += [f"• {esc(text[:300])}" for text in due.open_proposals]
    if due.guidance:
        lines += [
            "",
            t.gettext("<b>Guidance from the office for this month</b>"),
            esc(due.guidance[:1500]),
        ]
    lines += proposal_screens.reminder_lines(list(due.answers), lang)
    all_received = set(due.received) >= {d.id for d in due.documents}
    lines += documents.reminder_lines(due.documents, all_received, lang)
    if due.rsvp.answer == RsvpAnswer.YES:
        lines += ["", t.gettext("You have confirmed that you will attend.")]
    elif due.rsvp.confirmed_before_move:
        lines += [
            "",
            t.gettext(
                "You had confirmed the earlier time; please confirm whether you will attend"
                " at the new time."
            ),
        ]
    else:
        lines += ["", t.gettext("Please confirm whether you will attend.")]
    keyboard = rsvp_keyboard(due.meeting, due.rsvp, lang)
    if not all_received:
        rows = [*keyboard.inline_keyboard, [documents.received_button(due.meeting, lang)]]
        keyboard = InlineKeyboardMarkup(rows)
    return Screen("\n".join(lines), keyboard)


def attendance_refusal(result: AttendanceResult, lang: str) -> str:
    """A short pop-up for a button that cannot act."""
    t = texts(lang)
    match result.outcome:
        case Outcome.STARTED:
            return t.gettext("This meeting has already started.")
        case Outcome.NOT_YOURS:
            return t.gettext("This meeting is not among yours.")
        case Outcome.TAKEN:
            return t.gettext("A stand-in has already been invited for this meeting.")
        case Outcome.UNCHANGED:
            return t.gettext("This answer is already recorded; nothing was changed.")
    return t.gettext("This button is out of date: the meeting was changed. Please see /lich.")


def answered_yes(result: AttendanceResult, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    assert result.meeting and result.branch
    return Screen(
        t.gettext("Thank you, comrade. You will attend {branch} at {when}.").format(
            branch=esc(result.branch.name),
            when=moment(result.meeting.starts_at.astimezone(zone), lang),
        )
    )


def reminder_answered(
    message_html: str | None, result: AttendanceResult, zone: ZoneInfo, lang: str
) -> Screen | None:
    """The reminder after "I will attend": it says so, and keeps the buttons that change it."""
    assert result.meeting is not None and result.rsvp is not None
    state = texts(lang).gettext("✅ You have confirmed you will attend, {when}.")
    when = moment(result.meeting.starts_at.astimezone(zone), lang)
    keyboard = rsvp_keyboard(result.meeting, result.rsvp, lang)
    return with_state(message_html, state.format(when=when), keyboard)


def invitation_answered(
    message_html: str | None, result: AttendanceResult, lang: str
) -> Screen | None:
    """The stand-in invitation after its answer: what was answered, and no more buttons."""
    assert result.rsvp is not None
    t = texts(lang)
    if result.rsvp.answer == RsvpAnswer.YES:
        state = t.gettext("✅ You have agreed to attend as a stand-in.")
    else:
        state = t.gettext("❌ You have declined to attend as a stand-in.")
    return with_state(message_html, state, None)


def ask_reason(meeting: Meeting, lang: str) -> Screen:
    t = texts(lang)
    m, r = meeting.id, meeting.revision
    rows = [
        [
            InlineKeyboardButton(
                t.gettext(REASON_TEXTS[code]), callback_data=cb.ReasonData(m, r, code).pack()
            )
        ]
        for code in ("trip", "ill", "family", "other")
    ]
    return Screen(
        t.gettext("Please tell the office why you cannot attend:"), InlineKeyboardMarkup(rows)
    )


def ask_reason_text(lang: str) -> Screen:
    return said(lang, N_("Please write the reason in one message (up to 300 characters)."))


def reason_too_long(lang: str) -> Screen:
    return said(
        lang,
        N_(
            "The reason is too long; please write it in at most 300 characters."
            " Nothing was saved yet."
        ),
    )


def reason_recorded(result: AttendanceResult, lang: str) -> Screen:
    """A reason given; or given again in place of another, which the office is told of."""
    if result.replaced is None or result.rsvp is None:
        text = texts(lang).gettext(
            "Thank you, comrade. Your absence is recorded and the office has been asked to"
            " find a stand-in."
        )
        keyboard = suggest_keyboard(result, lang)
        if keyboard is not None:
            text += "\n" + texts(lang).gettext(
                "You may suggest a colleague free at that time; the office decides:"
            )
        return Screen(text, keyboard)
    return Screen(
        texts(lang)
        .gettext(
            "Your reason was changed from “{previous}” to “{reason}”; the office has been told."
        )
        .format(
            previous=esc(reason_text(*result.replaced, lang)),
            reason=esc(reason_text(result.rsvp.reason_code, result.rsvp.reason_text, lang)),
        )
    )


def stand_in_keyboard(
    meeting: Meeting, absent: Person, candidates: list[Person], lang: str
) -> InlineKeyboardMarkup | None:
    if not candidates:
        return None
    return inline_keyboard(
        *(
            [
                (
                    person.full_name,
                    cb.StandInPickData(meeting.id, meeting.revision, person.id, absent.id),
                )
            ]
            for person in candidates
        )
    )


def where_and_when(meeting: Meeting, branch: Unit, zone: ZoneInfo, lang: str) -> str:
    """A notice's second line: which branch's meeting, and when."""
    return (
        texts(lang)
        .gettext("{branch}, {when}")
        .format(branch=esc(branch.name), when=moment(meeting.starts_at.astimezone(zone), lang))
    )


def absence_notice(
    meeting: Meeting,
    branch: Unit,
    absent: Person,
    rsvp_reason: str,
    candidates: list[Person],
    zone: ZoneInfo,
    lang: str,
    loads: dict[int, CandidateLoad] | None = None,
) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("⚠ <b>{name} cannot attend</b>").format(name=esc(absent.full_name)),
        where_and_when(meeting, branch, zone, lang),
        t.gettext("Reason: {reason}").format(reason=esc(rsvp_reason)),
        "",
    ]
    if candidates:
        lines.append(t.gettext("Choose a stand-in among the members free at that time:"))
        month = f"{meeting.starts_at.astimezone(zone):%m/%Y}"
        for person in candidates:
            load = (loads or {}).get(person.id)
            if load is None:
                continue
            follows = (
                t.gettext("follows {branches}").format(
                    branches=", ".join(esc(name) for name in load.branches)
                )
                if load.branches
                else t.gettext("follows no branch")
            )
            lines.append(
                t.ngettext(
                    "• {name}: {follows}; {count} meeting in {month}",
                    "• {name}: {follows}; {count} meetings in {month}",
                    load.meetings,
                ).format(
                    name=esc(person.full_name), follows=follows, count=load.meetings, month=month
                )
            )
    else:
        lines.append(
            t.gettext("No member is free at that time; please arrange a stand-in directly.")
        )
    return Screen("\n".join(lines), stand_in_keyboard(meeting, absent, candidates, lang))


def stand_in_suggested_notice(
    meeting: Meeting, branch: Unit, absent: Person, candidate: Person, zone: ZoneInfo, lang: str
) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("🤝 <b>{name} suggests a stand-in: {candidate}</b>").format(
            name=esc(absent.full_name), candidate=esc(candidate.full_name)
        ),
        where_and_when(meeting, branch, zone, lang),
        t.gettext("Press to invite them, or choose another from the earlier message."),
    ]
    return Screen("\n".join(lines), stand_in_keyboard(meeting, absent, [candidate], lang))


def suggest_keyboard(result: AttendanceResult, lang: str) -> InlineKeyboardMarkup | None:
    """After a reason: the colleagues free at that time, to suggest one to the office."""
    meeting = result.meeting
    if meeting is None or not result.candidates or result.replaced is not None:
        return None
    return inline_keyboard(
        *(
            [(person.full_name, cb.StandInSuggestData(meeting.id, meeting.revision, person.id))]
            for person in result.candidates[:6]
        )
    )


def stand_in_suggested(result: AttendanceResult, lang: str) -> Screen:
    assert result.person is not None
    return Screen(
        texts(lang)
        .gettext(
            "Your suggestion of comrade {name} was passed to the office, which will decide and"
            " invite them."
        )
        .format(name=esc(result.person.full_name))
    )


def attending_again_notice(
    meeting: Meeting,
    branch: Unit,
    person: Person,
    stand_ins: list[Person],
    zone: ZoneInfo,
    lang: str,
) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("✅ <b>{name} will attend after all</b>").format(name=esc(person.full_name)),
        where_and_when(meeting, branch, zone, lang),
    ]
    if stand_ins:
        names = ", ".join(esc(p.full_name) for p in stand_ins)
        lines.append(
            t.gettext(
                "A stand-in was invited meanwhile ({names}); please decide with them."
            ).format(names=names)
        )
    return Screen("\n".join(lines))


def reason_changed_notice(
    meeting: Meeting,
    branch: Unit,
    absent: Person,
    previous: str,
    reason: str,
    zone: ZoneInfo,
    lang: str,
) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("✏ <b>{name} gave another reason for not attending</b>").format(
            name=esc(absent.full_name)
        ),
        where_and_when(meeting, branch, zone, lang),
        t.gettext("Reason now: {reason}").format(reason=esc(reason)),
        t.gettext("Reason given before: {reason}").format(reason=esc(previous)),
    ]
    return Screen("\n".join(lines))


def stand_in_invitation(
    meeting: Meeting, branch: Unit, unit: Unit | None, absent: Person, zone: ZoneInfo, lang: str
) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("📨 <b>Request to attend a branch meeting as a stand-in</b>"),
        t.gettext("The office asks you to attend in place of comrade {name}.").format(
            name=esc(absent.full_name)
        ),
        *meeting_lines(meeting, branch, unit, "", "", zone, lang),
    ]
    m, r = meeting.id, meeting.revision
    keyboard = inline_keyboard(
        [
            (t.gettext("✅ Accept"), cb.StandInAnswerData(m, r, "y")),
            (t.gettext("❌ Decline"), cb.StandInAnswerData(m, r, "n")),
        ]
    )
    return Screen("\n".join(lines), keyboard)


def stand_in_invited(result: AttendanceResult, lang: str) -> Screen:
    t = texts(lang)
    assert result.person and result.absent_for
    return Screen(
        t.gettext("Comrade {name} has been asked to attend in place of comrade {absent}.").format(
            name=esc(result.person.full_name), absent=esc(result.absent_for.full_name)
        )
    )


def stand_in_answered(result: AttendanceResult, zone: ZoneInfo, lang: str) -> Screen:
    """To the stand-in, after they answered."""
    t = texts(lang)
    assert result.rsvp and result.meeting and result.branch
    if result.rsvp.answer == RsvpAnswer.YES:
        return Screen(
            t.gettext(
                "Thank you, comrade. You will attend {branch} at {when}; reminders will follow."
            ).format(
                branch=esc(result.branch.name),
                when=moment(result.meeting.starts_at.astimezone(zone), lang),
            )
        )
    return Screen(t.gettext("Understood. The office has been told."))


def stand_in_outcome(answered: StandInAnswered, zone: ZoneInfo, lang: str) -> Screen:
    """To the office, after the stand-in answered."""
    t = texts(lang)
    what = {
        "branch": esc(answered.branch.name),
        "name": esc(answered.stand_in.full_name),
        "when": moment(answered.meeting.starts_at.astimezone(zone), lang),
    }
    if answered.accepted:
        return Screen(
            t.gettext("✅ Comrade {name} accepted to attend {branch} at {when}.").format(**what)
        )
    return Screen(
        t.gettext(
            "❌ Comrade {name} declined to attend {branch} at {when}. Choose another stand-in:"
        ).format(**what),
        stand_in_keyboard(answered.meeting, answered.absent, list(answered.candidates), lang),
    )


def ask_new_time(meeting: Meeting, branch: Unit, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    return Screen(
        t.gettext(
            "{branch} is planned for {when}. Please write the new date and time, for example"
            " <b>12/12 19h30</b> or <b>19:30 ngày 12/12</b>."
        ).format(branch=esc(branch.name), when=moment(meeting.starts_at.astimezone(zone), lang))
    )


def new_time_not_understood(lang: str) -> Screen:
    return said(
        lang,
        N_("I could not read a date and time there. Please write for example <b>12/12 19h30</b>."),
    )


def confirm_move(
    meeting: Meeting,
    branch: Unit,
    new_start: datetime,
    zone: ZoneInfo,
    lang: str,
    clashes: list[tuple[Person, Meeting, Unit]] | None = None,
) -> Screen:
    """The move to confirm, with whom it would put at two meetings at once, before they are
    told."""
    t = texts(lang)
    text = t.gettext("Move the meeting of {branch} from {old} to <b>{new}</b>?").format(
        branch=esc(branch.name),
        old=moment(meeting.starts_at.astimezone(zone), lang),
        new=moment(new_start.astimezone(zone), lang),
    )
    if clashes:
        lines = [t.gettext("⚠ <b>At that time these comrades are due at another meeting:</b>")]
        lines += [
            f"• {esc(person.full_name)}: {esc(unit.name)}, "
            + moment(other.starts_at.astimezone(zone), lang)
            for person, other, unit in clashes
        ]
        text = "\n".join([text, "", *lines])
    keyboard = inline_keyboard(
        [
            (t.gettext("✅ Confirm"), cb.MoveConfirmData(meeting.id, meeting.revision, "y")),
            (t.gettext("✖ Cancel"), cb.MoveConfirmData(meeting.id, meeting.revision, "n")),
        ]
    )
    return Screen(text, keyboard)


def move_request_notice(notice: MoveRequested, zone: ZoneInfo, lang: str) -> Screen:
    """To the office: a member asks to move a meeting; it agrees or not with one press."""
    t = texts(lang)
    meeting = notice.meeting
    text = t.gettext(
        "📅 <b>Comrade {name} asks to move a meeting</b>\n{branch}: from {old} to <b>{new}</b>."
    ).format(
        name=esc(notice.by.full_name),
        branch=esc(notice.branch.name),
        old=moment(meeting.starts_at.astimezone(zone), lang),
        new=moment(notice.new_start.astimezone(zone), lang),
    )
    when = int(f"{notice.new_start.astimezone(UTC):%Y%m%d%H%M}")

    def answer(choice: cb.YesNo) -> cb.MoveRequestData:
        return cb.MoveRequestData(meeting.id, meeting.revision, when, notice.by.id, choice)

    keyboard = inline_keyboard(
        [(t.gettext("✅ Agree"), answer("y")), (t.gettext("✖ Refuse"), answer("n"))]
    )
    return Screen(text, keyboard)


def move_request_answered(notice: MoveRequestAnswered, zone: ZoneInfo, lang: str) -> Screen:
    """To the member who asked: what the office decided."""
    t = texts(lang)
    values = {
        "branch": esc(notice.branch.name),
        "new": moment(notice.new_start.astimezone(zone), lang),
    }
    if notice.approved:
        return Screen(
            t.gettext(
                "✅ The office agreed: the meeting of {branch} is moved to {new}; everyone"
                " expected there is told."
            ).format(**values)
        )
    return Screen(
        t.gettext(
            "✖ The office did not agree to move the meeting of {branch} to {new}; it stays"
            " as planned."
        ).format(**values)
    )


def move_requested(lang: str) -> Screen:
    return said(
        lang,
        N_("Your request to move the meeting was sent to the office; you will hear its answer."),
    )


def move_request_decided(approved: bool, lang: str) -> str:
    """The office's own note on the request, in place of its buttons."""
    t = texts(lang)
    return t.gettext("✅ Agreed.") if approved else t.gettext("❌ Refused.")


def change_refusal(result: ChangeResult, lang: str) -> Screen:
    t = texts(lang)
    match result.outcome:
        case ChangeOutcome.IN_THE_PAST:
            return Screen(
                t.gettext("The meeting cannot be moved into the past, nor once it has started.")
            )
        case ChangeOutcome.NOT_ALLOWED:
            return Screen(t.gettext("This meeting is not among yours."))
    return Screen(t.gettext("The meeting was changed meanwhile. Please see /lich."))


def moved_notice(
    meeting: Meeting,
    branch: Unit,
    previous_start: datetime,
    zone: ZoneInfo,
    lang: str,
    *,
    by: Person | None = None,
    by_office: bool = False,
) -> Screen:
    t = texts(lang)
    text = t.gettext(
        "📅 <b>Meeting moved</b>\nThe meeting of {branch} planned for {old} is moved to"
        " <b>{new}</b>."
    ).format(
        branch=esc(branch.name),
        old=moment(previous_start.astimezone(zone), lang),
        new=moment(meeting.starts_at.astimezone(zone), lang),
    )
    return Screen(text + _changed_by(by, by_office, lang))


def cancelled_notice(
    meeting: Meeting,
    branch: Unit,
    zone: ZoneInfo,
    lang: str,
    *,
    by: Person | None = None,
    by_office: bool = False,
) -> Screen:
    t = texts(lang)
    text = t.gettext(
        "🚫 <b>Meeting cancelled</b>\nThe meeting of {branch} planned for {when}"
        " will not take place."
    ).format(branch=esc(branch.name), when=moment(meeting.starts_at.astimezone(zone), lang))
    return Screen(text + _changed_by(by, by_office, lang))


def _changed_by(person: Person | None, office: bool, lang: str) -> str:
    """Who made a change, said in its notice."""
    t = texts(lang)
    if person is not None:
        return "\n" + t.gettext("Changed by comrade {name}.").format(name=esc(person.full_name))
    return "\n" + t.gettext("Changed by the office.") if office else ""


RESCHEDULED_LIMIT = 6  # meetings one notice lists before "and N more: /lich"


def rescheduled_notice(items: list[Rescheduled], zone: ZoneInfo, lang: str) -> Screen:
    """One person's meetings that the office's new schedule moved or removed, in one message."""
    t = texts(lang)
    lines = [t.gettext("📅 <b>The meeting schedule changed</b>"), ""]
    ordered = sorted(items, key=lambda item: item.previous_start)
    for item in ordered[:RESCHEDULED_LIMIT]:
        old = moment(item.previous_start.astimezone(zone), lang)
        if item.new_start is None:
            line = t.gettext("• {branch}: the meeting of {old} is no longer in the calendar.")
            lines.append(line.format(branch=esc(item.branch.name), old=old))
        else:
            line = t.gettext("• {branch}: the meeting of {old} is now at <b>{new}</b>.")
            new = moment(item.new_start.astimezone(zone), lang)
            lines.append(line.format(branch=esc(item.branch.name), old=old, new=new))
    if len(ordered) > RESCHEDULED_LIMIT:
        lines.append(
            t.gettext("• and {count} more meetings.").format(count=len(ordered) - RESCHEDULED_LIMIT)
        )
    lines += [
        "",
        t.gettext(
            "The office updated the branches' schedules. Earlier reminders for these meetings"
            " no longer apply; new ones will come. /lich shows your calendar."
        ),
    ]
    return Screen("\n".join(lines))


def conflict_notice(person: Person, lang: str) -> Screen:
    return said(
        lang,
        N_("⚠ Comrade {name} is now due at two meetings at overlapping times. See /lich."),
        name=person.full_name,
    )


def branch_calendar_is_for_the_office(lang: str) -> Screen:
    return said(
        lang,
        N_("A branch's calendar is for the office. Here are the meetings you are expected at."),
    )


def _answer_label(rsvp: Rsvp, lang: str) -> str:
    t = texts(lang)
    if rsvp.answer == RsvpAnswer.YES:
        return t.gettext("will attend")
    if rsvp.answer == RsvpAnswer.NO:
        return (
            t.gettext("cannot attend")
            + f" ({esc(reason_text(rsvp.reason_code, rsvp.reason_text, lang))})"
        )
    if rsvp.confirmed_before_move:
        return t.gettext("confirmed the earlier time, not yet the new one")
    return t.gettext("not yet answered")


def my_calendar(
    rows: list[tuple[Meeting, Unit, Rsvp]],
    clashing: set[int],
    absences: list[Absence],
    now: datetime,
    zone: ZoneInfo,
    lang: str,
) -> list[Screen]:
    """One's coming meetings with one's answers; the last message has a button for each
    meeting not yet begun, to see and change that answer."""
    t = texts(lang)
    if not rows:
        lines = [t.gettext("You have no meeting to attend in the coming two months.")]
    else:
        lines = [t.gettext("<b>Your meetings in the coming two months</b>")]
    buttons = []
    for meeting, branch, rsvp in rows:
        mark = "🚫" if meeting.status == MeetingStatus.CANCELLED else "•"
        line = f"{mark} {moment(meeting.starts_at.astimezone(zone), lang)}: {esc(branch.name)}"
        if meeting.status == MeetingStatus.CANCELLED:
            line += " — " + t.gettext("cancelled")
        else:
            line += " — " + _answer_label(rsvp, lang)
        if meeting.id in clashing:
            line += " ⚠ " + t.gettext("overlaps another of your meetings")
        lines.append(line)
        if meeting.status != MeetingStatus.CANCELLED and meeting.starts_at > now:
            label = t.gettext("✏ {day}").format(day=f"{meeting.starts_at.astimezone(zone):%d/%m}")
            buttons.append((label, cb.CalendarAnswerData(meeting.id, meeting.revision)))
    if buttons:
        lines += ["", t.gettext("To change an answer, press the meeting's date.")]
    if absences:
        lines += ["", t.gettext("<b>Your registered absences</b>")]
        lines += [f"• {period(a.starts_on, a.ends_on, lang)}" for a in absences]
    texts_ = split_lines(lines)
    screens = [Screen(text) for text in texts_]
    if buttons:
        rows_of_buttons = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
        screens[-1] = Screen(texts_[-1], inline_keyboard(*rows_of_buttons))
    return screens


def own_answer(result: AttendanceResult, zone: ZoneInfo, lang: str) -> Screen:
    """One meeting from /lich: when and where, one's answer, and the buttons that change it."""
    t = texts(lang)
    assert result.meeting and result.branch and result.rsvp
    meeting, rsvp = result.meeting, result.rsvp
    text = "\n".join(
        [
            where_and_when(meeting, result.branch, zone, lang),
            t.gettext("Your answer: {answer}").format(answer=_answer_label(rsvp, lang)),
        ]
    )
    return Screen(text, rsvp_keyboard(meeting, rsvp, lang))


def branch_calendar(
    branch: Unit,
    meetings: list[tuple[Meeting, list[tuple[Rsvp, Person]]]],
    zone: ZoneInfo,
    lang: str,
) -> list[Screen]:
    t = texts(lang)
    screens = [Screen(t.gettext("<b>Calendar of {branch}</b>").format(branch=esc(branch.name)))]
    if not meetings:
        screens.append(Screen(t.gettext("No meeting in the coming three months.")))
    for meeting, people in meetings[:6]:
        lines = [f"<b>{moment(meeting.starts_at.astimezone(zone), lang)}</b>"]
        if meeting.status == MeetingStatus.CANCELLED:
            lines.append(t.gettext("cancelled"))
        names = {person.id: person.full_name for _, person in people}
        for rsvp, person in people:
            label = _answer_label(rsvp, lang)
            if rsvp.kind == AttendeeKind.STAND_IN and rsvp.stand_in_for_id in names:
                label = t.gettext("{answer}, standing in for comrade {name}").format(
                    answer=label, name=esc(names[rsvp.stand_in_for_id])
                )
            lines.append(f"• {esc(person.full_name)}: {label}")
        if not people:
            lines.append(t.gettext("no one assigned"))
        keyboard = None
        if meeting.status != MeetingStatus.CANCELLED:
            keyboard = inline_keyboard(
                [
                    (t.gettext("📅 Move"), cb.MoveData(meeting.id, meeting.revision)),
                    (
                        t.gettext("🚫 Cancel the meeting"),
                        cb.CancelData(meeting.id, meeting.revision),
                    ),
                ]
            )
        screens.append(Screen("\n".join(lines), keyboard))
    return screens


def confirm_cancel(meeting: Meeting, branch: Unit, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    text = t.gettext(
        "Cancel the meeting of {branch} at {when}? Everyone expected will be told."
    ).format(branch=esc(branch.name), when=moment(meeting.starts_at.astimezone(zone), lang))
    keyboard = inline_keyboard(
        [
            (
                t.gettext("🚫 Yes, cancel it"),
                cb.CancelConfirmData(meeting.id, meeting.revision, "y"),
            ),
            (t.gettext("✖ No"), cb.CancelConfirmData(meeting.id, meeting.revision, "n")),
        ]
    )
    return Screen(text, keyboard)


def unknown_branch(lang: str) -> Screen:
    return said(lang, N_("No branch has this code. See the codes with /donvi."))


def absence_usage(lang: str) -> Screen:
    return usage_line(
        lang,
        N_(
            "Usage: /vang from dd/mm/yyyy to dd/mm/yyyy [reason],"
            " e.g. /vang 01/12/2026 10/12/2026 business trip. Your reminders pause, and the"
            " office finds stand-ins for the meetings in that period."
        ),
    )


def absences(away: list[Absence], person_id: int, lang: str) -> Screen:
    """One's periods away still to come or under way, each with its Cancel button; then the
    button to register another (or how to type it whole)."""
    t = texts(lang)
    how = esc(
        t.gettext(
            "Press ➕ to register a period away, or send /vang from dd/mm/yyyy to dd/mm/yyyy"
            " [reason], e.g. /vang 01/12/2026 10/12/2026 business trip."
        )
    )
    register = [(t.gettext("➕ Register a period away"), cb.AbsenceNewData("from", person_id))]
    if not away:
        text = t.gettext("You have no period away registered.") + "\n\n" + how
        return Screen(text, inline_keyboard(register))
    lines = [t.gettext("<b>Your registered periods away</b>")]
    rows = []
    for absence in away:
        when = period(absence.starts_on, absence.ends_on, lang)
        lines.append(f"• {when}" + (f": {esc(absence.reason)}" if absence.reason else ""))
        label = t.gettext("✖ Cancel {start}–{end}").format(
            start=f"{absence.starts_on:%d/%m}", end=f"{absence.ends_on:%d/%m}"
        )
        rows.append([(label, cb.AbsenceCancelData(absence.id))])
    lines += ["", how]
    return Screen("\n".join(lines), inline_keyboard(*rows, register))


def absence_step(draft: Draft, today: date, lang: str, refusal: str | None = None) -> Screen:
    """A step of registering a period away by buttons; at the end, the period in full."""
    question = absence_flow.ask(draft.data, draft.step, today)
    summary = ""
    if draft.step == AbsenceStep.CONFIRM:
        t = texts(lang)
        first, last = (date.fromisoformat(draft.data[key]) for key in ("from", "until"))
        reason = absence_reason(draft.data, lang) or t.gettext("no reason given")
        summary = t.gettext("Away {period}.\nReason: {reason}.").format(
            period=period(first, last, lang), reason=esc(reason)
        )
    text, rows = drawn(
        question,
        lang,
        lambda value: cb.AbsenceStepData(draft.id, draft.revision, value),
        before=summary,
        refusal=refusal,
    )
    return Screen(text, InlineKeyboardMarkup(rows) if rows else None)


def absence_reason(data: dict[str, Any], lang: str) -> str:
    """The reason of a period away as the member gave it: typed, or a button's words in
    `lang` (for the record, the organisation's language)."""
    if data.get("reason"):
        return str(data["reason"])
    code = data.get("reason_code")
    return texts(lang).gettext(REASON_TEXTS[code]) if code in REASON_TEXTS else ""


def absence_dropped(lang: str) -> Screen:
    return said(lang, N_("Nothing was registered."))


def absence_refusal(result: AbsenceResult, lang: str) -> Screen:
    t = texts(lang)
    match result.outcome:
        case AbsenceOutcome.IN_THE_PAST:
            return Screen(
                t.gettext("That period has already ended; only a period to come can be registered.")
            )
        case AbsenceOutcome.OVERLAPS:
            assert result.absence is not None
            when = period(result.absence.starts_on, result.absence.ends_on, lang)
            return Screen(
                t.gettext(
                    "That period overlaps the one already registered {period}. See /vang to"
                    " cancel it first."
                ).format(period=when)
            )
    return Screen(t.gettext("This period away is no longer registered."))


def absence_cancelled(result: AbsenceResult, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    assert result.absence is not None
    text = t.gettext("Your period away {period} is cancelled.").format(
        period=period(result.absence.starts_on, result.absence.ends_on, lang)
    )
    if result.resumed:
        text += "\n" + t.ngettext(
            "You are expected again at {count} meeting; its reminders resume, and the office"
            " has been told.",
            "You are expected again at {count} meetings; their reminders resume, and the office"
            " has been told.",
            len(result.resumed),
        ).format(count=len(result.resumed))
    return Screen(text)


def absence_cancelled_notice(
    person: Person,
    starts_on: date,
    ends_on: date,
    resumed: list[tuple[Meeting, Unit]],
    stand_ins: list[tuple[Meeting, Unit, Person]],
    zone: ZoneInfo,
    lang: str,
) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("↩ <b>{name} cancelled the period away {period}</b>").format(
            name=esc(person.full_name), period=period(starts_on, ends_on, lang)
        ),
        t.gettext("Expected again at:"),
    ]
    lines += [
        f"• {esc(branch.name)}, {moment(meeting.starts_at.astimezone(zone), lang)}"
        for meeting, branch in resumed
    ]
    if stand_ins:
        lines += ["", t.gettext("A stand-in was invited meanwhile; please decide with them:")]
        lines += [
            f"• {esc(stand_in.full_name)}: {esc(branch.name)},"
            f" {moment(meeting.starts_at.astimezone(zone), lang)}"
            for meeting, branch, stand_in in stand_ins
        ]
    return Screen("\n".join(lines))


def absence_recorded(absence: Absence, declined: int, lang: str) -> Screen:
    t = texts(lang)
    text = t.gettext("Your absence {period} is recorded.").format(
        period=period(absence.starts_on, absence.ends_on, lang)
    )
    if declined:
        text += "\n" + t.ngettext(
            "{count} meeting falls in it; the office will find a stand-in.",
            "{count} meetings fall in it; the office will find stand-ins.",
            declined,
        ).format(count=declined)
    return Screen(text)


def guidance_usage(lang: str) -> Screen:
    return usage_line(
        lang,
        N_(
            "Usage: /huongdan MM/YYYY text of the guidance,"
            " e.g. /huongdan 12/2026 Quán triệt Chỉ thị 50-CT/TW. The note is attached to"
            " that month's reminders; /huongdan MM/YYYY with no text removes it."
        ),
    )


def guidance_saved(month_label: str, removed: bool, lang: str) -> Screen:
    t = texts(lang)
    if removed:
        return Screen(t.gettext("The guidance for {month} was removed.").format(month=month_label))
    return Screen(
        t.gettext(
            "The guidance for {month} is saved; it will be attached to that month's reminders."
        ).format(month=month_label)
    )


def unreachable(people: list[Person], zone: ZoneInfo, lang: str) -> list[str]:
    t = texts(lang)
    if not people:
        return [t.gettext("Every linked person can receive messages from the bot.")]
    lines = [
        t.gettext(
            "<b>People the bot cannot reach</b> (they blocked the bot or deleted the"
            " chat; ask them to open the bot and press Start):"
        )
    ]
    items = []
    for person in people:
        since = (
            person.unreachable_since.astimezone(zone).date() if person.unreachable_since else None
        )
        line = f"• <code>{esc(person.code)}</code> {esc(person.full_name)}"
        if since:
            line += ", " + t.gettext("since {date}").format(date=day(since))
        items.append(line)
    return split_lines(lines + capped(items, lang))


def move_dropped(lang: str) -> Screen:
    return said(lang, N_("Cancelled. Nothing was changed."))


def conflicts(rows, zone: ZoneInfo, lang: str) -> list[str]:
    t = texts(lang)
    if not rows:
        return [t.gettext("No one is due at two overlapping meetings in the coming two months.")]
    lines = [t.gettext("<b>People due at two meetings at overlapping times</b>")]
    items = []
    for person, first, first_unit, second, second_unit in rows:
        items.append(
            t.gettext("• {name}: {first} ({first_time}) and {second} ({second_time})").format(
                name=esc(person.full_name),
                first=esc(first_unit.name),
                first_time=moment(first.starts_at.astimezone(zone), lang),
                second=esc(second_unit.name),
                second_time=moment(second.starts_at.astimezone(zone), lang),
            )
        )
    lines += capped(items, lang)
    lines.append(
        t.gettext(
            "Move one of the meetings from /lich with the branch code, or arrange a stand-in."
        )
    )
    return split_lines(lines)
