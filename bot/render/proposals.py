"""The proposal loop's screens: a proposal with the buttons its reader may press, the pickers
(handling body, earlier proposal, reason), the answer's steps, the notices, the lists."""

from __future__ import annotations

import typing
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.callbacks import CloseReason
from bot.formats.dates import day, moment
from bot.i18n import N_
from bot.render import (
    Screen,
    esc,
    inline_keyboard,
    numbered_where_cut,
    said,
    split_lines,
    texts,
)
from bot.services.notices import ProposalUndeliverable
from bot.services.proposals import ANSWER_LIMIT, Change, Outcome, ProposalView, Summary, Todo
from db.models import HandlingBody, Proposal, ProposalState, ProposalUrgency

STATES = {
    ProposalState.NEW: N_("awaiting assignment"),
    ProposalState.IN_PROGRESS: N_("being handled"),
    ProposalState.ANSWERED: N_("answered"),
    ProposalState.CLOSED: N_("closed"),
    ProposalState.MERGED: N_("merged into an earlier proposal"),
}
CLOSE_REASONS: dict[str, str] = {
    "outside": N_("outside the competence of the ward"),
    "duplicate": N_("a duplicate of another proposal"),
    "solved": N_("already solved"),
}
EVENTS = {
    "raised": N_("raised in a report"),
    "assigned": N_("assigned to {body}, to answer by {deadline}"),
    "reassigned": N_("reassigned to {body}, to answer by {deadline}"),
    "deadline": N_("deadline changed to {deadline}"),
    "merged": N_("merged into proposal no. {into}"),
    "absorbed": N_("proposal no. {merged} merged into this one"),
    "closed": N_("closed: {reason}"),
    "reopened": N_("reopened"),
    "given_back": N_("given back by {body} for another body"),
    "extension_asked": N_("more time asked for"),
    "answered_interim": N_("interim answer (being dealt with)"),
    "answered": N_("final answer"),
    "conveyed": N_("answer conveyed to the branch"),
    "conveyed_with_opinion": N_(
        "answer conveyed to the branch, which still has concerns: {opinion}"
    ),
}
LIST_SHOWN = 10


def state_text(view: ProposalView, lang: str) -> str:
    t = texts(lang)
    proposal = view.proposal
    text = t.gettext(STATES[proposal.state])
    if proposal.state == ProposalState.IN_PROGRESS and view.body is not None:
        text = t.gettext("being handled by {body}, to answer by {deadline}").format(
            body=esc(view.body.name), deadline=day(proposal.deadline) if proposal.deadline else "–"
        )
    if proposal.state == ProposalState.CLOSED and proposal.closed_reason in CLOSE_REASONS:
        text += ": " + t.gettext(CLOSE_REASONS[proposal.closed_reason])
    if proposal.state == ProposalState.MERGED and proposal.merged_into_id:
        text = t.gettext("merged into proposal no. {into}").format(into=proposal.merged_into_id)
    return text


def _urgency(view: ProposalView, lang: str) -> str:
    t = texts(lang)
    if view.proposal.urgency == ProposalUrgency.URGENT:
        return t.gettext("urgent")
    return t.gettext("normal")


def card_lines(
    view: ProposalView, zone: ZoneInfo, lang: str, *, with_answerer: bool = False
) -> list[str]:
    """The proposal in full: branch, field, urgency, text, who raised it, state, answer. The
    answerer's name is for the leaders and the office alone."""
    t = texts(lang)
    proposal = view.proposal
    lines = [
        t.gettext("<b>Proposal no. {number}</b> ({urgency})").format(
            number=proposal.id, urgency=_urgency(view, lang)
        ),
        t.gettext("Branch: {branch}").format(branch=esc(view.branch.name)),
        t.gettext("Field: {field}").format(
            field=esc(view.field.name) if view.field else t.gettext("Other field")
        ),
    ]
    if view.meeting is not None:
        raised = t.gettext("Raised at the meeting of {when}").format(
            when=moment(view.meeting.starts_at.astimezone(zone), lang)
        )
        if view.raiser is not None:
            raised += t.gettext(", reported by comrade {name}").format(
                name=esc(view.raiser.full_name)
            )
        lines.append(raised + ".")
    lines += [
        "",
        esc(proposal.text),
        "",
        t.gettext("State: {state}").format(state=state_text(view, lang)),
    ]
    if proposal.answer:
        kind = (
            t.gettext("Answer")
            if proposal.answer_final
            else t.gettext("Interim answer (being dealt with)")
        )
        lines += ["", f"<b>{kind}</b>"]
        if with_answerer and view.answered_by is not None:
            lines.append(
                t.gettext("by comrade {name}, {date}").format(
                    name=esc(view.answered_by.full_name),
                    date=day(proposal.answered_at.astimezone(zone).date())
                    if proposal.answered_at
                    else "",
                )
            )
        lines.append(esc(proposal.answer))
        if proposal.answer_file_id:
            lines.append(t.gettext("(with the official reply attached)"))
    return lines


