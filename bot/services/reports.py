"""Reports after a meeting: who owes one, the draft saved at every step, sending, amending,
and the history leaders read."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from bot.clock import Clock
from bot.services import audit, report_flow
from bot.services import keys as outbox_keys
from bot.services.calendar import CalendarService
from bot.services.directory import DirectoryService
from bot.services.drafts import DraftService, Flow
from bot.services.notices import (
    Notice,
    Notices,
    Recipient,
    ReportNudge,
    ReportRequest,
    UrgentProposal,
)
from bot.services.policy import (
    TRIAGERS,
    Actor,
    may_answer_rsvp,
    may_list_others_reports,
    may_read_report,
    may_report_for_others,
)
from bot.services.proposals import ProposalService, event
from bot.services.report_flow import Input
from db.models import (
    AttendeeKind,
    CatalogEntry,
    Draft,
    Meeting,
    MeetingStatus,
    Person,
    Proposal,
    ProposalField,
    ProposalState,
    ProposalUrgency,
    Report,
    ReportTopic,
    ReportVersion,
    Rsvp,
    RsvpAnswer,
    Topic,
    Unit,
)

FLOW = Flow.REPORT
AMEND_DAYS = 7
# "Remind me tonight / tomorrow morning", pressed on a report request.
ASK_AGAIN_EVENING = time(19, 30)
ASK_AGAIN_MORNING = time(7, 30)
LATE_AFTER_DAYS = 5
REQUEST_WINDOW_DAYS = 30
# The nudges after a report request, in days after the meeting (at 08:00).
NUDGE_DAYS = (2, 5)


class Refusal(enum.StrEnum):
    NOT_YOURS = "not_yours"
    STALE = "stale"
    NOT_ENDED = "not_ended"
    ALREADY_SENT = "already_sent"
    TOO_LATE_TO_AMEND = "too_late_to_amend"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Progress:
    """A member's year so far: the meetings they were assigned to that have taken place, the
    reports they sent on them, the reports still owed, and their proposals and answers."""

    year: int
    assigned: int
    reported: int
    owed: int
    proposals: int
    answered: int


@dataclass
class Owed:
    """A meeting a person is expected to report on, and where they are with it."""

    meeting: Meeting
    branch: Unit
    rsvp: Rsvp
    person: Person
    draft: Draft | None = None
    report: Report | None = None


@dataclass
class StepResult:
    draft: Draft | None = None
    refusal: Refusal | None = None
    error: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    missing: str | None = None


@dataclass
class Sent:
    report: Report
    version: ReportVersion
    urgent: list[Proposal]
    branch: Unit
    meeting: Meeting
    author: Person
    amended: bool
    # The leaders told of each urgent proposal (bot/outbox/deliver.py queues them).
    notices: tuple[Notice, ...] = ()


@dataclass
class ReportView:
    report: Report
    version: ReportVersion
    meeting: Meeting
    branch: Unit
    author: Person
    topics: list[str]
    proposals: list[Proposal]


def meeting_end(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


class ReportService:
    def __init__(
        self,
        db: AsyncSession,
        clock: Clock,
        zone: ZoneInfo,
        amend_days: int = AMEND_DAYS,
        triage: frozenset[str] = TRIAGERS,
    ) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone
        self.amend_days = amend_days
        self.triage = triage
        self.drafts = DraftService(db, clock)

    # ------------------------------------------------------------------ who owes a report

    def _expected(self):
        """RSVPs whose person is expected to report: not declined, stand-ins who accepted."""
        return [
            Rsvp.answer != RsvpAnswer.NO,
            or_(Rsvp.kind == AttendeeKind.ASSIGNED, Rsvp.answer == RsvpAnswer.YES),
        ]

    async def owed(
        self, since_days: int = REQUEST_WINDOW_DAYS, person: Person | None = None
    ) -> list[Owed]:
        """Ended meetings in the window whose expected attendee has not sent a report. A read:
        the report job makes sure first that every such meeting has its attendees' rows."""
        now = self.clock.now()
        query = (
            select(Meeting, Unit, Rsvp, Person)
            .options(raiseload(Person.roles))
            .join(Unit, Unit.id == Meeting.unit_id)
            .join(Rsvp, Rsvp.meeting_id == Meeting.id)
            .join(Person, Person.id == Rsvp.person_id)
            .outerjoin(Report, (Report.meeting_id == Meeting.id) & (Report.author_id == Person.id))
            .where(
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.starts_at >= now - timedelta(days=since_days),
                Meeting.starts_at <= now,
                Person.active,
                Report.id.is_(None),
                *self._expected(),
            )
            .order_by(Meeting.starts_at)
        )
        if person is not None:
            query = query.where(Person.id == person.id)
        rows = [Owed(m, u, r, p) for m, u, r, p in await self.db.execute(query)]
        return [row for row in rows if meeting_end(row.meeting) <= now]

    async def requests_due(self) -> Notices:
        """A request when the meeting's expected end has passed (quiet hours hold it till the
        morning), a nudge 2 days after, another 5 days after; each once (the rsvp remembers).
        A bot that was down asks first: a nudge comes only a day or more after the request,
        and only the latest nudge fallen due, not both."""
        await self.ensure_attendees()
        now = self.clock.now()
        told: list[Notice] = []
        for item in await self.owed():
            person, rsvp = item.person, item.rsvp
            if person.telegram_user_id is None:
                continue
            if rsvp.report_asked_at is None:
                rsvp.report_asked_at = max(now, meeting_end(item.meeting))
                key = outbox_keys.report(item.meeting.id, person.id, "request")
                told.append(
                    ReportRequest(key=key, to=person, due_at=meeting_end(item.meeting), owed=item)
                )
                continue
            snoozed = rsvp.report_snoozed_until
            if snoozed is not None and snoozed <= now:
                rsvp.report_snoozed_until = None
                key = outbox_keys.report(item.meeting.id, person.id, f"again{snoozed:%Y%m%d%H%M}")
                told.append(ReportRequest(key=key, to=person, due_at=snoozed, owed=item))
                continue
            nudge = self._nudge_due(item, rsvp.report_asked_at, now)
            if nudge is None:
                continue
            number, due_at = nudge
            rsvp.report_nudges = number
            key = outbox_keys.report(item.meeting.id, person.id, f"nudge{number}")
            told.append(
                ReportNudge(key=key, to=person, due_at=due_at, owed=item, second=number == 2)
            )
        await self.db.flush()
        return tuple(told)

    def _nudge_due(self, item: Owed, asked: datetime, now: datetime) -> tuple[int, datetime] | None:
        """The latest nudge fallen due and not yet sent (its number and when it is due)."""
        local_day = item.meeting.starts_at.astimezone(self.zone).date()
        fallen_due = [
            (number, due)
            for number, days in enumerate(NUDGE_DAYS, start=1)
            if (
                due := datetime.combine(local_day + timedelta(days=days), time(8), tzinfo=self.zone)
            )
            <= now
        ]
        if not fallen_due:
            return None
        number, due = fallen_due[-1]
        due = max(due, asked + timedelta(days=1))  # never on the heels of a late request
        if due > now or item.rsvp.report_nudges >= number:
            return None
        return number, due

    async def ensure_attendees(self, since_days: int = REQUEST_WINDOW_DAYS) -> None:
        """Meetings that ended before anyone was reminded still get their expected people's
        rows, so that they are asked to report."""
        last = self.clock.now()
        first = last - timedelta(days=since_days)

        bare = await self.db.scalars(
            select(Meeting).where(
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.starts_at >= first,
                Meeting.starts_at <= last,
                ~select(Rsvp.id).where(Rsvp.meeting_id == Meeting.id).exists(),
            )
        )
        calendar = CalendarService(self.db, self.clock, self.zone)
        for meeting in list(bare):
            await calendar.sync_attendees(meeting)
        await self.db.flush()

    async def amendable(self, person: Person) -> list[Owed]:
        now = self.clock.now()
        rows = await self.db.execute(
            select(Report, Meeting, Unit, Rsvp)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .join(Unit, Unit.id == Meeting.unit_id)
            .join(Rsvp, (Rsvp.meeting_id == Meeting.id) & (Rsvp.person_id == person.id))
            .where(Report.author_id == person.id, Report.amendable_until > now)
            .order_by(Meeting.starts_at)
        )
        return [Owed(m, u, r, person, report=report) for report, m, u, r in rows]

    async def pending_for(self, person: Person, telegram_id: int) -> list[Owed]:
        owed = await self.owed(person=person) + await self.amendable(person)
        drafts = {
            d.subject_id: d
            for d in await self.db.scalars(
                select(Draft).where(Draft.telegram_id == telegram_id, Draft.flow == FLOW)
            )
            if not d.data.get("submitted")  # a stopped draft waits to be resumed
        }
        for row in owed:
            row.draft = drafts.get(row.rsvp.id) if row.report is None else None
        return owed

    # ------------------------------------------------------------------ the conversation

    async def _rsvp_context(self, rsvp_id: int | None) -> tuple[Rsvp, Meeting, Unit, Person] | None:
        if rsvp_id is None:
            return None
        row = (
            await self.db.execute(
                select(Rsvp, Meeting, Unit, Person)
                .join(Meeting, Meeting.id == Rsvp.meeting_id)
                .join(Unit, Unit.id == Meeting.unit_id)
                .join(Person, Person.id == Rsvp.person_id)
                .where(Rsvp.id == rsvp_id)
                .options(raiseload(Person.roles))
            )
        ).first()
        return (row[0], row[1], row[2], row[3]) if row else None

    async def start(self, actor: Actor, rsvp_id: int | None, on_behalf: bool) -> StepResult:
        """Open (or resume) the draft of a report; a sent report within its amend window
        reopens with its content. One's own report, or (the office) another's on their
        behalf."""
        telegram_id = actor.telegram_id
        context = await self._rsvp_context(rsvp_id)
        if context is None:
            return StepResult(refusal=Refusal.STALE)
        rsvp, meeting, branch, author = context
        if on_behalf and not may_report_for_others(actor):
            return StepResult(refusal=Refusal.NOT_YOURS)
        if not on_behalf and not may_answer_rsvp(actor, rsvp_person_id=rsvp.person_id):
            return StepResult(refusal=Refusal.NOT_YOURS)
        if meeting_end(meeting) > self.clock.now():
            return StepResult(refusal=Refusal.NOT_ENDED)
        if meeting.status == MeetingStatus.CANCELLED:
            return StepResult(refusal=Refusal.STALE)
        existing = await self.drafts.find(telegram_id, FLOW, rsvp.id)
        if existing is not None and (existing.active or not existing.data.get("submitted")):
            # Resume where it was left, after Stop or a restart alike.
            if not existing.active:
                await self.drafts.advance(existing, existing.step, existing.data)
            return StepResult(existing)
        report = await self.db.scalar(
            select(Report).where(Report.meeting_id == meeting.id, Report.author_id == author.id)
        )
        if report is not None and report.amendable_until <= self.clock.now():
            return StepResult(refusal=Refusal.TOO_LATE_TO_AMEND)
        data = await self._initial_data(meeting, branch, author, report)
        data.update(
            rsvp_id=rsvp.id,
            meeting_id=meeting.id,
            author_id=author.id,
            on_behalf=on_behalf,
            report_id=report.id if report else None,
        )
        step = report_flow.Step.REVIEW if report is not None else report_flow.FIRST
        # A new draft, or a sent report reopened for amending.
        draft = await self.drafts.save(telegram_id, actor.person_id, FLOW, rsvp.id, step, data)
        return StepResult(draft)

    async def _initial_data(
        self, meeting: Meeting, branch: Unit, author: Person, report: Report | None
    ) -> dict[str, Any]:
        start = meeting.starts_at.astimezone(self.zone)
        end = start + timedelta(minutes=meeting.duration_minutes)
        data: dict[str, Any] = {
            "planned_start": start.strftime("%H:%M"),
            "planned_end": end.strftime("%H:%M"),
            "meeting_day": start.date().isoformat(),
        }
        if report is not None:
            version = await self.db.scalar(
                select(ReportVersion).where(
                    ReportVersion.report_id == report.id,
                    ReportVersion.version == report.current_version,
                )
            )
            assert version is not None  # a report has its current version
            data.update(version.content)
            data["editing"] = True
            return data
        # The answers to the branch's earlier proposals, not yet conveyed to it: the report
        # asks whether this meeting heard them.
        data["to_convey"] = [
            {"id": p.id, "text": p.text[:300], "answer": p.answer[:600]}
            for p in await ProposalService(self.db, self.clock, self.zone).answers_to_convey(branch)
        ][:5]
        last_total = await self.db.scalar(
            select(ReportVersion.total_members)
            .join(Report, ReportVersion.is_current())
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(Meeting.unit_id == branch.id, ReportVersion.total_members.is_not(None))
            .order_by(Report.submitted_at.desc())
            .limit(1)
        )
        if last_total:
            data["last_total"] = last_total
        return data

    async def open_draft(
        self, telegram_id: int, draft_id: int | None, revision: int | None
    ) -> Draft | None:
        return await self.drafts.open_draft(telegram_id, FLOW, draft_id, revision)

    async def meeting_of(self, draft: Draft) -> tuple[Meeting, Unit]:
        row = (
            await self.db.execute(
                select(Meeting, Unit)
                .join(Unit, Unit.id == Meeting.unit_id)
                .where(Meeting.id == draft.data["meeting_id"])
            )
        ).one()
        return row[0], row[1]

    async def step(self, draft: Draft, value: Input) -> StepResult:
        meeting_day = date.fromisoformat(draft.data["meeting_day"])
        outcome = report_flow.answer(draft.data, draft.step, value, meeting_day)
        if outcome.error is not None:
            return StepResult(draft, error=outcome.error, params=outcome.params)
        await self.drafts.advance(draft, outcome.step, outcome.data)
        return StepResult(draft)

    async def go_back(self, draft: Draft) -> StepResult:
        outcome = report_flow.back(draft.data, draft.step)
        await self.drafts.advance(draft, outcome.step, outcome.data)
        return StepResult(draft)

    async def edit_section(self, draft: Draft, section: str) -> StepResult:
        if section not in set(report_flow.Section):
            return StepResult(refusal=Refusal.STALE)
        data = {**draft.data, "editing": True}
        start = report_flow.section_start(report_flow.Section(section))
        await self.drafts.advance(draft, start, data)
        return StepResult(draft)

    async def pause(self, draft: Draft) -> None:
        """Stop: the draft is kept as it is, to be resumed from /baocao."""
        await self.drafts.close(draft)

    async def lists(self, every: bool = False) -> report_flow.Lists:
        """The topics and proposal fields offered as buttons; with `every`, also those the
        office has since taken off the list, to name them in the reports that chose them."""

        async def entries(model: type[CatalogEntry]) -> list[Any]:
            query = select(model).order_by(model.sort_order, model.code)
            return list(await self.db.scalars(query if every else query.where(model.active)))

        return report_flow.Lists(await entries(Topic), await entries(ProposalField))

    # ------------------------------------------------------------------ sending

    async def submit(self, draft: Draft, who: audit.Who) -> StepResult | Sent:
        data = draft.data
        missing = report_flow.validated(data)
        if missing is not None:
            return StepResult(draft, refusal=Refusal.INCOMPLETE, missing=missing)
        context = await self._rsvp_context(data["rsvp_id"])
        if context is None:
            return StepResult(refusal=Refusal.STALE)
        _, meeting, branch, author = context
        now = self.clock.now()
        report = await self.db.scalar(
            select(Report).where(Report.meeting_id == meeting.id, Report.author_id == author.id)
        )
        amended = report is not None
        if report is not None and report.amendable_until <= now:
            return StepResult(refusal=Refusal.TOO_LATE_TO_AMEND)
        if report is None:
            late = now > meeting_end(meeting) + timedelta(days=LATE_AFTER_DAYS)
            report = Report(
                meeting_id=meeting.id,
                author_id=author.id,
                entered_by_id=who.person_id if data.get("on_behalf") else None,
                current_version=0,
                submitted_at=now,
                amendable_until=now + timedelta(days=self.amend_days),
                late=late,
            )
            self.db.add(report)
            await self.db.flush()
        report.current_version += 1
        content = {
            k: v for k, v in data.items() if k not in ("visited", "editing", "pending_proposal")
        }
        held = data.get("held") != "no"
        version = ReportVersion(
            report_id=report.id,
            version=report.current_version,
            held=held,
            held_on=date.fromisoformat(data["held_on"]) if held and data.get("held_on") else None,
            started_at=report_flow.held_at(data, "start", self.zone),
            ended_at=report_flow.held_at(data, "end", self.zone),
            total_members=data.get("total") if held else None,
            exempted=data.get("exempted") if held else None,
            present=data.get("present") if held else None,
            absent_excused=data.get("excused") if held else None,
            absent_unexcused=report_flow.unexcused(data) if held else None,
            rating=data.get("rating") if held else None,
            criteria_met=report_flow.criteria_met(data) if held else [],
            content=content,
            created_at=now,
            created_by_id=who.person_id,
        )
        self.db.add(version)
        await self.db.flush()
        for topic_id in data.get("topics", []) if held else []:
            self.db.add(ReportTopic(report_version_id=version.id, topic_id=topic_id))
        urgent: list[Proposal] = []
        raised: list[Proposal] = []
        # Proposals are tracked items from the version that first carries them: an amended
        # report adds those it did not have, and never tracks one twice.
        tracked: set[str] = set()
        if amended:
            tracked = set(
                await self.db.scalars(select(Proposal.text).where(Proposal.report_id == report.id))
            )
        if held:
            for item in data.get("proposals", []):
                if item["text"] in tracked:
                    continue
                tracked.add(item["text"])
                proposal = Proposal(
                    report_id=report.id,
                    unit_id=branch.id,
                    field_id=item.get("field_id"),
                    urgency=ProposalUrgency(item.get("urgency", "normal")),
                    text=item["text"],
                    state=ProposalState.NEW,
                    created_at=now,
                )
                self.db.add(proposal)
                raised.append(proposal)
                if proposal.urgency == ProposalUrgency.URGENT:
                    urgent.append(proposal)
        if raised:
            await self.db.flush()
            for proposal in raised:  # the first line of each proposal's history
                self.db.add(event(proposal.id, now, "raised", author.id, report=report.id))
        conveyed = data.get("conveyed")
        if held and conveyed in ("agreed", "concerns"):
            for item in data.get("to_convey", []):
                answered = await self.db.get(Proposal, item["id"])
                if answered is None or answered.conveyed_at is not None:
                    continue
                answered.conveyed_at, answered.conveyed_note = now, conveyed
                answered.revision += 1
                opinion = data.get("branch_opinion", "") if conveyed == "concerns" else ""
                self.db.add(
                    event(
                        answered.id,
                        now,
                        "conveyed",
                        author.id,
                        report=report.id,
                        note=conveyed,
                        opinion=opinion,
                    )
                )
        if held and meeting.status != MeetingStatus.CANCELLED:
            meeting.status = MeetingStatus.HELD
        draft.data = {**draft.data, "submitted": True}
        draft.active = False
        draft.revision += 1
        audit.record(
            self.db,
            self.clock,
            who,
            "report.amend" if amended else "report.submit",
            "report",
            report.id,
            meeting=meeting.id,
            author=author.code,
            version=report.current_version,
        )
        await self.db.flush()
        sent = Sent(report, version, urgent, branch, meeting, author, amended)
        sent.notices = await self._urgent_notices(sent)
        return sent

    async def _urgent_notices(self, sent: Sent) -> tuple[Notice, ...]:
        """Each urgent proposal goes at once to whoever triages (CHIBO_PROPOSAL_TRIAGE), but
        the one who wrote it."""
        proposals = ProposalService(self.db, self.clock, self.zone, triage=self.triage)
        found: list[Notice] = []
        for proposal in sent.urgent:

            def urgent(key: str, to: Recipient, proposal: Proposal = proposal) -> Notice:
                return UrgentProposal(key=key, to=to, sent=sent, proposal=proposal)

            key = outbox_keys.urgent_proposal(proposal.id)
            found += await proposals.to_triage(key, urgent, skip=sent.author.id)
        return tuple(found)

    async def progress(self, person: Person) -> Progress:
        """The person's year so far (the calendar year of the office's time zone)."""
        now = self.clock.now()
        year = now.astimezone(self.zone).year
        start = datetime(year, 1, 1, tzinfo=self.zone)
        held_this_year = (
            Meeting.starts_at >= start,
            Meeting.starts_at <= now,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        assigned = await self.db.scalar(
            select(func.count())
            .select_from(Rsvp)
            .join(Meeting, Meeting.id == Rsvp.meeting_id)
            .where(Rsvp.person_id == person.id, Rsvp.kind == AttendeeKind.ASSIGNED, *held_this_year)
        )
        reported = await self.db.scalar(
            select(func.count())
            .select_from(Report)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(Report.author_id == person.id, *held_this_year)
        )
        raised = list(
            await self.db.scalars(
                select(Proposal.state)
                .join(Report, Report.id == Proposal.report_id)
                .join(Meeting, Meeting.id == Report.meeting_id)
                .where(Report.author_id == person.id, *held_this_year)
            )
        )
        return Progress(
            year,
            assigned or 0,
            reported or 0,
            len(await self.owed(person=person)),
            len(raised),
            sum(1 for state in raised if state == ProposalState.ANSWERED),
        )

    async def ask_again(
        self, actor: Actor, rsvp_id: int | None, when: Literal["evening", "morning"]
    ) -> datetime | Refusal:
        """The request put off, to come again this evening (or, once the evening has begun,
        tomorrow morning) or tomorrow morning: when it will come."""
        context = await self._rsvp_context(rsvp_id)
        if context is None or not may_answer_rsvp(actor, rsvp_person_id=context[0].person_id):
            return Refusal.NOT_YOURS
        rsvp, meeting = context[0], context[1]
        sent = await self.db.scalar(
            select(Report.id).where(
                Report.meeting_id == meeting.id, Report.author_id == rsvp.person_id
            )
        )
        if sent is not None:
            return Refusal.ALREADY_SENT
        now = self.clock.now().astimezone(self.zone)
        evening = datetime.combine(now.date(), ASK_AGAIN_EVENING, tzinfo=self.zone)
        morning = datetime.combine(
            now.date() + timedelta(days=1), ASK_AGAIN_MORNING, tzinfo=self.zone
        )
        rsvp.report_snoozed_until = evening if when == "evening" and now < evening else morning
        await self.db.flush()
        return rsvp.report_snoozed_until

    async def did_not_attend(self, actor: Actor, rsvp_id: int | None) -> Refusal | None:
        """ "Tôi không dự được", pressed on a report request: no report is owed."""
        context = await self._rsvp_context(rsvp_id)
        if context is None or not may_answer_rsvp(actor, rsvp_person_id=context[0].person_id):
            return Refusal.NOT_YOURS
        rsvp = context[0]
        # A code, rendered from the catalog in the reader's language wherever it is shown.
        rsvp.answer, rsvp.reason_code, rsvp.answered_at = RsvpAnswer.NO, "after", self.clock.now()
        await self.db.flush()
        return None

    # ------------------------------------------------------------------ reading

    async def view_for(self, actor: Actor, report_id: int | None) -> ReportView | None:
        """A report in full, if the actor may read it (bot/services/policy.py)."""
        view = await self.view(report_id) if report_id is not None else None
        if view is None or not may_read_report(actor, author_id=view.author.id):
            return None
        return view

    async def history_for(
        self, actor: Actor, code: str | None, days: list[date]
    ) -> list[tuple[Report, Meeting, Unit, Person]] | None:
        """Reports listed: one's own; or (the leaders and the office) a branch's last ones, or a
        person's over a period. None: not the actor's to list."""
        if code is None:
            if actor.person is None:
                return []
            return await self.reports(author_code=actor.person.code)
        if not may_list_others_reports(actor):
            return None
        rows = await self.reports(branch_code=code, limit=10)
        if rows:
            return rows
        return await self.reports(
            author_code=code,
            first_day=days[0] if days else None,
            last_day=days[1] if len(days) > 1 else None,
            limit=50,
        )

    async def owed_on_behalf(self, actor: Actor, code: str) -> tuple[Person, list[Owed]] | None:
        """The reports a member owes, for the office to enter for them; None if there is no
        such member, or it is not the actor's to do."""
        if not may_report_for_others(actor):
            return None
        member = await DirectoryService(self.db, self.clock, self.zone).active_person(code)
        if member is None:
            return None
        return member, await self.owed(person=member)

    async def view(self, report_id: int) -> ReportView | None:
        row = (
            await self.db.execute(
                select(Report, ReportVersion, Meeting, Unit, Person)
                .join(ReportVersion, ReportVersion.is_current())
                .join(Meeting, Meeting.id == Report.meeting_id)
                .join(Unit, Unit.id == Meeting.unit_id)
                .join(Person, Person.id == Report.author_id)
                .where(Report.id == report_id)
            )
        ).first()
        if row is None:
            return None
        report, version, meeting, branch, author = row
        topics = list(
            await self.db.scalars(
                select(Topic.name)
                .join(ReportTopic, ReportTopic.topic_id == Topic.id)
                .where(ReportTopic.report_version_id == version.id)
                .order_by(Topic.sort_order)
            )
        )
        proposals = list(
            await self.db.scalars(
                select(Proposal).where(Proposal.report_id == report.id).order_by(Proposal.id)
            )
        )
        return ReportView(report, version, meeting, branch, author, topics, proposals)

    async def reports(
        self,
        *,
        branch_code: str | None = None,
        author_code: str | None = None,
        first_day: date | None = None,
        last_day: date | None = None,
        limit: int = 10,
    ) -> list[tuple[Report, Meeting, Unit, Person]]:
        query = (
            select(Report, Meeting, Unit, Person)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .join(Unit, Unit.id == Meeting.unit_id)
            .join(Person, Person.id == Report.author_id)
        )
        if branch_code is not None:
            query = query.where(Unit.code == branch_code)
        if author_code is not None:
            query = query.where(Person.code == author_code)
        if first_day is not None:
            query = query.where(
                Meeting.starts_at >= datetime.combine(first_day, time.min, tzinfo=self.zone)
            )
        if last_day is not None:
            query = query.where(
                Meeting.starts_at
                < datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=self.zone)
            )
        rows = await self.db.execute(query.order_by(Meeting.starts_at.desc()).limit(limit))
        return [(row[0], row[1], row[2], row[3]) for row in rows]
