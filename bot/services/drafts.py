"""Conversations in progress, saved at every step so that nothing lives only in memory."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from db.models import Draft


class Flow(enum.StrEnum):
    """Every guided conversation; a draft row names its flow."""

    REPORT = "report"  # the report after a meeting (bot/services/report_flow.py)
    PROPOSAL_ANSWER = "proposal_answer"  # a body's answer to a proposal, with its file
    PROPOSAL_DEADLINE = "proposal_deadline"  # a triager types a new deadline
    MEETING_DOCUMENT = "meeting_document"  # the office adds a document for the meetings
    ROSTER_IMPORT = "roster_import"  # the office confirms a previewed roster workbook
    ABSENCE_REASON = "absence_reason"  # a member types why they cannot attend
    ABSENCE_PERIOD = "absence_period"  # a period away, by buttons (absence_flow.py)
    MOVE = "move"  # a meeting's new time, then its confirmation


class DraftService:
    def __init__(self, db: AsyncSession, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def find(self, telegram_id: int, flow: str, subject_id: int) -> Draft | None:
        """This account's draft of this flow and subject, open or not."""
        return await self.db.scalar(
            select(Draft).where(
                Draft.telegram_id == telegram_id, Draft.flow == flow, Draft.subject_id == subject_id
            )
        )

    async def save(
        self,
        telegram_id: int,
        person_id: int | None,
        flow: str,
        subject_id: int,
        step: str,
        data: dict[str, Any],
    ) -> Draft:
        """Start or replace the draft of this flow and subject; each save bumps its revision."""
        draft = await self.find(telegram_id, flow, subject_id)
        if draft is None:
            now = self.clock.now()
            draft = Draft(
                telegram_id=telegram_id,
                person_id=person_id,
                flow=flow,
                subject_id=subject_id,
                step=step,
                data=data,
                revision=1,
                active=True,
                created_at=now,
                updated_at=now,
            )
            self.db.add(draft)
            await self.db.flush()
            return draft
        draft.person_id = person_id
        await self.advance(draft, step, data)
        return draft

    async def advance(self, draft: Draft, step: str, data: dict[str, Any]) -> None:
        """Move an open (or reopened) draft to its next step with its answers so far."""
        draft.step = step
        draft.data = data
        draft.revision += 1
        draft.active = True
        draft.updated_at = self.clock.now()
        await self.db.flush()

    async def open_draft(
        self, telegram_id: int, flow: str, draft_id: int | None, revision: int | None
    ) -> Draft | None:
        """The draft a button refers to, if it is this account's, still open, and unchanged."""
        if draft_id is None or revision is None:
            return None
        draft = await self.db.get(Draft, draft_id)
        if (
            draft is None
            or draft.telegram_id != telegram_id
            or draft.flow != flow
            or not draft.active
            or draft.revision != revision
        ):
            return None
        return draft

    async def active(self, telegram_id: int, flow: str, subject_id: int | None) -> Draft | None:
        if subject_id is None:
            return None
        return await self.db.scalar(
            select(Draft).where(
                Draft.telegram_id == telegram_id,
                Draft.flow == flow,
                Draft.subject_id == subject_id,
                Draft.active,
            )
        )

    async def latest_open(self, telegram_id: int, flows: list[str]) -> Draft | None:
        """The conversation this account is in: its most recently touched open draft."""
        return await self.db.scalar(
            select(Draft)
            .where(Draft.telegram_id == telegram_id, Draft.active, Draft.flow.in_(flows))
            .order_by(Draft.updated_at.desc(), Draft.id.desc())
            .limit(1)
        )

    async def close(self, draft: Draft) -> None:
        draft.active = False
        draft.revision += 1
        draft.updated_at = self.clock.now()
        await self.db.flush()
