"""The monthly digest's figures, counted by the database.

Everything is aggregated in SQL, per branch and per month, over thirteen months at once (the
month, the eleven before it for the trend, and the same month a year earlier); Python only
adds branches up into units. What each figure means is written in docs/digest.md.
"""

from __future__ import annotations

import asyncio
import enum
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.services.report_flow import CRITERIA, RATING_CODES
from db.models import (
    AttendeeKind,
    Meeting,
    MeetingStatus,
    Person,
    PersonRole,
    Proposal,
    ProposalState,
    ProposalUrgency,
    Report,
    ReportTopic,
    ReportVersion,
    Role,
    Rsvp,
    RsvpAnswer,
    Topic,
    Unit,
)

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
    topic: str | None
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
    proposals_by_topic: list[tuple[str, int]]
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


class DigestService:
    """Each query runs in a session of its own, all of them at once: on SQLite the database
    works in its threads while Python reads the previous answer; on PostgreSQL the server
    runs them side by side."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], zone: ZoneInfo) -> None:
        self.sessions = sessions
        self.zone = zone
        self.as_of: datetime | None = None
        # Which meetings have happened by `as_of` (None: all of them, no cutoff).
        self._ended: ColumnElement[bool] | None = None

    async def count_until(self, moment: datetime) -> None:
        """Count only meetings whose expected end (start plus duration) has passed by this
        moment: in a month in progress, the meetings still to come are "upcoming" in every
        figure and row, neither held nor missed. The duration is per meeting; the few
        durations of the last day's meetings make the condition, so it reads the same on
        SQLite and PostgreSQL (a meeting is taken to last at most a day)."""
        day = timedelta(days=1)
        durations = await self._rows(
            select(Meeting.duration_minutes)
            .where(Meeting.starts_at >= moment - day, Meeting.starts_at < moment)
            .distinct()
        )
        self.as_of = moment
        self._ended = or_(
            Meeting.status == MeetingStatus.CANCELLED,  # known cancelled: nothing to wait for
            Meeting.starts_at < moment - day,
            *(
                and_(
                    Meeting.duration_minutes == minutes,
                    Meeting.starts_at <= moment - timedelta(minutes=minutes),
                )
                for (minutes,) in durations
            ),
        )

    async def _rows(self, statement: Any) -> list[Any]:
        async with self.sessions() as db:
            return list((await db.execute(statement)).all())

    async def _scalar(self, statement: Any) -> Any:
        async with self.sessions() as db:
            return await db.scalar(statement)

    async def organisations(self) -> list[UnitName]:
        """The roots of the unit tree: each gets its own digest (usually there is one)."""
        rows = await self._rows(
            select(Unit.id, Unit.code, Unit.name)
            .where(Unit.parent_id.is_(None), Unit.active)
            .order_by(Unit.code)
        )
        return [UnitName(*row) for row in rows]

    async def organisation(self, unit_id: int) -> UnitName | None:
        return next((root for root in await self.organisations() if root.id == unit_id), None)

    async def tree(self, root: UnitName) -> Tree:
        rows = await self._rows(
            select(Unit.id, Unit.parent_id, Unit.code, Unit.name, Unit.is_branch, Unit.active)
        )
        by_id = {row.id: row for row in rows}
        branch_ids: list[int] = []
        top_of: dict[int, UnitName] = {}
        names: dict[int, tuple[str, str, str]] = {}
        active: set[int] = set()
        for row in rows:
            if not row.is_branch:
                continue
            chain = [row.id]
            while by_id[chain[-1]].parent_id is not None and len(chain) < 50:
                chain.append(by_id[chain[-1]].parent_id)
            if chain[-1] != root.id:
                continue
            top = by_id[chain[-2]] if len(chain) >= 2 else row
            branch_ids.append(row.id)
            top_of[row.id] = UnitName(top.id, top.code, top.name)
            names[row.id] = (row.code, row.name, top.name if top.id != row.id else "")
            if row.active:
                active.add(row.id)
        roots = sum(1 for row in rows if row.parent_id is None)
        return Tree(root, branch_ids, top_of, names, active, roots == 1)

    # ------------------------------------------------------------------ the figures

    async def figures(
        self,
        tree: Tree,
        month: Month,
        edition: Edition,
        *,
        quota: int | None = None,
    ) -> DigestFigures:
        months = [month.shift(-n) for n in range(TREND_MONTHS, -1, -1)]  # 13, oldest first
        office = edition == Edition.OFFICE
        (
            branch_months,
            raised,
            topics,
            proposals,
            older,
            missing,
            quota_lines,
        ) = await asyncio.gather(
            self._rows(self._branch_months(tree, months)),
            self._rows(self._proposals_raised(tree, months)),
            self._topics(tree, month),
            self._proposals(tree, month),
            self._older_proposals(tree, month),
            self._missing(tree, month) if office else _nothing(),
            self._quota(month, quota) if office and quota else _nothing(),
        )
        upcoming = await self._upcoming(tree, month)
        still_to_meet = set(upcoming or ())
        cells = _cells(len(months), branch_months)
        totals = _month_totals(months, tree, cells)
        for bucket, count in raised:
            totals[bucket].proposals_new = count
        per_month = dict(zip(months, totals, strict=True))
        now = len(months) - 1
        by_topic, urgent_count, urgent = proposals
        open_older, overdue, answered = older
        digest = DigestFigures(
            org_code=tree.root.code,
            org_name=tree.root.name,
            month=month,
            edition=edition,
            current=per_month[month],
            previous=per_month[month.shift(-1)],
            last_year=per_month[month.shift(-12)],
            trend=[per_month[m] for m in months[1:]],
            units=self._units(tree, cells, now),
            uncovered=[],
            not_met=[],
            low_attendance=[],
            topics=topics,
            proposals_by_topic=by_topic,
            proposals_urgent=urgent_count,
            urgent=urgent,
            open_older=open_older,
            overdue=overdue,
            answered_in_month=answered,
            branch_months={branch: row[1:] for branch, row in cells.items()},
            branch_names=tree.names,
            missing=missing or [],
            quota=quota or None,
            quota_lines=quota_lines or [],
            as_of=self.as_of.astimezone(self.zone) if self.as_of and upcoming is not None else None,
        )
        digest.current.upcoming = len(upcoming or ())
        for branch_id in sorted(tree.active_branches, key=lambda b: tree.names[b][0]):
            cell = (cells.get(branch_id) or [None] * len(months))[now] or BranchMonth()
            code, name, unit = tree.names[branch_id]
            if branch_id in still_to_meet and not cell.planned:
                continue  # its meeting is still to come
            if not cell.met:
                digest.not_met.append(BranchLine(code, name, unit))
            elif not cell.covered:
                digest.uncovered.append(BranchLine(code, name, unit))
            rate = cell.attendance_rate
            if rate is not None and rate < GOOD_ATTENDANCE:
                digest.low_attendance.append(BranchLine(code, name, unit, rate))
        digest.low_attendance.sort(key=lambda line: (line.rate, line.code))
        return digest

    def _bucket(self, months: list[Month]) -> ColumnElement[int]:
        """Which of the months a meeting falls in, by its start (in the organisation's
        zone): the same expression on SQLite and PostgreSQL."""
        edges = [m.start(self.zone) for m in months[1:]]
        return case(
            *((Meeting.starts_at < edge, index) for index, edge in enumerate(edges)),
            else_=len(edges),
        )

    def _in(
        self, tree: Tree, months: list[Month], *, upcoming_too: bool = False
    ) -> list[ColumnElement[bool]]:
        """The meetings of these months in the organisation that have happened (with
        `upcoming_too`, those still to come as well)."""
        conditions = [
            Meeting.starts_at >= months[0].start(self.zone),
            Meeting.starts_at < months[-1].end(self.zone),
        ]
        if not tree.whole_database:
            conditions.append(Meeting.unit_id.in_(tree.branch_ids))
        if self._ended is not None and not upcoming_too:
            conditions.append(self._ended)
        return conditions

    async def _upcoming(self, tree: Tree, month: Month) -> list[int] | None:
        """The branch of each of the month's planned meetings still to come (None when the
        figures have no cutoff)."""
        if self._ended is None:
            return None
        rows = await self._rows(
            select(Meeting.unit_id).where(
                *self._in(tree, [month], upcoming_too=True),
                Meeting.status != MeetingStatus.CANCELLED,
                not_(self._ended),
            )
        )
        return [unit_id for (unit_id,) in rows]

    def _branch_months(self, tree: Tree, months: list[Month]) -> Any:
        """Per month and branch, everything the digest counts, in one statement: the four
        aggregates below joined on month and branch, so one answer of some 36,000 rows for a
        province comes back instead of four."""
        meetings = self._meeting_counts(tree, months).cte("meeting_counts")
        slots = self._slot_outcomes(tree, months).cte("slot_outcomes")
        reports = self._reports_received(tree, months).cte("reports_received")
        quality = self._report_quality(tree, months).cte("report_quality")

        def same_cell(other: Any) -> ColumnElement[bool]:
            return and_(other.c.bucket == meetings.c.bucket, other.c.unit_id == meetings.c.unit_id)

        return (
            select(
                meetings.c.bucket,
                meetings.c.unit_id,
                meetings.c.meetings,
                meetings.c.cancelled,
                slots.c.slots,
                slots.c.attended,
                slots.c.stood_in,
                slots.c.excused,
                reports.c.expected,
                reports.c.on_time,
                reports.c.late,
                *(column for column in quality.c if column.name not in ("bucket", "unit_id")),
            )
            .select_from(meetings)
            .outerjoin(slots, same_cell(slots))
            .outerjoin(reports, same_cell(reports))
            .outerjoin(quality, same_cell(quality))
        )

    def _meeting_counts(self, tree: Tree, months: list[Month]) -> Any:
        """Per month and branch: meetings, and how many were cancelled."""
        bucket = self._bucket(months).label("bucket")
        cancelled = Meeting.status == MeetingStatus.CANCELLED
        return (
            select(
                bucket,
                Meeting.unit_id,
                func.count().label("meetings"),
                func.sum(case((cancelled, 1), else_=0)).label("cancelled"),
            )
            .where(*self._in(tree, months))
            .group_by(bucket, Meeting.unit_id)
        )

    def _slot_outcomes(self, tree: Tree, months: list[Month]) -> Any:
        """Per month and branch: assignments, and how many were attended by the assignee,
        by a stand-in, or missed with a reason. Each assignment's outcome is worked out once,
        from left joins (correlated subqueries here cost PostgreSQL seconds a month):
        1 attended, 2 a stand-in attended, 3 missed with a reason, 4 missed without one."""
        window = self._in(tree, months)
        assigned, own = aliased(Rsvp), _Presence()
        stand_in, theirs = aliased(Rsvp), _Presence()
        stand_ins = (
            theirs.join(
                select(
                    stand_in.meeting_id,
                    stand_in.stand_in_for_id,
                    func.max(case((theirs.was_there(stand_in), 1), else_=0)).label("stood"),
                )
                .select_from(stand_in)
                .join(Meeting, Meeting.id == stand_in.meeting_id),
                stand_in,
            )
            .where(*window, stand_in.kind == AttendeeKind.STAND_IN)
            .group_by(stand_in.meeting_id, stand_in.stand_in_for_id)
            .subquery()
        )
        outcome = case(
            (own.was_there(assigned), 1),
            (stand_ins.c.stood == 1, 2),
            (assigned.answer == RsvpAnswer.NO, 3),
            else_=4,
        ).label("outcome")
        slots = (
            own.join(
                select(self._bucket(months).label("bucket"), Meeting.unit_id, outcome)
                .select_from(assigned)
                .join(Meeting, Meeting.id == assigned.meeting_id),
                assigned,
            )
            .outerjoin(
                stand_ins,
                and_(
                    stand_ins.c.meeting_id == assigned.meeting_id,
                    stand_ins.c.stand_in_for_id == assigned.person_id,
                ),
            )
            .where(
                *window,
                Meeting.status != MeetingStatus.CANCELLED,
                assigned.kind == AttendeeKind.ASSIGNED,
            )
            .subquery()
        )
        return select(
            slots.c.bucket,
            slots.c.unit_id,
            func.count().label("slots"),
            *(
                func.sum(case((slots.c.outcome == n, 1), else_=0)).label(name)
                for n, name in ((1, "attended"), (2, "stood_in"), (3, "excused"))
            ),
        ).group_by(slots.c.bucket, slots.c.unit_id)

    def _reports_received(self, tree: Tree, months: list[Month]) -> Any:
        """Per month and branch: reports expected, and how many came on time or late."""
        bucket = self._bucket(months).label("bucket")
        received = Report.id.is_not(None)
        return (
            select(
                bucket,
                Meeting.unit_id,
                func.count().label("expected"),
                func.sum(case((and_(received, not_(Report.late)), 1), else_=0)).label("on_time"),
                func.sum(case((and_(received, Report.late), 1), else_=0)).label("late"),
            )
            .select_from(Rsvp)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .outerjoin(
                Report, and_(Report.meeting_id == Meeting.id, Report.author_id == Rsvp.person_id)
            )
            .where(
                *self._in(tree, months),
                Meeting.status != MeetingStatus.CANCELLED,
                _expected_to_report(Rsvp),
            )
            .group_by(bucket, Meeting.unit_id)
        )

    def _report_quality(self, tree: Tree, months: list[Month]) -> Any:
        """Per month and branch, from the latest version of each report: held or not,
        members present and expected, ratings, and each criterion met."""
        bucket = self._bucket(months).label("bucket")
        held = ReportVersion.held
        counted = and_(held, ReportVersion.total_members.is_not(None))
        criteria_text = cast(ReportVersion.criteria_met, String)
        return (
            select(
                bucket,
                Meeting.unit_id,
                func.count().label("reports"),
                func.sum(case((held, 1), else_=0)).label("held"),
                func.sum(case((counted, func.coalesce(ReportVersion.present, 0)), else_=0)).label(
                    "present"
                ),
                func.sum(
                    case(
                        (
                            counted,
                            ReportVersion.total_members - func.coalesce(ReportVersion.exempted, 0),
                        ),
                        else_=0,
                    )
                ).label("expected_present"),
                *(
                    func.sum(case((and_(held, ReportVersion.rating == code), 1), else_=0)).label(
                        f"rating_{code}"
                    )
                    for code in RATING_CODES
                ),
                *(
                    func.sum(
                        case((and_(held, criteria_text.like(f'%"{code}"%')), 1), else_=0)
                    ).label(f"criterion_{code}")
                    for code, _ in CRITERIA
                ),
            )
            .select_from(Report)
            .join(ReportVersion, ReportVersion.is_current())
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._in(tree, months), Meeting.status != MeetingStatus.CANCELLED)
            .group_by(bucket, Meeting.unit_id)
        )

    def _units(
        self, tree: Tree, cells: dict[int, list[BranchMonth | None]], index: int
    ) -> list[UnitFigures]:
        units: dict[int, UnitFigures] = {}
        for branch_id in tree.branch_ids:
            top = tree.top_of[branch_id]
            unit = units.setdefault(top.id, UnitFigures(top.code, top.name))
            if branch_id in tree.active_branches:
                unit.branches += 1
            row = cells.get(branch_id)
            cell = row[index] if row is not None else None
            if cell is not None:
                a, r = unit.attendance, unit.reporting
                a.slots += cell.slots
                a.attended += cell.attended
                a.stood_in += cell.stood_in
                a.excused += cell.excused
                a.unexcused += cell.slots - cell.attended - cell.stood_in - cell.excused
                r.expected += cell.expected
                r.on_time += cell.on_time
                r.late += cell.late
        return sorted(units.values(), key=lambda u: u.code)

    def _month_meetings(self, tree: Tree, month: Month) -> list[ColumnElement[bool]]:
        return [*self._in(tree, [month]), Meeting.status != MeetingStatus.CANCELLED]

    async def _topics(self, tree: Tree, month: Month, limit: int = 5) -> list[tuple[str, int]]:
        count = func.count().label("count")
        rows = await self._rows(
            select(Topic.name, count)
            .select_from(ReportTopic)
            .join(Topic, Topic.id == ReportTopic.topic_id)
            .join(ReportVersion, ReportVersion.id == ReportTopic.report_version_id)
            .join(Report, ReportVersion.is_current())
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._month_meetings(tree, month), ReportVersion.held)
            .group_by(Topic.id, Topic.name)
            .order_by(count.desc(), Topic.name)
            .limit(limit)
        )
        return [(name, n) for name, n in rows]

    def _raised_in(self, tree: Tree, month: Month) -> Any:
        return (
            select(Proposal.id)
            .join(Report, Report.id == Proposal.report_id)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._in(tree, [month]))
        )

    def _proposals_raised(self, tree: Tree, months: list[Month]) -> Any:
        """Proposals raised at each month's meetings."""
        bucket = self._bucket(months).label("bucket")
        return (
            select(bucket, func.count())
            .select_from(Proposal)
            .join(Report, Report.id == Proposal.report_id)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._in(tree, months))
            .group_by(bucket)
        )

    async def _proposals(
        self, tree: Tree, month: Month, limit: int = 5
    ) -> tuple[list[tuple[str, int]], int, list[ProposalLine]]:
        raised = Proposal.id.in_(self._raised_in(tree, month))
        count = func.count().label("count")
        urgent_now = and_(raised, Proposal.urgency == ProposalUrgency.URGENT)
        by_topic, urgent_count, urgent = await asyncio.gather(
            self._rows(
                select(Topic.name, count)
                .select_from(Proposal)
                .outerjoin(Topic, Topic.id == Proposal.topic_id)
                .where(raised)
                .group_by(Topic.name)
                .order_by(count.desc(), Topic.name)
            ),
            self._scalar(select(func.count()).where(urgent_now)),
            self._rows(
                select(
                    Proposal.id,
                    Proposal.text,
                    Unit.name.label("branch"),
                    Topic.name.label("topic"),
                    Meeting.starts_at,
                )
                .join(Report, Report.id == Proposal.report_id)
                .join(Meeting, Meeting.id == Report.meeting_id)
                .join(Unit, Unit.id == Proposal.unit_id)
                .outerjoin(Topic, Topic.id == Proposal.topic_id)
                .where(urgent_now)
                .order_by(Meeting.starts_at, Proposal.id)
                .limit(limit)
            ),
        )
        lines = [
            ProposalLine(
                id=row.id,
                branch=row.branch,
                topic=row.topic,
                text=row.text,
                urgent=True,
                raised_on=row.starts_at.astimezone(self.zone).date(),
            )
            for row in urgent
        ]
        return [(name or "", n) for name, n in by_topic], urgent_count or 0, lines

    async def _older_proposals(self, tree: Tree, month: Month) -> tuple[int, int, int]:
        open_states = [ProposalState.NEW, ProposalState.IN_PROGRESS]
        start, end = month.start(self.zone), month.end(self.zone)
        scope = [] if tree.whole_database else [Proposal.unit_id.in_(tree.branch_ids)]
        older = (
            select(func.count())
            .select_from(Proposal)
            .join(Report, Report.id == Proposal.report_id)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*scope, Meeting.starts_at < start, Proposal.state.in_(open_states))
        )
        counts = await asyncio.gather(
            self._scalar(older),
            self._scalar(
                older.where(Proposal.created_at < end - timedelta(days=PROPOSAL_DUE_DAYS))
            ),
            self._scalar(
                select(func.count())
                .select_from(Proposal)
                .where(*scope, Proposal.answered_at >= start, Proposal.answered_at < end)
            ),
        )
        open_older, overdue, answered = (count or 0 for count in counts)
        return open_older, overdue, answered

    async def _missing(self, tree: Tree, month: Month) -> list[MissingReport]:
        rows = await self._rows(
            select(Person.code, Person.full_name, Unit.name, Meeting.starts_at)
            .select_from(Rsvp)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .join(Unit, Unit.id == Meeting.unit_id)
            .join(Person, Person.id == Rsvp.person_id)
            .outerjoin(
                Report, and_(Report.meeting_id == Meeting.id, Report.author_id == Rsvp.person_id)
            )
            .where(
                *self._month_meetings(tree, month), _expected_to_report(Rsvp), Report.id.is_(None)
            )
            .order_by(Unit.code, Meeting.starts_at, Person.code)
        )
        return [
            MissingReport(code, name, branch, starts_at.astimezone(self.zone).date())
            for code, name, branch, starts_at in rows
        ]

    async def _quota(self, month: Month, quota: int) -> list[QuotaLine]:
        """Each committee member's attendances this year (as assignee or stand-in) against
        the yearly quota, and the quota's share for the months gone by."""
        year = Month(month.first.replace(month=1))
        presence = _Presence()
        done_rows, members = await asyncio.gather(
            self._rows(
                presence.join(
                    select(Rsvp.person_id, func.count(func.distinct(Rsvp.meeting_id)))
                    .select_from(Rsvp)
                    .join(Meeting, Meeting.id == Rsvp.meeting_id),
                    Rsvp,
                )
                .where(
                    Meeting.starts_at >= year.start(self.zone),
                    Meeting.starts_at < month.end(self.zone),
                    Meeting.status != MeetingStatus.CANCELLED,
                    presence.was_there(Rsvp),
                )
                .group_by(Rsvp.person_id)
            ),
            self._rows(
                select(Person.id, Person.code, Person.full_name)
                .where(
                    Person.active,
                    Person.id.in_(
                        select(PersonRole.person_id).where(PersonRole.role == Role.MEMBER)
                    ),
                )
                .order_by(Person.code)
            ),
        )
        done = dict(done_rows)
        due_by_now = quota * month.first.month / 12
        return [QuotaLine(code, name, done.get(pid, 0), due_by_now) for pid, code, name in members]

    # ------------------------------------------------------------------ the spreadsheet's rows

    async def sheet_rows(self, tree: Tree, month: Month) -> SheetRows:
        """The month's meetings, reports and proposals, a row each, for the spreadsheet."""
        meeting_rows, reports, topic_rows, proposals = await asyncio.gather(
            self._rows(self._meeting_rows(tree, month)),
            self._rows(self._report_rows(tree, month)),
            self._rows(self._report_topic_rows(tree, month)),
            self._rows(self._proposal_rows(tree, month)),
        )
        meetings = []
        for row in meeting_rows:
            values = dict(row._mapping)
            # The report that tells what happened: the stand-in's, when one went.
            whose = "their" if values["stand_in"] else "own"
            values["report_id"] = values[f"{whose}_report"]
            values["report_late"] = values[f"{whose}_late"]
            values["report_held"] = values[f"{whose}_held"]
            meetings.append(values)
        topic_names: dict[int, list[str]] = defaultdict(list)
        for version_id, name in topic_rows:
            topic_names[version_id].append(name)
        report_dicts = []
        for row in reports:
            values = dict(row._mapping)
            values["topics"] = topic_names.get(values["version_id"], [])
            report_dicts.append(values)
        return SheetRows(
            tree.names, meetings, report_dicts, [dict(row._mapping) for row in proposals]
        )

    def _meeting_rows(self, tree: Tree, month: Month) -> Any:
        stand_in = aliased(Rsvp)
        stand_in_person = aliased(Person)
        assignee = aliased(Person)
        own, theirs = _Presence(), _Presence()
        query = (
            select(
                Meeting.id.label("meeting_id"),
                Meeting.unit_id,
                Meeting.starts_at,
                Meeting.status,
                Meeting.kind,
                assignee.code.label("person_code"),
                assignee.full_name.label("person"),
                Rsvp.answer,
                Rsvp.reason_code,
                Rsvp.reason_text,
                stand_in_person.full_name.label("stand_in"),
                own.report.id.label("own_report"),
                own.report.late.label("own_late"),
                own.version.held.label("own_held"),
                theirs.report.id.label("their_report"),
                theirs.report.late.label("their_late"),
                theirs.version.held.label("their_held"),
            )
            .select_from(Meeting)
            .outerjoin(
                Rsvp, and_(Rsvp.meeting_id == Meeting.id, Rsvp.kind == AttendeeKind.ASSIGNED)
            )
            .outerjoin(assignee, assignee.id == Rsvp.person_id)
            .outerjoin(
                stand_in,
                and_(
                    stand_in.meeting_id == Meeting.id,
                    stand_in.kind == AttendeeKind.STAND_IN,
                    stand_in.stand_in_for_id == Rsvp.person_id,
                    stand_in.answer == RsvpAnswer.YES,
                ),
            )
            .outerjoin(stand_in_person, stand_in_person.id == stand_in.person_id)
        )
        happened = self._ended if self._ended is not None else true()
        query = query.add_columns(not_(happened).label("upcoming"))
        return (
            theirs.join(own.join(query, Rsvp), stand_in)
            .where(*self._in(tree, [month], upcoming_too=True))
            .order_by(Meeting.starts_at, Meeting.unit_id, assignee.code)
        )

    def _report_rows(self, tree: Tree, month: Month) -> Any:
        author = aliased(Person)
        entered_by = aliased(Person)
        return (
            select(
                Report.id.label("report_id"),
                Meeting.unit_id,
                Meeting.starts_at,
                author.code.label("author_code"),
                author.full_name.label("author"),
                entered_by.full_name.label("entered_by"),
                Report.submitted_at,
                Report.late,
                Report.current_version,
                ReportVersion.id.label("version_id"),
                ReportVersion.held,
                ReportVersion.held_on,
                ReportVersion.started_at,
                ReportVersion.ended_at,
                ReportVersion.total_members,
                ReportVersion.exempted,
                ReportVersion.present,
                ReportVersion.absent_excused,
                ReportVersion.absent_unexcused,
                ReportVersion.rating,
                ReportVersion.criteria_met,
                ReportVersion.content,
            )
            .select_from(Report)
            .join(ReportVersion, ReportVersion.is_current())
            .join(Meeting, Meeting.id == Report.meeting_id)
            .join(author, author.id == Report.author_id)
            .outerjoin(entered_by, entered_by.id == Report.entered_by_id)
            .where(*self._in(tree, [month]))
            .order_by(Meeting.starts_at, Report.id)
        )

    def _report_topic_rows(self, tree: Tree, month: Month) -> Any:
        return (
            select(ReportTopic.report_version_id, Topic.name)
            .join(Topic, Topic.id == ReportTopic.topic_id)
            .join(ReportVersion, ReportVersion.id == ReportTopic.report_version_id)
            .join(Report, ReportVersion.is_current())
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._in(tree, [month]))
            .order_by(ReportTopic.report_version_id, Topic.sort_order)
        )

    def _proposal_rows(self, tree: Tree, month: Month) -> Any:
        return (
            select(
                Proposal.id,
                Proposal.unit_id,
                Proposal.report_id,
                Meeting.starts_at,
                Topic.name.label("topic"),
                Proposal.urgency,
                Proposal.text,
                Proposal.state,
                Proposal.answer,
                Proposal.answered_at,
                Proposal.created_at,
            )
            .join(Report, Report.id == Proposal.report_id)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .outerjoin(Topic, Topic.id == Proposal.topic_id)
            .where(Proposal.id.in_(self._raised_in(tree, month)))
            .order_by(Meeting.starts_at, Proposal.id)
        )