def _button(text: str, data: cb.CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data.pack())


def triage_keyboard(p: Proposal, lang: str) -> InlineKeyboardMarkup:
    """What whoever triages may do with the proposal in its state."""
    t = texts(lang)
    act = lambda name: cb.ProposalActData(p.id, p.revision, name)  # noqa: E731
    rows: list[list[InlineKeyboardButton]] = []
    if p.state in (ProposalState.NEW, ProposalState.IN_PROGRESS):
        assign = t.gettext("📌 Assign") if p.body_id is None else t.gettext("📌 Reassign")
        rows.append([_button(assign, act("assign")), _button(t.gettext("🔗 Merge"), act("merge"))])
        row = [_button(t.gettext("✍ Answer"), act("answer"))]
        if p.state == ProposalState.IN_PROGRESS:
            row.append(_button(t.gettext("📅 Change the deadline"), act("deadline")))
        rows.append(row)
        rows.append([_button(t.gettext("✖ Close with a reason"), act("close"))])
    elif p.state in (ProposalState.CLOSED, ProposalState.ANSWERED):
        rows.append([_button(t.gettext("↩ Reopen"), act("reopen"))])
    rows.append([_button(t.gettext("🕘 History"), act("history"))])
    return InlineKeyboardMarkup(rows)


def body_keyboard(view: ProposalView, lang: str) -> InlineKeyboardMarkup:
    """For the people of the body it is assigned to."""
    t = texts(lang)
    p = view.proposal
    act = lambda name: cb.ProposalActData(p.id, p.revision, name)  # noqa: E731
    return InlineKeyboardMarkup(
        [
            [_button(t.gettext("✍ Answer"), act("answer"))],
            [
                _button(t.gettext("↪ Another body"), act("back")),
                _button(t.gettext("⏳ Ask for more time"), act("extend")),
            ],
        ]
    )


def _open_button(p: Proposal, lang: str) -> InlineKeyboardButton:
    """Open a proposal in full, with its history."""
    return _button(
        texts(lang).gettext("Open no. {number}").format(number=p.id),
        cb.ProposalActData(p.id, p.revision, "history"),
    )


def card(view: ProposalView, zone: ZoneInfo, lang: str, *, with_triage: bool) -> Screen:
    keyboard = triage_keyboard(view.proposal, lang) if with_triage else None
    return Screen.of_lines(card_lines(view, zone, lang, with_answerer=with_triage), keyboard)


def bodies_picker(view: ProposalView, bodies: list[HandlingBody], lang: str) -> Screen:
    t = texts(lang)
    p = view.proposal
    if not bodies:
        return Screen(
            t.gettext(
                "No handling body is on the roster: add them in the sheet “Cơ quan xử lý” of"
                " the roster workbook."
            )
        )
    labels, legend = numbered_where_cut([body.name for body in bodies])
    rows = [
        [_button(label, cb.ProposalBodyData(p.id, p.revision, body.id))]
        for label, body in zip(labels, bodies, strict=True)
    ]
    question = t.gettext("Which body should answer proposal no. {number}?").format(number=p.id)
    rows.append(_dismiss(view, lang))
    return Screen("\n".join([question, *legend]), InlineKeyboardMarkup(rows))


