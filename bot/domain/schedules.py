"""Meeting schedules as an office clerk writes them, stored as RFC 5545 recurrence rules.

Accepted forms (case and diacritics do not matter):
    "ngày 5", "ngày 05 hằng tháng", "mùng 5"      the 5th of each month
    "ngày 31"                                      the 31st, or the month's last day if shorter
    "ngày cuối tháng"                              the last day of each month
    "Chủ nhật tuần 1", "Chủ nhật đầu tháng",
    "Chủ nhật thứ nhất"                            the first Sunday of each month
    "thứ Bảy tuần 2", "thứ 7 tuần thứ hai"          the second Saturday
    "thứ Bảy cuối tháng", "thứ Bảy tuần cuối"      the last Saturday
    "FREQ=MONTHLY;BYDAY=2TH"                        an RFC 5545 rule, for anything else
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from bot.i18n import N_

WEEKDAYS = {  # folded Vietnamese -> RFC 5545 day
    "chu nhat": "SU",
    "cn": "SU",
    "thu hai": "MO",
    "thu 2": "MO",
    "t2": "MO",
    "thu ba": "TU",
    "thu 3": "TU",
    "t3": "TU",
    "thu tu": "WE",
    "thu 4": "WE",
    "t4": "WE",
    "thu nam": "TH",
    "thu 5": "TH",
    "t5": "TH",
    "thu sau": "FR",
    "thu 6": "FR",
    "t6": "FR",
    "thu bay": "SA",
    "thu 7": "SA",
    "t7": "SA",
}
ORDINALS = {
    "1": 1,
    "nhat": 1,
    "thu nhat": 1,
    "dau": 1,
    "dau tien": 1,
    "2": 2,
    "hai": 2,
    "thu hai": 2,
    "3": 3,
    "ba": 3,
    "thu ba": 3,
    "4": 4,
    "tu": 4,
    "thu tu": 4,
    "bon": 4,
    "cuoi": -1,
    "cuoi cung": -1,
    "sau cung": -1,
}
_NOISE = re.compile(r"\b(?:hang|moi|cua|trong) thang\b|\b(?:cua|trong)\b")
_DAY = re.compile(r"^(?:ngay|mung|mong)\s*(\d{1,2})$")
_WEEKDAY_FIRST = re.compile(
    r"^(?P<weekday>chu nhat|cn|thu (?:hai|ba|tu|nam|sau|bay|[2-7])|t[2-7])\s*,?\s*"
    r"(?:(?:tuan|lan)\s+(?P<week>thu nhat|thu hai|thu ba|thu tu|\d|cuoi cung|cuoi|dau tien|dau)"
    r"|(?P<edge>dau|cuoi) thang"
    r"|(?P<nth>thu nhat|thu hai|thu ba|thu tu|cuoi cung|sau cung|cuoi))$"
)


class ScheduleError(ValueError):
    """The text is not a schedule chibo understands; args[0] is a catalog text."""


@dataclass(frozen=True)
class Schedule:
    rrule: str
    text: str


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: 'Thứ Bảy' -> 'thu bay'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())


def parse_schedule(text: str) -> Schedule:
    raw = (text or "").strip()
    if not raw:
        raise ScheduleError(N_("the schedule is empty"))
    if raw.upper().startswith(("RRULE:", "FREQ=")):
        return Schedule(_checked_rule(raw.upper().removeprefix("RRULE:")), raw)
    folded = " ".join(_NOISE.sub(" ", fold(raw)).split())
    if folded in ("ngay cuoi thang", "cuoi thang"):
        return Schedule("FREQ=MONTHLY;BYMONTHDAY=-1", raw)
    day = _DAY.match(folded)
    if day:
        return Schedule(_monthly_day(int(day.group(1))), raw)
    match = _WEEKDAY_FIRST.match(folded)
    if match:
        weekday = WEEKDAYS[match.group("weekday")]
        which = match.group("week") or match.group("nth")
        if match.group("edge"):
            which = match.group("edge")
        position = ORDINALS.get(which or "")
        if position is None or (which and which.isdigit() and not 1 <= int(which) <= 4):
            raise ScheduleError(N_("the week of the month must be 1 to 4, or the last"))
        return Schedule(f"FREQ=MONTHLY;BYDAY={position}{weekday}", raw)
    raise ScheduleError(
        N_(
            "cannot read the schedule; write e.g. «ngày 5», «Chủ nhật tuần 1»"
            " or «thứ Bảy cuối tháng»"
        )
    )


def _monthly_day(day: int) -> str:
    if not 1 <= day <= 31:
        raise ScheduleError(N_("the day of the month must be 1 to 31"))
    if day <= 28:
        return f"FREQ=MONTHLY;BYMONTHDAY={day}"
    # A day the month lacks falls on its last day: take the last of 28..day that exists.
    days = ",".join(str(d) for d in range(28, day + 1))
    return f"FREQ=MONTHLY;BYMONTHDAY={days};BYSETPOS=-1"


def _checked_rule(rule: str) -> str:
    try:
        rrulestr(rule, dtstart=datetime(2026, 1, 1))
    except (ValueError, TypeError):
        raise ScheduleError(N_("the recurrence rule is not valid RFC 5545")) from None
    return rule


def occurrences(
    rule: str, start_time: time, zone: ZoneInfo, first_day: date, last_day: date
) -> list[datetime]:
    """The meetings' starts (aware, in `zone`) on days from first_day to last_day inclusive."""
    dtstart = datetime.combine(first_day, start_time)
    recurrence = rrulestr(rule, dtstart=dtstart)
    until = datetime.combine(last_day, time(23, 59, 59))
    return [moment.replace(tzinfo=zone) for moment in recurrence.between(dtstart, until, inc=True)]