async def _nothing() -> None:
    return None


def _expected_to_report(rsvp: Any) -> ColumnElement[bool]:
    """Those the bot asks to report: assignees who did not decline, stand-ins who accepted."""
    return and_(
        rsvp.answer != RsvpAnswer.NO,
        or_(rsvp.kind == AttendeeKind.ASSIGNED, rsvp.answer == RsvpAnswer.YES),
    )


def _cells(month_count: int, rows: list) -> dict[int, list[BranchMonth | None]]:
    """The joined aggregates, as one cell per branch and month."""
    cells: dict[int, list[BranchMonth | None]] = {}
    rating_end = 15 + len(RATING_CODES)
    for row in rows:
        bucket, branch_id, meetings, cancelled = row[:4]
        cancelled = cancelled or 0
        counters = [value or 0 for value in row[4:15]]
        cell = BranchMonth(
            meetings - cancelled,
            cancelled,
            *counters,
            tuple(value or 0 for value in row[15:rating_end]),
            tuple(value or 0 for value in row[rating_end:]),
        )
        row_cells = cells.get(branch_id)
        if row_cells is None:
            row_cells = cells[branch_id] = [None] * month_count
        row_cells[bucket] = cell
    return cells


def _month_totals(
    months: list[Month], tree: Tree, cells: dict[int, list[BranchMonth | None]]
) -> list[MonthFigures]:
    """Each month's figures, adding up its branches' cells: one pass over all of them."""
    totals = [MonthFigures(month, branches=len(tree.active_branches)) for month in months]
    ratings = [[0] * len(RATING_CODES) for _ in months]
    criteria = [[0] * len(CRITERIA) for _ in months]
    active = tree.active_branches
    for branch_id, row in cells.items():
        is_active = branch_id in active
        for index, cell in enumerate(row):
            if cell is None:
                continue
            total = totals[index]
            total.planned += cell.planned
            total.cancelled += cell.cancelled
            a, r, q = total.attendance, total.reporting, total.quality
            a.slots += cell.slots
            a.attended += cell.attended
            a.stood_in += cell.stood_in
            a.excused += cell.excused
            r.expected += cell.expected
            r.on_time += cell.on_time
            r.late += cell.late
            q.reports += cell.reports
            q.held += cell.held
            q.present += cell.present
            q.expected_present += cell.expected_present
            for position, count in enumerate(cell.ratings):
                ratings[index][position] += count
            for position, count in enumerate(cell.criteria):
                criteria[index][position] += count
            if is_active and cell.met:
                total.branches_met += 1
                total.branches_covered += cell.covered
    for total, rated, met in zip(totals, ratings, criteria, strict=True):
        a, q = total.attendance, total.quality
        a.unexcused = a.slots - a.attended - a.stood_in - a.excused
        q.not_held = q.reports - q.held
        q.ratings = {code: n for code, n in zip(RATING_CODES, rated, strict=True) if n}
        q.criteria = {code: n for (code, _), n in zip(CRITERIA, met, strict=True) if n}
    return totals


class _Presence:
    """Whether an RSVP's person attended, from their own report on the meeting joined in:
    their current report says it was held, or there is none and they said they would go."""

    def __init__(self) -> None:
        self.report = aliased(Report)
        self.version = aliased(ReportVersion)

    def join(self, query: Any, rsvp: Any) -> Any:
        return query.outerjoin(
            self.report,
            and_(
                self.report.meeting_id == rsvp.meeting_id, self.report.author_id == rsvp.person_id
            ),
        ).outerjoin(
            self.version,
            and_(
                self.version.report_id == self.report.id,
                self.version.version == self.report.current_version,
            ),
        )

    def was_there(self, rsvp: Any) -> ColumnElement[bool]:
        return or_(
            and_(self.version.id.is_not(None), self.version.held),
            and_(self.version.id.is_(None), rsvp.answer == RsvpAnswer.YES),
        )


@dataclass
class SheetRows:
    branch_names: dict[int, tuple[str, str, str]]
    meetings: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    proposals: list[dict[str, Any]]
