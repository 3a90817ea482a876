"""The report conversation, the requests and nudges, and the history leaders read."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.i18n import N_
from bot.render import Screen, esc, split_lines, texts
from bot.render import proposals as proposal_screens
from bot.render.dates import day, moment, weekday_date
from bot.services import report_flow
from bot.services.reports import Owed, Refusal, ReportView, Sent
from db.models import Draft, Meeting, Person, Proposal, Report, Topic, Unit

Button = InlineKeyboardButton
SECTION_NAMES = {
    "held": N_("Held"),
    "times": N_("Times"),
    "attendance": N_("Attendance"),
    "topics": N_("Topics"),
    "content": N_("Content"),
    "concerns": N_("Concerns"),
    "proposals": N_("Proposals"),
    "contribution": N_("Your contribution"),
    "quality": N_("Quality"),
}


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
    rsvp = item.rsvp.id
    keyboard = InlineKeyboardMarkup(
        [
            [
                Button(
                    t.gettext("📝 Report now"),
                    callback_data=cb.ReportRequestData(rsvp, "now").pack(),
                ),
                Button(
                    t.gettext("⏰ Later"), callback_data=cb.ReportRequestData(rsvp, "later").pack()
                ),
            ],
            [
                Button(
                    t.gettext("I did not attend"),
                    callback_data=cb.ReportRequestData(rsvp, "no").pack(),
                )
            ],
        ]
    )
    return Screen(text, keyboard)


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
    keyboard = InlineKeyboardMarkup(
        [
            [
                Button(
                    t.gettext("📝 Report now"),
                    callback_data=cb.ReportRequestData(item.rsvp.id, "now").pack(),
                )
            ]
        ]
    )
    return Screen(text, keyboard)


def later(lang: str) -> str:
    return texts(lang).gettext("Understood. Send /baocao whenever you are ready.")


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


def _choice(draft: Draft, text: str, value: object) -> Button:
    return Button(text, callback_data=cb.ReportChoiceData(draft.id, draft.revision, value).pack())


def step(
    draft: Draft,
    topics: list[Topic],
    lang: str,
    error: str | None = None,
    params: dict[str, Any] | None = None,
) -> Screen:
    """The question of the draft's current step, with its buttons; after a refusal, the
    reason first."""
    t = texts(lang)
    data = draft.data
    rows: list[list[Button]] = []
    match draft.step:
        case "held":
            question = t.gettext("1/9. Was the meeting held?")
            rows = [
                [_choice(draft, t.gettext("Yes, as planned"), "yes")],
                [_choice(draft, t.gettext("Yes, on another date"), "other")],
                [_choice(draft, t.gettext("It was not held"), "no")],
            ]
        case "held_date":
            question = t.gettext("On which date was it held? Write it as dd/mm, e.g. 07/12.")
        case "not_held_reason":
            question = t.gettext("Why was the meeting not held? Please write the reason.")
        case "times":
            question = t.gettext("2/9. When did it start and end? Write e.g. 19h30-21h15.")
            rows = [
                [
                    _choice(
                        draft,
                        t.gettext("As planned: {start}–{end}").format(
                            start=data["planned_start"], end=data["planned_end"]
                        ),
                        "planned",
                    )
                ]
            ]
        case "total":
            question = t.gettext(
                "3/9. How many members does the branch have? You may also"
                " write present/total, e.g. 18/22."
            )
            if data.get("last_total"):
                rows = [
                    [
                        _choice(
                            draft,
                            t.gettext("{count} (as last time)").format(count=data["last_total"]),
                            data["last_total"],
                        )
                    ]
                ]
        case "exempted":
            question = t.gettext("How many members are exempted from meetings (miễn sinh hoạt)?")
            rows = [
                [
                    _choice(draft, "0", 0),
                    _choice(draft, "1", 1),
                    _choice(draft, "2", 2),
                    _choice(draft, "3", 3),
                ]
            ]
        case "present":
            question = t.gettext("How many members were present?")
        case "excused":
            question = t.gettext(
                "How many were absent with a reason? The rest count as absent without reason."
            )
            rows = [
                [
                    _choice(draft, "0", 0),
                    _choice(draft, "1", 1),
                    _choice(draft, "2", 2),
                    _choice(draft, "3", 3),
                ]
            ]
        case "topics" | "other_topic":
            if draft.step == "other_topic":
                question = t.gettext("Write the other topic discussed.")
            else:
                question = t.gettext(
                    "4/9. Which topics were discussed? Tick all that apply, then press Done."
                )
                chosen = set(data.get("topics", []))
                for topic in topics:
                    mark = "☑ " if topic.id in chosen else "☐ "
                    rows.append([_choice(draft, (mark + topic.name)[:60], topic.id)])
                rows.append(
                    [
                        _choice(draft, t.gettext("➕ Another topic"), "other"),
                        _choice(draft, t.gettext("✅ Done"), "done"),
                    ]
                )
        case "content":
            question = t.gettext(
                "5/9. Write a summary of the content (up to 3,000 characters per message; send"
                " more parts if needed). A photo of the minutes or a voice message is welcome"
                " too. Press Done when finished."
            )
            if data.get("content") or data.get("attachments"):
                question += "\n" + t.gettext(
                    "Received so far: {chars} characters, {files} files."
                ).format(chars=len(data.get("content", "")), files=len(data.get("attachments", [])))
            rows = [[_choice(draft, t.gettext("✅ Done"), "done")]]
        case "concerns":
            question = t.gettext(
                "6/9. Concerns and wishes of members and residents: send each as"
                " a message, then press Done."
            )
            question += _listed_at_step(data.get("concerns", []), lang)
            rows = [
                [
                    _choice(draft, t.gettext("None"), "none"),
                    _choice(draft, t.gettext("✅ Done"), "done"),
                ]
            ]
        case "proposals":
            question = t.gettext(
                "7/9. Proposals to the higher level: send each as a message;"
                " you will then choose its field and urgency. Press Done when"
                " finished."
            )
            question += _listed_at_step([p["text"] for p in data.get("proposals", [])], lang)
            rows = [
                [
                    _choice(draft, t.gettext("None"), "none"),
                    _choice(draft, t.gettext("✅ Done"), "done"),
                ]
            ]
        case "proposal_topic":
            question = t.gettext("Which field does this proposal concern?")
            rows = [[_choice(draft, topic.name[:60], topic.id)] for topic in topics]
            rows.append([_choice(draft, t.gettext("Other field"), "none")])
        case "proposal_urgency":
            question = t.gettext("How urgent is it?")
            rows = [
                [
                    _choice(draft, t.gettext("Normal"), "normal"),
                    _choice(draft, t.gettext("🔴 Urgent"), "urgent"),
                ]
            ]
        case "contribution":
            question = t.gettext(
                "8/9. Your own contribution: what you conveyed and the guidance you gave."
            )
        case "conveyed":
            question = t.gettext(
                "8/9. The answers to the branch's earlier proposals: were they conveyed to the"
                " branch at this meeting, and how did it take them?"
            )
            question += "\n" + "\n".join(
                f"• {esc(item['text'][:120])}\n  → {esc(item['answer'][:300])}"
                for item in data.get("to_convey", [])
            )
            rows = [
                [_choice(draft, t.gettext(CONVEYED[code]), code)]
                for code in report_flow.CONVEYED_CODES
            ]
        case "criteria":
            question = t.gettext(
                "9/9. Which criteria of a good meeting were met? Tick them, then press Done."
            )
            chosen = set(data.get("criteria", []))
            for code, label in report_flow.CRITERIA:
                mark = "☑ " if code in chosen else "☐ "
                rows.append([_choice(draft, (mark + t.gettext(label))[:60], code)])
            rows.append([_choice(draft, t.gettext("✅ Done"), "done")])
        case "rating":
            question = t.gettext("Your rating of the meeting's quality:")
            rows = [
                [
                    _choice(draft, t.gettext(label), code)
                    for code, label in zip(
                        report_flow.RATING_CODES, report_flow.RATINGS, strict=True
                    )
                ]
            ]
        case "comment":
            question = t.gettext("A comment on the quality, if any (or press Skip).")
            rows = [[_choice(draft, t.gettext("Skip"), "skip")]]
        case _:
            question = ""
    text = question
    if error is not None:
        reason = t.gettext(error).format(**{k: esc(v) for k, v in (params or {}).items()})
        text = f"⚠ {reason}\n\n{question}"
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
    data: dict[str, Any], topic_names: dict[int, str], lang: str
) -> list[tuple[str, str]]:
    """(section, text) pairs describing a report's content."""
    t = texts(lang)
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
        f"{p['text']}" + (" 🔴" if p.get("urgency") == "urgent" else "")
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
    if data.get("to_convey") and data.get("conveyed") in CONVEYED:
        out.append(
            (
                "contribution",
                t.gettext("<b>Answers to earlier proposals:</b> {how}").format(
                    how=t.gettext(CONVEYED[data["conveyed"]]).lower()
                ),
            )
        )
    ratings = dict(zip(report_flow.RATING_CODES, report_flow.RATINGS, strict=True))
    rating_label = ratings.get(data.get("rating", ""))
    quality = t.gettext("<b>Quality:</b> {rating}; criteria met {met}/{all}").format(
        rating=t.gettext(rating_label) if rating_label else "—",
        met=len(data.get("criteria", [])),
        all=len(report_flow.CRITERIA),
    )
    if data.get("comment"):
        quality += f"; {esc(data['comment'])}"
    out.append(("quality", quality))
    return out


