"""The monthly digest as text: a summary within Telegram's limits; the files hold the rest."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.domain.digest import LIST_LIMIT, BranchLine, DigestFigures, Edition, Month
from bot.domain.quality import RATING_CODES
from bot.formats.dates import day
from bot.formats.numbers import count, decimal, percent, points, share
from bot.formats.wording import (
    CRITERIA_SHORT,
    in_progress,
    loop_lines,
    older_proposals,
    rating_name,
)
from bot.i18n import N_
from bot.render import MESSAGE_LIMIT, Screen, esc, said, split_lines, texts

TEXT_LIMIT = 150  # characters of a proposal quoted in the digest
# People a list in a message names before "and N more comrades": a province's office edition
# would otherwise name some 300 people who have not reported, seven messages long.
PEOPLE_LIMIT = 15


def captions(figures: DigestFigures, lang: str) -> dict[str, str]:
    t = texts(lang)
    month = figures.month.label
    return {
        "chart": t.gettext(
            "📈 Month {month}: rates by unit, ratings of the meetings, and the last twelve months."
        ).format(month=month),
        "sheet": t.gettext(
            "📋 Spreadsheet for {month}: meetings, reports, proposals, and twelve months branch by"
            " branch."
        ).format(month=month),
        "document": t.gettext(
            "📄 Report for {month}, ready to edit and sign (Word document)."
        ).format(month=month),
    }


def digest_messages(figures: DigestFigures, lang: str) -> list[str]:
    """The digest as one message (the group's edition always fits) or a few (the office's)."""
    return split_lines(_lines(figures, lang), MESSAGE_LIMIT)


def no_group(month: str, lang: str) -> Screen:
    return Screen(
        texts(lang)
        .gettext(
            "The digest for {month} is ready, but no leadership group is registered. Add the bot"
            " to the group and send /dangkynhom there: the digest will be posted then. Meanwhile"
            " /tonghop {month} shows it here."
        )
        .format(month=month)
    )


def usage(lang: str) -> Screen:
    return said(
        lang,
        N_(
            "/tonghop shows last month's digest; /tonghop 11/2026 shows the digest of November"
            " 2026."
        ),
    )


def not_begun(month: Month, lang: str) -> Screen:
    return Screen(texts(lang).gettext("Month {month} has not begun yet.").format(month=month.label))


def no_organisation(lang: str) -> Screen:
    return said(lang, N_("The roster has no units yet: import the roster workbook first."))


def making(month: Month, lang: str) -> Screen:
    return Screen(texts(lang).gettext("⏳ Counting month {month}…").format(month=month.label))


def post_again(root_id: int, month: Month, reposts: int, lang: str) -> Screen:
    """Under the office's copy: post this month's digest to the leadership group."""
    t = texts(lang)
    button = InlineKeyboardButton(
        t.gettext("📤 Post it to the leadership group"),
        callback_data=cb.DigestPostData(root_id, month.key, reposts).pack(),
    )
    return Screen(
        t.gettext(
            "The leadership group sees the group's edition: the same figures, without the names"
            " of people who have not reported and without the quota."
        ),
        InlineKeyboardMarkup([[button]]),
    )


def posted_notice(outcome: str, title: str, lang: str) -> str:
    t = texts(lang)
    notices = {
        "queued": t.gettext('Queued for the group "{title}".').format(title=title),
        "already": t.gettext("This month's digest has already been posted."),
        "no_group": t.gettext(
            "No leadership group is registered: send /dangkynhom in the group first."
        ),
        "stale": t.gettext("This button has already been used; nothing was posted again."),
    }
    return notices[outcome]


def _lines(figures: DigestFigures, lang: str) -> list[str]:
    t = texts(lang)
    now = figures.current
    lines = [
        t.gettext("📊 <b>DIGEST FOR {month}</b>").format(month=figures.month.label),
        t.gettext("<b>{org}</b>: committee members at branch meetings").format(
            org=esc(figures.org_name)
        ),
        "",
    ]
    if not now.has_data and figures.as_of is not None:
        return [*lines, in_progress(figures, lang)]
    if not now.has_data:
        lines.append(
            t.gettext(
                "No branch meeting was planned in {month}: there is nothing to count."
            ).format(month=figures.month.label)
        )
        lines.append(older_proposals(figures, lang))
        return lines
    if figures.as_of is not None:
        lines += [in_progress(figures, lang), ""]
    lines += _assignments(figures, lang)
    lines += _branches(figures, lang)
    lines += _reports(figures, lang)
    lines += _quality(figures, lang)
    lines += _topics(figures, lang)
    lines += _proposals(figures, lang)
    if figures.edition == Edition.OFFICE and figures.quota:
        lines += _quota(figures, lang)
    lines.append(
        t.gettext("The attached spreadsheet and report document hold the details.")
        if figures.edition == Edition.GROUP
        else t.gettext(
            "The attached spreadsheet holds every row, names included; the report document is"
            " ready to edit and sign."
        )
    )
    return lines


def _item(label: str, part: int, whole: int, lang: str) -> str:
    return f"• {label}: {count(part, lang)} ({percent(part, whole, lang)})"


def _assignments(figures: DigestFigures, lang: str) -> list[str]:
    t = texts(lang)
    now = figures.current
    a = now.attendance
    lines = [
        t.gettext("<b>1. Assignments</b>"),
        t.gettext("Meetings planned: {planned}; cancelled: {cancelled}.").format(
            planned=count(now.planned, lang), cancelled=count(now.cancelled, lang)
        ),
        t.gettext("Assignments (a committee member to a meeting): {slots}").format(
            slots=count(a.slots, lang)
        ),
        _item(t.gettext("attended by the assigned member"), a.attended, a.slots, lang),
        _item(t.gettext("attended by a stand-in"), a.stood_in, a.slots, lang),
        _item(t.gettext("missed, with a reason"), a.excused, a.slots, lang),
        _item(t.gettext("missed, without a reason"), a.unexcused, a.slots, lang),
    ]
    comparison = _compare(
        figures,
        lambda f: f.attendance.covered / f.attendance.slots if f.attendance.slots else None,
        lang,
    )
    if comparison:
        lines.append(
            t.gettext("Committee member present: {comparison}.").format(comparison=comparison)
        )
    lines.append("")
    return lines


def _compare(figures: DigestFigures, rate_of, lang: str) -> str:
    """'86,7%; 80,0% the month before (+6,7 points); 75,0% a year earlier (+11,7 points)'."""
    t = texts(lang)
    now = rate_of(figures.current)
    if now is None:
        return ""
    parts = [share(now, lang)]
    for other, text in (
        (figures.previous, N_("{rate} the month before ({delta} percentage points)")),
        (figures.last_year, N_("{rate} a year earlier ({delta} percentage points)")),
    ):
        rate = rate_of(other) if other.has_data else None
        if rate is not None:
            parts.append(
                t.gettext(text).format(rate=share(rate, lang), delta=points(now - rate, lang))
            )
    return "; ".join(parts)


def _listed(title: str, lines: list[BranchLine], lang: str, with_rate: bool = False) -> list[str]:
    t = texts(lang)
    if not lines:
        return []
    names = []
    for line in lines[:LIST_LIMIT]:
        name = esc(line.name)
        if with_rate:
            name += f" ({share(line.rate, lang)})"
        names.append(name)
    text = f"{title} ({count(len(lines), lang)}): " + "; ".join(names)
    if len(lines) > LIST_LIMIT:
        text += t.gettext("; and {n} more (see the spreadsheet)").format(
            n=count(len(lines) - LIST_LIMIT, lang)
        )
    return [text + "."]


def _branches(figures: DigestFigures, lang: str) -> list[str]:
    t = texts(lang)
    now = figures.current
    lines = [
        t.gettext("<b>2. Branches</b>"),
        t.gettext(
            "Branches that met with a committee member present: {covered} of {branches} ({rate})."
        ).format(
            covered=count(now.branches_covered, lang),
            branches=count(now.branches, lang),
            rate=percent(now.branches_covered, now.branches, lang),
        ),
    ]
    lines += _listed(t.gettext("Met without a committee member"), figures.uncovered, lang)
    lines += _listed(t.gettext("Did not meet, or not known to have met"), figures.not_met, lang)
    lines.append("")
    return lines


def _reports(figures: DigestFigures, lang: str) -> list[str]:
    t = texts(lang)
    r = figures.current.reporting
    lines = [
        t.gettext("<b>3. Reports after the meeting</b>"),
        t.gettext(
            "Expected: {expected}; on time: {on_time}; late: {late}; not received: {missing}."
        ).format(
            expected=count(r.expected, lang),
            on_time=count(r.on_time, lang),
            late=count(r.late, lang),
            missing=count(r.missing, lang),
        ),
    ]
    comparison = _compare(
        figures,
        lambda f: f.reporting.on_time / f.reporting.expected if f.reporting.expected else None,
        lang,
    )
    if comparison:
        lines.append(t.gettext("On time: {comparison}.").format(comparison=comparison))
    if figures.edition == Edition.OFFICE and figures.missing:
        lines.append(t.gettext("Not received from:"))
        for item in figures.missing[:PEOPLE_LIMIT]:
            lines.append(
                f"• {esc(item.person)} ({esc(item.person_code)}): {esc(item.branch)},"
                f" {day(item.meeting_on)}"
            )
        lines += _more_people(len(figures.missing), lang)
    lines.append("")
    return lines


def _quality(figures: DigestFigures, lang: str) -> list[str]:
    t = texts(lang)
    q = figures.current.quality
    lines = [
        t.gettext("<b>4. Quality of the meetings</b> ({held} reports on meetings held)").format(
            held=count(q.held, lang)
        )
    ]
    if q.held:
        lines.append(
            t.gettext(
                "Members present: {rate} of those expected (exempted members left out)."
            ).format(rate=share(q.attendance_rate, lang))
        )
        lines.append(
            t.gettext("Ratings: {ratings}.").format(
                ratings=" · ".join(
                    f"{rating_name(code, lang)} {count(q.ratings.get(code, 0), lang)}"
                    for code in RATING_CODES
                )
            )
        )
        held = count(q.held, lang)
        met = [
            f"{t.gettext(label)}: {count(q.criteria.get(code, 0), lang)}/{held}"
            for code, label in CRITERIA_SHORT.items()
        ]
        lines.append(t.gettext("Criteria met: {criteria}.").format(criteria="; ".join(met)))
    lines += _listed(
        t.gettext("Members' attendance below 85%"), figures.low_attendance, lang, with_rate=True
    )
    lines.append("")
    return lines


def _topics(figures: DigestFigures, lang: str) -> list[str]:
    t = texts(lang)
    if not figures.topics:
        return []
    lines = [t.gettext("<b>5. Most discussed</b>")]
    for rank, (name, n) in enumerate(figures.topics, start=1):
        lines.append(
            t.ngettext("{rank}. {topic}: {n} meeting", "{rank}. {topic}: {n} meetings", n).format(
                rank=rank, topic=esc(name), n=count(n, lang)
            )
        )
    lines.append("")
    return lines


def _proposals(figures: DigestFigures, lang: str) -> list[str]:
    t = texts(lang)
    now = figures.current
    lines = [
        t.gettext("<b>6. Proposals</b>"),
        t.gettext("Raised this month: {n} (urgent: {urgent}).").format(
            n=count(now.proposals_new, lang), urgent=count(figures.proposals_urgent, lang)
        ),
    ]
    if figures.proposals_by_field:
        no_field = t.gettext("Other field")
        fields = [
            f"{esc(name) if name else no_field}: {count(n, lang)}"
            for name, n in figures.proposals_by_field[:LIST_LIMIT]
        ]
        lines.append(t.gettext("By field: {fields}.").format(fields=" · ".join(fields)))
    if figures.urgent:
        lines.append(t.gettext("Urgent:"))
        for item in figures.urgent:
            text = item.text if len(item.text) <= TEXT_LIMIT else item.text[: TEXT_LIMIT - 1] + "…"
            lines.append(f"• {esc(item.branch)}: {esc(text)}")
    lines.append(older_proposals(figures, lang))
    lines += loop_lines(figures, lang)
    lines.append("")
    return lines


def _quota(figures: DigestFigures, lang: str) -> list[str]:
    t = texts(lang)
    lines_ = figures.quota_lines
    behind = [line for line in lines_ if not line.on_track]
    lines = [
        t.gettext("<b>7. Yearly attendance quota</b> ({quota} a year)").format(
            quota=count(figures.quota or 0, lang)
        ),
        t.gettext("On track by the end of {month}: {on} of {all}.").format(
            month=figures.month.label,
            on=count(len(lines_) - len(behind), lang),
            all=count(len(lines_), lang),
        ),
    ]
    if behind:
        lines.append(t.gettext("Behind:"))
        for line in behind[:PEOPLE_LIMIT]:
            lines.append(
                t.gettext("• {name} ({code}): {done} of {due} due by now").format(
                    name=esc(line.name),
                    code=esc(line.code),
                    done=count(line.done, lang),
                    due=decimal(line.due_by_now, lang),
                )
            )
        lines += _more_people(len(behind), lang)
    lines.append("")
    return lines


def _more_people(listed: int, lang: str) -> list[str]:
    """The line after a list of people cut at PEOPLE_LIMIT: the spreadsheet has them all."""
    if listed <= PEOPLE_LIMIT:
        return []
    return [
        texts(lang)
        .gettext("• and {n} more comrades (the full list is in the spreadsheet).")
        .format(n=count(listed - PEOPLE_LIMIT, lang))
    ]
