"""The calendar: meetings generated from each branch's rule, moved and cancelled, and who is
expected at them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.schedules import fold, occurrences
from bot.services import audit
from bot.services import keys as outbox_keys
from bot.services.notices import (
    OFFICE,
    Clash,
    DropReminders,
    MeetingCancelled,
    MeetingMoved,
    MoveRequestAnswered,
    MoveRequested,
    Notice,
    Notices,
    Office,
    ScheduleChanged,
)
from bot.services.policy import (
    Actor,
    may_cancel_meeting,
    may_change_meeting,
    may_move_at_once,
    may_read_branch_calendar,
)
from db.models import (
    Absence,
    Assignment,
    AttendeeKind,
    BranchSchedule,
    Meeting,
    MeetingSource,
    MeetingStatus,
    OrgSetting,
    Person,
    Rsvp,
    RsvpAnswer,
    Unit,
)
from db.session import insert_for

HORIZON_DAYS = 92
EXTENDED_MARKER = "calendar.extended_on"
OPEN_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.CONFIRMED, MeetingStatus.MOVED)


def open_meetings(after: datetime, until: datetime) -> Select[Meeting, Unit]:
    """The meetings still to be held that start after `after` and by `until`, each with its
    branch, soonest first."""
    return (
        select(Meeting, Unit)
        .join(Unit, Unit.id == Meeting.unit_id)
        .where(
            Meeting.status.in_(OPEN_STATUSES),
            Meeting.starts_at > after,
            Meeting.starts_at <= until,
        )
        .order_by(Meeting.starts_at)
    )


@dataclass(frozen=True)
class Rescheduled:
    """A meeting nobody had acted on that a changed schedule moved (or took out of the
    calendar): the people who expected it must hear, and its old buttons no longer act."""

    branch: Unit
    previous_start: datetime
    new_start: datetime | None  # None: no longer in the calendar
    venue: str
    people: tuple[Person, ...]
    meeting_id: int
    revision: int  # after the change


@dataclass(frozen=True)
class CalendarChanges:
    created: int = 0
    updated: int = 0
    removed: int = 0
    rescheduled: tuple[Rescheduled, ...] = ()

    @property
    def notices(self) -> Notices:
        """One message per person, listing all their meetings the change moved or removed;
        the reminders queued for the old times are dropped."""
        per_person: dict[int, tuple[Person, list[Rescheduled]]] = {}
        for item in self.rescheduled:
            for person in item.people:
                per_person.setdefault(person.id, (person, []))[1].append(item)
        dropped = tuple(DropReminders(meeting_id=item.meeting_id) for item in self.rescheduled)
        return dropped + tuple(
            ScheduleChanged(
                key=outbox_keys.rescheduled(person.id, [(i.meeting_id, i.revision) for i in items]),
                to=person,
                items=tuple(items),
            )
            for person, items in per_person.values()
        )


class ChangeOutcome(enum.StrEnum):
    DONE = "done"
    REQUESTED = "requested"  # a member's move, sent to the office to decide
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    STALE = "stale"
    IN_THE_PAST = "in_the_past"


@dataclass(frozen=True)
class ChangeResult:
    outcome: ChangeOutcome
    meeting: Meeting | None = None
    branch: Unit | None = None
    previous_start: datetime | None = None
    notices: Notices = ()


class CalendarService:
    def __init__(self, db: AsyncSession, clock: Clock, zone: ZoneInfo) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    # ------------------------------------------------------------------ generation

    async def extend_daily(self, *, force: bool = False) -> CalendarChanges | None:
        """extend(), unless it was already done today (the marker is a row, so two instances
        or a restart do not repeat it; repeating would be harmless anyway)."""
        today = self.today().isoformat()
        marker = await self.db.get(OrgSetting, EXTENDED_MARKER)
        if not force and marker is not None and marker.value.get("day") == today:
            return None
        changes = await self.extend()
        if marker is None:
            self.db.add(
                OrgSetting(key=EXTENDED_MARKER, value={"day": today}, updated_at=self.clock.now())
            )
        else:
            marker.value = {"day": today}
            marker.updated_at = self.clock.now()
        return changes

    async def extend(
        self, horizon_days: int = HORIZON_DAYS, unit_ids: list[int] | None = None
    ) -> CalendarChanges:
        """Keep meetings from today to the horizon as rows, one per rule occurrence. Meetings
        nobody has touched follow a changed rule (a new revision: old buttons go stale, and
        who expected them is named in the changes); moved, cancelled or answered ones stay."""
        today = self.today()
        last_day = today + timedelta(days=horizon_days)
        now = self.clock.now()
        created = updated = removed = 0
        rescheduled: list[Rescheduled] = []
        branches = await self.db.execute(
            select(Unit, BranchSchedule)
            .join(BranchSchedule, BranchSchedule.unit_id == Unit.id)
            .where(
                Unit.active,
                Unit.is_branch,
                *([Unit.id.in_(unit_ids)] if unit_ids is not None else []),
            )
        )
        existing: dict[int, dict[date, Meeting]] = {}
        for meeting in await self.db.scalars(
            select(Meeting).where(
                Meeting.source == MeetingSource.RULE, Meeting.occurrence_on >= today
            )
        ):
            if meeting.occurrence_on is not None:  # a rule's meeting has its occurrence
                existing.setdefault(meeting.unit_id, {})[meeting.occurrence_on] = meeting
        touched = await self._touched_meeting_ids(today)
        for unit, schedule in branches:
            wanted = {
                start.date(): start
                for start in occurrences(
                    schedule.rrule, schedule.start_time, self.zone, today, last_day
                )
            }
            current = existing.get(unit.id, {})
            # Untouched coming meetings the rule no longer yields: each is moved to the new
            # occurrence of its month when there is one (the same meeting, at a new time),
            # and taken out of the calendar otherwise.
            spare: dict[tuple[int, int], list[Meeting]] = {}
            for day, meeting in sorted(current.items()):
                if day not in wanted and meeting.id not in touched and meeting.starts_at > now:
                    spare.setdefault((day.year, day.month), []).append(meeting)
            for day, start in wanted.items():
                starts_at = start.astimezone(now.tzinfo)
                found = current.get(day)
                if found is None and starts_at > now and spare.get((day.year, day.month)):
                    found = spare[(day.year, day.month)].pop(0)
                    found.occurrence_on = day
                if found is None:
                    self.db.add(
                        Meeting(
                            unit_id=unit.id,
                            occurrence_on=day,
                            starts_at=starts_at,
                            duration_minutes=schedule.duration_minutes,
                            venue=schedule.venue,
                            status=MeetingStatus.PLANNED,
                            source=MeetingSource.RULE,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    created += 1
                elif (
                    found.id not in touched
                    and starts_at > now
                    and (
                        found.starts_at != starts_at
                        or found.venue != schedule.venue
                        or found.duration_minutes != schedule.duration_minutes
                    )
                ):
                    seen = found.starts_at != starts_at or found.venue != schedule.venue
                    previous = found.starts_at
                    found.starts_at = starts_at
                    found.venue = schedule.venue
                    found.duration_minutes = schedule.duration_minutes
                    found.updated_at = now
                    updated += 1
                    if seen:  # a new time or place: what was said about the old one is void
                        found.revision += 1
                        rescheduled.append(
                            Rescheduled(
                                unit,
                                previous,
                                starts_at,
                                found.venue,
                                tuple(await self._expected(found, previous)),
                                found.id,
                                found.revision,
                            )
                        )
            for meeting in (m for left in spare.values() for m in left):
                people = await self._expected(meeting, meeting.starts_at)
                rescheduled.append(
                    Rescheduled(
                        unit,
                        meeting.starts_at,
                        None,
                        meeting.venue,
                        tuple(people),
                        meeting.id,
                        meeting.revision + 1,
                    )
                )
                await self.db.execute(delete(Rsvp).where(Rsvp.meeting_id == meeting.id))
                await self.db.delete(meeting)
                removed += 1
        await self.db.flush()
        return CalendarChanges(created, updated, removed, tuple(rescheduled))

    async def _expected(self, meeting: Meeting, starts_at: datetime) -> list[Person]:
        """The linked people who expect a meeting: the branch's assignees on its day, and
        anyone already among its attendees."""
        day = starts_at.astimezone(self.zone).date()
        assignees = select(Assignment.person_id).where(
            Assignment.unit_id == meeting.unit_id, Assignment.overlapping(day, day)
        )
        attendees = select(Rsvp.person_id).where(Rsvp.meeting_id == meeting.id)
        return list(
            await self.db.scalars(
                select(Person)
                .where(
                    Person.active,
                    Person.telegram_user_id.is_not(None),
                    or_(Person.id.in_(assignees), Person.id.in_(attendees)),
                )
                .order_by(Person.id)
            )
        )

    async def _touched_meeting_ids(self, today: date) -> set[int]:
        """Meetings someone acted on: moved, cancelled, confirmed, or answered by anyone.
        (A schedule's change makes a new revision too, but is no one's act on the meeting.)"""
        acted = await self.db.scalars(
            select(Meeting.id).where(
                Meeting.occurrence_on >= today, Meeting.status != MeetingStatus.PLANNED
            )
        )
        answered = await self.db.scalars(
            select(Rsvp.meeting_id)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .where(Meeting.occurrence_on >= today, Rsvp.answer != RsvpAnswer.PENDING)
        )
        return set(acted) | set(answered)

    # ------------------------------------------------------------------ attendees

    async def sync_attendees(self, meeting: Meeting) -> list[Rsvp]:
        """The people expected at a meeting: the branch's assignees on its day (rows created
        as needed) and any stand-ins; assignees who left the branch drop out if unanswered."""
        day = meeting.starts_at.astimezone(self.zone).date()
        assignees = set(
            await self.db.scalars(
                select(Assignment.person_id)
                .join(Person, Person.id == Assignment.person_id)
                .where(
                    Assignment.unit_id == meeting.unit_id,
                    Person.active,
                    Assignment.overlapping(day, day),
                )
            )
        )
        rows = {
            r.person_id: r
            for r in await self.db.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting.id))
        }
        missing = assignees - rows.keys()
        if missing:
            # Two updates may do this at once: whichever inserts second inserts nothing.
            now = self.clock.now()
            await self.db.execute(
                insert_for(self.db)(Rsvp)
                .values(
                    [
                        {
                            "meeting_id": meeting.id,
                            "person_id": person_id,
                            "kind": AttendeeKind.ASSIGNED,
                            "answer": RsvpAnswer.PENDING,
                            "reason_text": "",
                            "created_at": now,
                        }
                        for person_id in sorted(missing)
                    ]
                )
                .on_conflict_do_nothing(index_elements=["meeting_id", "person_id"])
            )
            rows = {
                r.person_id: r
                for r in await self.db.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting.id))
            }
        for person_id, row in list(rows.items()):
            gone = person_id not in assignees and row.kind == AttendeeKind.ASSIGNED
            if gone and row.answer == RsvpAnswer.PENDING:
                await self.db.delete(row)
                del rows[person_id]
        await self.db.flush()
        return list(rows.values())

    async def branch_ids_of(self, person_id: int, first_day: date, last_day: date) -> list[int]:
        """Branches the person is assigned to on any day of the period."""
        return list(
            await self.db.scalars(
                select(Assignment.unit_id).where(
                    Assignment.person_id == person_id,
                    Assignment.overlapping(first_day, last_day),
                )
            )
        )

    async def absent_on(self, person_ids: list[int], day: date) -> dict[int, str]:
        """Those of `person_ids` away on that day, with the reason they gave."""
        if not person_ids:
            return {}
        rows = await self.db.execute(
            select(Absence.person_id, Absence.reason).where(
                Absence.person_id.in_(person_ids),
                Absence.starts_on <= day,
                Absence.ends_on >= day,
            )
        )
        return {person_id: reason for person_id, reason in rows}

    # ------------------------------------------------------------------ changes

    async def meeting(self, meeting_id: int) -> tuple[Meeting, Unit] | None:
        row = (
            await self.db.execute(
                select(Meeting, Unit)
                .join(Unit, Unit.id == Meeting.unit_id)
                .where(Meeting.id == meeting_id)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def parent_of(self, unit: Unit) -> Unit | None:
        return await self.db.get(Unit, unit.parent_id) if unit.parent_id else None

    async def may_change(self, actor: Actor, meeting: Meeting) -> bool:
        """The office, or someone expected at the meeting (bot/services/policy.py)."""
        expected = actor.person_id is not None and (
            await self.db.scalar(
                select(Rsvp.id).where(
                    Rsvp.meeting_id == meeting.id, Rsvp.person_id == actor.person_id
                )
            )
            is not None
        )
        return may_change_meeting(actor, expected_there=expected)

    async def move(
        self, meeting_id: int, revision: int, new_start: datetime, actor: Actor
    ) -> ChangeResult:
        found = await self.meeting(meeting_id)
        if found is None:
            return ChangeResult(ChangeOutcome.NOT_FOUND)
        meeting, branch = found
        if not await self.may_change(actor, meeting):
            return ChangeResult(ChangeOutcome.NOT_ALLOWED)
        who = actor.who
        now = self.clock.now()
        if meeting.revision != revision or meeting.status not in OPEN_STATUSES:
            return ChangeResult(ChangeOutcome.STALE, meeting, branch)
        if meeting.starts_at <= now or new_start <= now:
            return ChangeResult(ChangeOutcome.IN_THE_PAST, meeting, branch)
        previous = meeting.starts_at
        if meeting.original_starts_at is None:
            meeting.original_starts_at = previous
        meeting.starts_at = new_start
        meeting.status = MeetingStatus.MOVED
        meeting.revision += 1
        meeting.updated_at = now
        # "Will attend" was said for the old time: everyone is asked again, and the office
        # sees who had confirmed the old time.
        await self.db.execute(
            update(Rsvp)
            .where(Rsvp.meeting_id == meeting.id, Rsvp.answer == RsvpAnswer.YES)
            .values(answer=RsvpAnswer.PENDING, answered_at=None, confirmed_before_move=True)
        )
        audit.record(
            self.db,
            self.clock,
            who,
            "meeting.move",
            "meeting",
            meeting.id,
            branch=branch.code,
            previous=previous.isoformat(),
            new=new_start.isoformat(),
        )
        await self.db.flush()
        result = ChangeResult(ChangeOutcome.DONE, meeting, branch, previous)
        return replace(result, notices=await self._change_notices(result, who, moved=True))

    async def move_or_ask(
        self, meeting_id: int, revision: int, new_start: datetime, actor: Actor
    ) -> ChangeResult:
        """The office moves a meeting; anyone else expected at it asks the office to."""
        if may_move_at_once(actor):
            return await self.move(meeting_id, revision, new_start, actor)
        found = await self.meeting(meeting_id)
        if found is None:
            return ChangeResult(ChangeOutcome.NOT_FOUND)
        meeting, branch = found
        if not await self.may_change(actor, meeting) or actor.person is None:
            return ChangeResult(ChangeOutcome.NOT_ALLOWED)
        if meeting.revision != revision or meeting.status not in OPEN_STATUSES:
            return ChangeResult(ChangeOutcome.STALE, meeting, branch)
        now = self.clock.now()
        if meeting.starts_at <= now or new_start <= now:
            return ChangeResult(ChangeOutcome.IN_THE_PAST, meeting, branch)
        audit.record(
            self.db,
            self.clock,
            actor.who,
            "meeting.move_request",
            "meeting",
            meeting.id,
            new=new_start.isoformat(),
        )
        key = outbox_keys.move_request(
            meeting.id, meeting.revision, actor.person.id, _stamp(new_start)
        )
        asked = MoveRequested(
            key=key, to=OFFICE, meeting=meeting, branch=branch, by=actor.person, new_start=new_start
        )
        return ChangeResult(ChangeOutcome.REQUESTED, meeting, branch, notices=(asked,))

    async def answer_move_request(
        self,
        meeting_id: int,
        revision: int,
        new_start: datetime,
        requester_id: int,
        approve: bool,
        actor: Actor,
    ) -> ChangeResult:
        """The office's decision on a member's request: the move made (everyone told), or
        not; the member hears either way."""
        requester = await self.db.get(Person, requester_id)
        found = await self.meeting(meeting_id)
        if found is None or requester is None:
            return ChangeResult(ChangeOutcome.NOT_FOUND)
        meeting, branch = found
        if approve:
            result = await self.move(meeting_id, revision, new_start, actor)
        elif not may_move_at_once(actor):
            return ChangeResult(ChangeOutcome.NOT_ALLOWED)
        elif meeting.revision != revision or meeting.status not in OPEN_STATUSES:
            return ChangeResult(ChangeOutcome.STALE, meeting, branch)
        else:
            audit.record(
                self.db, self.clock, actor.who, "meeting.move_refused", "meeting", meeting.id
            )
            result = ChangeResult(ChangeOutcome.DONE, meeting, branch, meeting.starts_at)
        if result.outcome != ChangeOutcome.DONE:
            return result
        key = outbox_keys.move_request(meeting_id, revision, requester_id, _stamp(new_start))
        told = MoveRequestAnswered(
            key=f"{key}:{'agreed' if approve else 'refused'}",
            to=requester,
            meeting=meeting,
            branch=branch,
            new_start=new_start,
            approved=approve,
        )
        # The one who asked hears it once: in the answer, not also as one of those told.
        others = tuple(
            notice
            for notice in result.notices
            if not (isinstance(notice, MeetingMoved) and notice.to is requester)
        )
        return replace(result, notices=(*others, told))

    async def cancel(self, meeting_id: int, revision: int, note: str, actor: Actor) -> ChangeResult:
        found = await self.meeting(meeting_id)
        if found is None:
            return ChangeResult(ChangeOutcome.NOT_FOUND)
        meeting, branch = found
        if not may_cancel_meeting(actor):
            return ChangeResult(ChangeOutcome.NOT_ALLOWED)
        who = actor.who
        if meeting.revision != revision or meeting.status not in OPEN_STATUSES:
            return ChangeResult(ChangeOutcome.STALE, meeting, branch)
        if meeting.starts_at <= self.clock.now():
            return ChangeResult(ChangeOutcome.IN_THE_PAST, meeting, branch)
        meeting.status = MeetingStatus.CANCELLED
        meeting.status_note = note[:500]
        meeting.revision += 1
        meeting.updated_at = self.clock.now()
        audit.record(
            self.db, self.clock, who, "meeting.cancel", "meeting", meeting.id, branch=branch.code
        )
        await self.db.flush()
        result = ChangeResult(ChangeOutcome.DONE, meeting, branch, meeting.starts_at)
        return replace(result, notices=await self._change_notices(result, who, moved=False))

    async def _change_notices(
        self, result: ChangeResult, who: audit.Who, *, moved: bool
    ) -> Notices:
        """The meeting's reminders are dropped; everyone expected hears of the change, the
        office too, and anyone it puts at two meetings at once; whoever made the change is
        answered directly, and nobody hears of it twice."""
        meeting, branch = result.meeting, result.branch
        assert meeting is not None and branch is not None
        key = outbox_keys.meeting_change(meeting.id, meeting.revision, moved=moved)
        previous = result.previous_start or meeting.starts_at
        concerned = await self._expected(meeting, previous)
        by = await self.db.get(Person, who.person_id) if who.person_id is not None else None
        by_office = by is None and who.telegram_id is not None

        def change(key: str, to: Person | Office) -> Notice:
            if moved:
                return MeetingMoved(
                    key=key,
                    to=to,
                    meeting=meeting,
                    branch=branch,
                    previous_start=previous,
                    by=by,
                    by_office=by_office,
                )
            return MeetingCancelled(
                key=key, to=to, meeting=meeting, branch=branch, by=by, by_office=by_office
            )

        told = {who.telegram_id} if who.telegram_id is not None else set()
        out: list[Notice | DropReminders] = [DropReminders(meeting_id=meeting.id)]
        for person in concerned:
            if person.id == who.person_id:
                continue
            out.append(change(outbox_keys.per_person(key, person.id), person))
            if person.telegram_user_id is not None:
                told.add(person.telegram_user_id)
        out.append(change(key, Office(frozenset(told))))
        if moved:
            for person in concerned:
                if meeting.id in await self.conflicts_for(person):
                    clash = outbox_keys.clash(key, person.id)
                    out.append(Clash(key=clash, to=person, person=person))
                    out.append(Clash(key=clash, to=OFFICE, person=person))
        return tuple(out)

    # ------------------------------------------------------------------ views

    async def upcoming_for(
        self, person: Person, days: int = 62
    ) -> list[tuple[Meeting, Unit, Rsvp]]:
        """The person's coming meetings with their answer: a read. Where no answer row exists
        yet (nobody has been reminded), the answer is shown as not given."""
        now = self.clock.now()
        window = (Meeting.starts_at > now, Meeting.starts_at <= now + timedelta(days=days))
        answered = {
            meeting.id: (meeting, branch, rsvp)
            for meeting, branch, rsvp in await self.db.execute(
                select(Meeting, Unit, Rsvp)
                .join(Unit, Unit.id == Meeting.unit_id)
                .join(Rsvp, Rsvp.meeting_id == Meeting.id)
                .where(Rsvp.person_id == person.id, *window)
            )
        }
        assignments = list(
            await self.db.scalars(select(Assignment).where(Assignment.person_id == person.id))
        )
        branch_ids = {a.unit_id for a in assignments}
        for meeting, branch in await self.db.execute(
            select(Meeting, Unit)
            .join(Unit, Unit.id == Meeting.unit_id)
            .where(Meeting.unit_id.in_(branch_ids), *window)
        ):
            day = meeting.starts_at.astimezone(self.zone).date()
            if meeting.id not in answered and any(
                a.unit_id == meeting.unit_id and a.covers(day) for a in assignments
            ):
                answered[meeting.id] = (meeting, branch, _not_yet_answered(meeting, person))
        return sorted(answered.values(), key=lambda row: row[0].starts_at)

    async def branch_calendar_for(
        self, actor: Actor, branch_code: str
    ) -> tuple[Unit | None, list[tuple[Meeting, list[tuple[Rsvp, Person]]]]] | None:
        """A branch's calendar, for those who may read it (the office); None for others."""
        if not may_read_branch_calendar(actor):
            return None
        return await self.branch_calendar(branch_code)

    async def branch_calendar(
        self, branch_code: str, days: int = 92
    ) -> tuple[Unit | None, list[tuple[Meeting, list[tuple[Rsvp, Person]]]]]:
        """A branch's coming meetings and everyone expected at each, with their answers: a
        read (assignees nobody has reminded yet are shown as not having answered)."""
        branch = await self.db.scalar(select(Unit).where(Unit.code == branch_code, Unit.is_branch))
        if branch is None:
            return None, []
        now = self.clock.now()
        meetings = list(
            await self.db.scalars(
                select(Meeting)
                .where(
                    Meeting.unit_id == branch.id,
                    Meeting.starts_at > now,
                    Meeting.starts_at <= now + timedelta(days=days),
                )
                .order_by(Meeting.starts_at)
            )
        )
        assignments = list(
            await self.db.execute(
                select(Assignment, Person)
                .join(Person, Person.id == Assignment.person_id)
                .where(Assignment.unit_id == branch.id, Person.active)
            )
        )
        result = []
        for meeting in meetings:
            day = meeting.starts_at.astimezone(self.zone).date()
            assignees = {p.id: p for a, p in assignments if a.covers(day)}
            people = [
                (rsvp, person)
                for rsvp, person in await self.db.execute(
                    select(Rsvp, Person)
                    .join(Person, Person.id == Rsvp.person_id)
                    .where(Rsvp.meeting_id == meeting.id)
                )
                # an assignee who has left the branch and never answered is expected no more
                if not (
                    rsvp.kind == AttendeeKind.ASSIGNED
                    and rsvp.answer == RsvpAnswer.PENDING
                    and person.id not in assignees
                )
            ]
            if meeting.status in OPEN_STATUSES:
                listed = {person.id for _, person in people}
                people += [
                    (_not_yet_answered(meeting, person), person)
                    for person_id, person in assignees.items()
                    if person_id not in listed
                ]
            people.sort(key=lambda pair: pair[1].full_name)
            result.append((meeting, people))
        return branch, result

    async def conflicts(self, days: int = 62) -> list[tuple[Person, Meeting, Unit, Meeting, Unit]]:
        """Every person due at two meetings that overlap, in the coming days: assignees by
        their assignments, stand-ins by their acceptance."""
        now = self.clock.now()
        rows = list(await self.db.execute(open_meetings(now, now + timedelta(days=days))))
        assignments = list(await self.db.scalars(select(Assignment)))
        accepted = list(
            await self.db.execute(
                select(Rsvp.person_id, Rsvp.meeting_id).where(
                    Rsvp.kind == AttendeeKind.STAND_IN, Rsvp.answer == RsvpAnswer.YES
                )
            )
        )
        declined = set(
            await self.db.execute(
                select(Rsvp.person_id, Rsvp.meeting_id).where(Rsvp.answer == RsvpAnswer.NO)
            )
        )
        by_branch: dict[int, list[Assignment]] = {}
        for assignment in assignments:
            by_branch.setdefault(assignment.unit_id, []).append(assignment)
        due: dict[int, list[tuple[Meeting, Unit]]] = {}
        by_id = {meeting.id: (meeting, unit) for meeting, unit in rows}
        for meeting, unit in rows:
            day = meeting.starts_at.astimezone(self.zone).date()
            for a in by_branch.get(unit.id, []):
                current = a.valid_from <= day and (a.valid_until is None or a.valid_until >= day)
                if current and (a.person_id, meeting.id) not in declined:
                    due.setdefault(a.person_id, []).append((meeting, unit))
        for person_id, meeting_id in accepted:
            if meeting_id in by_id:
                due.setdefault(person_id, []).append(by_id[meeting_id])
        clashes = []
        for person_id, items in due.items():
            items.sort(key=lambda item: item[0].starts_at)
            for index, (first, first_unit) in enumerate(items):
                for second, second_unit in items[index + 1 :]:
                    if _overlap(first, second):
                        person = await self.db.get(Person, person_id)
                        if person is not None and person.active:
                            clashes.append((person, first, first_unit, second, second_unit))
        return clashes

    async def clashes_if_moved(
        self, meeting: Meeting, new_start: datetime
    ) -> list[tuple[Person, Meeting, Unit]]:
        """Who would be due at two meetings at once if this one moved to `new_start`, and at
        which other: shown before the move is confirmed."""
        new_end = new_start + timedelta(minutes=meeting.duration_minutes)
        found = []
        for person in await self._expected(meeting, new_start):
            for other, unit, rsvp in await self.upcoming_for(person):
                if other.id == meeting.id or other.status not in OPEN_STATUSES:
                    continue
                other_end = other.starts_at + timedelta(minutes=other.duration_minutes)
                answered_no = rsvp.answer == RsvpAnswer.NO
                if not answered_no and other.starts_at < new_end and new_start < other_end:
                    found.append((person, other, unit))
        return found

    async def conflicts_for(self, person: Person, days: int = 62) -> set[int]:
        """Ids of the person's upcoming meetings that overlap another of theirs."""
        rows = [
            m
            for m, _, r in await self.upcoming_for(person, days)
            if m.status in OPEN_STATUSES and r.answer != RsvpAnswer.NO
        ]
        clashing: set[int] = set()
        for index, first in enumerate(rows):
            for second in rows[index + 1 :]:
                if _overlap(first, second):
                    clashing |= {first.id, second.id}
        return clashing


