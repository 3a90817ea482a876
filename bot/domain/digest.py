"""The monthly digest's values: months, editions, the figures of a month and of a branch in a
month, the lines the texts list, the organisation's tree and the spreadsheet's rows. Plain
data: the queries that fill them are in figures.py and sheet.py."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

TREND_MONTHS = 12
GOOD_ATTENDANCE = 0.85  # the guideline's threshold for a meeting's attendance
PROPOSAL_DUE_DAYS = 30  # an open proposal older than this is overdue
LIST_LIMIT = 8  # names a text lists before "and N more (see the spreadsheet)"


@dataclass(frozen=True, order=True)
class Month:
    first: date

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.replace(day=1))

    @classmethod
    def parse(cls, text: str) -> Month | None:
        """'11/2026' or '11-2026' or '2026-11'; None if it is not a month."""
        text = text.strip()
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{4})", text)
        if match:
            month, year = int(match.group(1)), int(match.group(2))
        elif match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            year, month = int(match.group(1)), int(match.group(2))
        else:
            return None
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            return None
        return cls(date(year, month, 1))

    @classmethod
    def from_key(cls, key: str) -> Month | None:
        """The inverse of .key: '202611'."""
        return cls.parse(f"{key[:4]}-{key[4:]}") if len(key) == 6 and key.isdigit() else None

    def shift(self, months: int) -> Month:
        index = self.first.year * 12 + self.first.month - 1 + months
        return Month(date(index // 12, index % 12 + 1, 1))

    def start(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=zone)

    def end(self, zone: ZoneInfo) -> datetime:
        return self.shift(1).start(zone)

    @property
    def label(self) -> str:
        return f"{self.first.month:02d}/{self.first.year}"

    @property
    def key(self) -> str:
        return f"{self.first.year}{self.first.month:02d}"


class Edition(enum.StrEnum):
    """Who reads it: the leadership group (aggregates and proposals, no person singled out)
    or the office (also who has not reported, and each person's progress on the quota)."""

    GROUP = "group"
    OFFICE = "office"


@dataclass(slots=True)
class Attendance:
    """Assignments in a month: a meeting and a member assigned to follow its branch."""

    slots: int = 0
    attended: int = 0
    stood_in: int = 0
    excused: int = 0
    unexcused: int = 0

    @property
    def covered(self) -> int:
        return self.attended + self.stood_in

    def add(self, other: Attendance) -> None:
        for name in ("slots", "attended", "stood_in", "excused", "unexcused"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class Reporting:
    """Reports expected from those who attended or were expected, and how they came."""

    expected: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.on_time - self.late

    @property
    def received(self) -> int:
        return self.on_time + self.late

    def add(self, other: Reporting) -> None:
        self.expected += other.expected
        self.on_time += other.on_time
        self.late += other.late


@dataclass(slots=True)
class Quality:
    """From the latest version of each report on a meeting that was held."""

    reports: int = 0  # reports on the month's meetings, held or not
    held: int = 0
    not_held: int = 0
    present: int = 0
    expected_present: int = 0  # total members minus those exempted
    ratings: dict[str, int] = field(default_factory=dict)
    criteria: dict[str, int] = field(default_factory=dict)

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.expected_present if self.expected_present else None

    def add(self, other: Quality) -> None:
        self.reports += other.reports
        self.held += other.held
        self.not_held += other.not_held
        self.present += other.present
        self.expected_present += other.expected_present
        for code, count in other.ratings.items():
            self.ratings[code] = self.ratings.get(code, 0) + count
        for code, count in other.criteria.items():
            self.criteria[code] = self.criteria.get(code, 0) + count


@dataclass(slots=True)
class BranchMonth:
    """One branch in one month: the cell of the twelve-month coverage matrix. Plain
    counters (a province has some 36,000 of them); the months' totals add them up."""

    planned: int = 0
    cancelled: int = 0
    slots: int = 0  # assignments, and their outcomes
    attended: int = 0
    stood_in: int = 0
    excused: int = 0
    expected: int = 0  # reports expected, and how they came
    on_time: int = 0
    late: int = 0
    reports: int = 0  # reports on its meetings (latest versions), and what they say
    held: int = 0
    present: int = 0
    expected_present: int = 0
    ratings: tuple[int, ...] = ()  # in the order of RATING_CODES
    criteria: tuple[int, ...] = ()  # in the order of CRITERIA

    @property
    def covered(self) -> bool:
        """A committee member (the assignee or a stand-in) was there."""
        return self.attended + self.stood_in > 0

    @property
    def met(self) -> bool:
        """The branch met, as far as chibo knows: a meeting was planned and not cancelled,
        and no report says it was not held."""
        if self.planned == 0:
            return False
        return not (self.held == 0 and self.reports > 0)

    @property
    def reported(self) -> bool:
        return self.on_time + self.late > 0

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.expected_present if self.expected_present else None


@dataclass
class MonthFigures:
    month: Month
    branches: int = 0  # active branches of the organisation
    planned: int = 0
    cancelled: int = 0
    branches_met: int = 0
    branches_covered: int = 0
    attendance: Attendance = field(default_factory=Attendance)
    reporting: Reporting = field(default_factory=Reporting)
    quality: Quality = field(default_factory=Quality)
    proposals_new: int = 0
    # Meetings of the month whose expected end has not passed yet (a month in progress):
    # counted in no figure above until they have happened.
    upcoming: int = 0

    @property
    def has_data(self) -> bool:
        return self.planned > 0 or self.attendance.slots > 0

    def as_dict(self) -> dict[str, Any]:
        """The headline figures, as stored with a posted digest."""
        return {
            "month": self.month.label,
            "branches": self.branches,
            "planned": self.planned,
            "cancelled": self.cancelled,
            "branches_met": self.branches_met,
            "branches_covered": self.branches_covered,
            "slots": self.attendance.slots,
            "attended": self.attendance.attended,
            "stood_in": self.attendance.stood_in,
            "excused": self.attendance.excused,
            "unexcused": self.attendance.unexcused,
            "reports_expected": self.reporting.expected,
            "reports_on_time": self.reporting.on_time,
            "reports_late": self.reporting.late,
            "reports_missing": self.reporting.missing,
            "held_reports": self.quality.held,
            "present": self.quality.present,
            "expected_present": self.quality.expected_present,
            "ratings": dict(self.quality.ratings),
            "criteria": dict(self.quality.criteria),
            "proposals_new": self.proposals_new,
        }


@dataclass(frozen=True)
class BranchLine:
    code: str
    name: str
    unit: str
    rate: float | None = None


@dataclass
class UnitFigures:
    code: str
    name: str
    branches: int = 0
    attendance: Attendance = field(default_factory=Attendance)
    reporting: Reporting = field(default_factory=Reporting)


@dataclass(frozen=True)
class ProposalLine:
    id: int
    branch: str
    field: str | None
    text: str
    urgent: bool
    raised_on: date


@dataclass(frozen=True)
class MissingReport:
    person_code: str
    person: str
    branch: str
    meeting_on: date


@dataclass(frozen=True)
class QuotaLine:
    code: str
    name: str
    done: int
    due_by_now: float  # the quota's share for the months gone by

    @property
    def on_track(self) -> bool:
        return self.done >= self.due_by_now


@dataclass(frozen=True)
class BodyLine:
    """One handling body in the month: proposals given to it, answered by it, still open."""

    name: str
    assigned: int
    answered: int
    open: int


@dataclass(frozen=True)
class ProposalLoop:
    """The proposal loop in the month: what was assigned and answered (within the deadline
    or not), how long answers took, and what is open and late at the month's end."""

    assigned: int = 0
    answered: int = 0  # final answers given in the month
    answered_on_time: int = 0  # of those, by their deadline
    open_now: int = 0  # awaiting assignment or being handled at the month's end
    late_now: int = 0  # of those, past their deadline
    median_days: float | None = None  # from raised to final answer, answers of the month
    by_body: list[BodyLine] = field(default_factory=list)


@dataclass
class DigestFigures:
    """Everything the digest says, for one organisation and one month."""

    org_code: str
    org_name: str
    month: Month
    edition: Edition
    current: MonthFigures
    previous: MonthFigures
    last_year: MonthFigures
    trend: list[MonthFigures]
    units: list[UnitFigures]
    uncovered: list[BranchLine]  # planned a meeting, no committee member was there
    not_met: list[BranchLine]  # no meeting planned, or it was cancelled or not held
    low_attendance: list[BranchLine]  # members' attendance below the guideline's 85%
    topics: list[tuple[str, int]]
    proposals_by_field: list[tuple[str, int]]
    proposals_urgent: int
    urgent: list[ProposalLine]
    open_older: int
    overdue: int
    answered_in_month: int
    # branch id -> its cell for each of the trend's months, in the trend's order (None: nothing)
    branch_months: dict[int, list[BranchMonth | None]]
    branch_names: dict[int, tuple[str, str, str]]  # branch id -> (code, name, unit name)
    missing: list[MissingReport] = field(default_factory=list)  # office edition only
    quota: int | None = None
    quota_lines: list[QuotaLine] = field(default_factory=list)  # office edition only
    # When the month is still in progress: the moment the figures stop at.
    as_of: datetime | None = None
    loop: ProposalLoop = field(default_factory=ProposalLoop)


@dataclass(frozen=True)
class UnitName:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Tree:
    """The units under one organisation: which branches it holds and the unit each belongs
    to directly under the organisation (the level the digest compares)."""

    root: UnitName
    branch_ids: list[int]
    top_of: dict[int, UnitName]  # branch -> its unit under the root (itself if directly under)
    names: dict[int, tuple[str, str, str]]  # branch -> code, name, name of its unit
    active_branches: set[int]
    whole_database: bool  # the only organisation: no need to filter meetings by branch


@dataclass
class SheetRows:
    branch_names: dict[int, tuple[str, str, str]]
    meetings: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    proposals: list[dict[str, Any]]
