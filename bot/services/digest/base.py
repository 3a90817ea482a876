"""What every digest query shares: its sessions, the organisation's tree, the months' window,
and the cutoff of a month in progress."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.domain.digest import Month, Tree, UnitName
from db.models import (
    AttendeeKind,
    Meeting,
    MeetingStatus,
    Proposal,
    Report,
    ReportVersion,
    RsvpAnswer,
    Unit,
)


class DigestQueries:
    """The sessions, the zone and the cutoff every digest query shares, and the organisation's
    tree."""

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

    def _month_meetings(self, tree: Tree, month: Month) -> list[ColumnElement[bool]]:
        return [*self._in(tree, [month]), Meeting.status != MeetingStatus.CANCELLED]

    def _raised_in(self, tree: Tree, month: Month) -> Any:
        return (
            select(Proposal.id)
            .join(Report, Report.id == Proposal.report_id)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._in(tree, [month]))
        )


def _expected_to_report(rsvp: Any) -> ColumnElement[bool]:
    """Those the bot asks to report: assignees who did not decline, stand-ins who accepted."""
    return and_(
        rsvp.answer != RsvpAnswer.NO,
        or_(rsvp.kind == AttendeeKind.ASSIGNED, rsvp.answer == RsvpAnswer.YES),
    )


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