def merge_picker(view: ProposalView, candidates: list[ProposalView], lang: str) -> Screen:
    t = texts(lang)
    p = view.proposal
    if not candidates:
        return Screen(
            t.gettext("No earlier open proposal of this branch or field to merge it with.")
        )
    lines = [t.gettext("Merge proposal no. {number} into which earlier one?").format(number=p.id)]
    rows = []
    for other in candidates:
        lines.append(
            f"• {other.proposal.id}. {esc(other.branch.name)}: {esc(_short(other.proposal.text))}"
        )
        rows.append(
            [
                _button(
                    t.gettext("Into no. {number}").format(number=other.proposal.id),
                    cb.ProposalMergeData(p.id, p.revision, other.proposal.id),
                )
            ]
        )
    rows.append(_dismiss(view, lang))
    return Screen("\n".join(lines), InlineKeyboardMarkup(rows))


def _dismiss(view: ProposalView, lang: str) -> list[InlineKeyboardButton]:
    """A picker's way out: nothing chosen, nothing changed."""
    p = view.proposal
    return [
        _button(texts(lang).gettext("✖ Cancel"), cb.ProposalActData(p.id, p.revision, "dismiss"))
    ]


def dismissed(number: int, lang: str) -> Screen:
    return Screen(
        texts(lang)
        .gettext("Nothing was chosen; proposal no. {number} is as it was.")
        .format(number=number)
    )


def close_picker(view: ProposalView, lang: str) -> Screen:
    t = texts(lang)
    p = view.proposal
    codes = typing.get_args(CloseReason)
    labels, legend = numbered_where_cut(
        [t.gettext(CLOSE_REASONS[code]).capitalize() for code in codes]
    )
    rows = [
        [_button(label, cb.ProposalCloseData(p.id, p.revision, code))]
        for label, code in zip(labels, codes, strict=True)
    ]
    question = t.gettext("Why is proposal no. {number} closed without an answer?").format(
        number=p.id
    )
    rows.append(_dismiss(view, lang))
    return Screen("\n".join([question, *legend]), InlineKeyboardMarkup(rows))


def ask_deadline(view: ProposalView, lang: str) -> Screen:
    return Screen(
        texts(lang)
        .gettext(
            "Proposal no. {number} is to be answered by {deadline}. Please type the new"
            " deadline as day/month/year, e.g. 20/12/2026."
        )
        .format(
            number=view.proposal.id,
            deadline=day(view.proposal.deadline) if view.proposal.deadline else "–",
        )
    )


def past_date(lang: str) -> Screen:
    return said(lang, N_("The deadline cannot be a day that has passed; please type another."))


def unknown_branch(lang: str) -> Screen:
    return said(lang, N_("No branch has this code. See /donvi for the codes."))


def branch_title(branch, lang: str) -> str:
    return texts(lang).gettext("<b>Proposals of {branch}</b>").format(branch=esc(branch.name))


def raised_title(lang: str) -> str:
    return texts(lang).gettext("<b>Proposals you raised</b>, and their answers")


def bad_date(lang: str) -> Screen:
    return said(lang, N_("That is not a date: please type it as day/month/year, e.g. 20/12/2026."))


def history(view: ProposalView, zone: ZoneInfo, lang: str, *, with_names: bool) -> Screen:
    """Each step with its day; who took it only for the leaders and the office."""
    t = texts(lang)
    lines = [t.gettext("<b>History of proposal no. {number}</b>").format(number=view.proposal.id)]
    for event, person in view.events:
        details = dict(event.details)
        if "deadline" in details:
            details["deadline"] = day(_date(details["deadline"]))
        if "reason" in details:
            details["reason"] = t.gettext(CLOSE_REASONS.get(details["reason"], details["reason"]))
        if "body" in details:
            details["body"] = esc(details["body"])
        kind = event.kind
        if kind == "conveyed" and details.get("opinion"):
            kind, details["opinion"] = "conveyed_with_opinion", esc(details["opinion"])
        what = t.gettext(EVENTS.get(kind, kind)).format(**details)
        who = f" ({esc(person.full_name)})" if with_names and person is not None else ""
        lines.append(f"• {day(event.at.astimezone(zone).date())}: {what}{who}")
    return Screen.of_lines(lines)


