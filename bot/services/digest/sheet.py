"""The spreadsheet's rows: the month's meetings (each assignee's outcome), reports and
proposals, one row each."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    and_,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from bot.domain.digest import Month, SheetRows, Tree
from bot.services.digest.base import DigestQueries, _Presence
from db.models import (
    Assignment,
    AttendeeKind,
    HandlingBody,
    Meeting,
    Person,
    Proposal,
    ProposalField,
    ProposalState,
    Report,
    ReportTopic,
    ReportVersion,
    Rsvp,
    RsvpAnswer,
    Topic,
)


class SheetQueries(DigestQueries):
    async def sheet_rows(self, tree: Tree, month: Month) -> SheetRows:
        """The month's meetings, reports and proposals, a row each, for the spreadsheet."""
        meeting_rows, reports, topic_rows, proposals, assigned = await asyncio.gather(
            self._rows(self._meeting_rows(tree, month)),
            self._rows(self._report_rows(tree, month)),
            self._rows(self._report_topic_rows(tree, month)),
            self._rows(self._proposal_rows(tree, month)),
            self._rows(self._assignment_rows(tree, month)),
        )
        assignees: dict[int, list[Any]] = defaultdict(list)
        for row in assigned:
            assignees[row.unit_id].append(row)
        meetings = []
        for row in meeting_rows:
            values = dict(row._mapping)
            # The report that tells what happened: the stand-in's, when one went.
            whose = "their" if values["stand_in"] else "own"
            values["report_id"] = values[f"{whose}_report"]
            values["report_late"] = values[f"{whose}_late"]
            values["report_held"] = values[f"{whose}_held"]
            if values["person_code"] is not None:
                meetings.append(values)
                continue
            # Not reminded yet, so no one has been asked: the roster says who is to go.
            day = values["starts_at"].astimezone(self.zone).date()
            due = [
                a
                for a in assignees[values["unit_id"]]
                if a.valid_from <= day and (a.valid_until is None or day <= a.valid_until)
            ]
            meetings += [{**values, "person_code": a.code, "person": a.name} for a in due]
            meetings += [values] if not due else []
        topic_names: dict[int, list[str]] = defaultdict(list)
        for version_id, name in topic_rows:
            topic_names[version_id].append(name)
        report_dicts = []
        for row in reports:
            values = dict(row._mapping)
            written = (values.get("content") or {}).get("other_topic")  # "another topic"
            values["topics"] = topic_names.get(values["version_id"], []) + (
                [written] if written else []
            )
            report_dicts.append(values)
        return SheetRows(
            tree.names, meetings, report_dicts, [dict(row._mapping) for row in proposals]
        )

    def _meeting_rows(self, tree: Tree, month: Month) -> Any:
        stand_in = aliased(Rsvp)
        stand_in_person = aliased(Person)
        assignee = aliased(Person)
        own, theirs = _Presence(), _Presence()
        query = (
            select(
                Meeting.id.label("meeting_id"),
                Meeting.unit_id,
                Meeting.starts_at,
                Meeting.status,
                Meeting.kind,
                assignee.code.label("person_code"),
                assignee.full_name.label("person"),
                Rsvp.answer,
                Rsvp.reason_code,
                Rsvp.reason_text,
                stand_in_person.full_name.label("stand_in"),
                own.report.id.label("own_report"),
                own.report.late.label("own_late"),
                own.version.held.label("own_held"),
                theirs.report.id.label("their_report"),
                theirs.report.late.label("their_late"),
                theirs.version.held.label("their_held"),
            )
            .select_from(Meeting)
            .outerjoin(
                Rsvp, and_(Rsvp.meeting_id == Meeting.id, Rsvp.kind == AttendeeKind.ASSIGNED)
            )
            .outerjoin(assignee, assignee.id == Rsvp.person_id)
            .outerjoin(
                stand_in,
                and_(
                    stand_in.meeting_id == Meeting.id,
                    stand_in.kind == AttendeeKind.STAND_IN,
                    stand_in.stand_in_for_id == Rsvp.person_id,
                    stand_in.answer == RsvpAnswer.YES,
                ),
            )
            .outerjoin(stand_in_person, stand_in_person.id == stand_in.person_id)
        )
        happened = self._ended if self._ended is not None else true()
        query = query.add_columns(not_(happened).label("upcoming"))
        return (
            theirs.join(own.join(query, Rsvp), stand_in)
            .where(*self._in(tree, [month], upcoming_too=True))
            .order_by(Meeting.starts_at, Meeting.unit_id, assignee.code)
        )

    def _assignment_rows(self, tree: Tree, month: Month) -> Any:
        """Who follows each branch at some time in the month (active people only)."""
        first = month.start(self.zone).date()
        last = month.end(self.zone).date() - timedelta(days=1)
        query = (
            select(
                Assignment.unit_id,
                Assignment.valid_from,
                Assignment.valid_until,
                Person.code,
                Person.full_name.label("name"),
            )
            .join(Person, Person.id == Assignment.person_id)
            .where(Person.active, Assignment.overlapping(first, last))
            .order_by(Assignment.unit_id, Person.code)
        )
        if not tree.whole_database:
            query = query.where(Assignment.unit_id.in_(tree.branch_ids))
        return query

    def _report_rows(self, tree: Tree, month: Month) -> Any:
        author = aliased(Person)
        entered_by = aliased(Person)
        return (
            select(
                Report.id.label("report_id"),
                Meeting.unit_id,
                Meeting.starts_at,
                author.code.label("author_code"),
                author.full_name.label("author"),
                entered_by.full_name.label("entered_by"),
                Report.submitted_at,
                Report.late,
                Report.current_version,
                ReportVersion.id.label("version_id"),
                ReportVersion.held,
                ReportVersion.held_on,
                ReportVersion.started_at,
                ReportVersion.ended_at,
                ReportVersion.total_members,
                ReportVersion.exempted,
                ReportVersion.present,
                ReportVersion.absent_excused,
                ReportVersion.absent_unexcused,
                ReportVersion.rating,
                ReportVersion.criteria_met,
                ReportVersion.content,
            )
            .select_from(Report)
            .join(ReportVersion, ReportVersion.is_current())
            .join(Meeting, Meeting.id == Report.meeting_id)
            .join(author, author.id == Report.author_id)
            .outerjoin(entered_by, entered_by.id == Report.entered_by_id)
            .where(*self._in(tree, [month]))
            .order_by(Meeting.starts_at, Report.id)
        )

    def _report_topic_rows(self, tree: Tree, month: Month) -> Any:
        return (
            select(ReportTopic.report_version_id, Topic.name)
            .join(Topic, Topic.id == ReportTopic.topic_id)
            .join(ReportVersion, ReportVersion.id == ReportTopic.report_version_id)
            .join(Report, ReportVersion.is_current())
            .join(Meeting, Meeting.id == Report.meeting_id)
            .where(*self._in(tree, [month]))
            .order_by(ReportTopic.report_version_id, Topic.sort_order)
        )

    def _proposal_rows(self, tree: Tree, month: Month) -> Any:
        """The register's rows: raised in the month, open at its end, or answered or closed
        in it."""
        start, end = month.start(self.zone), month.end(self.zone)
        scope = [] if tree.whole_database else [Proposal.unit_id.in_(tree.branch_ids)]
        in_register = or_(
            Proposal.id.in_(self._raised_in(tree, month)),
            and_(
                *scope,
                Proposal.created_at < end,
                Proposal.state.in_([ProposalState.NEW, ProposalState.IN_PROGRESS]),
            ),
            and_(*scope, Proposal.answered_at >= start, Proposal.answered_at < end),
        )
        return (
            select(
                Proposal.id,
                Proposal.unit_id,
                Proposal.report_id,
                Meeting.starts_at,
                ProposalField.name.label("field"),
                Proposal.urgency,
                Proposal.text,
                Proposal.state,
                HandlingBody.name.label("body"),
                Proposal.assigned_at,
                Proposal.deadline,
                Proposal.answer,
                Proposal.answer_final,
                Proposal.answered_at,
                Proposal.conveyed_at,
                Proposal.created_at,
            )
            .join(Report, Report.id == Proposal.report_id)
            .join(Meeting, Meeting.id == Report.meeting_id)
            .outerjoin(ProposalField, ProposalField.id == Proposal.field_id)
            .outerjoin(HandlingBody, HandlingBody.id == Proposal.body_id)
            .where(in_register)
            .order_by(Meeting.starts_at, Proposal.id)
        )
