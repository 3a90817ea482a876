"""A meeting's quality as the guideline judges it: the criteria the attendee ticks, the
rating on the organisation's scale, and how a branch took the answers to its proposals."""

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
