"""The monthly digest's figures, counted by the database.

Everything is aggregated in SQL, per branch and per month, over thirteen months at once (the
month, the eleven before it for the trend, and the same month a year earlier); Python only
adds branches up into units. What each figure means is written in docs/digest.md.
"""

from __future__ import annotations

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
    exists,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
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


@dataclass
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


@dataclass
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


@dataclass
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


@dataclass
class BranchMonth:
    """One branch in one month: the cell of the twelve-month coverage matrix."""

    planned: int = 0
    cancelled: int = 0
    attendance: Attendance = field(default_factory=Attendance)
    reporting: Reporting = field(default_factory=Reporting)
    quality: Quality = field(default_factory=Quality)

    @property
    def covered(self) -> bool:
        """A committee member (the assignee or a stand-in) was there."""
        return self.attendance.covered > 0

    @property
    def met(self) -> bool:
        """The branch met, as far as chibo knows: a meeting was planned and not cancelled,
        and no report says it was not held."""
        if self.planned == 0:
            return False
        return not (self.quality.held == 0 and self.quality.not_held > 0)

    @property
    def reported(self) -> bool:
        return self.reporting.received > 0


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
    branch_months: dict[int, dict[Month, BranchMonth]]
    branch_names: dict[int, tuple[str, str, str]]  # branch id -> (code, name, unit name)
    missing: list[MissingReport] = field(default_factory=list)  # office edition only
    quota: int | None = None
    quota_lines: list[QuotaLine] = field(default_factory=list)  # office edition only


@dataclass(frozen=True)
class Tree:
    """The units under one organisation: which branches it holds and the unit each belongs
    to directly under the organisation (the level the digest compares)."""

    root: Unit
    branch_ids: list[int]
    top_of: dict[int, Unit]  # branch id -> its unit under the root (itself if directly under)
    names: dict[int, tuple[str, str, str]]
    active_branches: set[int]
    whole_database: bool  # the only organisation: no need to filter meetings by branch