def _stamp(moment: datetime) -> str:
    """A moment as a short plain word, for keys and buttons: 202612261430 (UTC)."""
    return f"{moment.astimezone(UTC):%Y%m%d%H%M}"


def from_stamp(word: str) -> datetime | None:
    try:
        return datetime.strptime(word, "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None


def _overlap(first: Meeting, second: Meeting) -> bool:
    first_end = first.starts_at + timedelta(minutes=first.duration_minutes)
    second_end = second.starts_at + timedelta(minutes=second.duration_minutes)
    return first.starts_at < second_end and second.starts_at < first_end


# ---------------------------------------------------------------------- typed dates

_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2,4}))?(?!\d)")
_TIME = re.compile(r"(?<![\d/])(\d{1,2})\s*(?:h|:|gio)\s*(\d{2})?(?![\d/])")


def parse_meeting_time(text: str, zone: ZoneInfo, today: date) -> datetime | None:
    """A date and time as Vietnamese type them: "12/12 19h30", "19:30 ngày 12/12",
    "12/12/2026 19 giờ 30". Without a year, the next such day from today."""
    folded = fold(text)
    date_match = _DATE.search(folded)
    if date_match is None:
        return None
    rest = folded[: date_match.start()] + " " + folded[date_match.end() :]
    time_match = _TIME.search(rest)
    if time_match is None:
        return None
    day, month = int(date_match.group(1)), int(date_match.group(2))
    hour, minute = int(time_match.group(1)), int(time_match.group(2) or 0)
    year_text = date_match.group(3)
    try:
        clock_time = time(hour, minute)
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            chosen = date(year, month, day)
        else:
            chosen = date(today.year, month, day)
            if chosen < today:
                chosen = date(today.year + 1, month, day)
    except ValueError:
        return None
    return datetime.combine(chosen, clock_time, tzinfo=zone)


def _not_yet_answered(meeting: Meeting, person: Person) -> Rsvp:
    """An assignee's answer before anyone has asked: shown, never stored (a view writes
    nothing; the reminders make the row when they ask)."""
    return Rsvp(
        meeting_id=meeting.id,
        person_id=person.id,
        kind=AttendeeKind.ASSIGNED,
        answer=RsvpAnswer.PENDING,
        reason_text="",
    )
