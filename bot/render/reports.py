"""The report conversation, the requests and nudges, and the history leaders read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.domain import quality as report_quality
from bot.formats.dates import day, moment, weekday_date
from bot.i18n import N_
from bot.render import (
    Screen,
    esc,
    inline_keyboard,
    said,
    split_lines,
    texts,
    usage_line,
    with_state,
)
from bot.render import proposals as proposal_screens
from bot.render.questions import drawn, refusal_line
from bot.services import report_flow
from bot.services.reports import Owed, Refusal, ReportView, Sent
from db.models import Draft, Meeting, Person, Proposal, Report, Unit

Button = InlineKeyboardButton


def _when(meeting: Meeting, zone: ZoneInfo, lang: str) -> str:
    return moment(meeting.starts_at.astimezone(zone), lang)


def request(item: Owed, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    text = t.gettext(
        "📝 Comrade <b>{name}</b>, please report on the meeting of <b>{branch}</b> at {when}."
    ).format(
        name=esc(item.person.full_name),
        branch=esc(item.branch.name),
        when=_when(item.meeting, zone, lang),
    )
    return Screen(text, request_keyboard(item.rsvp.id, lang))


def request_keyboard(rsvp: int, lang: str) -> InlineKeyboardMarkup:
    t = texts(lang)
    return inline_keyboard(
        [(t.gettext("📝 Report now"), cb.ReportRequestData(rsvp, "now"))],
        [
            (t.gettext("🔔 Tonight"), cb.ReportRequestData(rsvp, "eve")),
            (t.gettext("🔔 Tomorrow"), cb.ReportRequestData(rsvp, "morn")),
        ],
        [(t.gettext("I did not attend"), cb.ReportRequestData(rsvp, "no"))],
    )


def asked_again(
    message_html: str | None, rsvp: int, at: datetime, zone: ZoneInfo, lang: str
) -> Screen | None:
    """The request put off: it says when it will come again, and keeps its buttons."""
    state = texts(lang).gettext("🔔 You will be reminded at {when}.")
    return with_state(
        message_html,
        state.format(when=moment(at.astimezone(zone), lang)),
        request_keyboard(rsvp, lang),
    )


def nudge(item: Owed, second: bool, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    if second:
        intro = t.gettext(
            "Second reminder: the report on the meeting of {branch} at {when} has"
            " not arrived yet. It is still welcome; after today it counts as late."
        )
    else:
        intro = t.gettext(
            "A gentle reminder: the report on the meeting of {branch} at {when}"
            " has not arrived yet."
        )
    text = intro.format(branch=esc(item.branch.name), when=_when(item.meeting, zone, lang))
    keyboard = inline_keyboard(
        [(t.gettext("📝 Report now"), cb.ReportRequestData(item.rsvp.id, "now"))]
    )
    return Screen(text, keyboard)


def later(lang: str) -> str:
    return texts(lang).gettext("Understood. Send /baocao whenever you are ready.")


def asked_again_at(at: datetime, zone: ZoneInfo, lang: str) -> str:
    return (
        texts(lang)
        .gettext("Understood: you will be reminded at {when}.")
        .format(when=moment(at.astimezone(zone), lang))
    )


def pending(
    items: list[Owed], zone: ZoneInfo, lang: str, on_behalf: Person | None = None
) -> Screen:
    t = texts(lang)
    if not items:
        return Screen(t.gettext("No report is awaited from you. Thank you, comrade."))
    lines = [t.gettext("<b>Reports awaited</b>")]
    buttons = []
    for item in items[:20]:
        if item.report is not None:
            state = t.gettext("sent as no. {number}, may be amended").format(number=item.report.id)
            label = t.gettext("Amend: {branch} {date}")
        elif item.draft is not None:
            state, label = t.gettext("draft in progress"), t.gettext("Continue: {branch} {date}")
        else:
            state, label = t.gettext("not started"), t.gettext("Report: {branch} {date}")
        lines.append(f"• {esc(item.branch.name)}, {_when(item.meeting, zone, lang)} ({state})")
        local_day = item.meeting.starts_at.astimezone(zone).strftime("%d/%m")
        data = cb.ReportStartData if on_behalf is None else cb.ReportOnBehalfData
        buttons.append(
            [
                Button(
                    label.format(branch=item.branch.name, date=local_day)[:60],
                    callback_data=data(item.rsvp.id).pack(),
                )
            ]
        )
    return Screen("\n".join(lines), InlineKeyboardMarkup(buttons))


def refusal(reason: Refusal, lang: str, missing: str | None = None) -> str:
    t = texts(lang)
    match reason:
        case Refusal.NOT_YOURS:
            return t.gettext("This report is not yours.")
        case Refusal.NOT_ENDED:
            return t.gettext("The meeting has not ended yet.")
        case Refusal.TOO_LATE_TO_AMEND:
            return t.gettext("This report can no longer be amended; please contact the office.")
        case Refusal.INCOMPLETE:
            what = t.gettext(missing) if missing else "…"
            return t.gettext("Please complete {what} before sending.").format(what=what)
    return t.gettext("This button is no longer valid. Please send /baocao.")


def _nav(draft: Draft, lang: str) -> list[Button]:
    t = texts(lang)
    d, r = draft.id, draft.revision
    return [
        Button(t.gettext("⬅ Back"), callback_data=cb.ReportBackData(d, r).pack()),
        Button(t.gettext("✖ Stop, keep the draft"), callback_data=cb.ReportStopData(d, r).pack()),
    ]


def step(
    draft: Draft,
    lists: report_flow.Lists,
    lang: str,
    error: str | None = None,
    params: dict[str, Any] | None = None,
) -> Screen:
    """The question of the draft's current step (bot/services/report_flow.py says what each
    step asks), with its buttons; after a refusal, the reason first."""
    question = report_flow.ask(draft.data, draft.step, lists)
    given = _listed_at_step(list(question.items), lang) if question.items else ""
    if question.answers:
        given += "\n" + "\n".join(
            f"• {esc(proposal)}\n  → {esc(answer)}" for proposal, answer in question.answers
        )
    text, rows = drawn(
        question,
        lang,
        lambda value: cb.ReportChoiceData(draft.id, draft.revision, value),
        after=given,
        refusal=refusal_line(error, params, lang) if error is not None else None,
    )
    rows.append(_nav(draft, lang))
    return Screen(text, InlineKeyboardMarkup(rows))


# What a step repeats of the items given so far: the whole list while it is short, else the
# latest ones (the review shows them all).
STEP_LIST_LIMIT = 2500


def _listed_at_step(items: list[str], lang: str) -> str:
    whole = _listed(items)
    if len(whole) <= STEP_LIST_LIMIT:
        return whole
    shown: list[str] = []
    size = 0
    for number in range(len(items), 0, -1):
        line = f"{number}. {esc(items[number - 1])}"
        if shown and size + len(line) > STEP_LIST_LIMIT:
            break
        shown.insert(0, line)
        size += len(line) + 1
    earlier = len(items) - len(shown)
    note = texts(lang).gettext("… {count} earlier, all shown in the review").format(count=earlier)
    return "\n" + "\n".join([note, *shown])


def _listed(items: list[str]) -> str:
    if not items:
        return ""
    return "\n" + "\n".join(f"{n}. {esc(item)}" for n, item in enumerate(items, 1))


def summary_lines(
    data: dict[str, Any], lists: report_flow.Lists, lang: str
) -> list[tuple[str, str]]:
    """(section, text) pairs describing a report's content."""
    t = texts(lang)
    topic_names = {topic.id: topic.name for topic in lists.topics}
    field_names = {field.id: field.name for field in lists.fields}
    if data.get("held") == "no":
        return [
            (
                "held",
                t.gettext("<b>Not held.</b> Reason: {reason}").format(
                    reason=esc(data.get("not_held_reason", ""))
                ),
            )
        ]
    held_on = date.fromisoformat(data["held_on"]) if data.get("held_on") else None
    out = [
        (
            "held",
            t.gettext("<b>Held</b> {date}").format(
                date=weekday_date(held_on, lang) if held_on else "?"
            ),
        )
    ]
    if "start" in data:
        minutes = report_flow.minutes_between(data["start"], data["end"])
        line = t.gettext("<b>Times:</b> {start}–{end} ({minutes} minutes)").format(
            start=data["start"], end=data["end"], minutes=minutes
        )
        if minutes < report_flow.MIN_MINUTES:
            line += " ⚠ " + t.gettext("under 90 minutes")
        out.append(("times", line))
    if "excused" in data:
        rate = report_flow.attendance_rate(data)
        out.append(
            (
                "attendance",
                t.gettext(
                    "<b>Attendance:</b> {present}/{expected} present ({rate}); total {total},"
                    " exempted {exempted}, absent with reason {excused}, without reason"
                    " {unexcused}"
                ).format(
                    present=data["present"],
                    expected=data["total"] - data["exempted"],
                    rate=f"{rate:.0%}" if rate is not None else "—",
                    total=data["total"],
                    exempted=data["exempted"],
                    excused=data["excused"],
                    unexcused=report_flow.unexcused(data),
                ),
            )
        )
    names = [esc(topic_names.get(topic_id, "?")) for topic_id in data.get("topics", [])]
    if data.get("other_topic"):
        names.append(esc(data["other_topic"]))
    out.append(
        (
            "topics",
            t.gettext("<b>Topics:</b> {topics}").format(
                topics=", ".join(names) or t.gettext("none")
            ),
        )
    )
    content = esc(data.get("content", ""))
    files = len(data.get("attachments", []))
    line = t.gettext("<b>Content:</b> {content}").format(content=content)
    if files:
        line += " " + t.gettext("(+{count} files)").format(count=files)
    out.append(("content", line))
    out.append(
        (
            "concerns",
            t.gettext("<b>Concerns:</b>")
            + (_listed(data.get("concerns", [])) or " " + t.gettext("none")),
        )
    )
    proposals = [
        (f"[{field_names[p['field_id']]}] " if p.get("field_id") in field_names else "")
        + f"{p['text']}"
        + (" 🔴" if p.get("urgency") == "urgent" else "")
        for p in data.get("proposals", [])
    ]
    out.append(
        (
            "proposals",
            t.gettext("<b>Proposals:</b>") + (_listed(proposals) or " " + t.gettext("none")),
        )
    )
    out.append(
        (
            "contribution",
            t.gettext("<b>Your contribution:</b> {text}").format(
                text=esc(data.get("contribution", ""))
            ),
        )
    )
    if data.get("to_convey") and data.get("conveyed") in report_flow.CONVEYED:
        out.append(
            (
                "conveyed",
                t.gettext("<b>Answers to earlier proposals:</b> {how}").format(
                    how=t.gettext(report_flow.CONVEYED[data["conveyed"]]).lower()
                )
                + (
                    "\n"
                    + t.gettext("<b>What the branch said:</b> {text}").format(
                        text=esc(data["branch_opinion"])
                    )
                    if data["conveyed"] == "concerns" and data.get("branch_opinion")
                    else ""
                ),
            )
        )
    ratings = dict(zip(report_quality.RATING_CODES, report_quality.RATINGS, strict=True))
    rating_label = ratings.get(data.get("rating", ""))
    quality = t.gettext("<b>Quality:</b> {rating}; criteria met {met}/{all}").format(
        rating=t.gettext(rating_label) if rating_label else "—",
        met=len(report_flow.criteria_met(data)),
        all=len(report_quality.CRITERIA),
    )
    if data.get("comment"):
        quality += f"; {esc(data['comment'])}"
    out.append(("quality", quality))
    return out


