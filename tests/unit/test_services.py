"""The services on their own: a session, a manual clock and the sample ward, no Telegram. Each
test is one unit of work the way the bot runs it (the service flushes, the test commits or
not), and what the service decides is read back from the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.services import audit
from bot.services.attendance import AttendanceService, Outcome
from bot.services.calendar import CalendarService
from bot.services.drafts import DraftService
from bot.services.groups import ConfirmOutcome, GroupService
from bot.services.linking import LinkingService, LinkOutcome
from bot.services.notices import OFFICE as OFFICE_NOTICE
from bot.services.notices import GroupRemoved, Reminder
from bot.services.policy import Actor, actor_for
from bot.services.reminders import ReminderService
from bot.services.reports import ReportService
from bot.settings import Settings
from db.models import (
    Absence,
    AttendeeKind,
    Meeting,
    Person,
    Role,
    Rsvp,
    RsvpAnswer,
    Unit,
)
from db.session import create_engine, create_sessionmaker
from tests.conftest import ZONE, import_sample_roster

OFFICE_WHO = audit.Who(None, 900001)
OFFICE = actor_for(900001, None, frozenset({Role.ADMIN}))


def acting(person: Person) -> Actor:
    """The person as the actor of an update (a member, by the roles of the sample ward)."""
    return actor_for(person.telegram_user_id or 0, person, frozenset(person.role_set))


@dataclass
class Ward:
    db: AsyncSession
    clock: ManualClock

    async def person(self, code: str) -> Person:
        return await self.db.scalar(select(Person).where(Person.code == code))

    async def meeting(self, branch: str, day: date) -> Meeting:
        return await self.db.scalar(
            select(Meeting)
            .join(Unit, Unit.id == Meeting.unit_id)
            .where(Unit.code == branch, Meeting.occurrence_on == day)
        )

    async def link(self, *codes: str) -> None:
        """These people use Telegram (only they get reminders and invitations)."""
        for code in codes:
            (await self.person(code)).telegram_user_id = 800000 + int(code[2:])
        await self.db.flush()

    def attendance(self) -> AttendanceService:
        return AttendanceService(self.db, self.clock, ZONE)

    async def count(self, model, *where) -> int:
        return await self.db.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
async def ward(database_url: str, clock: ManualClock) -> AsyncIterator[Ward]:
    """The sample ward with its calendar, on 1 December 2026 at 08:00."""
    await import_sample_roster(database_url, clock)
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            await CalendarService(db, clock, ZONE).extend()
            await db.commit()
            yield Ward(db, clock)
    finally:
        await engine.dispose()


KP01_DECEMBER = date(2026, 12, 5)


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


# ---------------------------------------------------------------------- attendance


async def test_an_assignee_answers_and_stale_or_foreign_answers_are_refused(ward: Ward) -> None:
    meeting = await ward.meeting("KP01", KP01_DECEMBER)
    an, stranger_to_kp01 = await ward.person("CB01"), await ward.person("CB07")
    await CalendarService(ward.db, ward.clock, ZONE).sync_attendees(meeting)
    attendance = ward.attendance()

    done = await attendance.answer(acting(an), meeting.id, meeting.revision, RsvpAnswer.YES)
    assert done.outcome == Outcome.DONE and done.rsvp.answer == RsvpAnswer.YES
    stale = await attendance.answer(acting(an), meeting.id, meeting.revision - 1, RsvpAnswer.NO)
    assert stale.outcome == Outcome.STALE
    foreign = await attendance.answer(
        acting(stranger_to_kp01), meeting.id, meeting.revision, RsvpAnswer.YES
    )
    assert foreign.outcome == Outcome.NOT_YOURS
    ward.clock.set(at("2026-12-05 19:31"))
    started = await attendance.answer(acting(an), meeting.id, meeting.revision, RsvpAnswer.NO)
    assert started.outcome == Outcome.STARTED
    assert (await attendance.own_rsvp(meeting, an)).answer == RsvpAnswer.YES


async def test_a_reason_declines_and_names_candidates_other_than_the_absent(ward: Ward) -> None:
    meeting = await ward.meeting("KP01", KP01_DECEMBER)
    an = await ward.person("CB01")
    await ward.link("CB01", "CB05")
    await CalendarService(ward.db, ward.clock, ZONE).sync_attendees(meeting)
    result = await ward.attendance().give_reason(acting(an), meeting.id, meeting.revision, "trip")
    assert result.outcome == Outcome.DONE
    assert (result.rsvp.answer, result.rsvp.reason_code) == (RsvpAnswer.NO, "trip")
    assert result.candidates and an.id not in {p.id for p in result.candidates}
    unknown = await ward.attendance().give_reason(acting(an), meeting.id, meeting.revision, "bored")
    assert unknown.outcome == Outcome.NOT_YOURS


async def test_a_stand_in_is_invited_once_and_accepts(ward: Ward) -> None:
    meeting = await ward.meeting("KP01", KP01_DECEMBER)
    an = await ward.person("CB01")
    await ward.link("CB01", "CB05")
    await CalendarService(ward.db, ward.clock, ZONE).sync_attendees(meeting)
    attendance = ward.attendance()
    declined = await attendance.give_reason(acting(an), meeting.id, meeting.revision, "ill")
    candidate = declined.candidates[0]

    invited = await attendance.invite_stand_in(
        meeting.id, meeting.revision, candidate.id, an.id, OFFICE
    )
    assert invited.outcome == Outcome.DONE
    again = await attendance.invite_stand_in(
        meeting.id, meeting.revision, candidate.id, an.id, OFFICE
    )
    assert again.outcome == Outcome.TAKEN
    accepted = await attendance.answer_stand_in(
        acting(candidate), meeting.id, meeting.revision, True
    )
    assert accepted.outcome == Outcome.DONE
    stand_in = await ward.db.scalar(
        select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.kind == AttendeeKind.STAND_IN)
    )
    assert (stand_in.person_id, stand_in.stand_in_for_id, stand_in.answer) == (
        candidate.id,
        an.id,
        RsvpAnswer.YES,
    )


async def test_a_pause_declines_the_meetings_in_it_and_only_those(ward: Ward) -> None:
    an = await ward.person("CB01")
    result = await ward.attendance().pause(
        acting(an), date(2026, 12, 1), date(2026, 12, 10), "công tác"
    )
    assert [item.meeting.occurrence_on for item in result.declined] == [KP01_DECEMBER]
    assert await ward.count(Absence, Absence.person_id == an.id) == 1
    january = await ward.meeting("KP01", date(2027, 1, 5))
    assert await ward.count(Rsvp, Rsvp.meeting_id == january.id, Rsvp.person_id == an.id) == 0


# ---------------------------------------------------------------------- reminders


async def test_reminders_fall_due_at_their_slot_and_not_during_an_absence(ward: Ward) -> None:
    slots = Settings(_env_file=None).reminder_slots
    await ward.link("CB01")
    ward.clock.set(at("2026-12-02 07:59"))
    an = await ward.person("CB01")

    async def reminded() -> list[date | None]:
        due = await ReminderService(ward.db, ward.clock, ZONE, slots).due()
        return [
            notice.reminder.meeting.occurrence_on
            for notice in due
            if isinstance(notice, Reminder) and notice.to == an
        ]

    assert await reminded() == []
    ward.clock.set(at("2026-12-02 08:00"))
    assert await reminded() == [KP01_DECEMBER]
    assert await reminded() == []  # once per slot: the rsvp remembers it

    ward.clock.set(at("2026-12-04 08:00"))  # the day before: the next slot
    await ward.attendance().pause(acting(an), date(2026, 12, 1), date(2026, 12, 10), "")
    assert await reminded() == []


# ---------------------------------------------------------------------- linking


async def test_linking_by_ones_own_phone_only_then_unlinking(ward: Ward) -> None:
    an = await ward.person("CB01")
    linking = LinkingService(ward.db, ward.clock)
    foreign = await linking.link_by_contact(800001, None, 800002, an.phone)
    assert foreign.outcome == LinkOutcome.NOT_OWN_CONTACT
    unknown = await linking.link_by_contact(800001, None, 800001, "0900 000 000")
    assert unknown.outcome == LinkOutcome.UNKNOWN_PHONE
    linked = await linking.link_by_contact(800001, "an", 800001, an.phone)
    assert linked.outcome == LinkOutcome.LINKED and an.telegram_user_id == 800001
    person, previous = await linking.unlink("CB01", OFFICE_WHO)
    assert (person.id, previous) == (an.id, 800001) and an.telegram_user_id is None


async def test_an_invitation_links_once(ward: Ward) -> None:
    linking = LinkingService(ward.db, ward.clock)
    invite = await linking.create_invite("CB07", OFFICE_WHO, ttl_days=7)
    assert invite is not None
    first = await linking.link_by_token(800007, None, invite.token)
    assert first.outcome == LinkOutcome.LINKED
    second = await linking.link_by_token(800099, None, invite.token)
    assert second.outcome == LinkOutcome.TOKEN_USED
    assert await linking.create_invite("KHONG-CO", OFFICE_WHO, ttl_days=7) is None


# ---------------------------------------------------------------------- drafts


async def test_a_draft_answers_only_its_own_revision_and_closes(ward: Ward) -> None:
    drafts = DraftService(ward.db, ward.clock)
    draft = await drafts.save(800001, None, "move", 42, "new_time", {"revision": 1})
    assert await drafts.open_draft(800001, "move", draft.id, draft.revision) is draft
    assert await drafts.open_draft(800001, "move", draft.id, draft.revision + 1) is None
    assert await drafts.open_draft(800002, "move", draft.id, draft.revision) is None
    assert await drafts.active(800001, "move", 42) is draft
    await drafts.close(draft)
    assert await drafts.active(800001, "move", 42) is None


# ---------------------------------------------------------------------- groups


async def test_a_group_becomes_the_leadership_group_once_confirmed(ward: Ward) -> None:
    groups = GroupService(ward.db, ward.clock)
    await groups.bot_added(-100123, "Thường trực")
    assert await groups.leadership_group() is None
    await groups.request(-100123, "Thường trực")
    assert await groups.confirm(-100123, OFFICE_WHO) == ConfirmOutcome.CONFIRMED
    assert (await groups.leadership_group()).chat_id == -100123
    assert len(await groups.migrated(-100123, -100456)) == 1
    assert (await groups.leadership_group()).chat_id == -100456
    [removed] = await groups.bot_removed(-100456, "Thường trực", OFFICE_WHO, event_id=7)
    assert isinstance(removed, GroupRemoved) and removed.to == OFFICE_NOTICE
    assert removed.title == "Thường trực"
    assert await groups.leadership_group() is None


# ---------------------------------------------------------------------- reports


async def test_what_is_owed_is_read_without_writing(ward: Ward) -> None:
    ward.clock.set(at("2026-12-06 09:00"))
    reports = ReportService(ward.db, ward.clock, ZONE, amend_days=7)
    rows = await ward.count(Rsvp)
    assert await reports.owed() == []  # nobody's row yet: the job makes them first
    assert await ward.count(Rsvp) == rows and not ward.db.new and not ward.db.dirty
    await reports.ensure_attendees()
    owed = await reports.owed()
    assert "CB01" in {item.person.code for item in owed}
    assert {item.meeting.occurrence_on.month for item in owed} == {12}


async def test_the_calendars_are_read_without_writing(ward: Ward) -> None:
    calendar = CalendarService(ward.db, ward.clock, ZONE)
    rows = await ward.count(Rsvp)
    mine = await calendar.upcoming_for(await ward.person("CB01"))
    branch, meetings = await calendar.branch_calendar("KP01")
    clashes = await calendar.conflicts()
    assert await ward.count(Rsvp) == rows and not ward.db.new and not ward.db.dirty
    assert mine[0][0].occurrence_on == KP01_DECEMBER
    assert mine[0][2].answer == RsvpAnswer.PENDING  # not asked yet, shown as not answered
    assert branch.code == "KP01" and "Nguyễn Văn An" in [p.full_name for _, p in meetings[0][1]]
    assert clashes == []
