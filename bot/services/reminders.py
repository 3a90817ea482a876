"""Which reminders are due: for each upcoming meeting and each person expected there, the
latest reminder slot whose time has come (so a bot that was down sends one, not three)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.reminder_slots import Slot
from bot.services import keys as outbox_keys
from bot.services.attendance import AttendanceService
from bot.services.calendar import OPEN_STATUSES, CalendarService, open_meetings
from bot.services.documents import DocumentService
from bot.services.notices import DocumentCopy, Notices, Reminder, Told
from bot.services.proposals import ProposalService
from db.models import (
    AttendeeKind,
    BranchSchedule,
    GuidanceNote,
    Meeting,
    MeetingDocument,
    Person,
    Proposal,
    ProposalState,
    Report,
    Rsvp,
    RsvpAnswer,
    Unit,
)


@dataclass(frozen=True)
class DueReminder:
    meeting: Meeting
    branch: Unit
    unit: Unit | None
    schedule: BranchSchedule | None
    person: Person
    rsvp: Rsvp
    slot: Slot
    due_at: datetime
    stand_in_for: Person | None
    open_proposals: list[str]
    guidance: str | None
    clashes: bool = False
    # The meeting's documents, and those of them the person said they received.
    documents: tuple[MeetingDocument, ...] = ()
    received: frozenset[int] = frozenset()
    # Answers to the branch's proposals given since its last meeting, to convey to it.
    answers: tuple[Proposal, ...] = ()

    @property
    def key(self) -> str:
        return outbox_keys.reminder(
            self.meeting.id, self.meeting.revision, self.person.id, self.slot.code
        )


class ReminderService:
    def __init__(self, db: AsyncSession, clock: Clock, zone: ZoneInfo, slots: list[Slot]) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone
        self.slots = slots
        self.calendar = CalendarService(db, clock, zone)
        self.documents = DocumentService(db, clock, zone)
        self.attendance = AttendanceService(db, clock, zone)

    def lead_time(self) -> timedelta:
        now = self.clock.now()
        far = now + timedelta(days=400)
        return max(far - slot.due(far, self.zone) for slot in self.slots) + timedelta(days=1)

    async def due(self) -> Notices:
        """The reminders due now (each person's latest slot that has come, once per slot and
        revision), the meeting's documents not yet sent to them, and the office told of
        meetings that fall in someone's registered absence."""
        now = self.clock.now()
        meetings = list(await self.db.execute(open_meetings(now, now + self.lead_time())))
        told: list[Told] = []
        # Every coming meeting's expected people first: a clash with a later meeting is seen
        # from the reminder of the earlier one.
        attendees = {
            meeting.id: await self.calendar.sync_attendees(meeting) for meeting, _ in meetings
        }
        for meeting, branch in meetings:
            rsvps = attendees[meeting.id]
            day = meeting.starts_at.astimezone(self.zone).date()
            away = await self.calendar.absent_on([r.person_id for r in rsvps], day)
            for rsvp in rsvps:
                if rsvp.person_id in away and rsvp.answer == RsvpAnswer.PENDING:
                    rsvp.answer, rsvp.reason_code, rsvp.answered_at = RsvpAnswer.NO, "absence", now
                    rsvp.reason_text = away[rsvp.person_id]
                    absent = await self.db.get(Person, rsvp.person_id)
                    assert absent is not None
                    told += (await self.attendance.absent(meeting, branch, absent)).notices
            await self.db.flush()  # short write transactions: handlers write too
            passed = [(slot, slot.due(meeting.starts_at, self.zone)) for slot in self.slots]
            passed = [(slot, due) for slot, due in passed if due <= now]
            if not passed:
                continue
            slot, due_at = max(passed, key=lambda pair: pair[1])
            mark = f"r{meeting.revision}:{slot.code}"
            wanted = [
                r
                for r in rsvps
                if r.answer != RsvpAnswer.NO
                and r.person_id not in away
                and r.reminded != mark
                # A stand-in invited but not yet accepted has the invitation as their message.
                and (r.kind != AttendeeKind.STAND_IN or r.answer == RsvpAnswer.YES)
            ]
            if not wanted:
                continue
            people = await self._people(
                {r.person_id for r in wanted}
                | {r.stand_in_for_id for r in wanted if r.stand_in_for_id}
            )
            clashing = await self._clashing(meeting, [r.person_id for r in wanted])
            unit, schedule, proposals, guidance = await self._context(meeting, branch)
            documents = tuple(await self.documents.for_meeting(meeting, branch))
            answers = tuple(await self._answers(meeting, branch))
            for rsvp in wanted:
                person = people.get(rsvp.person_id)
                if person is None or not person.active or person.telegram_user_id is None:
                    continue
                rsvp.reminded = mark
                ids = [d.id for d in documents]
                reminder = DueReminder(
                    meeting,
                    branch,
                    unit,
                    schedule,
                    person,
                    rsvp,
                    slot,
                    due_at,
                    people.get(rsvp.stand_in_for_id) if rsvp.stand_in_for_id else None,
                    proposals,
                    guidance,
                    person.id in clashing,
                    documents,
                    frozenset(await self.documents.received_by(person.id, ids)),
                    answers,
                )
                expires_at = meeting.starts_at
                told.append(
                    Reminder(
                        key=reminder.key,
                        to=person,
                        due_at=due_at,
                        expires_at=expires_at,
                        reminder=reminder,
                    )
                )
                # Each document once per person, with whichever reminder comes first after it.
                for document in await self.documents.copy_to(person, documents):
                    told.append(
                        DocumentCopy(
                            key=outbox_keys.meeting_document(document.id, person.id),
                            to=person,
                            due_at=due_at,
                            expires_at=expires_at,
                            document=document,
                        )
                    )
            await self.db.flush()
        return tuple(told)

    async def _people(self, ids: set[int]) -> dict[int, Person]:
        people: dict[int, Person] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for person in await self.db.scalars(select(Person).where(Person.id.in_(chunk))):
                people[person.id] = person
        return people

    async def _clashing(self, meeting: Meeting, person_ids: list[int]) -> set[int]:
        """Those of `person_ids` due at another meeting that overlaps this one."""
        end = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        rows = await self.db.execute(
            select(Rsvp.person_id, Meeting.starts_at, Meeting.duration_minutes)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .where(
                Rsvp.answer != RsvpAnswer.NO,
                Meeting.id != meeting.id,
                Meeting.status.in_(OPEN_STATUSES),
                Meeting.starts_at < end,
                Meeting.starts_at > meeting.starts_at - timedelta(hours=12),
            )
        )
        wanted = set(person_ids)
        return {
            person_id
            for person_id, starts_at, minutes in rows
            if person_id in wanted and starts_at + timedelta(minutes=minutes) > meeting.starts_at
        }

    async def _context(
        self, meeting: Meeting, branch: Unit
    ) -> tuple[Unit | None, BranchSchedule | None, list[str], str | None]:
        unit = await self.db.get(Unit, branch.parent_id) if branch.parent_id else None
        schedule = await self.db.scalar(
            select(BranchSchedule).where(BranchSchedule.unit_id == branch.id)
        )
        return unit, schedule, await self.open_proposals(branch), await self.guidance(meeting)

    async def open_proposals(self, branch: Unit, limit: int = 5) -> list[str]:
        """The still-open proposals raised in the branch's last report."""
        last_report = await self.db.scalar(
            select(Report.id)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(Meeting.unit_id == branch.id)
            .order_by(Report.submitted_at.desc())
            .limit(1)
        )
        if last_report is None:
            return []
        return list(
            await self.db.scalars(
                select(Proposal.text)
                .where(
                    Proposal.report_id == last_report,
                    Proposal.state.in_([ProposalState.NEW, ProposalState.IN_PROGRESS]),
                )
                .order_by(Proposal.id)
                .limit(limit)
            )
        )

    async def _answers(self, meeting: Meeting, branch: Unit) -> list[Proposal]:
        """Answers to the branch's proposals it has not heard yet: its meeting conveys them."""
        return await ProposalService(self.db, self.clock, self.zone).answers_to_convey(branch)

    async def guidance(self, meeting: Meeting) -> str | None:
        month = meeting.starts_at.astimezone(self.zone).date().replace(day=1)
        return await self.db.scalar(select(GuidanceNote.text).where(GuidanceNote.month == month))
