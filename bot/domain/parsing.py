"""What people write, in a roster cell or after a command: days ("05/12/2026"), times of day
("19h30") and durations ("1 giờ 30"). None when it cannot be read."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from bot.domain.schedules import fold

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y")


def parse_day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


_TIME = re.compile(r"^(\d{1,2})\s*(?::|h|g|gio)\s*(\d{1,2})?\s*(?:p|phut)?$")


def parse_time_of_day(value: Any) -> time | None:
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # Excel keeps a time as part of a day
        minutes = round(value * 24 * 60)
        return time(minutes // 60, minutes % 60)
    match = _TIME.match(fold(str(value)))
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_minutes(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() else None
    folded = fold(str(value))
    match = re.fullmatch(r"(\d+)\s*(phut|p|')?", folded)
    if match:
        return int(match.group(1))
    match = re.fullmatch(r"(\d+)\s*(?:gio|h|tieng)\s*(?:(\d+)\s*(?:phut|p)?)?", folded)
    if match:
        return int(match.group(1)) * 60 + int(match.group(2) or 0)
    return None


_DAY_MONTH = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})$")


def parse_coming_day(value: str, today: date) -> date | None:
    """A day typed for something to come: "15/2" is the next 15 February from today (this
    year's, or next year's once it has passed); a full date is taken as written."""
    text = value.strip()
    match = _DAY_MONTH.match(text)
    if match is None:
        return parse_day(text)
    day_of_month, month = int(match.group(1)), int(match.group(2))
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day_of_month)
        except ValueError:
            continue  # 29/2 in a year without it
        if found >= today:
            return found
    return None