class DigestService:
    def __init__(self, db: AsyncSession, zone: ZoneInfo) -> None:
        self.db = db
        self.zone = zone

    async def organisations(self) -> list[Unit]:
        """The roots of the unit tree: each gets its own digest (usually there is one)."""
        return list(
            await self.db.scalars(
                select(Unit).where(Unit.parent_id.is_(None), Unit.active).order_by(Unit.code)
            )
        )

    async def tree(self, root: Unit) -> Tree:
        rows = (
            await self.db.execute(
                select(Unit.id, Unit.parent_id, Unit.code, Unit.name, Unit.is_branch, Unit.active)
            )
        ).all()
        units = {row.id: row for row in rows}
        roots = [row for row in rows if row.parent_id is None]
        by_id = {row.id: row for row in rows}
        branch_ids: list[int] = []
        top_of: dict[int, Unit] = {}
        names: dict[int, tuple[str, str, str]] = {}
        active: set[int] = set()
        unit_objects = {
            u.id: u for u in await self.db.scalars(select(Unit).where(Unit.parent_id == root.id))
        }
        unit_objects[root.id] = root
        for row in rows:
            if not row.is_branch:
                continue
            chain = [row.id]
            while by_id[chain[-1]].parent_id is not None and len(chain) < 50:
                chain.append(by_id[chain[-1]].parent_id)
            if chain[-1] != root.id:
                continue
            top_id = chain[-2] if len(chain) >= 2 else row.id
            top_unit = unit_objects.get(top_id) or root
            branch_ids.append(row.id)
            top_of[row.id] = top_unit
            names[row.id] = (row.code, row.name, top_unit.name if top_id != row.id else "")
            if row.active:
                active.add(row.id)
        del units
        return Tree(root, branch_ids, top_of, names, active, len(roots) == 1)

    # ------------------------------------------------------------------ the figures

    async def figures(
        self,
        root: Unit,
        month: Month,
        edition: Edition,
        *,
        quota: int | None = None,
        today: date | None = None,
    ) -> DigestFigures:
        tree = await self.tree(root)
        months = [month.shift(-n) for n in range(TREND_MONTHS, -1, -1)]  # 13, oldest first
        cells = await self._branch_months(tree, months)
        per_month = {m: self._month_totals(m, tree, cells) for m in months}
        for bucket, raised in await self._proposals_raised(tree, months):
            per_month[months[bucket]].proposals_new = raised
        current, previous = per_month[month], per_month[month.shift(-1)]
        last_year = per_month[month.shift(-12)]
        by_topic, urgent_count, urgent = await self._proposals(tree, month)
        open_older, overdue, answered = await self._older_proposals(tree, month)
        digest = DigestFigures(
            org_code=root.code,
            org_name=root.name,
            month=month,
            edition=edition,
            current=current,
            previous=previous,
            last_year=last_year,
            trend=[per_month[m] for m in months[1:]],
            units=self._units(tree, cells, month),
            uncovered=[],
            not_met=[],
            low_attendance=[],
            topics=await self._topics(tree, month),
            proposals_by_topic=by_topic,
            proposals_urgent=urgent_count,
            urgent=urgent,
            open_older=open_older,
            overdue=overdue,
            answered_in_month=answered,
            branch_months=cells,
            branch_names=tree.names,
            quota=quota or None,
        )
        for branch_id in sorted(tree.active_branches, key=lambda b: tree.names[b][0]):
            cell = cells.get(branch_id, {}).get(month, BranchMonth())
            code, name, unit = tree.names[branch_id]
            if not cell.met:
                digest.not_met.append(BranchLine(code, name, unit))
            elif not cell.covered:
                digest.uncovered.append(BranchLine(code, name, unit))
            rate = cell.quality.attendance_rate
            if rate is not None and rate < GOOD_ATTENDANCE:
                digest.low_attendance.append(BranchLine(code, name, unit, rate))
        digest.low_attendance.sort(key=lambda line: (line.rate, line.code))
        if edition == Edition.OFFICE:
            digest.missing = await self._missing(tree, month)
            if quota:
                digest.quota_lines = await self._quota(month, quota, today)
        return digest

    def _bucket(self, months: list[Month]) -> ColumnElement[int]:
        """Which of the months a meeting falls in, by its start (in the organisation's
        zone): the same expression on SQLite and PostgreSQL."""
        edges = [m.start(self.zone) for m in months[1:]]
        return case(
            *((Meeting.starts_at < edge, index) for index, edge in enumerate(edges)),
            else_=len(edges),
        )

    def _in(self, tree: Tree, months: list[Month]) -> list[ColumnElement[bool]]:
        conditions = [
            Meeting.starts_at >= months[0].start(self.zone),
            Meeting.starts_at < months[-1].end(self.zone),
        ]
        if not tree.whole_database:
            conditions.append(Meeting.unit_id.in_(tree.branch_ids))
        return conditions

    async def _branch_months(
        self, tree: Tree, months: list[Month]
    ) -> dict[int, dict[Month, BranchMonth]]:
        cells: dict[int, dict[Month, BranchMonth]] = defaultdict(dict)

        def cell(branch_id: int, bucket: int) -> BranchMonth:
            return cells[branch_id].setdefault(months[bucket], BranchMonth())

        bucket = self._bucket(months).label("bucket")
        window = self._in(tree, months)
        cancelled = Meeting.status == MeetingStatus.CANCELLED
        for row in await self.db.execute(
            select(
                bucket,
                Meeting.unit_id,
                func.count(),
                func.sum(case((cancelled, 1), else_=0)),
            )
            .where(*window)
            .group_by(bucket, Meeting.unit_id)
        ):
            target = cell(row[1], row[0])
            target.cancelled = row[3] or 0
            target.planned = row[2] - target.cancelled

        assigned = aliased(Rsvp)
        stand_in = aliased(Rsvp)
        attended = _was_there(assigned)
        stood_in = exists().where(
            stand_in.meeting_id == Meeting.id,
            stand_in.kind == AttendeeKind.STAND_IN,
            stand_in.stand_in_for_id == assigned.person_id,
            _was_there(stand_in),
        )
        for row in await self.db.execute(
            select(
                bucket,
                Meeting.unit_id,
                func.count(),
                func.sum(case((attended, 1), else_=0)),
                func.sum(case((and_(not_(attended), stood_in), 1), else_=0)),
                func.sum(
                    case(
                        (
                            and_(not_(attended), not_(stood_in), assigned.answer == RsvpAnswer.NO),
                            1,
                        ),
                        else_=0,
                    )
                ),
            )
            .select_from(assigned)
            .join(Meeting, Meeting.id == assigned.meeting_id)
            .where(*window, not_(cancelled), assigned.kind == AttendeeKind.ASSIGNED)
            .group_by(bucket, Meeting.unit_id)
        ):
            slots, came, stood, excused = row[2], row[3] or 0, row[4] or 0, row[5] or 0
            cell(row[1], row[0]).attendance = Attendance(
                slots, came, stood, excused, slots - came - stood - excused
            )

        expected = and_(
            Rsvp.answer != RsvpAnswer.NO,
            or_(Rsvp.kind == AttendeeKind.ASSIGNED, Rsvp.answer == RsvpAnswer.YES),
        )
        received = Report.id.is_not(None)
        for row in await self.db.execute(
            select(
                bucket,
                Meeting.unit_id,
                func.count(),
                func.sum(case((and_(received, not_(Report.late)), 1), else_=0)),
                func.sum(case((and_(received, Report.late), 1), else_=0)),
            )
            .select_from(Rsvp)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .outerjoin(
                Report, and_(Report.meeting_id == Meeting.id, Report.author_id == Rsvp.person_id)
            )
            .where(*window, not_(cancelled), expected)
            .group_by(bucket, Meeting.unit_id)
        ):
            cell(row[1], row[0]).reporting = Reporting(row[2], row[3] or 0, row[4] or 0)

        held = ReportVersion.held
        counted = and_(held, ReportVersion.total_members.is_not(None))
        criteria_text = cast(ReportVersion.criteria_met, String)
        rating_columns = [
            func.sum(case((and_(held, ReportVersion.rating == code), 1), else_=0))
            for code in RATING_CODES
        ]
        criteria_columns = [
            func.sum(case((and_(held, criteria_text.like(f'%"{code}"%')), 1), else_=0))
            for code, _ in CRITERIA
        ]
        for row in await self.db.execute(
            select(
                bucket,
                Meeting.unit_id,
                func.count(),
                func.sum(case((held, 1), else_=0)),
                func.sum(case((counted, func.coalesce(ReportVersion.present, 0)), else_=0)),
                func.sum(
                    case(
                        (
                            counted,
                            ReportVersion.total_members - func.coalesce(ReportVersion.exempted, 0),
                        ),
                        else_=0,
                    )
                ),
                *rating_columns,
                *criteria_columns,
            )
            .select_from(Report)
            .join(
                ReportVersion,
                and_(
                    ReportVersion.report_id == Report.id,
                    ReportVersion.version == Report.current_version,
                ),
            )
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*window, not_(cancelled))
            .group_by(bucket, Meeting.unit_id)
        ):
            ratings = row[6 : 6 + len(RATING_CODES)]
            criteria = row[6 + len(RATING_CODES) :]
            cell(row[1], row[0]).quality = Quality(
                reports=row[2],
                held=row[3] or 0,
                not_held=row[2] - (row[3] or 0),
                present=row[4] or 0,
                expected_present=row[5] or 0,
                ratings={code: n or 0 for code, n in zip(RATING_CODES, ratings, strict=True) if n},
                criteria={
                    code: n or 0 for (code, _), n in zip(CRITERIA, criteria, strict=True) if n
                },
            )
        return cells

    def _month_totals(
        self, month: Month, tree: Tree, cells: dict[int, dict[Month, BranchMonth]]
    ) -> MonthFigures:
        totals = MonthFigures(month, branches=len(tree.active_branches))
        for branch_id, months in cells.items():
            cell = months.get(month)
            if cell is None:
                continue
            totals.planned += cell.planned
            totals.cancelled += cell.cancelled
            totals.attendance.add(cell.attendance)
            totals.reporting.add(cell.reporting)
            totals.quality.add(cell.quality)
            if branch_id in tree.active_branches:
                totals.branches_met += cell.met
                totals.branches_covered += cell.met and cell.covered
        return totals

    def _units(
        self, tree: Tree, cells: dict[int, dict[Month, BranchMonth]], month: Month
    ) -> list[UnitFigures]:
        units: dict[int, UnitFigures] = {}
        for branch_id in tree.branch_ids:
            top = tree.top_of[branch_id]
            unit = units.setdefault(top.id, UnitFigures(top.code, top.name))
            if branch_id in tree.active_branches:
                unit.branches += 1
            cell = cells.get(branch_id, {}).get(month)
            if cell is not None:
                unit.attendance.add(cell.attendance)
                unit.reporting.add(cell.reporting)
        return sorted(units.values(), key=lambda u: u.code)

    def _month_meetings(self, tree: Tree, month: Month) -> list[ColumnElement[bool]]:
        return [*self._in(tree, [month]), Meeting.status != MeetingStatus.CANCELLED]

    async def _topics(self, tree: Tree, month: Month, limit: int = 5) -> list[tuple[str, int]]:
        count = func.count().label("count")
        rows = await self.db.execute(
            select(Topic.name, count)
            .select_from(ReportTopic)
            .join(Topic, Topic.id == ReportTopic.topic_id)
            .join(ReportVersion, ReportVersion.id == ReportTopic.report_version_id)
            .join(
                Report,
                and_(
                    Report.id == ReportVersion.report_id,
                    Report.current_version == ReportVersion.version,
                ),
            )
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

    async def _proposals_raised(self, tree: Tree, months: list[Month]) -> list[tuple[int, int]]:
        """Proposals raised at each month's meetings."""
        bucket = self._bucket(months).label("bucket")
        rows = await self.db.execute(
            select(bucket, func.count())
            .select_from(Proposal)
            .join(Report, Report.id == Proposal.report_id)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._in(tree, months))
            .group_by(bucket)
        )
        return [(b, n) for b, n in rows]

    async def _proposals(
        self, tree: Tree, month: Month, limit: int = 5
    ) -> tuple[list[tuple[str, int]], int, list[ProposalLine]]:
        raised = Proposal.id.in_(self._raised_in(tree, month))
        count = func.count().label("count")
        by_topic = [
            (name or "", n)
            for name, n in await self.db.execute(
                select(Topic.name, count)
                .select_from(Proposal)
                .outerjoin(Topic, Topic.id == Proposal.topic_id)
                .where(raised)
                .group_by(Topic.name)
                .order_by(count.desc(), Topic.name)
            )
        ]
        urgent_now = and_(raised, Proposal.urgency == ProposalUrgency.URGENT)
        urgent_count = await self.db.scalar(select(func.count()).where(urgent_now)) or 0
        urgent = [
            ProposalLine(
                id=row.id,
                branch=row.branch,
                topic=row.topic,
                text=row.text,
                urgent=True,
                raised_on=row.starts_at.astimezone(self.zone).date(),
            )
            for row in await self.db.execute(
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
            )
        ]
        return by_topic, urgent_count, urgent

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
        open_older = await self.db.scalar(older) or 0
        overdue = (
            await self.db.scalar(
                older.where(Proposal.created_at < end - timedelta(days=PROPOSAL_DUE_DAYS))
            )
            or 0
        )
        answered = (
            await self.db.scalar(
                select(func.count())
                .select_from(Proposal)
                .where(*scope, Proposal.answered_at >= start, Proposal.answered_at < end)
            )
            or 0
        )
        return open_older, overdue, answered

    async def _missing(self, tree: Tree, month: Month) -> list[MissingReport]:
        rows = await self.db.execute(
            select(Person.code, Person.full_name, Unit.name, Meeting.starts_at)
            .select_from(Rsvp)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .join(Unit, Unit.id == Meeting.unit_id)
            .join(Person, Person.id == Rsvp.person_id)
            .outerjoin(
                Report, and_(Report.meeting_id == Meeting.id, Report.author_id == Rsvp.person_id)
            )
            .where(
                *self._month_meetings(tree, month),
                Rsvp.answer != RsvpAnswer.NO,
                or_(Rsvp.kind == AttendeeKind.ASSIGNED, Rsvp.answer == RsvpAnswer.YES),
                Report.id.is_(None),
            )
            .order_by(Unit.code, Meeting.starts_at, Person.code)
        )
        return [
            MissingReport(code, name, branch, starts_at.astimezone(self.zone).date())
            for code, name, branch, starts_at in rows
        ]

    async def _quota(self, month: Month, quota: int, today: date | None) -> list[QuotaLine]:
        """Each committee member's attendances this year (as assignee or stand-in) against
        the yearly quota, and the quota's share for the months gone by."""
        year = Month(month.first.replace(month=1))
        done = dict(
            (
                await self.db.execute(
                    select(Rsvp.person_id, func.count(func.distinct(Rsvp.meeting_id)))
                    .join(Meeting, Meeting.id == Rsvp.meeting_id)
                    .where(
                        Meeting.starts_at >= year.start(self.zone),
                        Meeting.starts_at < month.end(self.zone),
                        Meeting.status != MeetingStatus.CANCELLED,
                        _was_there(Rsvp),
                    )
                    .group_by(Rsvp.person_id)
                )
            ).all()
        )
        due_by_now = quota * month.first.month / 12
        members = await self.db.execute(
            select(Person.id, Person.code, Person.full_name)
            .where(
                Person.active,
                Person.id.in_(select(PersonRole.person_id).where(PersonRole.role == Role.MEMBER)),
            )
            .order_by(Person.code)
        )
        return [QuotaLine(code, name, done.get(pid, 0), due_by_now) for pid, code, name in members]

    # ------------------------------------------------------------------ the spreadsheet's rows

    async def sheet_rows(self, root: Unit, month: Month) -> SheetRows:
        """The month's meetings, reports and proposals, a row each, for the spreadsheet."""
        tree = await self.tree(root)
        stand_in = aliased(Rsvp)
        stand_in_person = aliased(Person)
        assignee = aliased(Person)
        own_report = aliased(Report)
        own_version = aliased(ReportVersion)
        meetings = [
            dict(row._mapping)
            for row in await self.db.execute(
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
                    own_report.id.label("report_id"),
                    own_report.late.label("report_late"),
                    own_version.held.label("report_held"),
                )
                .select_from(Meeting)
                .outerjoin(
                    Rsvp,
                    and_(Rsvp.meeting_id == Meeting.id, Rsvp.kind == AttendeeKind.ASSIGNED),
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
                .outerjoin(
                    own_report,
                    and_(
                        own_report.meeting_id == Meeting.id,
                        own_report.author_id == func.coalesce(stand_in.person_id, Rsvp.person_id),
                    ),
                )
                .outerjoin(
                    own_version,
                    and_(
                        own_version.report_id == own_report.id,
                        own_version.version == own_report.current_version,
                    ),
                )
                .where(*self._in(tree, [month]))
                .order_by(Meeting.starts_at, Meeting.unit_id, assignee.code)
            )
        ]
        author = aliased(Person)
        entered_by = aliased(Person)
        reports = [
            dict(row._mapping)
            for row in await self.db.execute(
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
                .join(
                    ReportVersion,
                    and_(
                        ReportVersion.report_id == Report.id,
                        ReportVersion.version == Report.current_version,
                    ),
                )
                .join(Meeting, Meeting.id == Report.meeting_id)
                .join(author, author.id == Report.author_id)
                .outerjoin(entered_by, entered_by.id == Report.entered_by_id)
                .where(*self._in(tree, [month]))
                .order_by(Meeting.starts_at, Report.id)
            )
        ]
        topic_names: dict[int, list[str]] = defaultdict(list)
        for version_id, name in await self.db.execute(
            select(ReportTopic.report_version_id, Topic.name)
            .join(Topic, Topic.id == ReportTopic.topic_id)
            .join(ReportVersion, ReportVersion.id == ReportTopic.report_version_id)
            .join(
                Report,
                and_(
                    Report.id == ReportVersion.report_id,
                    Report.current_version == ReportVersion.version,
                ),
            )
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._in(tree, [month]))
            .order_by(ReportTopic.report_version_id, Topic.sort_order)
        ):
            topic_names[version_id].append(name)
        for report in reports:
            report["topics"] = topic_names.get(report["version_id"], [])
        raised_or_open = or_(
            Proposal.id.in_(self._raised_in(tree, month)),
            and_(
                Proposal.state.in_([ProposalState.NEW, ProposalState.IN_PROGRESS]),
                Proposal.created_at < month.end(self.zone),
                *([] if tree.whole_database else [Proposal.unit_id.in_(tree.branch_ids)]),
            ),
        )
        proposals = [
            dict(row._mapping)
            for row in await self.db.execute(
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
                .where(raised_or_open)
                .order_by(Meeting.starts_at, Proposal.id)
            )
        ]
        return SheetRows(tree.names, meetings, reports, proposals)


def _reported(rsvp: Any, held: bool) -> ColumnElement[bool]:
    """The RSVP's person sent a report on its meeting saying it was held (or was not)."""
    report, version = aliased(Report), aliased(ReportVersion)
    return exists(
        select(report.id)
        .join(
            version,
            and_(version.report_id == report.id, version.version == report.current_version),
        )
        .where(
            report.meeting_id == rsvp.meeting_id,
            report.author_id == rsvp.person_id,
            version.held if held else not_(version.held),
        )
    )


def _was_there(rsvp: Any) -> ColumnElement[bool]:
    """The RSVP's person attended: their report says the meeting was held, or they said they
    would go and no report of theirs says it was not held."""
    return or_(
        _reported(rsvp, held=True),
        and_(rsvp.answer == RsvpAnswer.YES, not_(_reported(rsvp, held=False))),
    )


@dataclass
class SheetRows:
    branch_names: dict[int, tuple[str, str, str]]
    meetings: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    proposals: list[dict[str, Any]]
