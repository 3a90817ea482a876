"""The digest's figures: per branch and month, everything counted in one statement over
thirteen months, then added up into units; the month's lists (topics, proposals, missing
reports, the quota). What each figure means is written in docs/digest.md."""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    func,
    not_,
    select,
)
from sqlalchemy.orm import aliased

from bot.domain.digest import (
    GOOD_ATTENDANCE,
    PROPOSAL_DUE_DAYS,
    TREND_MONTHS,
    BodyLine,
    BranchLine,
    BranchMonth,
    DigestFigures,
    Edition,
    MissingReport,
    Month,
    MonthFigures,
    ProposalLine,
    ProposalLoop,
    QuotaLine,
    Tree,
    UnitFigures,
)
from bot.domain.quality import CRITERIA, RATING_CODES
from bot.services.digest.base import DigestQueries, _expected_to_report, _Presence
from db.models import (
    AttendeeKind,
    HandlingBody,
    Meeting,
    MeetingStatus,
    Person,
    PersonRole,
    Proposal,
    ProposalField,
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


class FigureQueries(DigestQueries):
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
        # Every query at once, each in a session of its own.
        async with asyncio.TaskGroup() as queries:
            branch_months_query = queries.create_task(self._rows(self._branch_months(tree, months)))
            raised_query = queries.create_task(self._rows(self._proposals_raised(tree, months)))
            topics_query = queries.create_task(self._topics(tree, month))
            proposals_query = queries.create_task(self._proposals(tree, month))
            older_query = queries.create_task(self._older_proposals(tree, month))
            missing_query = queries.create_task(self._missing(tree, month)) if office else None
            quota_query = (
                queries.create_task(self._quota(month, quota)) if office and quota else None
            )
            loop_query = queries.create_task(self._loop(tree, month))
        branch_months, raised = branch_months_query.result(), raised_query.result()
        topics, proposals, older = (
            topics_query.result(),
            proposals_query.result(),
            older_query.result(),
        )
        missing = missing_query.result() if missing_query is not None else []
        quota_lines = quota_query.result() if quota_query is not None else []
        loop = loop_query.result()
        upcoming = await self._upcoming(tree, month)
        still_to_meet = set(upcoming or ())
        cells = _cells(len(months), branch_months)
        totals = _month_totals(months, tree, cells)
        for bucket, count in raised:
            totals[bucket].proposals_new = count
        per_month = dict(zip(months, totals, strict=True))
        now = len(months) - 1
        by_field, urgent_count, urgent = proposals
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
            proposals_by_field=by_field,
            proposals_urgent=urgent_count,
            urgent=urgent,
            open_older=open_older,
            overdue=overdue,
            answered_in_month=answered,
            branch_months={branch: row[1:] for branch, row in cells.items()},
            branch_names=tree.names,
            missing=missing,
            quota=quota or None,
            quota_lines=quota_lines,
            as_of=self.as_of.astimezone(self.zone) if self.as_of and upcoming is not None else None,
            loop=loop,
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

    async def _topics(self, tree: Tree, month: Month, limit: int = 5) -> list[tuple[str, int]]:
        """The month's most discussed topics: the roster's, and those a report wrote in
        ("another topic"), counted alike."""
        count = func.count().label("count")
        listed = await self._rows(
            select(Topic.name, count)
            .select_from(ReportTopic)
            .join(Topic, Topic.id == ReportTopic.topic_id)
            .join(ReportVersion, ReportVersion.id == ReportTopic.report_version_id)
            .join(Report, ReportVersion.is_current())
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._month_meetings(tree, month), ReportVersion.held)
            .group_by(Topic.id, Topic.name)
        )
        written = ReportVersion.content["other_topic"].as_string()
        other = await self._rows(
            select(written, count)
            .select_from(Report)
            .join(ReportVersion, ReportVersion.is_current())
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._month_meetings(tree, month), ReportVersion.held, written != "")
            .group_by(written)
        )
        counted: Counter[str] = Counter()
        for name, n in [*listed, *other]:
            if name:
                counted[" ".join(str(name).split())] += n
        return sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:limit]

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
        by_field, urgent_count, urgent = await asyncio.gather(
            self._rows(
                select(ProposalField.name, count)
                .select_from(Proposal)
                .outerjoin(ProposalField, ProposalField.id == Proposal.field_id)
                .where(raised)
                .group_by(ProposalField.name)
                .order_by(count.desc(), ProposalField.name)
            ),
            self._scalar(select(func.count()).where(urgent_now)),
            self._rows(
                select(
                    Proposal.id,
                    Proposal.text,
                    Unit.name.label("branch"),
                    ProposalField.name.label("field"),
                    Meeting.starts_at,
                )
                .join(Report, Report.id == Proposal.report_id)
                .join(Meeting, Meeting.id == Report.meeting_id)
                .join(Unit, Unit.id == Proposal.unit_id)
                .outerjoin(ProposalField, ProposalField.id == Proposal.field_id)
                .where(urgent_now)
                .order_by(Meeting.starts_at, Proposal.id)
                .limit(limit)
            ),
        )
        lines = [
            ProposalLine(
                id=row.id,
                branch=row.branch,
                field=row.field,
                text=row.text,
                urgent=True,
                raised_on=row.starts_at.astimezone(self.zone).date(),
            )
            for row in urgent
        ]
        return [(name or "", n) for name, n in by_field], urgent_count or 0, lines

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

    async def _loop(self, tree: Tree, month: Month) -> ProposalLoop:
        """The loop's figures: counted by the database, but for the median, taken from the
        month's few answers."""
        start, end = month.start(self.zone), month.end(self.zone)
        if self.as_of is not None and self.as_of < end:
            end = self.as_of
        last_day = (end - timedelta(microseconds=1)).astimezone(self.zone).date()
        scope = [] if tree.whole_database else [Proposal.unit_id.in_(tree.branch_ids)]
        answered = and_(
            *scope,
            Proposal.answer_final,
            Proposal.answered_at >= start,
            Proposal.answered_at < end,
        )
        open_now = and_(
            *scope,
            Proposal.created_at < end,
            Proposal.state.in_([ProposalState.NEW, ProposalState.IN_PROGRESS]),
        )
        assigned_in = and_(*scope, Proposal.assigned_at >= start, Proposal.assigned_at < end)
        counts = select(
            func.count().filter(assigned_in),
            func.count().filter(answered),
            func.count().filter(open_now),
            func.count().filter(and_(open_now, Proposal.deadline < last_day)),
        ).select_from(Proposal)
        answered_rows, body_rows, [totals] = await asyncio.gather(
            self._rows(
                select(Proposal.created_at, Proposal.answered_at, Proposal.deadline).where(answered)
            ),
            self._rows(
                select(
                    HandlingBody.name,
                    func.count().filter(assigned_in),
                    func.count().filter(answered),
                    func.count().filter(open_now),
                )
                .select_from(Proposal)
                .join(HandlingBody, HandlingBody.id == Proposal.body_id)
                .group_by(HandlingBody.name)
                .order_by(HandlingBody.name)
            ),
            self._rows(counts),
        )
        assigned, answered_count, open_count, late = totals
        on_time = sum(
            1
            for _, answered_at, deadline in answered_rows
            if deadline is not None and answered_at.astimezone(self.zone).date() <= deadline
        )
        days = sorted(
            (answered_at - created_at).total_seconds() / 86400
            for created_at, answered_at, _ in answered_rows
        )
        return ProposalLoop(
            assigned=assigned,
            answered=answered_count,
            answered_on_time=on_time,
            open_now=open_count,
            late_now=late,
            median_days=statistics.median(days) if days else None,
            by_body=[BodyLine(name, a, b, c) for name, a, b, c in body_rows if a or b or c],
        )

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
            slots=counters[0],
            attended=counters[1],
            stood_in=counters[2],
            excused=counters[3],
            expected=counters[4],
            on_time=counters[5],
            late=counters[6],
            reports=counters[7],
            held=counters[8],
            present=counters[9],
            expected_present=counters[10],
            ratings=tuple(value or 0 for value in row[15:rating_end]),
            criteria=tuple(value or 0 for value in row[rating_end:]),
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