def _date(text: str):
    from datetime import date

    return date.fromisoformat(text)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- outcomes


def refusal(change: Change, lang: str) -> str:
    """A short pop-up for a press that cannot act, with the proposal's state as it is."""
    t = texts(lang)
    match change.outcome:
        case Outcome.CHANGED if change.view is not None:
            return t.gettext("This proposal has changed since; it is now: {state}.").format(
                state=_plain(state_text(change.view, lang))
            )
        case Outcome.NOT_YOURS:
            return t.gettext("This proposal is not assigned to a body you answer for.")
        case Outcome.SAME:
            return t.gettext("That proposal cannot take this one: it is no longer open.")
    return t.gettext("This proposal no longer exists.")


def _plain(text: str) -> str:
    import html

    return html.unescape(text)


def done(change: Change, what: str, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    assert change.view is not None
    p = change.view.proposal
    match what:
        case "assign":
            text = t.gettext(
                "📌 Proposal no. {number} is assigned to {body}, to answer by {deadline}."
            ).format(
                number=p.id,
                body=esc(change.view.body.name) if change.view.body else "",
                deadline=day(p.deadline) if p.deadline else "–",
            )
            if any(isinstance(notice, ProposalUndeliverable) for notice in change.notices):
                # Nobody of that body can be reached: the one who chose it hears it now.
                warning = t.gettext(
                    "⚠ Nobody of this body has linked Telegram yet, so nobody received it; the"
                    " office is told. You may give it to another body."
                )
                again = cb.ProposalActData(p.id, p.revision, "assign")
                keyboard = InlineKeyboardMarkup([[_button(t.gettext("📌 Another body"), again)]])
                return Screen(f"{text}\n{warning}", keyboard)
        case "deadline":
            text = t.gettext(
                "📅 Proposal no. {number} is now to be answered by {deadline}."
            ).format(number=p.id, deadline=day(p.deadline) if p.deadline else "–")
        case "merge":
            text = t.gettext(
                "🔗 Proposal no. {number} is merged into no. {into}; the answer to that one will"
                " reach both branches."
            ).format(number=p.id, into=p.merged_into_id)
        case "close":
            text = t.gettext("✖ Proposal no. {number} is closed: {reason}.").format(
                number=p.id, reason=t.gettext(CLOSE_REASONS[p.closed_reason])
            )
        case "reopen":
            text = t.gettext("↩ Proposal no. {number} is open again.").format(number=p.id)
        case "back":
            text = t.gettext(
                "↪ Proposal no. {number} goes back to the office to be given to another body."
            ).format(number=p.id)
        case "extend":
            text = t.gettext(
                "⏳ The office is asked to give more time for proposal no. {number}."
            ).format(number=p.id)
        case _:
            text = t.gettext("✅ The answer to proposal no. {number} is saved and sent.").format(
                number=p.id
            )
    return Screen(text)


# ---------------------------------------------------------------- answering


def ask_answer(view: ProposalView, draft_id: int, revision: int, lang: str) -> Screen:
    t = texts(lang)
    text = t.gettext(
        "✍ Please write the answer to proposal no. {number} in one message (at most {limit}"
        " characters). The member who raised it and the branch will receive it."
    ).format(number=view.proposal.id, limit=ANSWER_LIMIT)
    return Screen(text, _stop(draft_id, revision, lang))


def _stop(draft_id: int, revision: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(texts(lang).gettext("✖ Stop"), cb.AnswerStepData(draft_id, revision, "no"))]]
    )


def answer_too_long(length: int, lang: str) -> str:
    return (
        texts(lang)
        .gettext(
            "The answer has {length} characters, more than {limit}: nothing was cut or saved."
            " Please shorten it, or attach the full reply as a file at the next step."
        )
        .format(length=length, limit=ANSWER_LIMIT)
    )


