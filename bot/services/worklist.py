"""What waits for the office and the leaders when they open the bot: proposals to assign,
answer or chase, people not linked yet, declines with no stand-in, branches nobody follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.clock import Clock
from bot.services.calendar import OPEN_STATUSES
from bot.services.policy import Actor, Permission
from bot.services.proposals import ProposalService
from db.models import (
    Assignment,
    AttendeeKind,
    Meeting,
    Person,
    Rsvp,
    RsvpAnswer,
    Unit,
)

# How far ahead a decline with no stand-in is worth the office's attention.
AHEAD = timedelta(days=30)


@dataclass
class Work:
    to_answer: int = 0
    to_assign: int = 0
    overdue: int = 0
    unlinked: int = 0
    # (meeting, branch, who declined) of the coming weeks, with no stand-in invited
    uncovered: list[tuple[Meeting, Unit, Person]] = field(default_factory=list)
    unassigned: list[Unit] = field(default_factory=list)  # active branches nobody follows

    @property
    def any(self) -> bool:
        return bool(
            self.to_answer
            or self.to_assign
            or self.overdue
            or self.unlinked
            or self.uncovered
            or self.unassigned
        )


class WorkList:
    def __init__(
        self, db: AsyncSession, clock: Clock, zone: ZoneInfo, proposals: ProposalService | None
    ) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone
        self.proposals = proposals

    async def for_actor(self, actor: Actor) -> Work:
        work = Work()
        if self.proposals is not None and actor.may(Permission.PROPOSALS):
            todo = await self.proposals.todo(actor, shown=0)
            work.to_answer, work.to_assign, work.overdue = todo.counts
        if actor.may(Permission.OFFICE):
            work.unlinked = (
                await self.db.scalar(
                    select(func.count()).where(Person.active, Person.telegram_user_id.is_(None))
                )
                or 0
            )
            work.uncovered = await self.uncovered()
            work.unassigned = await self.unassigned()
        return work

    async def uncovered(self) -> list[tuple[Meeting, Unit, Person]]:
        """Coming meetings someone declined, with no stand-in invited in their place."""
        now = self.clock.now()
        stand_in = aliased(Rsvp)
        covered = exists().where(
            stand_in.meeting_id == Rsvp.meeting_id,
            stand_in.kind == AttendeeKind.STAND_IN,
            stand_in.stand_in_for_id == Rsvp.person_id,
            stand_in.answer != RsvpAnswer.NO,
        )
        rows = await self.db.execute(
            select(Meeting, Unit, Person)
            .join(Rsvp, and_(Rsvp.meeting_id == Meeting.id, Rsvp.kind == AttendeeKind.ASSIGNED))
            .join(Unit, Unit.id == Meeting.unit_id)
            .join(Person, Person.id == Rsvp.person_id)
            .where(
                Rsvp.answer == RsvpAnswer.NO,
                ~covered,
                Meeting.status.in_(OPEN_STATUSES),
                Meeting.starts_at > now,
                Meeting.starts_at <= now + AHEAD,
            )
            .order_by(Meeting.starts_at, Unit.code)
        )
        return [(meeting, unit, person) for meeting, unit, person in rows]

    async def unassigned(self) -> list[Unit]:
        today = self.clock.now().astimezone(self.zone).date()
        followed = select(Assignment.unit_id).where(Assignment.overlapping(today, today))
        return list(
            await self.db.scalars(
                select(Unit)
                .where(Unit.active, Unit.is_branch, Unit.id.not_in(followed))
                .order_by(Unit.code)
            )
        )
