"""Every transition of a proposal (bot/services/proposals.py), allowed and refused: assign,
set a deadline, merge, close, reopen, give back, ask for more time, answer for now and
finally; each refused for an old button, a state it does not apply to, and someone it is not
for. The sample ward: CB02 is a leader (triages) and answers for the Ban Tổ chức, CB08 answers
for the Ủy ban nhân dân phường, CB07 is a member, CB25 is the office."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.services.notices import (
    Office,
    ProposalAnswered,
    ProposalAssigned,
    ProposalClosed,
    ProposalExtensionAsked,
    ProposalReturned,
)
from bot.services.policy import Actor, actor_for
from bot.services.proposals import Answer, Outcome, ProposalService
from db.models import (
    HandlingBody,
    Meeting,
    MeetingSource,
    MeetingStatus,
    Person,
    Proposal,
    ProposalState,
    ProposalUrgency,
    Report,
    Unit,
)
from db.session import create_engine, create_sessionmaker
from tests.conftest import ZONE, import_sample_roster

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=ZONE)


@dataclass
class Loop:
    db: AsyncSession
    clock: ManualClock
    service: ProposalService

    async def person(self, code: str) -> Person:
        person = await self.db.scalar(select(Person).where(Person.code == code))
        assert person is not None
        return person

    async def actor(self, code: str, *, triage_by: frozenset[str] | None = None) -> Actor:
        person = await self.person(code)
        roles = frozenset(person.role_set)
        kwargs = {"triage_by": triage_by} if triage_by is not None else {}
        return actor_for(800000 + person.id, person, roles, **kwargs)

    async def body(self, code: str) -> HandlingBody:
        body = await self.db.scalar(select(HandlingBody).where(HandlingBody.code == code))
        assert body is not None
        return body

    async def raised(self, text: str = "Sửa đường", *, author: str = "CB07") -> Proposal:
        """A proposal from a report on KP01's November meeting."""
        branch = await self.db.scalar(select(Unit).where(Unit.code == "KP01"))
        assert branch is not None
        meeting = Meeting(
            unit_id=branch.id,
            starts_at=datetime(2026, 11, 5, 19, 30, tzinfo=ZONE),
            duration_minutes=90,
            venue="",
            status=MeetingStatus.HELD,
            source=MeetingSource.MANUAL,
            created_at=NOW,
            updated_at=NOW,
        )
        self.db.add(meeting)
        await self.db.flush()
        raiser = await self.person(author)
        report = Report(
            meeting_id=meeting.id,
            author_id=raiser.id,
            submitted_at=NOW,
            amendable_until=NOW + timedelta(days=7),
        )
        self.db.add(report)
        await self.db.flush()
        proposal = Proposal(
            report_id=report.id,
            unit_id=branch.id,
            urgency=ProposalUrgency.NORMAL,
            text=text,
            created_at=NOW,
        )
        self.db.add(proposal)
        await self.db.flush()
        return proposal

    async def assigned(self, body: str = "UBND") -> Proposal:
        proposal = await self.raised()
        triager = await self.actor("CB02")
        change = await self.service.assign(
            proposal.id, proposal.revision, (await self.body(body)).id, triager
        )
        assert change.outcome == Outcome.DONE
        return proposal


@pytest.fixture
async def loop(database_url: str, clock: ManualClock) -> AsyncIterator[Loop]:
    await import_sample_roster(database_url, clock)
    clock.set(NOW)
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            # notices reach only those who use Telegram
            for person in await db.scalars(
                select(Person).where(Person.code.in_(["CB02", "CB03", "CB07", "CB08", "CB09"]))
            ):
                person.telegram_user_id = 800000 + person.id
            yield Loop(db, clock, ProposalService(db, clock, ZONE))
    finally:
        await engine.dispose()


