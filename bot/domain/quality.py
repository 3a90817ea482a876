"""A meeting's quality as the guideline judges it: the criteria (those the figures decide are
computed, the others ticked by the attendee), the rating on the organisation's scale, and how
a branch took the answers to its proposals."""

from __future__ import annotations

from bot.i18n import N_

CRITERIA = (
    ("attendance", N_("Attendance above 85%, no unexcused absence")),
    ("prepared", N_("Content prepared by the secretary; branch committee met beforehand")),
    ("duration", N_("Lasted at least 90 minutes")),
    ("discussion", N_("Many members spoke")),
    ("minutes", N_("Minutes complete")),
    ("principles", N_("Party principles kept")),
    ("follow_up", N_("Earlier conclusions carried out")),
)
RATINGS = (N_("Good"), N_("Fairly good"), N_("Average"), N_("Poor"))
RATING_CODES = ("good", "fair", "average", "poor")
# How the branch took the answers to its earlier proposals, asked when there were some.
CONVEYED_CODES = ("agreed", "concerns", "not")
# The criteria the report's own figures decide: never asked, always computed from them.
ATTENDANCE_SHARE = 0.85  # "trên 85% đảng viên dự"
MIN_MINUTES = 90
COMPUTED = ("attendance", "duration")
# A rating the criteria do not bear out is questioned once: "good" wants at least this many
# criteria met, and "poor" at most that many.
GOOD_AT_LEAST = 5
POOR_AT_MOST = 2


def computed_criteria(
    expected: int | None, present: int | None, unexcused: int | None, minutes: int | None
) -> dict[str, bool]:
    """What the figures say of the criteria they decide (those they cannot tell yet are
    left out): more than 85% of the members expected present with no unexcused absence, and
    a meeting of 90 minutes or more."""
    computed = {}
    if expected and present is not None and unexcused is not None:
        computed["attendance"] = present / expected > ATTENDANCE_SHARE and unexcused == 0
    if minutes is not None:
        computed["duration"] = minutes >= MIN_MINUTES
    return computed


def criteria_met(ticked: list[str], computed: dict[str, bool]) -> list[str]:
    """The criteria met, in the guideline's order: the figures decide theirs, the attendee's
    ticks the others."""
    met = (set(ticked) - set(computed)) | {code for code, held in computed.items() if held}
    return [code for code, _ in CRITERIA if code in met]


def rating_questioned(rating: str, met: int) -> bool:
    """A rating the criteria met do not bear out (asked once more, never refused)."""
    return (rating == "good" and met < GOOD_AT_LEAST) or (rating == "poor" and met > POOR_AT_MOST)