def ask_file(draft_id: int, revision: int, lang: str) -> Screen:
    t = texts(lang)
    return Screen(
        t.gettext(
            "Saved. Attach the official reply (a PDF or a photo) if there is one, or press"
            " “No file”."
        ),
        inline_keyboard(
            [(t.gettext("No file"), cb.AnswerStepData(draft_id, revision, "nofile"))],
            [(t.gettext("✖ Stop"), cb.AnswerStepData(draft_id, revision, "no"))],
        ),
    )


def ask_kind(draft_id: int, revision: int, lang: str) -> Screen:
    t = texts(lang)
    return Screen(
        t.gettext("Is this the final answer, or an interim one while it is being dealt with?"),
        inline_keyboard(
            [(t.gettext("✅ Final: resolved"), cb.AnswerStepData(draft_id, revision, "final"))],
            [
                (
                    t.gettext("⏳ Interim: being dealt with"),
                    cb.AnswerStepData(draft_id, revision, "interim"),
                )
            ],
            [(t.gettext("✖ Stop"), cb.AnswerStepData(draft_id, revision, "no"))],
        ),
    )


def answer_needs_text(lang: str) -> Screen:
    return said(lang, N_("Please write the answer as text."))


def answer_stopped(lang: str) -> Screen:
    return said(lang, N_("Stopped; nothing was sent."))


def stale_step(lang: str) -> str:
    return texts(lang).gettext("This button is out of date: this answer was already handled.")


# ---------------------------------------------------------------- notices


def assigned_notice(view: ProposalView, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("📌 <b>A proposal for {body} to answer</b> by {deadline}").format(
            body=esc(view.body.name) if view.body else "",
            deadline=day(view.proposal.deadline) if view.proposal.deadline else "–",
        ),
        "",
        *card_lines(view, zone, lang),
    ]
    return Screen.of_lines(lines, body_keyboard(view, lang))


def undeliverable_notice(view: ProposalView, lang: str) -> Screen:
    return Screen(
        texts(lang)
        .gettext(
            "⚠ Proposal no. {number} is assigned to {body}, but nobody who answers for it is"
            " linked to the bot: it cannot be delivered. Please add people to that body in the"
            " roster workbook (sheet “Cơ quan xử lý”), or assign it to another body."
        )
        .format(number=view.proposal.id, body=esc(view.body.name) if view.body else "–"),
        triage_keyboard(view.proposal, lang),
    )