async def test_assign_gives_it_to_the_body_with_the_default_deadline(loop: Loop) -> None:
    proposal = await loop.raised()
    member, triager = await loop.actor("CB07"), await loop.actor("CB02")
    body = await loop.body("UBND")

    refused = await loop.service.assign(proposal.id, proposal.revision, body.id, member)
    assert refused.outcome == Outcome.NOT_YOURS
    stale = await loop.service.assign(proposal.id, proposal.revision - 1, body.id, triager)
    assert stale.outcome == Outcome.CHANGED
    missing = await loop.service.assign(proposal.id + 999, 1, body.id, triager)
    assert missing.outcome == Outcome.NOT_FOUND

    done = await loop.service.assign(proposal.id, proposal.revision, body.id, triager)
    assert done.outcome == Outcome.DONE
    assert proposal.state == ProposalState.IN_PROGRESS
    assert proposal.deadline == date(2027, 1, 9)  # 30 days for a normal one
    told = {n.to for n in done.notices if isinstance(n, ProposalAssigned)}
    assert told == {await loop.person("CB03"), await loop.person("CB08")}


async def test_the_office_triages_only_when_the_setting_says_so(loop: Loop) -> None:
    proposal = await loop.raised()
    body = await loop.body("CA")
    leader_only = await loop.actor("CB02", triage_by=frozenset({"office"}))
    refused = await loop.service.assign(proposal.id, proposal.revision, body.id, leader_only)
    assert refused.outcome == Outcome.NOT_YOURS
    office = await loop.actor("CB25", triage_by=frozenset({"office"}))
    done = await loop.service.assign(proposal.id, proposal.revision, body.id, office)
    assert done.outcome == Outcome.DONE


async def test_a_deadline_is_changed_by_a_triager_and_never_into_the_past(loop: Loop) -> None:
    proposal = await loop.assigned()
    triager, member = await loop.actor("CB02"), await loop.actor("CB08")
    past = await loop.service.set_deadline(
        proposal.id, proposal.revision, date(2026, 12, 1), triager
    )
    assert past.outcome == Outcome.PAST_DATE
    refused = await loop.service.set_deadline(
        proposal.id, proposal.revision, date(2027, 2, 1), member
    )
    assert refused.outcome == Outcome.NOT_YOURS
    done = await loop.service.set_deadline(
        proposal.id, proposal.revision, date(2027, 2, 1), triager
    )
    assert done.outcome == Outcome.DONE and proposal.deadline == date(2027, 2, 1)
    new = await loop.raised("Khác")
    not_in_progress = await loop.service.set_deadline(
        new.id, new.revision, date(2027, 2, 1), triager
    )
    assert not_in_progress.outcome == Outcome.CHANGED


async def test_merge_into_an_earlier_open_one_only(loop: Loop) -> None:
    earlier, later = await loop.raised("Đường ngập"), await loop.raised("Đường ngập nữa")
    triager = await loop.actor("CB02")
    itself = await loop.service.merge(later.id, later.revision, later.id, triager)
    assert itself.outcome == Outcome.SAME
    refused = await loop.service.merge(
        later.id, later.revision, earlier.id, await loop.actor("CB07")
    )
    assert refused.outcome == Outcome.NOT_YOURS
    done = await loop.service.merge(later.id, later.revision, earlier.id, triager)
    assert done.outcome == Outcome.DONE
    assert (later.state, later.merged_into_id) == (ProposalState.MERGED, earlier.id)
    again = await loop.service.merge(later.id, later.revision, earlier.id, triager)
    assert again.outcome == Outcome.CHANGED  # merged: no longer open


async def test_close_tells_the_raiser_and_reopen_brings_it_back(loop: Loop) -> None:
    proposal = await loop.raised()
    triager = await loop.actor("CB02")
    refused = await loop.service.close(
        proposal.id, proposal.revision, "solved", await loop.actor("CB08")
    )
    assert refused.outcome == Outcome.NOT_YOURS
    closed = await loop.service.close(proposal.id, proposal.revision, "solved", triager)
    assert closed.outcome == Outcome.DONE and proposal.state == ProposalState.CLOSED
    assert [type(n) for n in closed.notices] == [ProposalClosed]
    twice = await loop.service.close(proposal.id, proposal.revision, "solved", triager)
    assert twice.outcome == Outcome.CHANGED

    not_closed = await loop.raised("Khác")
    assert (
        await loop.service.reopen(not_closed.id, not_closed.revision, triager)
    ).outcome == Outcome.CHANGED
    refused = await loop.service.reopen(proposal.id, proposal.revision, await loop.actor("CB07"))
    assert refused.outcome == Outcome.NOT_YOURS
    reopened = await loop.service.reopen(proposal.id, proposal.revision, triager)
    assert reopened.outcome == Outcome.DONE and proposal.state == ProposalState.NEW


