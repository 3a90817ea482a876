"""The data model: every fact chibo acts on is a row here (DESIGN.md principle 1).

Times are stored as aware UTC (UtcDateTime); calendar days that are not instants
(assignment validity, absences) are plain dates in the organisation's zone.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    and_,
    false,
    or_,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored as UTC on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _str_enum(enum_class: type[enum.Enum]) -> SqlEnum:
    # Stored as plain strings: adding a value later needs no database-specific migration.
    return SqlEnum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    MEMBER = "member"


class MeetingKind(enum.StrEnum):
    REGULAR = "regular"
    THEMED = "themed"


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    CONFIRMED = "confirmed"
    MOVED = "moved"
    CANCELLED = "cancelled"
    HELD = "held"


class MeetingSource(enum.StrEnum):
    RULE = "rule"
    MANUAL = "manual"


class AttendeeKind(enum.StrEnum):
    ASSIGNED = "assigned"
    STAND_IN = "stand_in"


class RsvpAnswer(enum.StrEnum):
    PENDING = "pending"
    YES = "yes"
    NO = "no"


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"
    UNREACHABLE = "unreachable"


class ProposalUrgency(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class ProposalState(enum.StrEnum):
    NEW = "new"  # raised, not yet given to a handling body
    IN_PROGRESS = "in_progress"  # given to a body, or answered for now (an interim answer)
    ANSWERED = "answered"  # a final answer
    CLOSED = "closed"  # closed with a reason, without an answer
    MERGED = "merged"  # the same as an earlier proposal, which carries it on


class DigestState(enum.StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    FAILED = "failed"


class GroupState(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REMOVED = "removed"


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012
        datetime: UtcDateTime(),
        date: Date(),
        time: Time(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
        Role: _str_enum(Role),
        MeetingKind: _str_enum(MeetingKind),
        MeetingStatus: _str_enum(MeetingStatus),
        MeetingSource: _str_enum(MeetingSource),
        AttendeeKind: _str_enum(AttendeeKind),
        RsvpAnswer: _str_enum(RsvpAnswer),
        OutboxState: _str_enum(OutboxState),
        ProposalUrgency: _str_enum(ProposalUrgency),
        ProposalState: _str_enum(ProposalState),
        DigestState: _str_enum(DigestState),
        GroupState: _str_enum(GroupState),
    }


# ---------------------------------------------------------------- organisation


class Unit(Base):
    """A node of the organisation tree, of any depth; branches (chi bộ) are the leaves that meet."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60))
    is_branch: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")
    schedule: Mapped[BranchSchedule | None] = relationship(back_populates="unit", uselist=False)


class BranchSchedule(Base):
    """When a branch meets: an RFC 5545 recurrence plus the time, length and place."""

    __tablename__ = "branch_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), unique=True)
    rrule: Mapped[str] = mapped_column(String(300))
    schedule_text: Mapped[str] = mapped_column(String(200), default="")
    start_time: Mapped[time]
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    venue: Mapped[str] = mapped_column(String(300), default="")
    secretary_name: Mapped[str] = mapped_column(String(120), default="")
    secretary_phone: Mapped[str] = mapped_column(String(20), default="")
    updated_at: Mapped[datetime]

    unit: Mapped[Unit] = relationship(back_populates="schedule")


class OrgSetting(Base):
    """Organisation-wide settings the office changes in chat (reminder offsets, quotas, scale)."""

    __tablename__ = "org_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class CatalogEntry:
    """A row of a list the office keeps in the roster workbook, offered as a button."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Topic(CatalogEntry, Base):
    """The report topic catalog; the office can edit it."""

    __tablename__ = "topics"


class ProposalField(CatalogEntry, Base):
    """The fields a proposal is filed under (land, roads, security…): a list of their own,
    apart from the meeting topics; the roster workbook's sheet may replace it."""

    __tablename__ = "proposal_fields"


# ---------------------------------------------------------------- people


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    telegram_username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    # What the person's command menu was last set to (bot/pipeline/menus.py, `signature`).
    menu: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unreachable_since: Mapped[datetime | None]
    linked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(entry.role for entry in self.roles)


class PersonRole(Base):
    __tablename__ = "person_roles"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(primary_key=True)

    person: Mapped[Person] = relationship(back_populates="roles")


class Assignment(Base):
    """A person follows a branch from a date until a date (inclusive; open-ended if null)."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_unit_dates", "unit_id", "valid_from", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]

    person: Mapped[Person] = relationship()
    unit: Mapped[Unit] = relationship()

    def covers(self, day: date) -> bool:
        """In force on this day."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    @classmethod
    def overlapping(cls, first: date, last: date | None = None) -> ColumnElement[bool]:
        """SQL: the assignment is in force on some day from `first` to `last` (open if None)."""
        in_force_after = or_(cls.valid_until.is_(None), cls.valid_until >= first)
        if last is None:
            return in_force_after
        return and_(cls.valid_from <= last, in_force_after)


