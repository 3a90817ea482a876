"""How the practice's values are worded wherever they are written, in a chat message or in a
file: a rating's name, a criterion's short name, a reason for not attending, and the digest's
sentences that its message and its report document share. Texts come from the catalog."""

from __future__ import annotations

from html import escape as html_escape

from bot.domain.digest import LIST_LIMIT, PROPOSAL_DUE_DAYS, DigestFigures
from bot.domain.quality import RATING_CODES, RATINGS
from bot.formats.dates import moment
from bot.formats.numbers import count, decimal
from bot.i18n import N_
from bot.i18n import translations as texts

CRITERIA_SHORT = {
    "attendance": N_("attendance above 85%"),
    "prepared": N_("prepared beforehand"),
    "duration": N_("at least 90 minutes"),
    "discussion": N_("many members spoke"),
    "minutes": N_("minutes complete"),
    "principles": N_("principles kept"),
    "follow_up": N_("earlier conclusions carried out"),
}

REASON_TEXTS = {
    "trip": N_("On a business trip"),
    "ill": N_("Ill"),
    "family": N_("Family matters"),
    "other": N_("Another reason"),
    "absence": N_("Away (absence registered)"),
    "after": N_("Did not attend (said after the meeting)"),
}


def rating_name(code: str, lang: str) -> str:
    return texts(lang).gettext(RATINGS[RATING_CODES.index(code)])


def reason_text(code: str | None, free_text: str, lang: str) -> str:
    """A reason as the office reads it: the person's own words for "another reason", else the
    reason's name (with the words, if any)."""
    if free_text and code in (None, "other"):
        return free_text
    label = texts(lang).gettext(REASON_TEXTS.get(code or "", "Another reason"))
    return f"{label}: {free_text}" if free_text else label


def in_progress(figures: DigestFigures, lang: str) -> str:
    """For a month not yet over: when the figures stop, and how many meetings are still to
    come (counted nowhere until they have happened)."""
    assert figures.as_of is not None
    return (
        texts(lang)
        .gettext(
            "Month {month} is not over: the figures run to {moment}; {upcoming} meetings still"
            " to come are not counted yet."
        )
        .format(
            month=figures.month.label,
            moment=moment(figures.as_of, lang),
            upcoming=count(figures.current.upcoming, lang),
        )
    )


def loop_lines(figures: DigestFigures, lang: str, escape=html_escape) -> list[str]:
    """What came of the proposals: assigned, answered within the deadline or not, how long
    answers took, what is open and late; and each handling body's share."""
    t = texts(lang)
    loop = figures.loop
    median = (
        t.gettext("; the median time to answer is {days} days").format(
            days=decimal(loop.median_days, lang)
        )
        if loop.median_days is not None
        else ""
    )
    lines = [
        t.gettext(
            "Assigned to a handling body this month: {assigned}. Answered: {answered}, of which"
            " {on_time} by their deadline{median}. Still open: {open}, of which {late} past"
            " their deadline."
        ).format(
            assigned=count(loop.assigned, lang),
            answered=count(loop.answered, lang),
            on_time=count(loop.answered_on_time, lang),
            median=median,
            open=count(loop.open_now, lang),
            late=count(loop.late_now, lang),
        )
    ]
    for body in loop.by_body[:LIST_LIMIT]:
        lines.append(
            t.gettext("- {body}: assigned {assigned}, answered {answered}, open {open}.").format(
                body=escape(body.name),
                assigned=count(body.assigned, lang),
                answered=count(body.answered, lang),
                open=count(body.open, lang),
            )
        )
    return lines


def older_proposals(figures: DigestFigures, lang: str) -> str:
    """One sentence on proposals from earlier months, for the message and the document."""
    return (
        texts(lang)
        .gettext(
            "Older proposals awaiting an answer: {open}, of which over {days} days: {overdue}."
            " Answered this month: {answered}."
        )
        .format(
            open=count(figures.open_older, lang),
            days=PROPOSAL_DUE_DAYS,
            overdue=count(figures.overdue, lang),
            answered=count(figures.answered_in_month, lang),
        )
    )
