"""The proposal loop: a kiến nghị raised at a branch is given to a handling body with a
deadline, answered (for now, then finally), merged with an earlier one or closed with a
reason, and its answer goes back to the member who raised it and, through the branch's next
reminder, to the branch. Every step is a ProposalEvent with who and when.

Each change checks the proposal's state and revision first: a button made before another
change is refused with the current state, never acted on.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.deadlines import Deadlines
from bot.services import audit
from bot.services import keys as outbox_keys
from bot.services.directory import DirectoryService
from bot.services.notices import (
    OFFICE,
    Notice,
    Notices,
    Office,
    ProposalAnswered,
    ProposalAssigned,
    ProposalClosed,
    ProposalDueSoon,
    ProposalExtensionAsked,
    ProposalNotice,
    ProposalReturned,
    ProposalSummary,
    ProposalUndeliverable,
    Recipient,
)
from bot.services.policy import (
    TRIAGERS,
    Actor,
    may_act_for_body,
    may_answer_proposal,
    may_list_proposals_of_branch,
    may_see_proposal,
    may_triage,
    sees_names_in_history,
)
from db.models import (
    HandlingBody,
    HandlingBodyMember,
    Meeting,
    OrgSetting,
    Person,
    Proposal,
    ProposalEvent,
    ProposalField,
    ProposalState,
    Report,
    Role,
    StoredFile,
    Unit,
)
from db.session import insert_for

ANSWER_LIMIT = 3000
OPEN_STATES = (ProposalState.NEW, ProposalState.IN_PROGRESS)
CLOSED_STATES = (ProposalState.CLOSED, ProposalState.ANSWERED)
CLOSE_REASONS = ("outside", "duplicate", "solved")


class Outcome(enum.StrEnum):
    DONE = "done"
    CHANGED = "changed"  # the proposal changed since the button was made
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"  # not in the body it is assigned to
    PAST_DATE = "past_date"
    TOO_LONG = "too_long"
    SAME = "same"  # merged with itself, or into one that is not open


@dataclass(frozen=True)
class ProposalView:
    """A proposal with what its screens show."""

    proposal: Proposal
    branch: Unit
    field: ProposalField | None
    body: HandlingBody | None
    raiser: Person | None
    meeting: Meeting | None
    answered_by: Person | None = None
    events: tuple[tuple[ProposalEvent, Person | None], ...] = ()


@dataclass
class Change:
    outcome: Outcome
    view: ProposalView | None = None
    notices: tuple[Notice, ...] = ()
    detail: int | None = None  # the over-long answer's length


@dataclass(frozen=True)
class Seen:
    """A proposal as one reader sees it: its view, whether they triage it (its buttons), and
    whether the names of who acted on it are shown to them."""

    view: ProposalView
    with_triage: bool
    names: bool


@dataclass(frozen=True)
class Answer:
    """What a member of the body gives as the answer."""

    text: str
    final: bool
    file_id: int | None = None


@dataclass(frozen=True)
class Summary:
    """The morning's summary for whoever triages: how many await assignment and how many
    are past their deadline, with the first of each."""

    day: date
    untriaged_count: int
    untriaged: list[ProposalView]
    late_count: int
    late: list[ProposalView]


@dataclass(frozen=True)
class Todo:
    """What one has to do with proposals: how many of each, and the first few of each."""

    to_answer: list[ProposalView] = field(default_factory=list)
    to_triage: list[ProposalView] = field(default_factory=list)
    overdue: list[ProposalView] = field(default_factory=list)
    counts: tuple[int, int, int] = (0, 0, 0)  # to answer, to triage, overdue


@dataclass(frozen=True)
class DailyWork:
    """What the morning brings: one summary for each who triages, the bodies reminded of
    deadlines two days off, the leaders told of deadlines passed; each once, by its key."""

    notices: tuple[Notice, ...]


DUE_SOON_DAYS = 2
MORNING = time(7, 30)  # the morning's notices, from then on
MORNING_MARKER = "proposals.morning:"
DEFAULT_DEADLINES = Deadlines()


def event(
    proposal_id: int, at: datetime, kind: str, person_id: int | None, **details: object
) -> ProposalEvent:
    """One step of a proposal's history, with who and when."""
    return ProposalEvent(
        proposal_id=proposal_id, at=at, kind=kind, person_id=person_id, details=details
    )