CONVEYED = {
    "agreed": N_("Conveyed; the branch agreed"),
    "concerns": N_("Conveyed; the branch still has concerns"),
    "not": N_("Not conveyed"),
}


def review(
    draft: Draft, topics: list[Topic], branch: Unit, meeting: Meeting, zone: ZoneInfo, lang: str
) -> Screen:
    t = texts(lang)
    names = {topic.id: topic.name for topic in topics}
    lines = [
        t.gettext("<b>Report on {branch}, {when}</b>").format(
            branch=esc(branch.name), when=_when(meeting, zone, lang)
        ),
        "",
    ]
    sections = summary_lines(draft.data, names, lang)
    # Every section whole: a long review is sent in several messages, split between lines.
    lines += [line for _, text in sections for line in text.split("\n")]
    lines += ["", t.gettext("Check it, edit a section if needed, then press Send.")]
    edit = [
        Button(
            "✏ " + t.gettext(SECTION_NAMES[section]),
            callback_data=cb.ReportEditData(draft.id, draft.revision, section).pack(),
        )
        for section, _ in sections
    ]
    rows = [edit[i : i + 3] for i in range(0, len(edit), 3)]
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
    return Screen(texts(lang).gettext("The draft is saved. Send /baocao to continue it later."))


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


def report_full(view: ReportView, topics: list[Topic], zone: ZoneInfo, lang: str) -> list[str]:
    t = texts(lang)
    names = {topic.id: topic.name for topic in topics}
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
        for _, text in summary_lines(view.version.content, names, lang)
        for line in text.split("\n")
    ]
    return split_lines(lines)


def history_usage(lang: str) -> Screen:
    return Screen(
        esc(
            texts(lang).gettext(
                "Usage: /lichsu branch-code, or /lichsu person-code [from dd/mm/yyyy]"
                " [to dd/mm/yyyy]; /xembaocao number; /kiennghi branch-code."
            )
        )
    )
