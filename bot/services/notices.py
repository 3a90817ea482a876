"""Who must be told what, as values: every message the bot starts on its own is one of these
notices, returned by a service or a job's `due()` with its result. bot/outbox/deliver.py
renders each in its recipient's language (bot/render/notices.py picks the screen by the
notice's type) and queues it in the same unit of work as the change that caused it, so the
change and its notices are kept or lost together.

A notice has a key (bot/services/keys.py: queueing the same key twice is harmless), a
recipient (a person, the office, or a chat such as the leadership group) and, if it is not
for now, when it is due and when it no longer makes sense. A withdrawal asks the outbox to
drop messages queued earlier that a change made pointless (a declined meeting's reminders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from db.models import Meeting, MeetingDocument, Person, Proposal, Unit

if TYPE_CHECKING:
    from bot.domain.digest import DigestFigures
    from bot.services.calendar import Rescheduled
    from bot.services.proposals import ProposalView, Summary
    from bot.services.reminders import DueReminder
    from bot.services.reports import Owed, Sent


@dataclass(frozen=True)
class Office:
    """Every administrator (linked ones and the configured ids), but those already told
    directly (who made the change, people told as persons)."""

    already_told: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Chat:
    """A chat that is no person's: the leadership group, the technical contact."""

    chat_id: int


OFFICE = Office()
Recipient = Person | Office | Chat


@dataclass(frozen=True, kw_only=True)
class Notice:
    key: str
    to: Recipient
    due_at: datetime | None = None  # None: at once
    expires_at: datetime | None = None  # not sent after this (a meeting that has begun)
    quiet_hours: bool = True  # held during quiet hours


@dataclass(frozen=True, kw_only=True)
class Withdrawal:
    """Messages queued earlier that a change made pointless: dropped unless already sent."""


@dataclass(frozen=True, kw_only=True)
class DropReminders(Withdrawal):
    """A meeting's pending reminders, or one person's of them."""

    meeting_id: int
    person_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class DropDocumentCopies(Withdrawal):
    """The copies of a withdrawn meeting document not yet sent."""

    document_id: int


Told = Notice | Withdrawal
Notices = tuple[Told, ...]


# ---------------------------------------------------------------- meetings


@dataclass(frozen=True, kw_only=True)
class Reminder(Notice):
    """Before a meeting, to someone expected there."""

    reminder: DueReminder


@dataclass(frozen=True, kw_only=True)
class DocumentCopy(Notice):
    """A meeting's document, with the first reminder of the meeting after it was added."""

    document: MeetingDocument


@dataclass(frozen=True)
class CandidateLoad:
    """What the office weighs a stand-in by: the branches they follow, and how many meetings
    they are due at in the month of the one to cover."""

    branches: tuple[str, ...]
    meetings: int


@dataclass(frozen=True, kw_only=True)
class CannotAttend(Notice):
    """To the office: someone cannot attend; pick a stand-in among the candidates (the least
    busy first)."""

    meeting: Meeting
    branch: Unit
    absent: Person
    reason_code: str | None
    reason_text: str
    candidates: tuple[Person, ...]
    loads: tuple[tuple[int, CandidateLoad], ...] = ()  # by candidate id


@dataclass(frozen=True, kw_only=True)
class AbsenceCancelled(Notice):
    """To the office: someone withdrew a period away; they are expected at these meetings
    again (and some have a stand-in invited meanwhile)."""

    person: Person
    starts_on: date
    ends_on: date
    resumed: tuple[tuple[Meeting, Unit], ...]
    stand_ins: tuple[tuple[Meeting, Unit, Person], ...]


@dataclass(frozen=True, kw_only=True)
class AttendingAgain(Notice):
    """To the office: someone who said they could not attend now will (with the stand-ins
    invited in their place meanwhile)."""

    meeting: Meeting
    branch: Unit
    person: Person
    stand_ins: tuple[Person, ...]


@dataclass(frozen=True, kw_only=True)
class ReasonChanged(Notice):
    """To the office: someone who could not attend gave another reason."""

    meeting: Meeting
    branch: Unit
    absent: Person
    previous_code: str | None
    previous_text: str
    reason_code: str
    reason_text: str


@dataclass(frozen=True, kw_only=True)
class StandInSuggested(Notice):
    """To the office: someone who cannot attend suggests a colleague to stand in."""

    meeting: Meeting
    branch: Unit
    absent: Person
    candidate: Person


@dataclass(frozen=True, kw_only=True)
class StandInInvitation(Notice):
    """To a person the office asks to attend in someone's place."""

    meeting: Meeting
    branch: Unit
    unit: Unit | None
    absent: Person