def answered_notice(view: ProposalView, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    p = view.proposal
    head = (
        t.gettext("📬 <b>Answer to the proposal you raised</b>")
        if p.answer_final
        else t.gettext("📬 <b>Interim answer to the proposal you raised</b> (being dealt with)")
    )
    lines = [
        head,
        t.gettext("{branch}: {text}").format(
            branch=esc(view.branch.name), text=esc(_short(p.text))
        ),
        "",
        esc(p.answer),
        "",
        t.gettext(
            "It will also be attached to the branch's next meeting reminder, to be conveyed to"
            " the branch."
        ),
    ]
    return Screen.of_lines(lines)


def closed_notice(view: ProposalView, lang: str) -> Screen:
    t = texts(lang)
    p = view.proposal
    return Screen(
        t.gettext("The proposal you raised ({branch}: {text}) is closed: {reason}.").format(
            branch=esc(view.branch.name),
            text=esc(_short(p.text)),
            reason=t.gettext(CLOSE_REASONS.get(p.closed_reason, "closed")),
        )
    )


def returned_notice(view: ProposalView, zone: ZoneInfo, lang: str, *, extension: bool) -> Screen:
    t = texts(lang)
    head = (
        t.gettext("⏳ <b>More time is asked for proposal no. {number}</b>")
        if extension
        else t.gettext("↪ <b>Proposal no. {number} was given back</b>: it is for another body")
    ).format(number=view.proposal.id)
    return Screen.of_lines(
        [head, "", *card_lines(view, zone, lang)], triage_keyboard(view.proposal, lang)
    )


def summary_notice(summary: Summary, lang: str) -> Screen:
    """One message a morning: the proposals awaiting assignment and those past their
    deadline, each a button away."""
    t = texts(lang)
    lines = [t.gettext("🗂 <b>Proposals, {date}</b>").format(date=day(summary.day))]
    rows: list[list[InlineKeyboardButton]] = []
    for title, count_, views in (
        (t.gettext("Awaiting assignment: {n}"), summary.untriaged_count, summary.untriaged),
        (t.gettext("Past their deadline: {n}"), summary.late_count, summary.late),
    ):
        if not count_:
            continue
        lines += ["", "<b>" + title.format(n=count_) + "</b>"]
        for view in views:
            p = view.proposal
            urgent = "🔴 " if p.urgency == ProposalUrgency.URGENT else ""
            due = f" ({day(p.deadline)})" if p.deadline else ""
            lines.append(
                f"• {p.id}. {urgent}{esc(view.branch.name)}: {esc(_short(p.text, 90))}{due}"
            )
            if len(rows) < LIST_SHOWN:
                rows.append([_open_button(p, lang)])
        if count_ > len(views):
            lines.append(t.gettext("• and {n} more.").format(n=count_ - len(views)))
    lines += ["", t.gettext("All of them: /kiennghi.")]
    return Screen.of_lines(lines, InlineKeyboardMarkup(rows) if rows else None)


def due_soon_notice(view: ProposalView, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    head = t.gettext(
        "⏳ <b>Proposal no. {number} is to be answered by {deadline}</b>, in two days or less."
    ).format(
        number=view.proposal.id,
        deadline=day(view.proposal.deadline) if view.proposal.deadline else "–",
    )
    return Screen.of_lines([head, "", *card_lines(view, zone, lang)], body_keyboard(view, lang))


# ---------------------------------------------------------------- lists


def todo(todo: Todo, lang: str) -> list[Screen]:
    t = texts(lang)
    screens: list[Screen] = []
    sections = (
        (t.gettext("<b>To answer</b>"), todo.to_answer, todo.counts[0]),
        (t.gettext("<b>To assign</b>"), todo.to_triage, todo.counts[1]),
        (t.gettext("<b>Past their deadline</b>"), todo.overdue, todo.counts[2]),
    )
    for title, views, total in sections:
        if not total:
            continue
        lines = [f"{title} ({total})"]
        rows = []
        for view in views:
            p = view.proposal
            due = (
                f" — {day(p.deadline)}"
                if p.deadline and p.state == ProposalState.IN_PROGRESS
                else ""
            )
            lines.append(f"• {p.id}. {esc(view.branch.name)}: {esc(_short(p.text, 90))}{due}")
            rows.append([_open_button(p, lang)])
        if total > len(views):
            lines.append(t.gettext("• and {n} more.").format(n=total - len(views)))
        screens.append(Screen("\n".join(lines), InlineKeyboardMarkup(rows)))
    if not screens:
        screens.append(Screen(t.gettext("There is no proposal for you to act on.")))
    return screens


def listing(title: str, views: list[ProposalView], zone: ZoneInfo, lang: str) -> list[str]:
    t = texts(lang)
    if not views:
        return [t.gettext("No proposal found.")]
    lines = [title]
    for view in views:
        p = view.proposal
        urgent = "🔴 " if p.urgency == ProposalUrgency.URGENT else ""
        field_name = f"[{esc(view.field.name)}] " if view.field else ""
        lines.append(
            f"• <b>{p.id}</b>. {urgent}{field_name}{esc(_short(p.text, 150))}"
            f" — {state_text(view, lang)}"
        )
        if p.answer:
            lines.append(
                "  " + t.gettext("Answer: {answer}").format(answer=esc(_short(p.answer, 300)))
            )
    lines.append(t.gettext("See one in full with /kiennghi and its number."))
    return split_lines(lines)


def reminder_lines(answers: list, lang: str) -> list[str]:
    """The answers the attending member conveys to the branch at its meeting."""
    t = texts(lang)
    if not answers:
        return []
    lines = ["", t.gettext("<b>Answers to the branch's earlier proposals</b> (to convey)")]
    for proposal in answers[:5]:
        kind = "" if proposal.answer_final else " " + t.gettext("(interim)")
        lines.append(f"• {esc(_short(proposal.text, 120))}{kind}")
        lines.append("  → " + esc(_short(proposal.answer, 600)))
    return lines
