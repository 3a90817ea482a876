"""Who follows which branch: the roster as the office looks it up and changes it in chat."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.schedules import fold
from bot.services import audit
from db.models import Assignment, BranchSchedule, Person, PersonRole, Role, Unit


@dataclass(frozen=True)
class BranchLine:
    branch: Unit
    schedule: BranchSchedule | None
    assignees: list[Person]


@dataclass(frozen=True)
class UnitBlock:
    unit: Unit
    depth: int
    branches: list[BranchLine]


@dataclass(frozen=True)
class PersonAssignment:
    assignment: Assignment
    branch: Unit
    current: bool


@dataclass(frozen=True)
class PersonCard:
    person: Person
    assignments: list[PersonAssignment]


class AssignOutcome(enum.StrEnum):
    DONE = "done"
    UNKNOWN_PERSON = "unknown_person"
    UNKNOWN_BRANCH = "unknown_branch"
    OVERLAPS = "overlaps"
    NOT_FOUND = "not_found"
    BAD_DATES = "bad_dates"


@dataclass(frozen=True)
class AssignResult:
    outcome: AssignOutcome
    person: Person | None = None
    branch: Unit | None = None
    assignment: Assignment | None = None


class DirectoryService:
    def __init__(self, db: AsyncSession, clock: Clock, zone: ZoneInfo) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    async def overview(self) -> list[UnitBlock]:
        """Active units, parents first, each with its branches and today's assignees."""
        units = list(await self.db.scalars(select(Unit).where(Unit.active).order_by(Unit.code)))
        schedules = {s.unit_id: s for s in await self.db.scalars(select(BranchSchedule))}
        assignees: dict[int, list[Person]] = defaultdict(list)
        rows = await self.db.execute(
            select(Assignment.unit_id, Person)
            .join(Person, Assignment.person_id == Person.id)
            .where(Assignment.overlapping(self.today(), self.today()), Person.active)
            .order_by(Person.full_name)
        )
        for unit_id, person in rows:
            assignees[unit_id].append(person)
        children: dict[int | None, list[Unit]] = defaultdict(list)
        ids = {unit.id for unit in units}
        for unit in units:
            children[unit.parent_id if unit.parent_id in ids else None].append(unit)
        blocks: list[UnitBlock] = []

        def visit(unit: Unit, depth: int) -> None:
            branches = [
                BranchLine(b, schedules.get(b.id), assignees[b.id])
                for b in children[unit.id]
                if b.is_branch
            ]
            blocks.append(UnitBlock(unit, depth, branches))
            for child in children[unit.id]:
                if not child.is_branch:
                    visit(child, depth + 1)

        for root in children[None]:
            if not root.is_branch:
                visit(root, 0)
        return blocks

    async def find_people(self, query: str, limit: int = 20) -> list[Person]:
        wanted = fold(query)
        people = await self.db.scalars(select(Person).where(Person.active).order_by(Person.code))
        exact = [p for p in people if fold(p.code) == wanted]
        if exact:
            return exact
        people = await self.db.scalars(select(Person).where(Person.active).order_by(Person.code))
        return [p for p in people if wanted in fold(p.full_name)][:limit]

    async def person_card(self, code: str) -> PersonCard | None:
        person = await self.db.scalar(select(Person).where(Person.code == code))
        if person is None:
            return None
        today = self.today()
        rows = await self.db.execute(
            select(Assignment, Unit)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Assignment.person_id == person.id)
            .order_by(Assignment.valid_from.desc())
        )
        assignments = [
            PersonAssignment(
                a, unit, a.valid_from <= today and (a.valid_until is None or a.valid_until >= today)
            )
            for a, unit in rows
        ]
        return PersonCard(person, assignments)

    async def branches_of(self, person: Person) -> list[Unit]:
        return list(
            await self.db.scalars(
                select(Unit)
                .join(Assignment, Assignment.unit_id == Unit.id)
                .where(
                    Assignment.person_id == person.id,
                    Assignment.overlapping(self.today(), self.today()),
                    Unit.active,
                )
                .order_by(Unit.name)
            )
        )

    async def _active_people(self, *where: ColumnElement[bool]) -> list[Person]:
        query = select(Person).where(Person.active, *where).order_by(Person.code)
        return list(await self.db.scalars(query))

    async def unlinked(self) -> list[Person]:
        return await self._active_people(Person.telegram_user_id.is_(None))

    async def active_person(self, code: str) -> Person | None:
        return await self.db.scalar(select(Person).where(Person.code == code, Person.active))

    async def linked_with(self, role: Role) -> list[Person]:
        """Active people holding `role` who can be written to."""
        holders = select(PersonRole.person_id).where(PersonRole.role == role)
        return await self._active_people(
            Person.id.in_(holders), Person.telegram_user_id.is_not(None)
        )

    async def unreachable(self) -> list[Person]:
        """Linked people Telegram refused to deliver to: they blocked the bot or left."""
        return await self._active_people(Person.unreachable_since.is_not(None))

    async def assign(
        self,
        person_code: str,
        branch_code: str,
        valid_from: date | None,
        valid_until: date | None,
        who: audit.Who,
    ) -> AssignResult:
        found = await self._person_and_branch(person_code, branch_code)
        if isinstance(found, AssignResult):
            return found
        person, branch = found
        valid_from = valid_from or self.today()
        if valid_until is not None and valid_until < valid_from:
            return AssignResult(AssignOutcome.BAD_DATES, person, branch)
        overlapping = await self.db.scalar(
            select(Assignment).where(
                Assignment.person_id == person.id,
                Assignment.unit_id == branch.id,
                Assignment.overlapping(valid_from, valid_until),
            )
        )
        if overlapping is not None:
            return AssignResult(AssignOutcome.OVERLAPS, person, branch, overlapping)
        assignment = Assignment(
            person_id=person.id,
            unit_id=branch.id,
            valid_from=valid_from,
            valid_until=valid_until,
            note="",
            created_at=self.clock.now(),
        )
        self.db.add(assignment)
        audit.record(
            self.db,
            self.clock,
            who,
            "assignment.create",
            "person",
            person.code,
            branch=branch.code,
            valid_from=valid_from.isoformat(),
            valid_until=valid_until.isoformat() if valid_until else None,
        )
        await self.db.flush()
        return AssignResult(AssignOutcome.DONE, person, branch, assignment)

    async def end_assignment(
        self, person_code: str, branch_code: str, last_day: date | None, who: audit.Who
    ) -> AssignResult:
        found = await self._person_and_branch(person_code, branch_code)
        if isinstance(found, AssignResult):
            return found
        person, branch = found
        last_day = last_day or self.today() - timedelta(days=1)
        assignment = await self.db.scalar(
            select(Assignment)
            .where(
                Assignment.person_id == person.id,
                Assignment.unit_id == branch.id,
                Assignment.valid_from <= last_day,
                or_(Assignment.valid_until.is_(None), Assignment.valid_until > last_day),
            )
            .order_by(Assignment.valid_from.desc())
        )
        if assignment is None:
            return AssignResult(AssignOutcome.NOT_FOUND, person, branch)
        assignment.valid_until = last_day
        audit.record(
            self.db,
            self.clock,
            who,
            "assignment.end",
            "person",
            person.code,
            branch=branch.code,
            valid_until=last_day.isoformat(),
        )
        await self.db.flush()
        return AssignResult(AssignOutcome.DONE, person, branch, assignment)

    async def _person_and_branch(
        self, person_code: str, branch_code: str
    ) -> tuple[Person, Unit] | AssignResult:
        """The active person and branch of these codes, or the result that says which is
        unknown."""
        person = await self.db.scalar(
            select(Person).where(Person.code == person_code, Person.active)
        )
        if person is None:
            return AssignResult(AssignOutcome.UNKNOWN_PERSON)
        branch = await self.db.scalar(
            select(Unit).where(Unit.code == branch_code, Unit.is_branch, Unit.active)
        )
        if branch is None:
            return AssignResult(AssignOutcome.UNKNOWN_BRANCH, person)
        return person, branch