@dataclass(frozen=True, kw_only=True)
class StandInAnswered(Notice):
    """To the office: the stand-in's answer (and, if declined, other candidates)."""

    meeting: Meeting
    branch: Unit
    stand_in: Person
    absent: Person
    accepted: bool
    candidates: tuple[Person, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MeetingMoved(Notice):
    meeting: Meeting
    branch: Unit
    previous_start: datetime
    by: Person | None = None  # who moved it
    by_office: bool = False  # an administrator of the settings, not on the roster


@dataclass(frozen=True, kw_only=True)
class MeetingCancelled(Notice):
    meeting: Meeting
    branch: Unit
    by: Person | None = None  # who cancelled it
    by_office: bool = False


@dataclass(frozen=True, kw_only=True)
class MoveRequested(Notice):
    """To the office: someone expected at a meeting asks to move it; the office decides."""

    meeting: Meeting
    branch: Unit
    by: Person
    new_start: datetime


@dataclass(frozen=True, kw_only=True)
class MoveRequestAnswered(Notice):
    """To who asked to move a meeting: the office's decision."""

    meeting: Meeting
    branch: Unit
    new_start: datetime
    approved: bool


@dataclass(frozen=True, kw_only=True)
class Clash(Notice):
    """After a move: this person is now due at two meetings at overlapping times."""

    person: Person


@dataclass(frozen=True, kw_only=True)
class ScheduleChanged(Notice):
    """To one person: the meetings a new schedule moved or removed."""

    items: tuple[Rescheduled, ...]


# ---------------------------------------------------------------- reports


@dataclass(frozen=True, kw_only=True)
class ReportRequest(Notice):
    """After a meeting: please report on it."""

    owed: Owed


@dataclass(frozen=True, kw_only=True)
class ReportNudge(Notice):
    """Days after a meeting whose report has not come: the first or the second reminder."""

    owed: Owed
    second: bool


@dataclass(frozen=True, kw_only=True)
class UrgentProposal(Notice):
    """To whoever triages: an urgent proposal in a report just sent."""

    sent: Sent
    proposal: Proposal


# ---------------------------------------------------------------- the group and the digest


@dataclass(frozen=True, kw_only=True)
class GroupRemoved(Notice):
    """To the office: the bot left (or was removed from) the leadership group."""

    title: str


@dataclass(frozen=True, kw_only=True)
class GroupMigrated(Notice):
    """To the office: the leadership group became a supergroup; it is followed."""

    title: str


@dataclass(frozen=True, kw_only=True)
class DigestWithoutGroup(Notice):
    """To the office: the month's digest is due and no leadership group is registered."""

    month: str


@dataclass(frozen=True, kw_only=True)
class DigestPosting(Notice):
    """The month's digest to the leadership group: its text, then the chart, the spreadsheet
    and the report document (stored files)."""

    figures: DigestFigures
    chart_file_id: int
    sheet_file_id: int
    document_file_id: int


# ---------------------------------------------------------------- proposals


@dataclass(frozen=True, kw_only=True)
class ProposalNotice(Notice):
    view: ProposalView


@dataclass(frozen=True, kw_only=True)
class ProposalAssigned(ProposalNotice):
    """To those who answer for a body: a proposal is theirs to answer."""


@dataclass(frozen=True, kw_only=True)
class ProposalUndeliverable(ProposalNotice):
    """To the office: nobody can receive the proposal given to this body."""


@dataclass(frozen=True, kw_only=True)
class ProposalAnswered(ProposalNotice):
    """To the member who raised it: the answer."""


@dataclass(frozen=True, kw_only=True)
class ProposalClosed(ProposalNotice):
    """To the member who raised it: closed, and why."""


@dataclass(frozen=True, kw_only=True)
class ProposalReturned(ProposalNotice):
    """To whoever triages: a body gave the proposal back."""


@dataclass(frozen=True, kw_only=True)
class ProposalExtensionAsked(ProposalNotice):
    """To whoever triages: a body asks for more time."""


@dataclass(frozen=True, kw_only=True)
class ProposalDueSoon(ProposalNotice):
    """To a body: a deadline two days off."""


@dataclass(frozen=True, kw_only=True)
class ProposalSummary(Notice):
    """The morning's summary for whoever triages."""

    summary: Summary


# ---------------------------------------------------------------- operations


@dataclass(frozen=True, kw_only=True)
class ErrorReport(Notice):
    """To the technical contact: an error the bot could not handle (never its traceback, nor
    anything a person wrote)."""

    kind: str
    place: str
    update_kind: str | None
    reference: str
    repeats: int


@dataclass(frozen=True, kw_only=True)
class ConflictReport(Notice):
    """To the technical contact: another program receives this bot's updates."""

    reference: str
    repeats: int