def review(
    draft: Draft,
    lists: report_flow.Lists,
    branch: Unit,
    meeting: Meeting,
    zone: ZoneInfo,
    lang: str,
) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("<b>Report on {branch}, {when}</b>").format(
            branch=esc(branch.name), when=_when(meeting, zone, lang)
        ),
        "",
    ]
    sections = summary_lines(draft.data, lists, lang)
    # Every section whole: a long review is sent in several messages, split between lines.
    lines += [line for _, text in sections for line in text.split("\n")]
    lines += ["", t.gettext("Check it, edit a section if needed, then press Send.")]
    edit = [
        Button(
            "✏ " + t.gettext(report_flow.SECTION_NAMES[report_flow.Section(section)]),
            callback_data=cb.ReportEditData(draft.id, draft.revision, section).pack(),
        )
        for section, _ in sections
    ]
    rows = [edit[i : i + 2] for i in range(0, len(edit), 2)]
    rows.append(
        [
            Button(
                t.gettext("📨 Send the report"),
                callback_data=cb.ReportSendData(draft.id, draft.revision).pack(),
            )
        ]
    )
    rows.append(
        [
            Button(
                t.gettext("✖ Stop, keep the draft"),
                callback_data=cb.ReportStopData(draft.id, draft.revision).pack(),
            )
        ]
    )
    return Screen.of_lines(lines, InlineKeyboardMarkup(rows))


