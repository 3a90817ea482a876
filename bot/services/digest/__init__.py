"""The monthly digest's figures, counted by the database.

Everything is aggregated in SQL, per branch and per month, over thirteen months at once (the
month, the eleven before it for the trend, and the same month a year earlier); Python only
adds branches up into units. What each figure means is written in docs/digest.md.

bot/domain/digest.py holds the plain data; here base.py holds what every query shares,
figures.py the figures and the month's lists, sheet.py the spreadsheet's rows.
"""

from __future__ import annotations

from bot.services.digest.figures import FigureQueries
from bot.services.digest.sheet import SheetQueries

__all__ = ["DigestService"]


class DigestService(FigureQueries, SheetQueries):
    """Each query runs in a session of its own, all of them at once: on SQLite the database
    works in its threads while Python reads the previous answer; on PostgreSQL the server
    runs them side by side."""