class Absence(Base):
    """A period in which a person's reminders pause and their meetings need a stand-in."""

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime]


class InviteToken(Base):
    """A single-use deep-link token that links a Telegram account to a person."""

    __tablename__ = "invite_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_telegram_id: Mapped[int | None] = mapped_column(BigInteger)


class GroupChat(Base):
    """A group the bot was added to; the active leadership group receives digests."""

    __tablename__ = "group_chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    purpose: Mapped[str] = mapped_column(String(20), default="leadership")
    state: Mapped[GroupState] = mapped_column(default=GroupState.PENDING)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    registered_at: Mapped[datetime | None]
    # The id the chat had before it became a supergroup, if it did.
    previous_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


# ---------------------------------------------------------------- meetings


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        # One meeting per rule occurrence: regenerating the calendar never duplicates.
        UniqueConstraint("unit_id", "occurrence_on"),
        Index("ix_meetings_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[MeetingKind] = mapped_column(default=MeetingKind.REGULAR)
    occurrence_on: Mapped[date | None]
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    venue: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[MeetingStatus] = mapped_column(default=MeetingStatus.PLANNED)
    source: Mapped[MeetingSource] = mapped_column(default=MeetingSource.RULE)
    original_starts_at: Mapped[datetime | None]
    status_note: Mapped[str] = mapped_column(String(500), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    unit: Mapped[Unit] = relationship()


class Rsvp(Base):
    """Who is expected at a meeting, as the assignee or a stand-in, and their answer."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[AttendeeKind] = mapped_column(default=AttendeeKind.ASSIGNED)
    answer: Mapped[RsvpAnswer] = mapped_column(default=RsvpAnswer.PENDING)
    reason_code: Mapped[str | None] = mapped_column(String(30))
    reason_text: Mapped[str] = mapped_column(String(500), default="")
    stand_in_for_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    answered_at: Mapped[datetime | None]
    # "Will attend" was said for a time the meeting has since been moved from: asked again.
    confirmed_before_move: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime]
    # What the bot has told this person about this meeting, so that each is told once: the
    # last reminder ("r<revision>:<slot>"), when the report was asked for, and how many
    # nudges for it followed (0, 1 or 2).
    reminded: Mapped[str | None] = mapped_column(String(40))
    report_asked_at: Mapped[datetime | None]
    report_nudges: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The request asked again at this time ("remind me tonight / tomorrow morning").
    report_snoozed_until: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class GuidanceNote(Base):
    """The office's note for a month, attached to that month's reminders."""

    __tablename__ = "guidance_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(unique=True)
    text: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime]


# ---------------------------------------------------------------- outgoing messages


class OutboxMessage(Base):
    """A message the bot starts on its own; the unique key makes enqueueing idempotent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    method: Mapped[str] = mapped_column(String(30), default="sendMessage")
    payload: Mapped[dict[str, Any]]
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    respect_quiet_hours: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[OutboxState] = mapped_column(default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]


class StoredFile(Base):
    """A file the bot sends on its own (a digest's chart, spreadsheet, document): the outbox
    refers to it, so a message waiting to be sent survives a restart with its attachment.
    Once Telegram has it, its file id lets a re-post skip the upload."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    telegram_file_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class MeetingDocument(Base):
    """A document the office gives the attending members to bring to a month's meetings
    (a resolution, guidance, talking points): for every branch (no unit), for the branches
    under a unit, or for one branch. Its content is a stored file, so a restart loses nothing."""

    __tablename__ = "meeting_documents"
    __table_args__ = (Index("ix_meeting_documents_month", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    # sendPhoto for a photo, sendDocument for anything else: Telegram does not take one's
    # file id for the other.
    method: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer, default=0)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]

    file: Mapped[StoredFile] = relationship()
    unit: Mapped[Unit | None] = relationship()


class DocumentReceipt(Base):
    """A member said they received a document ("Đã nhận tài liệu")."""

    __tablename__ = "document_receipts"
    __table_args__ = (UniqueConstraint("document_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("meeting_documents.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[datetime]


class DocumentCopy(Base):
    """A document went (or is queued to go) to a person with a reminder: once per person."""

    __tablename__ = "document_copies"
    __table_args__ = (UniqueConstraint("document_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("meeting_documents.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    queued_at: Mapped[datetime]


# ---------------------------------------------------------------- conversations and reports


class Draft(Base):
    """A conversation in progress: its step and every answer so far, saved at each step."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("telegram_id", "flow", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The account whose conversation this is; the person, when the account is linked to one.
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    flow: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    # Bumped on every save; a write carrying an older revision lost a race and is refused.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Report(Base):
    """An attendee's report on one meeting; its content lives in versions."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("meeting_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # The digest reads the version whose number this holds; older ones stay as history.
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime]
    amendable_until: Mapped[datetime]
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    meeting: Mapped[Meeting] = relationship()


class ReportVersion(Base):
    """One submitted version; the figures the digest aggregates are columns, the rest JSON."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    version: Mapped[int] = mapped_column(Integer)
    held: Mapped[bool] = mapped_column(Boolean)
    held_on: Mapped[date | None]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    total_members: Mapped[int | None] = mapped_column(Integer)
    exempted: Mapped[int | None] = mapped_column(Integer)
    present: Mapped[int | None] = mapped_column(Integer)
    absent_excused: Mapped[int | None] = mapped_column(Integer)
    absent_unexcused: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[str | None] = mapped_column(String(30))
    criteria_met: Mapped[list[Any]] = mapped_column(default=list)
    content: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    @classmethod
    def is_current(cls) -> ColumnElement[bool]:
        """Joins a report to the version that counts: its latest."""
        return and_(cls.report_id == Report.id, cls.version == Report.current_version)


class ReportTopic(Base):
    __tablename__ = "report_topics"

    report_version_id: Mapped[int] = mapped_column(
        ForeignKey("report_versions.id"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), primary_key=True)


class Proposal(Base):
    """A proposal (kiến nghị) raised at a meeting, tracked until a handling body answers it
    and the answer is carried back to the branch."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # None: "another field", none of the list's.
    field_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_fields.id"))
    urgency: Mapped[ProposalUrgency] = mapped_column(default=ProposalUrgency.NORMAL)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[ProposalState] = mapped_column(default=ProposalState.NEW)
    # Bumped by every change: a button made before the change is stale.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Who handles it, by when.
    body_id: Mapped[int | None] = mapped_column(ForeignKey("handling_bodies.id"), index=True)
    deadline: Mapped[date | None]
    assigned_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    closed_reason: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # The latest answer: final, or interim while it is being dealt with.
    answer: Mapped[str] = mapped_column(Text, default="")
    answer_final: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    answer_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    answered_at: Mapped[datetime | None]
    # The answer conveyed to the branch at a later meeting, and how the branch took it.
    conveyed_at: Mapped[datetime | None]
    conveyed_note: Mapped[str] = mapped_column(String(20), default="", server_default="")
    created_at: Mapped[datetime]


class ProposalEvent(Base):
    """One step of a proposal's history: raised, assigned, reminded, answered, conveyed…
    with who did it and when."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class HandlingBody(Base):
    """A body that answers proposals (Ủy ban nhân dân phường, Công an phường…): not a
    branch, never reminded of meetings."""

    __tablename__ = "handling_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HandlingBodyMember(Base):
    """A person who answers for a handling body; a person may answer for several."""

    __tablename__ = "handling_body_members"
    __table_args__ = (UniqueConstraint("body_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("handling_bodies.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))


class Digest(Base):
    """One monthly digest per organisation: the row that makes posting happen exactly once."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("org_unit_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    month: Mapped[date]
    state: Mapped[DigestState] = mapped_column(default=DigestState.PENDING)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    posted_at: Mapped[datetime | None]
    # How many times an admin has posted it again; each posting has its own outbox keys.
    reposts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime]


# ---------------------------------------------------------------- audit


class AuditEntry(Base):
    """Who changed what, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(60), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


# ---------------------------------------------------------------- operations


class Instance(Base):
    """A `chibo run` process, as it last said it was: which one is active, which stand by,
    and what each saw last. `chibo status` and /healthz read it; rows of processes gone for
    a day are removed."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    receiving: Mapped[str] = mapped_column(String(20), default="")
    started_at: Mapped[datetime]
    seen_at: Mapped[datetime] = mapped_column(index=True)
    telegram_ok_at: Mapped[datetime | None]
    # PostgreSQL: the database session that holds the active instance's lock, while this
    # process holds it; `chibo status` finds the holder among the instances by it.
    lock_session: Mapped[int | None] = mapped_column(Integer)


class JobTick(Base):
    """The last run of each periodic job: when it started and ended, how long it took, and
    whether it failed."""

    __tablename__ = "job_ticks"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    instance_id: Mapped[str] = mapped_column(String(32))


class ErrorReport(Base):
    """An error reported to the technical contact. The same error (its type and where it
    happened) is reported at most once an hour; the repeats in between are counted."""

    __tablename__ = "error_reports"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(200))
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    reported_at: Mapped[datetime]
    last_ref: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)
    unreported: Mapped[int] = mapped_column(Integer)