class ProposalService:
    def __init__(
        self,
        db: AsyncSession,
        clock: Clock,
        zone: ZoneInfo,
        deadlines: Deadlines = DEFAULT_DEADLINES,
        triage: frozenset[str] = TRIAGERS,
    ) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone
        self.deadlines = deadlines
        self.triage = triage

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    # ------------------------------------------------------------ reading

    async def view(self, proposal_id: int, *, history: bool = False) -> ProposalView | None:
        proposal = await self.db.get(Proposal, proposal_id)
        if proposal is None:
            return None
        return await self._view(proposal, history=history)

    async def seen_by(
        self, actor: Actor, proposal_id: int, *, history: bool = False
    ) -> Seen | None:
        """The proposal as the actor may see it in full: None if there is none, or if it is not
        theirs to see (bot/services/policy.py)."""
        view = await self.view(proposal_id, history=history)
        if view is None:
            return None
        answers = await self.answers_for(actor.person, view.proposal.body_id)
        raised = view.raiser is not None and view.raiser.id == actor.person_id
        if not may_see_proposal(actor, raised_it=raised, answers_for_body=answers):
            return None
        return Seen(view, with_triage=may_triage(actor), names=sees_names_in_history(actor))

    async def of_branch_for(
        self, actor: Actor, code: str
    ) -> tuple[Unit | None, list[ProposalView]] | None:
        """A branch's proposals, for those who triage; None for others."""
        if not may_list_proposals_of_branch(actor):
            return None
        return await self.of_branch(code)

    async def triageable(self, proposal_id: int, revision: int, actor: Actor) -> Change:
        """Whether the actor may triage the proposal as it stood when the button was made (to
        show them a picker): DONE with its view, or why not."""
        proposal = await self._open(
            proposal_id, revision, OPEN_STATES + CLOSED_STATES, triager=actor
        )
        if isinstance(proposal, Change):
            return proposal
        return Change(Outcome.DONE, await self._view(proposal))

    async def _view(self, proposal: Proposal, *, history: bool = False) -> ProposalView:
        branch = await self.db.get(Unit, proposal.unit_id)
        assert branch is not None
        field = await self.db.get(ProposalField, proposal.field_id) if proposal.field_id else None
        body = await self.db.get(HandlingBody, proposal.body_id) if proposal.body_id else None
        report = await self.db.get(Report, proposal.report_id)
        raiser = await self.db.get(Person, report.author_id) if report else None
        meeting = await self.db.get(Meeting, report.meeting_id) if report else None
        answered_by = (
            await self.db.get(Person, proposal.answered_by_id) if proposal.answered_by_id else None
        )
        events: tuple[tuple[ProposalEvent, Person | None], ...] = ()
        if history:
            rows = await self.db.execute(
                select(ProposalEvent, Person)
                .outerjoin(Person, Person.id == ProposalEvent.person_id)
                .where(ProposalEvent.proposal_id == proposal.id)
                .order_by(ProposalEvent.at, ProposalEvent.id)
            )
            events = tuple((event, person) for event, person in rows)
        return ProposalView(proposal, branch, field, body, raiser, meeting, answered_by, events)

    async def answer_file(self, proposal: Proposal) -> StoredFile | None:
        if proposal.answer_file_id is None:
            return None
        return await self.db.get(StoredFile, proposal.answer_file_id)

    async def bodies(self) -> list[HandlingBody]:
        return list(
            await self.db.scalars(
                select(HandlingBody).where(HandlingBody.active).order_by(HandlingBody.code)
            )
        )

    async def answerers(self, body_id: int) -> list[Person]:
        """The people who answer for a body and can be written to."""
        return list(
            await self.db.scalars(
                select(Person)
                .join(HandlingBodyMember, HandlingBodyMember.person_id == Person.id)
                .where(
                    HandlingBodyMember.body_id == body_id,
                    Person.active,
                    Person.telegram_user_id.is_not(None),
                )
                .order_by(Person.code)
            )
        )

    async def answers_for(self, person: Person | None, body_id: int | None) -> bool:
        if body_id is None or person is None:
            return False
        return (
            await self.db.scalar(
                select(HandlingBodyMember.id).where(
                    HandlingBodyMember.body_id == body_id,
                    HandlingBodyMember.person_id == person.id,
                )
            )
            is not None
        )

    async def todo(self, actor: Actor, shown: int = 10) -> Todo:
        """What the person has to do: answer for their bodies, triage, chase what is late."""
        person, triages = actor.person, may_triage(actor)
        queries = []
        body_ids = []
        if person is not None:
            body_ids = list(
                await self.db.scalars(
                    select(HandlingBodyMember.body_id).where(
                        HandlingBodyMember.person_id == person.id
                    )
                )
            )
        queries.append(
            select(Proposal)
            .where(Proposal.body_id.in_(body_ids), Proposal.state == ProposalState.IN_PROGRESS)
            .order_by(Proposal.deadline, Proposal.id)
            if body_ids
            else None
        )
        queries.append(
            select(Proposal)
            .where(Proposal.state == ProposalState.NEW)
            .order_by(Proposal.urgency.desc(), Proposal.created_at, Proposal.id)
            if triages
            else None
        )
        queries.append(
            select(Proposal)
            .where(Proposal.state == ProposalState.IN_PROGRESS, Proposal.deadline < self.today())
            .order_by(Proposal.deadline, Proposal.id)
            if triages
            else None
        )
        lists, counts = [], []
        for query in queries:
            lists.append(await self._first(query, shown) if query is not None else [])
            counts.append(await self._count(query) if query is not None else 0)
        return Todo(lists[0], lists[1], lists[2], (counts[0], counts[1], counts[2]))

    async def of_branch(self, code: str) -> tuple[Unit | None, list[ProposalView]]:
        branch = await self.db.scalar(select(Unit).where(Unit.code == code, Unit.is_branch))
        if branch is None:
            return None, []
        rows = await self.db.scalars(
            select(Proposal)
            .where(Proposal.unit_id == branch.id)
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .limit(30)
        )
        return branch, [await self._view(p) for p in rows]

    async def raised_by(self, person: Person) -> list[ProposalView]:
        rows = await self.db.scalars(
            select(Proposal)
            .join(Report, Report.id == Proposal.report_id)
            .where(Report.author_id == person.id)
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .limit(30)
        )
        return [await self._view(p) for p in rows]

    async def merge_candidates(self, view: ProposalView, limit: int = 6) -> list[ProposalView]:
        """Earlier open proposals that may say the same thing: of the same field or branch."""
        proposal = view.proposal
        same = [Proposal.unit_id == proposal.unit_id]
        if proposal.field_id is not None:
            same.append(Proposal.field_id == proposal.field_id)
        rows = await self.db.scalars(
            select(Proposal)
            .where(
                Proposal.id != proposal.id,
                Proposal.state.in_(OPEN_STATES),
                Proposal.created_at <= proposal.created_at,
                or_(*same),
            )
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .limit(limit)
        )
        return [await self._view(p) for p in rows]

    async def answers_to_convey(self, branch: Unit, limit: int = 5) -> list[Proposal]:
        """Answers to the branch's proposals that it has not heard yet (the next report says
        whether its meeting did), the oldest first."""
        query = select(Proposal).where(
            Proposal.unit_id == branch.id,
            Proposal.answered_at.is_not(None),
            Proposal.conveyed_at.is_(None),
            Proposal.state.in_(
                (ProposalState.IN_PROGRESS, ProposalState.ANSWERED, ProposalState.MERGED)
            ),
        )
        query = query.order_by(Proposal.answered_at, Proposal.id).limit(limit)
        return list(await self.db.scalars(query))

    async def morning_due(self) -> Notices:
        """Once a morning, from 07:30, the morning's notices (daily()). The morning is claimed
        by inserting its marker row: of two ticks at once (the scheduler's and a moved clock's,
        or two instances), one inserts it and the other finds it there and does nothing; the
        outbox keys would make a repeat harmless anyway."""
        now = self.clock.now()
        today = self.today()
        if now < datetime.combine(today, MORNING, tzinfo=self.zone):
            return ()
        marker = MORNING_MARKER + today.isoformat()
        if await self.db.get(OrgSetting, marker) is not None:
            return ()
        claimed = await self.db.scalar(
            insert_for(self.db)(OrgSetting)
            .values(key=marker, value={}, updated_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(OrgSetting.key)
        )
        if claimed is None:  # (rowcount is not reliable here: psycopg reports -1)
            return ()
        await self.db.execute(
            delete(OrgSetting).where(
                OrgSetting.key.startswith(MORNING_MARKER), OrgSetting.key != marker
            )
        )
        return (await self.daily()).notices

    async def daily(self) -> DailyWork:
        """The morning's notices: the summary (what awaits assignment, what is past its
        deadline: a deadline passed yesterday is told here, and every morning until the
        proposal is answered), and the bodies reminded of deadlines two days off."""
        today = self.today()
        found: list[Notice] = []
        untriaged = select(Proposal).where(Proposal.state == ProposalState.NEW)
        late = select(Proposal).where(
            Proposal.state == ProposalState.IN_PROGRESS, Proposal.deadline < today
        )
        summary = Summary(
            today,
            await self._count(untriaged),
            await self._first(
                untriaged.order_by(Proposal.urgency.desc(), Proposal.created_at, Proposal.id)
            ),
            await self._count(late),
            await self._first(late.order_by(Proposal.deadline, Proposal.id)),
        )
        if summary.untriaged_count or summary.late_count:
            key = outbox_keys.proposal_summary(today.isoformat())
            found += await self.to_triage(
                key, lambda key, to: ProposalSummary(key=key, to=to, summary=summary)
            )
        soon = today + timedelta(days=DUE_SOON_DAYS)
        for proposal in await self.db.scalars(
            select(Proposal).where(
                Proposal.state == ProposalState.IN_PROGRESS,
                Proposal.deadline >= today,
                Proposal.deadline <= soon,
                Proposal.answered_at.is_(None),
            )
        ):
            assert proposal.deadline is not None and proposal.body_id is not None  # in progress
            view = await self._view(proposal)
            key = outbox_keys.proposal_due_soon(proposal.id, proposal.deadline.isoformat())
            found += [
                ProposalDueSoon(key=outbox_keys.per_person(key, person.id), to=person, view=view)
                for person in await self.answerers(proposal.body_id)
            ]
        return DailyWork(tuple(found))

    async def _count(self, query) -> int:
        return await self.db.scalar(select(func.count()).select_from(query.subquery())) or 0

    async def _first(self, query, limit: int = 10) -> list[ProposalView]:
        return [await self._view(p) for p in await self.db.scalars(query.limit(limit))]

    # ------------------------------------------------------------ changing

    async def _open(
        self,
        proposal_id: int,
        revision: int | None,
        states: tuple[ProposalState, ...] = OPEN_STATES,
        *,
        triager: Actor | None = None,
    ) -> Proposal | Change:
        """The proposal, or the Change that refuses the press: gone, changed since the button
        was made, or (given the actor who must triage it) not theirs to triage."""
        proposal = await self.db.get(Proposal, proposal_id)
        if proposal is None:
            return Change(Outcome.NOT_FOUND)
        if triager is not None and not may_triage(triager):
            return Change(Outcome.NOT_YOURS, await self._view(proposal))
        if (revision is not None and proposal.revision != revision) or proposal.state not in states:
            return Change(Outcome.CHANGED, await self._view(proposal))
        return proposal

    def _record(self, proposal: Proposal, kind: str, who: audit.Who, **details: Any) -> None:
        proposal.revision += 1
        self.db.add(event(proposal.id, self.clock.now(), kind, who.person_id, **details))
        audit.record(
            self.db, self.clock, who, f"proposal.{kind}", "proposal", proposal.id, **details
        )

    async def assign(
        self, proposal_id: int, revision: int | None, body_id: int, actor: Actor
    ) -> Change:
        """Give the proposal to a body, with the default deadline for its urgency."""
        who = actor.who
        proposal = await self._open(proposal_id, revision, triager=actor)
        if isinstance(proposal, Change):
            return proposal
        body = await self.db.get(HandlingBody, body_id)
        if body is None or not body.active:
            return Change(Outcome.NOT_FOUND, await self._view(proposal))
        reassigned = proposal.body_id is not None and proposal.body_id != body.id
        proposal.body_id = body.id
        proposal.state = ProposalState.IN_PROGRESS
        proposal.assigned_at = self.clock.now()
        proposal.deadline = self.today() + timedelta(days=self.deadlines.days(proposal.urgency))
        self._record(
            proposal,
            "reassigned" if reassigned else "assigned",
            who,
            body=body.name,
            deadline=proposal.deadline.isoformat(),
        )
        await self.db.flush()
        view = await self._view(proposal)
        return Change(Outcome.DONE, view, await self._to_body(view, who))

    async def _to_body(self, view: ProposalView, who: audit.Who) -> tuple[Notice, ...]:
        """The proposal to the people of its body, or the office told, once, that nobody
        can receive it."""
        proposal = view.proposal
        answerers = await self.answerers(proposal.body_id) if proposal.body_id else []
        if not answerers:
            key = outbox_keys.proposal_undeliverable(proposal.id, proposal.body_id or 0)
            return (ProposalUndeliverable(key=key, to=OFFICE, view=view),)
        return tuple(
            ProposalAssigned(
                key=outbox_keys.proposal_assigned(proposal.id, proposal.revision, person.id),
                to=person,
                view=view,
            )
            for person in answerers
            if person.id != who.person_id
        )

    async def set_deadline(
        self, proposal_id: int, revision: int | None, day: date, actor: Actor
    ) -> Change:
        who = actor.who
        proposal = await self._open(
            proposal_id, revision, (ProposalState.IN_PROGRESS,), triager=actor
        )
        if isinstance(proposal, Change):
            return proposal
        if day < self.today():
            return Change(Outcome.PAST_DATE, await self._view(proposal))
        proposal.deadline = day
        self._record(proposal, "deadline", who, deadline=day.isoformat())
        await self.db.flush()
        return Change(Outcome.DONE, await self._view(proposal))

    async def merge(
        self, proposal_id: int, revision: int | None, into_id: int, actor: Actor
    ) -> Change:
        """The proposal says the same as an earlier one: that one carries it on (each keeps
        its branch, and the answer reaches both)."""
        who = actor.who
        proposal = await self._open(proposal_id, revision, triager=actor)
        if isinstance(proposal, Change):
            return proposal
        into = await self.db.get(Proposal, into_id)
        if into is None or into.id == proposal.id or into.state not in OPEN_STATES:
            return Change(Outcome.SAME, await self._view(proposal))
        proposal.state = ProposalState.MERGED
        proposal.merged_into_id = into.id
        self._record(proposal, "merged", who, into=into.id)
        into.revision += 1
        self.db.add(event(into.id, self.clock.now(), "absorbed", who.person_id, merged=proposal.id))
        await self.db.flush()
        return Change(Outcome.DONE, await self._view(proposal))

    async def close(
        self, proposal_id: int, revision: int | None, reason: str, actor: Actor
    ) -> Change:
        who = actor.who
        proposal = await self._open(proposal_id, revision, triager=actor)
        if isinstance(proposal, Change):
            return proposal
        assert reason in CLOSE_REASONS
        proposal.state = ProposalState.CLOSED
        proposal.closed_reason = reason
        self._record(proposal, "closed", who, reason=reason)
        await self.db.flush()
        view = await self._view(proposal)
        return Change(Outcome.DONE, view, self._to_raiser(view, ProposalClosed))

    async def reopen(self, proposal_id: int, revision: int | None, actor: Actor) -> Change:
        """A closed or answered proposal is open again: back to its body, or to triage."""
        who = actor.who
        proposal = await self._open(
            proposal_id, revision, (ProposalState.CLOSED, ProposalState.ANSWERED), triager=actor
        )
        if isinstance(proposal, Change):
            return proposal
        proposal.state = ProposalState.IN_PROGRESS if proposal.body_id else ProposalState.NEW
        proposal.closed_reason = ""
        proposal.answer_final = False
        self._record(proposal, "reopened", who)
        await self.db.flush()
        view = await self._view(proposal)
        sent = await self._to_body(view, who) if proposal.body_id else ()
        return Change(Outcome.DONE, view, sent)

    async def _open_for_body(
        self, proposal_id: int, revision: int | None, actor: Actor
    ) -> Proposal | Change:
        """A proposal with a body, pressed by one of the people who answer for that body."""
        proposal = await self._open(proposal_id, revision, (ProposalState.IN_PROGRESS,))
        if isinstance(proposal, Change):
            return proposal
        answers = await self.answers_for(actor.person, proposal.body_id)
        if not may_act_for_body(actor, answers_for_body=answers):
            return Change(Outcome.NOT_YOURS, await self._view(proposal))
        return proposal

    async def give_back(self, proposal_id: int, revision: int | None, actor: Actor) -> Change:
        """ "Chuyển đơn vị khác": the body says it is not theirs; back to triage."""
        who = actor.who
        proposal = await self._open_for_body(proposal_id, revision, actor)
        if isinstance(proposal, Change):
            return proposal
        body = await self.db.get(HandlingBody, proposal.body_id)
        proposal.state = ProposalState.NEW
        proposal.body_id = None
        proposal.deadline = None
        self._record(proposal, "given_back", who, body=body.name if body else "")
        await self.db.flush()
        view = await self._view(proposal)
        return Change(Outcome.DONE, view, await self._to_triagers(view, ProposalReturned))

    async def ask_extension(self, proposal_id: int, revision: int | None, actor: Actor) -> Change:
        """ "Xin gia hạn": the triagers are asked to give a later deadline."""
        who = actor.who
        proposal = await self._open_for_body(proposal_id, revision, actor)
        if isinstance(proposal, Change):
            return proposal
        self._record(proposal, "extension_asked", who)
        await self.db.flush()
        view = await self._view(proposal)
        return Change(Outcome.DONE, view, await self._to_triagers(view, ProposalExtensionAsked))

    async def may_answer(self, proposal: Proposal, actor: Actor) -> bool:
        answers = await self.answers_for(actor.person, proposal.body_id)
        return may_answer_proposal(actor, answers_for_body=answers)

    async def answerable(self, proposal_id: int, actor: Actor) -> Change:
        """Whether the actor may start writing an answer to it now (DONE), or why not."""
        proposal = await self._open(proposal_id, None)
        if isinstance(proposal, Change):
            return proposal
        if not await self.may_answer(proposal, actor):
            return Change(Outcome.NOT_YOURS, await self._view(proposal))
        return Change(Outcome.DONE, await self._view(proposal))

    async def answer(self, proposal_id: int, answer: Answer, actor: Actor) -> Change:
        who = actor.who
        answerable = await self.answerable(proposal_id, actor)
        if answerable.outcome != Outcome.DONE or answerable.view is None:
            return answerable
        proposal = answerable.view.proposal
        if len(answer.text) > ANSWER_LIMIT:
            return Change(Outcome.TOO_LONG, await self._view(proposal), detail=len(answer.text))
        proposal.answer = answer.text
        proposal.answer_final = answer.final
        proposal.answer_file_id = answer.file_id
        proposal.answered_by_id = who.person_id
        proposal.answered_at = self.clock.now()
        proposal.conveyed_at = None
        proposal.state = ProposalState.ANSWERED if answer.final else ProposalState.IN_PROGRESS
        self._record(proposal, "answered" if answer.final else "answered_interim", who)
        await self.db.flush()
        view = await self._view(proposal)
        told = list(self._to_raiser(view, ProposalAnswered))
        # Those merged into it raised the same thing: they hear the answer too.
        for merged in await self.db.scalars(
            select(Proposal).where(Proposal.merged_into_id == proposal.id)
        ):
            merged.answer, merged.answered_at = proposal.answer, proposal.answered_at
            merged.answer_final, merged.answered_by_id = proposal.answer_final, who.person_id
            merged.conveyed_at = None
            told += self._to_raiser(await self._view(merged), ProposalAnswered)
        await self.db.flush()
        return Change(Outcome.DONE, view, tuple(told))

    def _to_raiser(
        self, view: ProposalView, kind: type[ProposalAnswered] | type[ProposalClosed]
    ) -> tuple[Notice, ...]:
        raiser = view.raiser
        if raiser is None or not raiser.active or raiser.telegram_user_id is None:
            return ()
        key = outbox_keys.proposal_outcome(view.proposal.id, view.proposal.revision, raiser.id)
        return (kind(key=key, to=raiser, view=view),)

    async def triagers(self) -> list[Person]:
        """The leaders who triage, if leaders do (the office is told as the office)."""
        if "leaders" not in self.triage:
            return []
        return await DirectoryService(self.db, self.clock, self.zone).linked_with(Role.LEADER)

    async def to_triage(
        self, key: str, make: Callable[[str, Recipient], Notice], skip: int | None = None
    ) -> tuple[Notice, ...]:
        """A notice for whoever triages, made by `make(key, recipient)`: each leader (but
        `skip`, a person id), and the office, each once."""
        leaders = [p for p in await self.triagers() if p.id != skip]
        found = [make(outbox_keys.per_person(key, p.id), p) for p in leaders]
        if "office" in self.triage:
            told = frozenset(p.telegram_user_id for p in leaders if p.telegram_user_id)
            found.append(make(key, Office(told)))
        return tuple(found)

    async def _to_triagers(
        self, view: ProposalView, kind: type[ProposalNotice]
    ) -> tuple[Notice, ...]:
        key = outbox_keys.proposal_to_triage(view.proposal.id, view.proposal.revision)
        return await self.to_triage(key, lambda key, to: kind(key=key, to=to, view=view))
