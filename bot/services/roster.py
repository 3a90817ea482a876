"""The roster in the database: importing the office's workbook, and exporting it back.

An import is all or nothing: every row is checked first, and if any is bad nothing changes.
Rows are matched by code. A unit, branch, person or topic missing from a sheet that is in the
workbook is deactivated (kept with its history); an assignment missing from the assignments
sheet is removed. A sheet that is not in the workbook is left as it is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.phones import display_phone
from bot.formats.roster_workbook import (
    ASSIGNMENTS,
    BODIES,
    BRANCHES,
    PEOPLE,
    UNITS,
    AssignmentRow,
    BranchRow,
    CatalogRow,
    Problem,
    RawRow,
    Roster,
    Sheet,
    UnitRow,
    in_sheet_order,
    parse_roster,
    roles_text,
    write_workbook,
)
from bot.i18n import N_
from bot.services import audit
from bot.services.calendar import CalendarService
from bot.services.notices import Notices
from db.models import (
    Assignment,
    BranchSchedule,
    CatalogEntry,
    HandlingBody,
    HandlingBodyMember,
    Person,
    PersonRole,
    ProposalField,
    Role,
    Topic,
    Unit,
)

BRANCH_KIND = "Chi bộ"


@dataclass
class SheetChanges:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    # People found under a new code by their phone number: "UV0010 → VP01"; their Telegram
    # link and history stay theirs.
    recoded: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.created or self.updated or self.deactivated or self.recoded)


# The roles an import must not take away unseen.
OFFICE_ROLES = (Role.ADMIN, Role.LEADER)
# More than this share of the people or branches removed at once is called out.
LARGE_REMOVAL = 1 / 3


@dataclass
class Losses:
    """What an import takes from the office that it must see before confirming."""

    # (name, code, the roles lost: all of them when the person leaves the roster)
    roles: list[tuple[str, str, tuple[Role, ...]]] = field(default_factory=list)
    # sheet key → (removed, of how many): the sheets that lose more than a third
    large: dict[str, tuple[int, int]] = field(default_factory=dict)
    importer_leaves: bool = False  # the person importing loses the administrator's role

    @property
    def any(self) -> bool:
        return bool(self.roles or self.large)


@dataclass
class ImportResult:
    problems: list[Problem]
    changes: dict[str, SheetChanges]
    applied: bool
    # Who must hear of the meetings the new schedules moved or removed.
    notices: Notices = ()
    losses: Losses = field(default_factory=Losses)
    # Why a valid workbook is not imported (a catalog text): it would leave no administrator.
    refusal: str | None = None
    refusal_names: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return any(changes.any for changes in self.changes.values())


NO_ADMIN_LEFT = N_(
    "Nothing was imported: the roster would leave no administrator ({names} would lose the"
    " role). Keep at least one person with the role quản trị in the sheet Cán bộ."
)


@dataclass
class _Weights:
    """What an import is weighed by: who holds an office role, and how many are active."""

    holders: dict[int, tuple[str, str, set[Role]]]  # person id → (name, code, office roles)
    counts: dict[str, int]  # "people", "branches" → how many are active


def _differs(target: Any, **values: Any) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed = True
    return changed


class RosterService:
    def __init__(self, db: AsyncSession, clock: Clock, zone: ZoneInfo | None = None) -> None:
        """With the organisation's `zone`, an applied import brings the calendar in line with
        it at once (new branches' meetings, changed schedules); without, the daily extension
        does."""
        self.db = db
        self.clock = clock
        self.zone = zone

    # ------------------------------------------------------------------ import

    async def import_rows(
        self,
        rows: dict[str, list[RawRow]],
        read_problems: list[Problem],
        who: audit.Who,
        *,
        dry_run: bool,
        source: str = "",
    ) -> ImportResult:
        roster, problems = parse_roster(rows)
        problems = read_problems + problems
        problems += await self._check_references(roster)
        if problems:
            return ImportResult(in_sheet_order(problems), {}, applied=False)
        # The changes are made, then weighed; a trial (or a refused import) is undone.
        async with self.db.begin_nested() as trial:
            before = await self._weights()
            changes = await self._apply(roster)
            losses, left_without_admin = await self._losses(before, changes, who)
            if dry_run or left_without_admin:
                await trial.rollback()
        if left_without_admin:
            names = tuple(f"{name} ({code})" for name, code, _ in losses.roles)
            return ImportResult(
                [],
                changes,
                applied=False,
                losses=losses,
                refusal=NO_ADMIN_LEFT,
                refusal_names=names,
            )
        if dry_run:
            return ImportResult([], changes, applied=False, losses=losses)
        result = ImportResult([], changes, applied=True, losses=losses)
        if result.changed and self.zone is not None:
            calendar = await CalendarService(self.db, self.clock, self.zone).extend()
            result.notices = calendar.notices
        if result.changed:
            audit.record(
                self.db,
                self.clock,
                who,
                "roster.import",
                "roster",
                # The file's name goes with the details: names run to 255 characters, and a
                # command line may import several files at once.
                source=source,
                **{key: vars(sheet) for key, sheet in changes.items() if sheet.any},
            )
        await self.db.flush()
        return result

    async def _weights(self) -> _Weights:
        holders: dict[int, tuple[str, str, set[Role]]] = {}
        for person_id, name, code, role in await self.db.execute(
            select(Person.id, Person.full_name, Person.code, PersonRole.role)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(Person.active, PersonRole.role.in_(OFFICE_ROLES))
        ):
            holders.setdefault(person_id, (name, code, set()))[2].add(role)
        people = await self.db.scalar(select(func.count()).where(Person.active))
        branches = await self.db.scalar(select(func.count()).where(Unit.active, Unit.is_branch))
        return _Weights(holders, {"people": people or 0, "branches": branches or 0})

    async def _losses(
        self, before: _Weights, changes: dict[str, SheetChanges], who: audit.Who
    ) -> tuple[Losses, bool]:
        """The roles the import takes away, by name, and the sheets it empties by more than a
        third; and whether it leaves no administrator where there was one."""
        after = await self._weights()
        losses = Losses()
        for person_id, (name, code, roles) in before.holders.items():
            kept = after.holders.get(person_id, ("", "", set()))[2]
            lost = tuple(role for role in OFFICE_ROLES if role in roles and role not in kept)
            if lost:
                losses.roles.append((name, code, lost))
                if person_id == who.person_id and Role.ADMIN in lost:
                    losses.importer_leaves = True
        for key, total in before.counts.items():
            removed = len(changes[key].deactivated)
            if total and removed > total * LARGE_REMOVAL:
                losses.large[key] = (removed, total)

        def admins(weights: _Weights) -> int:
            return sum(1 for *_, roles in weights.holders.values() if Role.ADMIN in roles)

        return losses, admins(before) > 0 and admins(after) == 0

    async def _apply(self, roster: Roster) -> dict[str, SheetChanges]:
        changes = {
            "units": SheetChanges(),
            "branches": SheetChanges(),
            "people": SheetChanges(),
            "assignments": SheetChanges(),
            "topics": SheetChanges(),
            "fields": SheetChanges(),
            "bodies": SheetChanges(),
        }
        await self._apply_units(roster, changes)
        await self._apply_people(roster, changes["people"])
        await self._apply_assignments(roster, changes["assignments"])
        await self._apply_catalog(Topic, roster.topics, changes["topics"])
        await self._apply_catalog(ProposalField, roster.fields, changes["fields"])
        await self._apply_bodies(roster, changes["bodies"])
        return changes

    async def _check_references(self, roster: Roster) -> list[Problem]:
        problems: list[Problem] = []
        units_in_db = {u.code: u for u in await self.db.scalars(select(Unit))}
        people_in_db = {p.code: p for p in await self.db.scalars(select(Person))}

        def known_units(branch: bool) -> set[str]:
            sheet_key = "branches" if branch else "units"
            if sheet_key in roster.codes:
                return roster.codes[sheet_key]
            return {c for c, u in units_in_db.items() if u.active and u.is_branch == branch}

        unit_codes = known_units(branch=False)
        branch_codes = known_units(branch=True)
        if "people" in roster.codes:
            person_codes = roster.codes["people"]
        else:
            person_codes = {c for c, p in people_in_db.items() if p.active}
        for row in roster.units or []:
            if row.parent_code is not None and row.parent_code not in unit_codes:
                problems.append(
                    _problem(UNITS, row.row, "parent", row.parent_code, N_("no unit has this code"))
                )
        problems += _cycles(roster.units or [])
        for branch in roster.branches or []:
            if branch.unit_code not in unit_codes:
                problems.append(
                    _problem(
                        BRANCHES, branch.row, "unit", branch.unit_code, N_("no unit has this code")
                    )
                )
        periods: dict[tuple[str, str], list[AssignmentRow]] = defaultdict(list)
        for assignment in roster.assignments or []:
            if assignment.person_code not in person_codes:
                problems.append(
                    _problem(
                        ASSIGNMENTS,
                        assignment.row,
                        "person",
                        assignment.person_code,
                        N_("no person has this code"),
                    )
                )
            if assignment.branch_code not in branch_codes:
                problems.append(
                    _problem(
                        ASSIGNMENTS,
                        assignment.row,
                        "branch",
                        assignment.branch_code,
                        N_("no branch has this code"),
                    )
                )
            key = (assignment.person_code, assignment.branch_code)
            for other in periods[key]:
                if _overlap(assignment, other):
                    problems.append(
                        _problem(
                            ASSIGNMENTS,
                            assignment.row,
                            "from",
                            assignment.valid_from.strftime("%d/%m/%Y"),
                            N_("overlaps the same assignment in row {row}"),
                            row=other.row,
                        )
                    )
                    break
            periods[key].append(assignment)
        for body in roster.bodies or []:
            for code in body.person_codes:
                if code not in person_codes:
                    problems.append(
                        _problem(BODIES, body.row, "people", code, N_("no person has this code"))
                    )
        problems += _empty_sheets(roster, units_in_db, people_in_db)
        return problems

    async def _apply_units(self, roster: Roster, changes: dict[str, SheetChanges]) -> None:
        now = self.clock.now()
        units = {u.code: u for u in await self.db.scalars(select(Unit))}
        schedules = {s.unit_id: s for s in await self.db.scalars(select(BranchSchedule))}
        parents: dict[str, str | None] = {}
        rows: list[tuple[UnitRow | BranchRow, bool]] = [(r, False) for r in roster.units or []]
        rows += [(r, True) for r in roster.branches or []]
        for row, is_branch in rows:
            sheet_changes = changes["branches" if is_branch else "units"]
            if isinstance(row, BranchRow):
                kind, parents[row.code] = BRANCH_KIND, row.unit_code
            else:
                kind, parents[row.code] = row.kind, row.parent_code
            unit = units.get(row.code)
            if unit is None:
                unit = Unit(
                    code=row.code,
                    name=row.name,
                    kind=kind,
                    is_branch=is_branch,
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
                if isinstance(row, BranchRow):
                    unit.schedule = BranchSchedule(updated_at=now, **_schedule_values(row))
                self.db.add(unit)
                units[row.code] = unit
                sheet_changes.created.append(row.code)
                continue
            changed = _differs(unit, name=row.name, kind=kind, is_branch=is_branch, active=True)
            if isinstance(row, BranchRow):
                changed |= self._apply_schedule(unit, row, schedules)
            if changed:
                unit.updated_at = now
                sheet_changes.updated.append(row.code)
        await self.db.flush()
        for code, parent_code in parents.items():
            unit = units[code]
            parent_id = units[parent_code].id if parent_code else None
            if unit.parent_id != parent_id:
                unit.parent_id = parent_id
                sheet_key = "branches" if unit.is_branch else "units"
                if code not in changes[sheet_key].created + changes[sheet_key].updated:
                    changes[sheet_key].updated.append(code)
                    unit.updated_at = now
        for sheet_key, rows_present, is_branch in (
            ("units", roster.units, False),
            ("branches", roster.branches, True),
        ):
            if rows_present is None:
                continue
            listed = {row.code for row in rows_present}
            for unit in units.values():
                if unit.is_branch == is_branch and unit.active and unit.code not in listed:
                    unit.active = False
                    unit.updated_at = now
                    changes[sheet_key].deactivated.append(unit.code)
        await self.db.flush()

    def _apply_schedule(
        self, unit: Unit, row: BranchRow, schedules: dict[int, BranchSchedule]
    ) -> bool:
        values = _schedule_values(row)
        schedule = schedules.get(unit.id)
        if schedule is None:
            self.db.add(BranchSchedule(unit_id=unit.id, updated_at=self.clock.now(), **values))
            return True
        if _differs(schedule, **values):
            schedule.updated_at = self.clock.now()
            return True
        return False

    async def _apply_people(self, roster: Roster, changes: SheetChanges) -> None:
        if roster.people is None:
            return
        now = self.clock.now()
        people = {p.code: p for p in await self.db.scalars(select(Person))}
        listed = {row.code for row in roster.people}
        # A code the database does not know may be a known person's new code: the same
        # phone, under a code the sheet no longer lists.
        by_phone = {p.phone: p for p in people.values() if p.phone and p.code not in listed}
        for row in roster.people:
            person = people.get(row.code)
            if person is None and row.phone is not None and row.phone in by_phone:
                person = by_phone.pop(row.phone)
                changes.recoded.append(f"{person.code} → {row.code}")
                del people[person.code]
                person.code = row.code
                people[row.code] = person
            if person is None:
                person = Person(
                    code=row.code,
                    full_name=row.full_name,
                    title=row.title,
                    phone=row.phone,
                    telegram_username=row.telegram_username,
                    active=True,
                    created_at=now,
                    updated_at=now,
                    roles=[PersonRole(role=r) for r in sorted(row.roles)],
                )
                self.db.add(person)
                changes.created.append(row.code)
                continue
            changed = _differs(
                person,
                full_name=row.full_name,
                title=row.title,
                phone=row.phone,
                telegram_username=row.telegram_username,
                active=True,
            )
            if person.role_set != row.roles:
                person.roles = [PersonRole(role=r) for r in sorted(row.roles)]
                changed = True
            if changed:
                person.updated_at = now
                changes.updated.append(row.code)
        for person in people.values():
            if person.active and person.code not in listed:
                person.active = False
                person.updated_at = now
                changes.deactivated.append(person.code)
        await self.db.flush()

    async def _apply_assignments(self, roster: Roster, changes: SheetChanges) -> None:
        if roster.assignments is None:
            return
        now = self.clock.now()
        people = {p.code: p.id for p in await self.db.scalars(select(Person))}
        units = {u.code: u.id for u in await self.db.scalars(select(Unit))}
        existing = {
            (person_code, unit_code, a.valid_from): a
            for a, person_code, unit_code in await self.db.execute(
                select(Assignment, Person.code, Unit.code)
                .join(Person, Assignment.person_id == Person.id)
                .join(Unit, Assignment.unit_id == Unit.id)
            )
        }
        listed = set()
        for row in roster.assignments:
            key = (row.person_code, row.branch_code, row.valid_from)
            listed.add(key)
            label = _assignment_label(row.person_code, row.branch_code, row.valid_from)
            assignment = existing.get(key)
            if assignment is None:
                self.db.add(
                    Assignment(
                        person_id=people[row.person_code],
                        unit_id=units[row.branch_code],
                        valid_from=row.valid_from,
                        valid_until=row.valid_until,
                        note=row.note,
                        created_at=now,
                    )
                )
                changes.created.append(label)
            elif _differs(assignment, valid_until=row.valid_until, note=row.note):
                changes.updated.append(label)
        for key, assignment in existing.items():
            if key not in listed:
                await self.db.delete(assignment)
                changes.deactivated.append(_assignment_label(*key))
        await self.db.flush()

    async def _apply_catalog(
        self,
        model: type[CatalogEntry],
        rows: list[CatalogRow] | None,
        changes: SheetChanges,
    ) -> None:
        """A list the office keeps (topics, proposal fields): what the sheet lists is active
        in its order, what it no longer lists is deactivated (earlier reports keep it). A
        sheet with no rows changes nothing: a list is never emptied by a blank template."""
        if not rows:
            return
        existing = {entry.code: entry for entry in await self.db.scalars(select(model))}
        for row in rows:
            entry = existing.get(row.code)
            if entry is None:
                entry = model()  # a mixin's columns: set one by one for the type checker
                entry.code, entry.name, entry.sort_order = row.code, row.name, row.order
                entry.active = True
                self.db.add(entry)
                changes.created.append(row.code)
            elif _differs(entry, name=row.name, sort_order=row.order, active=True):
                changes.updated.append(row.code)
        listed = {row.code for row in rows}
        for entry in existing.values():
            if entry.active and entry.code not in listed:
                entry.active = False
                changes.deactivated.append(entry.code)
        await self.db.flush()

    async def _apply_bodies(self, roster: Roster, changes: SheetChanges) -> None:
        """The bodies that answer proposals, and who answers for each."""
        if roster.bodies is None:
            return
        now = self.clock.now()
        bodies = {b.code: b for b in await self.db.scalars(select(HandlingBody))}
        people = {p.code: p.id for p in await self.db.scalars(select(Person))}
        members: dict[int, set[int]] = defaultdict(set)
        for body_id, person_id in await self.db.execute(
            select(HandlingBodyMember.body_id, HandlingBodyMember.person_id)
        ):
            members[body_id].add(person_id)
        for row in roster.bodies:
            body = bodies.get(row.code)
            if body is None:
                body = HandlingBody(
                    code=row.code, name=row.name, active=True, created_at=now, updated_at=now
                )
                self.db.add(body)
                await self.db.flush()
                changes.created.append(row.code)
                changed = False
            else:
                changed = _differs(body, name=row.name, active=True)
            wanted = {people[code] for code in row.person_codes if code in people}
            if wanted != members[body.id]:
                await self.db.execute(
                    delete(HandlingBodyMember).where(HandlingBodyMember.body_id == body.id)
                )
                self.db.add_all(
                    HandlingBodyMember(body_id=body.id, person_id=person_id)
                    for person_id in sorted(wanted)
                )
                changed = changed or row.code not in changes.created
            if changed and row.code not in changes.created:
                body.updated_at = now
                changes.updated.append(row.code)
        listed = {row.code for row in roster.bodies}
        for body in bodies.values():
            if body.active and body.code not in listed:
                body.active, body.updated_at = False, now
                changes.deactivated.append(body.code)
        await self.db.flush()

    # ------------------------------------------------------------------ export

    async def export(self) -> bytes:
        units = list(await self.db.scalars(select(Unit).where(Unit.active).order_by(Unit.id)))
        by_id = {unit.id: unit for unit in units}
        schedules = {s.unit_id: s for s in await self.db.scalars(select(BranchSchedule))}

        def parent_code(unit: Unit) -> str | None:
            parent = by_id.get(unit.parent_id) if unit.parent_id else None
            return parent.code if parent else None

        sheets: dict[str, list[list[Any]]] = {
            key: []
            for key in ("units", "branches", "people", "assignments", "topics", "fields", "bodies")
        }
        for unit in _tree_order([u for u in units if not u.is_branch]):
            sheets["units"].append([unit.code, unit.name, parent_code(unit), unit.kind])
        for unit in units:
            if not unit.is_branch or unit.id not in schedules:
                continue
            s = schedules[unit.id]
            sheets["branches"].append(
                [
                    unit.code,
                    unit.name,
                    parent_code(unit),
                    s.schedule_text or s.rrule,
                    s.start_time,
                    s.duration_minutes,
                    s.venue or None,
                    s.secretary_name or None,
                    display_phone(s.secretary_phone) or None,
                ]
            )
        people = list(
            await self.db.scalars(select(Person).where(Person.active).order_by(Person.code))
        )
        for person in people:
            sheets["people"].append(
                [
                    person.code,
                    person.full_name,
                    person.title or None,
                    display_phone(person.phone) or None,
                    roles_text(person.role_set),
                    person.telegram_username,
                ]
            )
        assignments = await self.db.execute(
            select(Assignment, Person.code, Unit.code)
            .join(Person, Assignment.person_id == Person.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(Person.active, Unit.active)
            .order_by(Person.code, Unit.code, Assignment.valid_from)
        )
        for a, person_code, unit_code in assignments:
            sheets["assignments"].append(
                [person_code, unit_code, a.valid_from, a.valid_until, a.note or None]
            )
        catalogs: tuple[tuple[str, type[CatalogEntry]], ...] = (
            ("topics", Topic),
            ("fields", ProposalField),
        )
        for key, model in catalogs:
            entries = await self.db.scalars(
                select(model).where(model.active).order_by(model.sort_order, model.code)
            )
            sheets[key] = [[entry.code, entry.name, entry.sort_order] for entry in entries]
        answering: dict[int, list[str]] = defaultdict(list)
        for body_id, person_code in await self.db.execute(
            select(HandlingBodyMember.body_id, Person.code)
            .join(Person, Person.id == HandlingBodyMember.person_id)
            .where(Person.active)
            .order_by(Person.code)
        ):
            answering[body_id].append(person_code)
        bodies = await self.db.scalars(
            select(HandlingBody).where(HandlingBody.active).order_by(HandlingBody.code)
        )
        for body in bodies:
            sheets["bodies"].append([body.code, body.name, ", ".join(answering[body.id]) or None])
        return write_workbook(sheets)


def _problem(
    sheet: Sheet, number: int, column_key: str, value: str, reason: str, /, **params: Any
) -> Problem:
    return Problem(sheet.title, number, sheet.column(column_key).header, value, reason, params)


def _empty_sheets(
    roster: Roster, units: dict[str, Unit], people: dict[str, Person]
) -> list[Problem]:
    """An empty sheet would deactivate everything of its kind: surely a mistake."""
    has = {
        "units": any(u.active and not u.is_branch for u in units.values()),
        "branches": any(u.active and u.is_branch for u in units.values()),
        "people": any(p.active for p in people.values()),
    }
    problems = []
    for sheet, rows in (
        (UNITS, roster.units),
        (BRANCHES, roster.branches),
        (PEOPLE, roster.people),
    ):
        if rows == [] and has[sheet.key]:
            problems.append(
                Problem(
                    sheet.title,
                    2,
                    sheet.columns[0].header,
                    "",
                    N_("the sheet is empty; remove the sheet to leave these as they are"),
                )
            )
    return problems


def _schedule_values(row: BranchRow) -> dict[str, Any]:
    return dict(
        rrule=row.schedule.rrule,
        schedule_text=row.schedule.text,
        start_time=row.start_time,
        duration_minutes=row.duration_minutes,
        venue=row.venue,
        secretary_name=row.secretary_name,
        secretary_phone=row.secretary_phone,
    )


def _overlap(a: AssignmentRow, b: AssignmentRow) -> bool:
    a_end = a.valid_until or date.max
    b_end = b.valid_until or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def _cycles(rows: list[UnitRow]) -> list[Problem]:
    parent = {row.code: row.parent_code for row in rows}
    problems = []
    for row in rows:
        seen = {row.code}
        current = row.parent_code
        while current is not None and current in parent:
            if current in seen:
                problems.append(
                    _problem(
                        UNITS,
                        row.row,
                        "parent",
                        row.parent_code or "",
                        N_("the units' parents form a loop"),
                    )
                )
                break
            seen.add(current)
            current = parent[current]
    return problems


def _tree_order(units: list[Unit]) -> list[Unit]:
    """Parents before their children, so a reader of the sheet meets the tree from the top."""
    children: dict[int | None, list[Unit]] = defaultdict(list)
    ids = {unit.id for unit in units}
    for unit in units:
        children[unit.parent_id if unit.parent_id in ids else None].append(unit)
    ordered: list[Unit] = []
    stack = list(reversed(children[None]))
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(reversed(children[unit.id]))
    return ordered


def _assignment_label(person_code: str, branch_code: str, valid_from: date) -> str:
    return f"{person_code} → {branch_code} ({valid_from:%d/%m/%Y})"