async def test_the_body_gives_it_back_or_asks_for_more_time(loop: Loop) -> None:
    proposal = await loop.assigned("UBND")
    body_member, other = await loop.actor("CB08"), await loop.actor("CB09")
    refused = await loop.service.ask_extension(proposal.id, None, other)
    assert refused.outcome == Outcome.NOT_YOURS
    triager_not_body = await loop.service.give_back(proposal.id, None, await loop.actor("CB02"))
    assert triager_not_body.outcome == Outcome.NOT_YOURS
    asked = await loop.service.ask_extension(proposal.id, None, body_member)
    assert asked.outcome == Outcome.DONE and proposal.state == ProposalState.IN_PROGRESS
    assert any(isinstance(n, ProposalExtensionAsked) for n in asked.notices)
    assert any(isinstance(n.to, Office) for n in asked.notices)
    back = await loop.service.give_back(proposal.id, None, body_member)
    assert back.outcome == Outcome.DONE
    assert (proposal.state, proposal.body_id) == (ProposalState.NEW, None)
    assert any(isinstance(n, ProposalReturned) for n in back.notices)
    again = await loop.service.give_back(proposal.id, None, body_member)
    assert again.outcome == Outcome.CHANGED  # no longer with the body


async def test_answers_for_now_then_finally_reach_the_raiser(loop: Loop) -> None:
    proposal = await loop.assigned("UBND")
    body_member = await loop.actor("CB08")
    refused = await loop.service.answer(
        proposal.id, Answer("Đã xem", False), await loop.actor("CB09")
    )
    assert refused.outcome == Outcome.NOT_YOURS
    too_long = await loop.service.answer(proposal.id, Answer("x" * 3001, True), body_member)
    assert too_long.outcome == Outcome.TOO_LONG and too_long.detail == 3001
    interim = await loop.service.answer(proposal.id, Answer("Đang khảo sát", False), body_member)
    assert interim.outcome == Outcome.DONE and proposal.state == ProposalState.IN_PROGRESS
    final = await loop.service.answer(proposal.id, Answer("Đã sửa xong", True), body_member)
    assert final.outcome == Outcome.DONE and proposal.state == ProposalState.ANSWERED
    assert [type(n) for n in final.notices] == [ProposalAnswered]
    after = await loop.service.answer(proposal.id, Answer("Thêm", True), body_member)
    assert after.outcome == Outcome.CHANGED  # answered: reopen it first


async def test_a_triager_answers_directly_and_the_merged_hear_it_too(loop: Loop) -> None:
    earlier, later = await loop.raised("Đường ngập"), await loop.raised("Đường ngập nữa")
    triager = await loop.actor("CB02")
    await loop.service.merge(later.id, later.revision, earlier.id, triager)
    answered = await loop.service.answer(earlier.id, Answer("Đã nạo vét", True), triager)
    assert answered.outcome == Outcome.DONE
    assert later.answer == "Đã nạo vét"
    assert len([n for n in answered.notices if isinstance(n, ProposalAnswered)]) == 2


async def test_who_sees_a_proposal_in_full(loop: Loop) -> None:
    proposal = await loop.assigned("UBND")
    for code, sees in (("CB07", True), ("CB08", True), ("CB02", True), ("CB09", False)):
        seen = await loop.service.seen_by(await loop.actor(code), proposal.id)
        assert (seen is not None) is sees, code
    seen = await loop.service.seen_by(await loop.actor("CB08"), proposal.id)
    assert seen is not None and not seen.with_triage and not seen.names