def paused(lang: str) -> Screen:
    return said(lang, N_("The draft is saved. Send /baocao to continue it later."))


def sent(result: Sent, amend_days: int, lang: str) -> Screen:
    t = texts(lang)
    if result.amended:
        text = t.gettext("✅ Report no. {number} is amended (version {version}).")
    else:
        text = t.gettext(
            "✅ Report no. {number} is received. Thank you, comrade. You may amend it"
            " for {days} days with /baocao."
        )
    return Screen(
        text.format(number=result.report.id, version=result.version.version, days=amend_days)
    )


def urgent_notice(result: Sent, proposal: Proposal, zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    return Screen(
        t.gettext(
            "🔴 <b>Urgent proposal</b> from {branch} (meeting of {when}), reported by comrade"
            " {name}:\n{text}"
        ).format(
            branch=esc(result.branch.name),
            when=_when(result.meeting, zone, lang),
            name=esc(result.author.full_name),
            text=esc(proposal.text),
        ),
        proposal_screens.triage_keyboard(proposal, lang),
    )


def did_not_attend(lang: str) -> str:
    return texts(lang).gettext("Understood: no report is expected from you for this meeting.")


def report_list(
    rows: list[tuple[Report, Meeting, Unit, Person]], zone: ZoneInfo, lang: str
) -> list[str]:
    t = texts(lang)
    if not rows:
        return [t.gettext("No report found.")]
    lines = [t.gettext("<b>Reports</b> (see one with /xembaocao and its number)")]
    for report, meeting, branch, author in rows:
        late = " — " + t.gettext("late") if report.late else ""
        lines.append(
            f"• <code>{report.id}</code> {esc(branch.name)}, "
            f"{day(meeting.starts_at.astimezone(zone).date())}, {esc(author.full_name)}{late}"
        )
    return split_lines(lines)


OWN_REPORTS_SHOWN = 10


def own_reports(
    rows: list[tuple[Report, Meeting, Unit, Person]], zone: ZoneInfo, lang: str
) -> Screen:
    """One's own reports, the latest first, a button to read each."""
    t = texts(lang)
    if not rows:
        return Screen(t.gettext("You have sent no report yet."))
    latest = sorted(rows, key=lambda row: row[1].starts_at, reverse=True)[:OWN_REPORTS_SHOWN]
    lines = [t.gettext("<b>Your reports</b> (press one to read it in full)")]
    buttons = []
    for report, meeting, branch, _ in latest:
        when = day(meeting.starts_at.astimezone(zone).date())
        late = " — " + t.gettext("late") if report.late else ""
        number = t.gettext("No. {number}").format(number=report.id)
        lines.append(f"• {number}: {esc(branch.name)}, {when}{late}")
        label = t.gettext("📄 No. {number}").format(number=report.id)
        buttons.append((label, cb.ReportViewData(report.id)))
    if len(rows) > len(latest):
        lines.append(t.gettext("Older ones: /lichsu."))
    rows_of_buttons = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return Screen("\n".join(lines), inline_keyboard(*rows_of_buttons))


def no_such_report(number: int | None, lang: str) -> Screen:
    t = texts(lang)
    if number is None:
        return Screen(
            t.gettext(
                "Please send /xembaocao with a report's number, or /xembaocao alone for yours."
            )
        )
    return Screen(
        t.gettext(
            "There is no report no. {number} among those you may read. Send /xembaocao to see"
            " yours."
        ).format(number=number)
    )


def report_full(view: ReportView, lists: report_flow.Lists, zone: ZoneInfo, lang: str) -> list[str]:
    t = texts(lang)
    lines = [
        t.gettext("<b>Report no. {number}</b>, version {version}").format(
            number=view.report.id, version=view.version.version
        ),
        t.gettext("{branch}, {when}; by comrade {name}").format(
            branch=esc(view.branch.name),
            when=_when(view.meeting, zone, lang),
            name=esc(view.author.full_name),
        ),
        "",
    ]
    lines += [
        line
        for _, text in summary_lines(view.version.content, lists, lang)
        for line in text.split("\n")
    ]
    return split_lines(lines)


def history_usage(lang: str) -> Screen:
    return usage_line(
        lang,
        N_(
            "Usage: /lichsu branch-code, or /lichsu person-code [from dd/mm/yyyy]"
            " [to dd/mm/yyyy]; /xembaocao number; /kiennghi branch-code."
        ),
    )
