"""The meeting's documents: what the office gives the attending members to bring to a month's
meetings, who was sent each one, and who has said they received it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import audit
from bot.services.calendar import OPEN_STATUSES, CalendarService
from bot.services.notices import DropDocumentCopies, Notices
from bot.services.policy import Actor, may_have_document, may_manage_documents
from db.models import (
    DocumentCopy,
    DocumentReceipt,
    Meeting,
    MeetingDocument,
    Person,
    Rsvp,
    RsvpAnswer,
    StoredFile,
    Unit,
)
from db.session import insert_for

TITLE_LIMIT = 200
# Telegram lets a bot download files up to 20 MB; the document is kept in the database, so
# it must be downloaded.
SIZE_LIMIT = 20 * 1024 * 1024


class Scope(enum.StrEnum):
    ALL = "all"  # every branch
    UNIT = "unit"  # one unit or branch, typed by code


@dataclass(frozen=True)
class ComingMeeting:
    """One of a person's coming meetings and the documents for it."""

    meeting: Meeting
    branch: Unit
    documents: list[MeetingDocument]
    received: set[int]  # ids of the documents they said they received

    @property
    def all_received(self) -> bool:
        return all(d.id in self.received for d in self.documents)


@dataclass(frozen=True)
class DocumentStatus:
    """The office's view of one document: how many it went to, and who has not said they
    received it."""

    document: MeetingDocument
    sent_to: int
    not_received: list[Person] = field(default_factory=list)


