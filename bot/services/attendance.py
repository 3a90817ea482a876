"""Who goes to a meeting: answers to reminders, reasons for not going, stand-ins, and
periods of absence."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import audit
from bot.services import keys as outbox_keys
from bot.services.calendar import OPEN_STATUSES, CalendarService
from bot.services.notices import (
    OFFICE,
    AbsenceCancelled,
    AttendingAgain,
    CandidateLoad,
    CannotAttend,
    DropReminders,
    Notices,
    ReasonChanged,
    StandInAnswered,
    StandInInvitation,
    StandInSuggested,
)
from bot.services.policy import (
    Actor,
    may_answer_rsvp,
    may_cancel_absence,
    may_pick_stand_in,
)
from db.models import (
    Absence,
    Assignment,
    AttendeeKind,
    GuidanceNote,
    Meeting,
    Person,
    PersonRole,
    Role,
    Rsvp,
    RsvpAnswer,
    Unit,
)

REASONS = ("trip", "ill", "family", "other", "absence")
MAX_CANDIDATES = 8


class Outcome(enum.StrEnum):
    DONE = "done"
    STALE = "stale"
    NOT_YOURS = "not_yours"
    STARTED = "started"
    TAKEN = "taken"
    UNCHANGED = "unchanged"  # the answer or reason pressed is the one already recorded


@dataclass
class AttendanceResult:
    outcome: Outcome
    meeting: Meeting | None = None
    branch: Unit | None = None
    rsvp: Rsvp | None = None
    person: Person | None = None
    absent_for: Person | None = None
    candidates: list[Person] = field(default_factory=list)
    loads: dict[int, CandidateLoad] = field(default_factory=dict)  # the candidates', by id
    # A reason given again in place of another (code, words): the office is told of the change.
    replaced: tuple[str | None, str] | None = None
    # Who must be told of it (bot/outbox/deliver.py queues them in the same unit of work).
    notices: Notices = ()


class AbsenceOutcome(enum.StrEnum):
    DONE = "done"
    IN_THE_PAST = "in_the_past"  # the period ended before today
    OVERLAPS = "overlaps"  # it overlaps a period already registered
    GONE = "gone"  # cancelled already, or not one's own


@dataclass(frozen=True)
class AbsenceResult:
    outcome: AbsenceOutcome
    # The period registered or cancelled; with OVERLAPS, the one already registered.
    absence: Absence | None = None
    declined: list[AttendanceResult] = field(default_factory=list)
    # Cancelled: the meetings whose answer is open again, and those for which a stand-in has
    # been invited meanwhile (the office decides).
    resumed: tuple[tuple[Meeting, Unit], ...] = ()
    stand_ins: tuple[tuple[Meeting, Unit, Person], ...] = ()
    notices: Notices = ()


class AttendanceService:
    def __init__(self, db: AsyncSession, clock: Clock, zone: ZoneInfo) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone
        self.calendar = CalendarService(db, clock, zone)

    async def _open(
        self, meeting_id: int | None, revision: int | None
    ) -> tuple[Meeting, Unit] | Outcome:
        found = await self.calendar.meeting(meeting_id) if meeting_id is not None else None
        if found is None:
            return Outcome.STALE
        meeting, branch = found
        if meeting.revision != revision or meeting.status not in OPEN_STATUSES:
            return Outcome.STALE
        if meeting.starts_at <= self.clock.now():
            return Outcome.STARTED
        return meeting, branch

    async def changeable(
        self, meeting_id: int | None, revision: int | None, actor: Actor
    ) -> AttendanceResult:
        """A meeting a button may still act on: unchanged since the button was made, not
        started, and one the actor may change (bot/services/policy.py)."""
        found = await self._open(meeting_id, revision)
        if isinstance(found, Outcome):
            return AttendanceResult(found)
        meeting, branch = found
        if not await self.calendar.may_change(actor, meeting):
            return AttendanceResult(Outcome.NOT_YOURS)
        return AttendanceResult(Outcome.DONE, meeting, branch)

    async def _stand_ins_for(self, meeting: Meeting, person: Person) -> list[Person]:
        """Those the office invited to attend this meeting in the person's place."""
        return list(
            await self.db.scalars(
                select(Person)
                .join(Rsvp, Rsvp.person_id == Person.id)
                .where(Rsvp.meeting_id == meeting.id, Rsvp.stand_in_for_id == person.id)
            )
        )

    async def own_rsvp(self, meeting: Meeting, person: Person) -> Rsvp | None:
        return await self.db.scalar(
            select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.person_id == person.id)
        )

    async def _own_answer(
        self,
        actor: Actor,
        meeting_id: int | None,
        revision: int | None,
        *,
        make_rows: bool = False,
    ) -> tuple[Meeting, Unit, Rsvp, Person] | Outcome:
        """The meeting a reminder's button refers to, still open, and the presser's own answer
        to it; or why the press does nothing. With `make_rows`, the meeting's answer rows are
        made first if nobody has been reminded yet."""
        found = await self._open(meeting_id, revision)
        if isinstance(found, Outcome):
            return found
        meeting, branch = found
        if make_rows:
            await self.calendar.sync_attendees(meeting)
        person = actor.person
        rsvp = await self.own_rsvp(meeting, person) if person is not None else None
        if (
            person is None
            or rsvp is None
            or not may_answer_rsvp(actor, rsvp_person_id=rsvp.person_id)
        ):
            return Outcome.NOT_YOURS
        return meeting, branch, rsvp, person

    async def own(
        self, actor: Actor, meeting_id: int | None, revision: int | None
    ) -> AttendanceResult:
        """One's answer to a coming meeting, to be shown with the buttons that change it."""
        found = await self._own_answer(actor, meeting_id, revision, make_rows=True)
        if isinstance(found, Outcome):
            return AttendanceResult(found)
        meeting, branch, rsvp, person = found
        return AttendanceResult(Outcome.DONE, meeting, branch, rsvp, person)

    async def answer(
        self, actor: Actor, meeting_id: int | None, revision: int | None, answer: RsvpAnswer
    ) -> AttendanceResult:
        """Sẽ dự / Không dự được, pressed on a reminder."""
        found = await self._own_answer(actor, meeting_id, revision)
        if isinstance(found, Outcome):
            return AttendanceResult(found)
        meeting, branch, rsvp, person = found
        if rsvp.answer == answer == RsvpAnswer.YES:  # a double tap, or the same answer again
            return AttendanceResult(Outcome.UNCHANGED, meeting, branch, rsvp, person)
        declined_before = rsvp.answer == RsvpAnswer.NO
        rsvp.answer = answer
        rsvp.answered_at = self.clock.now()
        rsvp.confirmed_before_move = False
        if answer == RsvpAnswer.YES:
            rsvp.reason_code, rsvp.reason_text = None, ""
        await self.db.flush()
        result = AttendanceResult(Outcome.DONE, meeting, branch, rsvp, person)
        if not (declined_before and answer == RsvpAnswer.YES):
            return result
        # The office was told of the absence, and may have invited a stand-in: it is told.
        audit.record(self.db, self.clock, actor.who, "rsvp.attend_again", "meeting", meeting.id)
        stand_ins = await self._stand_ins_for(meeting, person)
        again = AttendingAgain(
            key=outbox_keys.attending_again(meeting.id, person.id, rsvp.answered_at),
            to=OFFICE,
            meeting=meeting,
            branch=branch,
            person=person,
            stand_ins=tuple(stand_ins),
        )
        return replace(result, notices=(again,))

    async def give_reason(
        self,
        actor: Actor,
        meeting_id: int | None,
        revision: int | None,
        reason_code: str,
        reason_text: str = "",
    ) -> AttendanceResult:
        """The reason for not going; the office is then asked for a stand-in."""
        found = await self._own_answer(actor, meeting_id, revision)
        if isinstance(found, Outcome) or reason_code not in REASONS:
            return AttendanceResult(found if isinstance(found, Outcome) else Outcome.NOT_YOURS)
        meeting, branch, rsvp, person = found
        reason_text = reason_text[:500]
        previous = (rsvp.reason_code, rsvp.reason_text) if rsvp.answer == RsvpAnswer.NO else None
        if previous == (reason_code, reason_text):
            return AttendanceResult(Outcome.UNCHANGED, meeting, branch, rsvp, person)
        rsvp.answer = RsvpAnswer.NO
        rsvp.reason_code = reason_code
        rsvp.reason_text = reason_text
        rsvp.answered_at = self.clock.now()
        audit.record(
            self.db,
            self.clock,
            actor.who,
            "rsvp.decline" if previous is None else "rsvp.reason_changed",
            "meeting",
            meeting.id,
            reason=reason_code,
        )
        await self.db.flush()
        if previous is None:
            return await self.absent(meeting, branch, person)
        # The office already knows of the absence (and may have found a stand-in): it is told
        # of the new reason, and asked nothing again.
        changed = ReasonChanged(
            key=outbox_keys.reason_changed(
                meeting.id, person.id, f"{previous}>{reason_code}:{reason_text}", rsvp.answered_at
            ),
            to=OFFICE,
            meeting=meeting,
            branch=branch,
            absent=person,
            previous_code=previous[0],
            previous_text=previous[1],
            reason_code=reason_code,
            reason_text=reason_text,
        )
        return AttendanceResult(
            Outcome.DONE, meeting, branch, rsvp, person, replaced=previous, notices=(changed,)
        )

    async def candidates(self, meeting: Meeting) -> list[Person]:
        return (await self.candidates_and_loads(meeting))[0]

    async def candidates_and_loads(
        self, meeting: Meeting
    ) -> tuple[list[Person], dict[int, CandidateLoad]]:
        """Members free at the meeting's time (not expected there, not away, and not due at
        another meeting that overlaps it), the least busy first, with what each carries."""
        start = meeting.starts_at
        end = start + timedelta(minutes=meeting.duration_minutes)
        day = start.astimezone(self.zone).date()
        busy = set(
            await self.db.scalars(
                select(Rsvp.person_id)
                .join(Meeting, Meeting.id == Rsvp.meeting_id)
                .where(
                    Rsvp.answer != RsvpAnswer.NO,
                    Meeting.status.in_(OPEN_STATUSES),
                    Meeting.starts_at < end,
                    Meeting.starts_at > start - timedelta(hours=6),
                )
            )
        )
        busy |= set(
            await self.db.scalars(select(Rsvp.person_id).where(Rsvp.meeting_id == meeting.id))
        )
        away = set(
            await self.db.scalars(
                select(Absence.person_id).where(Absence.starts_on <= day, Absence.ends_on >= day)
            )
        )
        members = await self.db.scalars(
            select(Person)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(
                Person.active, Person.telegram_user_id.is_not(None), PersonRole.role == Role.MEMBER
            )
            .order_by(Person.full_name)
        )
        free = [p for p in members if p.id not in busy | away]
        loads = await self.loads(meeting, free)
        free.sort(key=lambda p: loads[p.id].meetings)  # the least busy first, then by name
        chosen = free[:MAX_CANDIDATES]
        return chosen, {p.id: loads[p.id] for p in chosen}

    async def loads(self, meeting: Meeting, people: list[Person]) -> dict[int, CandidateLoad]:
        """Each person's branches, and the meetings they are due at in the meeting's month:
        their branches' meetings, and those they stand in at."""
        day = meeting.starts_at.astimezone(self.zone).date()
        first = day.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
        month = (
            Meeting.starts_at >= datetime.combine(first, time.min, tzinfo=self.zone),
            Meeting.starts_at < datetime.combine(after, time.min, tzinfo=self.zone),
            Meeting.status.in_(OPEN_STATUSES),
        )
        ids = [p.id for p in people]
        follows: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
        for person_id, unit_id, name in await self.db.execute(
            select(Assignment.person_id, Unit.id, Unit.name)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(
                Assignment.person_id.in_(ids),
                Assignment.overlapping(first, after - timedelta(days=1)),
            )
            .order_by(Unit.code)
        ):
            follows[person_id].append((unit_id, name))
        units = {unit for pairs in follows.values() for unit, _ in pairs}
        per_unit: dict[int, int] = dict(
            (
                await self.db.execute(
                    select(Meeting.unit_id, func.count())
                    .where(Meeting.unit_id.in_(units), *month)
                    .group_by(Meeting.unit_id)
                )
            ).all()
        )
        standing_in: dict[int, int] = dict(
            (
                await self.db.execute(
                    select(Rsvp.person_id, func.count())
                    .join(Meeting, Meeting.id == Rsvp.meeting_id)
                    .where(
                        Rsvp.person_id.in_(ids),
                        Rsvp.kind == AttendeeKind.STAND_IN,
                        Rsvp.answer != RsvpAnswer.NO,
                        *month,
                    )
                    .group_by(Rsvp.person_id)
                )
            ).all()
        )
        return {
            person_id: CandidateLoad(
                tuple(dict.fromkeys(name for _, name in pairs)),
                sum(per_unit.get(unit, 0) for unit, _ in set(pairs))
                + standing_in.get(person_id, 0),
            )
            for person_id, pairs in follows.items()
        }

    async def suggest_stand_in(
        self, actor: Actor, meeting_id: int | None, revision: int | None, candidate_id: int
    ) -> AttendanceResult:
        """One who cannot attend names a colleague free at that time; the office is told, with
        a button to invite them (it decides)."""
        found = await self._own_answer(actor, meeting_id, revision)
        if isinstance(found, Outcome):
            return AttendanceResult(found)
        meeting, branch, rsvp, person = found
        if rsvp.answer != RsvpAnswer.NO:
            return AttendanceResult(Outcome.STALE)
        candidate = next((p for p in await self.candidates(meeting) if p.id == candidate_id), None)
        if candidate is None:  # no longer free, or never offered
            return AttendanceResult(Outcome.TAKEN, meeting, branch, rsvp, person)
        audit.record(
            self.db,
            self.clock,
            actor.who,
            "standin.suggest",
            "meeting",
            meeting.id,
            candidate=candidate.code,
        )
        suggested = StandInSuggested(
            key=outbox_keys.stand_in_suggested(
                meeting.id, meeting.revision, person.id, candidate.id
            ),
            to=OFFICE,
            meeting=meeting,
            branch=branch,
            absent=person,
            candidate=candidate,
        )
        return AttendanceResult(
            Outcome.DONE, meeting, branch, rsvp, candidate, person, notices=(suggested,)
        )

    async def invite_stand_in(
        self,
        meeting_id: int | None,
        revision: int | None,
        candidate_id: int | None,
        for_person_id: int | None,
        actor: Actor,
    ) -> AttendanceResult:
        """The office picks a stand-in; they are invited and must accept."""
        if not may_pick_stand_in(actor):
            return AttendanceResult(Outcome.NOT_YOURS)
        who = actor.who
        found = await self._open(meeting_id, revision)
        if isinstance(found, Outcome):
            return AttendanceResult(found)
        meeting, branch = found
        candidate = await self.db.get(Person, candidate_id) if candidate_id else None
        absent = await self.db.get(Person, for_person_id) if for_person_id else None
        if candidate is None or absent is None or not candidate.active:
            return AttendanceResult(Outcome.STALE)
        taken = await self.db.scalar(
            select(Rsvp).where(
                Rsvp.meeting_id == meeting.id,
                Rsvp.kind == AttendeeKind.STAND_IN,
                Rsvp.stand_in_for_id == absent.id,
                Rsvp.answer != RsvpAnswer.NO,
            )
        )
        if taken is not None:
            return AttendanceResult(Outcome.TAKEN, meeting, branch, taken, candidate, absent)
        rsvp = await self.own_rsvp(meeting, candidate)
        if rsvp is None:
            rsvp = Rsvp(
                meeting_id=meeting.id,
                person_id=candidate.id,
                kind=AttendeeKind.STAND_IN,
                answer=RsvpAnswer.PENDING,
                stand_in_for_id=absent.id,
                created_at=self.clock.now(),
            )
            self.db.add(rsvp)
        elif rsvp.kind == AttendeeKind.STAND_IN and rsvp.answer == RsvpAnswer.NO:
            rsvp.answer, rsvp.stand_in_for_id = RsvpAnswer.PENDING, absent.id
        else:
            return AttendanceResult(Outcome.TAKEN, meeting, branch, rsvp, candidate, absent)
        audit.record(
            self.db,
            self.clock,
            who,
            "standin.invite",
            "meeting",
            meeting.id,
            person=candidate.code,
            instead_of=absent.code,
        )
        await self.db.flush()
        result = AttendanceResult(Outcome.DONE, meeting, branch, rsvp, candidate, absent)
        invitation = StandInInvitation(
            key=outbox_keys.stand_in(meeting.id, meeting.revision, candidate.id),
            to=candidate,
            meeting=meeting,
            branch=branch,
            unit=await self.calendar.parent_of(branch),
            absent=absent,
        )
        return replace(result, notices=(invitation,))

    async def answer_stand_in(
        self, actor: Actor, meeting_id: int | None, revision: int | None, accept: bool
    ) -> AttendanceResult:
        found = await self._own_answer(actor, meeting_id, revision)
        if isinstance(found, Outcome):
            return AttendanceResult(found)
        meeting, branch, rsvp, person = found
        if rsvp.kind != AttendeeKind.STAND_IN:
            return AttendanceResult(Outcome.NOT_YOURS)
        if rsvp.answer != RsvpAnswer.PENDING:
            return AttendanceResult(Outcome.STALE)
        rsvp.answer = RsvpAnswer.YES if accept else RsvpAnswer.NO
        rsvp.answered_at = self.clock.now()
        absent = await self.db.get(Person, rsvp.stand_in_for_id) if rsvp.stand_in_for_id else None
        audit.record(
            self.db,
            self.clock,
            actor.who,
            "standin.accept" if accept else "standin.decline",
            "meeting",
            meeting.id,
        )
        await self.db.flush()
        candidates = [] if accept else await self.candidates(meeting)
        result = AttendanceResult(Outcome.DONE, meeting, branch, rsvp, person, absent, candidates)
        outcome = StandInAnswered(
            key=outbox_keys.stand_in_answer(meeting.id, meeting.revision, person.id),
            to=OFFICE,
            meeting=meeting,
            branch=branch,
            stand_in=person,
            absent=absent or person,
            accepted=accept,
            candidates=tuple(candidates),
        )
        return replace(result, notices=(outcome,))

    async def pause(
        self, actor: Actor, starts_on: date, ends_on: date, reason: str
    ) -> AbsenceResult:
        """A period away: reminders stop, and each meeting in it goes to the stand-in flow."""
        person = actor.person
        assert person is not None, "a period away is a linked person's"
        if ends_on < self.clock.now().astimezone(self.zone).date():
            return AbsenceResult(AbsenceOutcome.IN_THE_PAST)
        overlapping = await self.overlapping_absence(person, starts_on, ends_on)
        if overlapping is not None:
            return AbsenceResult(AbsenceOutcome.OVERLAPS, overlapping)
        absence = Absence(
            person_id=person.id,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason[:300],
            created_at=self.clock.now(),
        )
        self.db.add(absence)
        audit.record(
            self.db,
            self.clock,
            actor.who,
            "absence.create",
            "person",
            person.code,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
        )
        await self.db.flush()
        declined = await self.decline_for_absence(person, absence)
        await self.db.flush()
        return AbsenceResult(AbsenceOutcome.DONE, absence, declined)

    async def overlapping_absence(
        self, person: Person, starts_on: date, ends_on: date
    ) -> Absence | None:
        """The person's registered period away that shares a day with this one, if any."""
        return await self.db.scalar(
            select(Absence)
            .where(
                Absence.person_id == person.id,
                Absence.starts_on <= ends_on,
                Absence.ends_on >= starts_on,
            )
            .order_by(Absence.starts_on)
            .limit(1)
        )

    async def cancel_absence(self, actor: Actor, absence_id: int) -> AbsenceResult:
        """A period away withdrawn: the meetings it declined that have not begun are open
        again (their reminders resume), and the office is told, with the stand-ins it had
        invited for them."""
        absence = await self.db.get(Absence, absence_id)
        if absence is None or not may_cancel_absence(actor, absence_person_id=absence.person_id):
            return AbsenceResult(AbsenceOutcome.GONE)
        person = actor.person
        assert person is not None
        now = self.clock.now()
        rows = await self._meetings_in(person, absence.starts_on, absence.ends_on, declined=True)
        resumed, stand_ins = [], []
        for rsvp, meeting, branch in rows:
            if rsvp.reason_code != "absence":
                continue  # declined for a reason of its own: that answer stands
            rsvp.answer, rsvp.reason_code, rsvp.reason_text = RsvpAnswer.PENDING, None, ""
            rsvp.answered_at = now
            resumed.append((meeting, branch))
            stand_ins += [(meeting, branch, p) for p in await self._stand_ins_for(meeting, person)]
        audit.record(
            self.db,
            self.clock,
            actor.who,
            "absence.cancel",
            "person",
            person.code,
            starts_on=absence.starts_on.isoformat(),
            ends_on=absence.ends_on.isoformat(),
            reason=absence.reason,
        )
        await self.db.delete(absence)
        await self.db.flush()
        told: Notices = ()
        if resumed:
            told = (
                AbsenceCancelled(
                    key=outbox_keys.absence_cancelled(absence_id, absence.created_at),
                    to=OFFICE,
                    person=person,
                    starts_on=absence.starts_on,
                    ends_on=absence.ends_on,
                    resumed=tuple(resumed),
                    stand_ins=tuple(stand_ins),
                ),
            )
        return AbsenceResult(
            AbsenceOutcome.DONE,
            absence,
            resumed=tuple(resumed),
            stand_ins=tuple(stand_ins),
            notices=told,
        )

    async def _meetings_in(
        self, person: Person, starts_on: date, ends_on: date, *, declined: bool
    ) -> list[tuple[Rsvp, Meeting, Unit]]:
        """The person's answers to the open meetings of a period that have not begun: those
        declined, or those not."""
        start = datetime.combine(starts_on, time.min, tzinfo=self.zone)
        end = datetime.combine(ends_on + timedelta(days=1), time.min, tzinfo=self.zone)
        answered = Rsvp.answer == RsvpAnswer.NO if declined else Rsvp.answer != RsvpAnswer.NO
        return [
            (rsvp, meeting, branch)
            for rsvp, meeting, branch in await self.db.execute(
                select(Rsvp, Meeting, Unit)
                .join(Meeting, Meeting.id == Rsvp.meeting_id)
                .join(Unit, Unit.id == Meeting.unit_id)
                .where(
                    Rsvp.person_id == person.id,
                    answered,
                    Meeting.status.in_(OPEN_STATUSES),
                    Meeting.starts_at >= max(start, self.clock.now()),
                    Meeting.starts_at < end,
                )
                .order_by(Meeting.starts_at)
            )
        ]

    async def decline_for_absence(self, person: Person, absence: Absence) -> list[AttendanceResult]:
        starts_on, ends_on = absence.starts_on, absence.ends_on
        start = datetime.combine(starts_on, time.min, tzinfo=self.zone)
        end = datetime.combine(ends_on + timedelta(days=1), time.min, tzinfo=self.zone)
        now = self.clock.now()
        # The period's meetings and their expected people, made now if not made yet.
        branch_ids = await self.calendar.branch_ids_of(person.id, starts_on, ends_on)
        await self.calendar.extend(unit_ids=branch_ids)
        for meeting in await self.db.scalars(
            select(Meeting).where(
                Meeting.unit_id.in_(branch_ids),
                Meeting.status.in_(OPEN_STATUSES),
                Meeting.starts_at >= max(start, now),
                Meeting.starts_at < end,
            )
        ):
            await self.calendar.sync_attendees(meeting)
        declined = []
        for rsvp, meeting, branch in await self._meetings_in(
            person, starts_on, ends_on, declined=False
        ):
            rsvp.answer = RsvpAnswer.NO
            rsvp.reason_code, rsvp.reason_text = "absence", absence.reason
            rsvp.answered_at = now
            declined.append(await self.absent(meeting, branch, person))
        return declined

    async def absent(self, meeting: Meeting, branch: Unit, person: Person) -> AttendanceResult:
        """Someone will not be at a meeting: their reminders for it are dropped, and the office
        is told, with whom it may ask to stand in."""
        rsvp = await self.own_rsvp(meeting, person)
        candidates, loads = await self.candidates_and_loads(meeting)
        result = AttendanceResult(
            Outcome.DONE, meeting, branch, rsvp, person, person, candidates, loads
        )
        declined_at = rsvp.answered_at if rsvp and rsvp.answered_at else self.clock.now()
        told = CannotAttend(
            key=outbox_keys.absence(meeting.id, meeting.revision, person.id, declined_at),
            to=OFFICE,
            meeting=meeting,
            branch=branch,
            absent=person,
            reason_code=rsvp.reason_code if rsvp else None,
            reason_text=rsvp.reason_text if rsvp else "",
            candidates=tuple(candidates),
            loads=tuple(loads.items()),
        )
        return replace(
            result, notices=(DropReminders(meeting_id=meeting.id, person_id=person.id), told)
        )

    async def set_guidance(self, month: date, text: str, who: audit.Who) -> bool:
        """The office's note for a month's reminders; empty text removes it. True if saved."""
        note = await self.db.scalar(select(GuidanceNote).where(GuidanceNote.month == month))
        if note is not None and not text:
            await self.db.delete(note)
        elif note is not None:
            note.text, note.updated_at, note.set_by_id = text, self.clock.now(), who.person_id
        elif text:
            self.db.add(
                GuidanceNote(
                    month=month, text=text, updated_at=self.clock.now(), set_by_id=who.person_id
                )
            )
        audit.record(
            self.db, self.clock, who, "guidance.set", "month", month.isoformat(), removed=not text
        )
        await self.db.flush()
        return bool(text)

    async def absences(self, person: Person) -> list[Absence]:
        today = self.clock.now().astimezone(self.zone).date()
        return list(
            await self.db.scalars(
                select(Absence)
                .where(Absence.person_id == person.id, or_(Absence.ends_on >= today))
                .order_by(Absence.starts_on)
            )
        )
