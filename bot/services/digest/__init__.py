"""The monthly digest's figures, counted by the database.

Everything is aggregated in SQL, per branch and per month, over thirteen months at once (the
month, the eleven before it for the trend, and the same month a year earlier); Python only
adds branches up into units. What each figure means is written in docs/digest.md.

values.py holds the plain data, base.py what every query shares, figures.py the figures and
the month's lists, sheet.py the spreadsheet's rows.
"""

from __future__ import annotations

from bot.services.digest.figures import FigureQueries
from bot.services.digest.sheet import SheetQueries
from bot.services.digest.values import (
    GOOD_ATTENDANCE,
    LIST_LIMIT,
    PROPOSAL_DUE_DAYS,
    TREND_MONTHS,
    Attendance,
    BranchLine,
    BranchMonth,
    DigestFigures,
    Edition,
    MissingReport,
    Month,
    MonthFigures,
    ProposalLine,
    Quality,
    QuotaLine,
    Reporting,
    SheetRows,
    Tree,
    UnitFigures,
    UnitName,
)

__all__ = [
    "GOOD_ATTENDANCE",
    "LIST_LIMIT",
    "PROPOSAL_DUE_DAYS",
    "TREND_MONTHS",
    "Attendance",
    "BranchLine",
    "BranchMonth",
    "DigestFigures",
    "DigestService",
    "Edition",
    "MissingReport",
    "Month",
    "MonthFigures",
    "ProposalLine",
    "Quality",
    "QuotaLine",
    "Reporting",
    "SheetRows",
    "Tree",
    "UnitFigures",
    "UnitName",
]


class DigestService(FigureQueries, SheetQueries):
    """Each query runs in a session of its own, all of them at once: on SQLite the database
    works in its threads while Python reads the previous answer; on PostgreSQL the server
    runs them side by side."""