class Receipt(enum.StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"
    NOTHING = "nothing"  # no documents for this meeting
    NOT_YOURS = "not_yours"


def month_of(day: date) -> date:
    return day.replace(day=1)


class DocumentService:
    def __init__(self, db: AsyncSession, clock: Clock, zone: ZoneInfo) -> None:
        self.db = db
        self.clock = clock
        self.zone = zone

    # ------------------------------------------------------------ the office adds one

    async def store(self, name: str, mime_type: str, content: bytes, telegram_file_id: str) -> int:
        """Keep an uploaded file while the office says what it is for; its id."""
        stored = StoredFile(
            name=name[:200],
            mime_type=mime_type[:100],
            content=content,
            telegram_file_id=telegram_file_id,
            created_at=self.clock.now(),
        )
        self.db.add(stored)
        await self.db.flush()
        return stored.id

    async def discard(self, file_id: int) -> None:
        """An upload the office cancelled: nothing refers to it."""
        stored = await self.db.get(StoredFile, file_id)
        if stored is not None:
            await self.db.delete(stored)
            await self.db.flush()

    async def unit_by_code(self, code: str) -> Unit | None:
        return await self.db.scalar(
            select(Unit).where(Unit.code == code.strip().upper(), Unit.active)
        )

    async def add(
        self,
        *,
        file_id: int,
        method: str,
        title: str,
        month: date,
        unit_id: int | None,
        who: audit.Who,
    ) -> MeetingDocument:
        stored = await self.db.get(StoredFile, file_id)
        assert stored is not None
        document = MeetingDocument(
            month=month_of(month),
            unit_id=unit_id,
            file_id=file_id,
            method=method,
            title=title[:TITLE_LIMIT],
            size=len(stored.content),
            added_by_id=who.person_id,
            created_at=self.clock.now(),
        )
        self.db.add(document)
        await self.db.flush()
        audit.record(
            self.db,
            self.clock,
            who,
            "document.add",
            "meeting_document",
            document.id,
            month=document.month.isoformat(),
            unit_id=unit_id,
            title=document.title,
        )
        return document

    async def reach(self, month: date, unit_id: int | None) -> int:
        """How many of the month's meetings a document for this scope would go with."""
        first = month_of(month)
        after = (first + timedelta(days=32)).replace(day=1)
        meetings = await self.db.execute(
            select(Meeting, Unit)
            .join(Unit, Unit.id == Meeting.unit_id)
            .where(
                Unit.active,
                Meeting.status.in_(OPEN_STATUSES),
                Meeting.starts_at >= datetime.combine(first, time(), self.zone),
                Meeting.starts_at < datetime.combine(after, time(), self.zone),
            )
        )
        count = 0
        for _, branch in meetings:
            if unit_id is None or unit_id in await self._lineage(branch):
                count += 1
        return count

    # ------------------------------------------------------------ what goes with a meeting

    async def for_meeting(self, meeting: Meeting, branch: Unit) -> list[MeetingDocument]:
        """The documents for this meeting: its month's, for every branch, for a unit above
        the branch, or for the branch itself."""
        month = month_of(meeting.starts_at.astimezone(self.zone).date())
        lineage = await self._lineage(branch)
        documents = await self.db.scalars(
            select(MeetingDocument)
            .where(MeetingDocument.month == month, MeetingDocument.removed_at.is_(None))
            .order_by(MeetingDocument.id)
        )
        return [d for d in documents if d.unit_id is None or d.unit_id in lineage]

    async def _lineage(self, branch: Unit) -> set[int]:
        """The branch and every unit above it."""
        ids: set[int] = set()
        unit: Unit | None = branch
        while unit is not None and unit.id not in ids:
            ids.add(unit.id)
            unit = await self.db.get(Unit, unit.parent_id) if unit.parent_id else None
        return ids

    async def received_by(self, person_id: int, document_ids: list[int]) -> set[int]:
        if not document_ids:
            return set()
        return set(
            await self.db.scalars(
                select(DocumentReceipt.document_id).where(
                    DocumentReceipt.person_id == person_id,
                    DocumentReceipt.document_id.in_(document_ids),
                )
            )
        )

    # ------------------------------------------------------------ the member

    async def coming_for(self, person: Person) -> list[ComingMeeting]:
        """The person's coming meetings that have documents."""
        calendar = CalendarService(self.db, self.clock, self.zone)
        coming = []
        for meeting, branch, rsvp in await calendar.upcoming_for(person):
            if rsvp.answer == RsvpAnswer.NO:
                continue
            documents = await self.for_meeting(meeting, branch)
            if documents:
                received = await self.received_by(person.id, [d.id for d in documents])
                coming.append(ComingMeeting(meeting, branch, documents, received))
        return coming

    async def acknowledge(self, meeting_id: int, person: Person) -> Receipt:
        """The person says they received the documents of a meeting they are expected at."""
        found = await self.db.execute(
            select(Meeting, Unit)
            .join(Unit, Unit.id == Meeting.unit_id)
            .join(Rsvp, Rsvp.meeting_id == Meeting.id)
            .where(Meeting.id == meeting_id, Rsvp.person_id == person.id)
        )
        row = found.first()
        if row is None:
            return Receipt.NOT_YOURS
        documents = await self.for_meeting(*row)
        if not documents:
            return Receipt.NOTHING
        ids = [d.id for d in documents]
        already = await self.received_by(person.id, ids)
        if already >= set(ids):
            return Receipt.ALREADY
        now = self.clock.now()
        for document_id in set(ids) - already:
            await self.db.execute(
                insert_for(self.db)(DocumentReceipt)
                .values(document_id=document_id, person_id=person.id, at=now)
                .on_conflict_do_nothing(index_elements=["document_id", "person_id"])
            )
        return Receipt.RECORDED

    async def withdraw(
        self, document_id: int, who: audit.Who
    ) -> tuple[MeetingDocument | None, Notices]:
        """Taken out of the meetings it was for; copies queued and not yet sent are dropped.
        None if it was already withdrawn (or never was)."""
        document = await self.get(document_id)
        if document is None:
            return None, ()
        document.removed_at = self.clock.now()
        audit.record(self.db, self.clock, who, "document.withdraw", "meeting_document", document.id)
        await self.db.flush()
        return document, (DropDocumentCopies(document_id=document.id),)

    async def copy_to(
        self, person: Person, documents: tuple[MeetingDocument, ...]
    ) -> list[MeetingDocument]:
        """Those of the documents not yet sent to the person, now recorded as sent: each goes
        to a person once, with whichever reminder comes first after it was added."""
        if not documents:
            return []
        sent = set(
            await self.db.scalars(
                select(DocumentCopy.document_id).where(
                    DocumentCopy.person_id == person.id,
                    DocumentCopy.document_id.in_([d.id for d in documents]),
                )
            )
        )
        fresh = [d for d in documents if d.id not in sent]
        for document in fresh:
            self.db.add(
                DocumentCopy(
                    document_id=document.id, person_id=person.id, queued_at=self.clock.now()
                )
            )
        return fresh

    async def get(self, document_id: int) -> MeetingDocument | None:
        document = await self.db.get(MeetingDocument, document_id)
        return document if document is not None and document.removed_at is None else None

    async def file_of(self, document: MeetingDocument) -> StoredFile:
        stored = await self.db.get(StoredFile, document.file_id)
        assert stored is not None
        return stored

    async def for_actor(self, actor: Actor, document_id: int) -> MeetingDocument | None:
        """The document, if the actor may have it sent again: it was sent to them, or is for
        one of their coming meetings, or they are the office (bot/services/policy.py)."""
        document = await self.get(document_id)
        if document is None:
            return None
        sent_or_due = actor.person is not None and await self.may_have(actor.person, document)
        return document if may_have_document(actor, sent_or_due=sent_or_due) else None

    async def may_have(self, person: Person, document: MeetingDocument) -> bool:
        """Whether the document is for one of the person's coming meetings or was sent to
        them."""
        document_id = document.id
        sent = await self.db.scalar(
            select(DocumentCopy.id).where(
                DocumentCopy.document_id == document_id, DocumentCopy.person_id == person.id
            )
        )
        if sent is not None:
            return True
        return any(
            d.id == document_id
            for coming in await self.coming_for(person)
            for d in coming.documents
        )

    async def shown_to(
        self, actor: Actor
    ) -> tuple[list[ComingMeeting] | None, list[DocumentStatus] | None]:
        """/tailieu: the documents of one's coming meetings (for the office, only if they have
        any), and for the office every document with who has not confirmed receiving it."""
        office = may_manage_documents(actor)
        coming = await self.coming_for(actor.person) if actor.person is not None else None
        if office and not coming:
            coming = None
        if coming is None and not office and actor.person is not None:
            coming = []
        return coming, (await self.overview() if office else None)

    # ------------------------------------------------------------ the office

    async def overview(self) -> list[DocumentStatus]:
        """This month's and later documents, each with who it went to and who has not said
        they received it."""
        first = month_of(self.clock.now().astimezone(self.zone).date())
        documents = list(
            await self.db.scalars(
                select(MeetingDocument)
                .where(MeetingDocument.month >= first, MeetingDocument.removed_at.is_(None))
                .order_by(MeetingDocument.month, MeetingDocument.id)
            )
        )
        statuses = []
        for document in documents:
            sent_to = set(
                await self.db.scalars(
                    select(DocumentCopy.person_id).where(DocumentCopy.document_id == document.id)
                )
            )
            received = set(
                await self.db.scalars(
                    select(DocumentReceipt.person_id).where(
                        DocumentReceipt.document_id == document.id
                    )
                )
            )
            missing = sorted(sent_to - received)
            people = (
                list(
                    await self.db.scalars(
                        select(Person).where(Person.id.in_(missing)).order_by(Person.full_name)
                    )
                )
                if missing
                else []
            )
            statuses.append(DocumentStatus(document, len(sent_to), people))
        return statuses
