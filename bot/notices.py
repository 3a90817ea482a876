"""Who must be told what, as values: a service returns them with its result, and
bot/notify.deliver renders each in its recipient's language and queues it in the same unit of
work, so a change and the notices it causes are kept or lost together.

A notice names its kind (which screen tells it), its outbox key (bot/outbox_keys.py), what the
screen shows, and its recipient: one person, or the office (every administrator).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from db.models import Person


class Kind(enum.StrEnum):
    ABSENCE = "absence"  # to the office: someone cannot attend; pick a stand-in
    STAND_IN_INVITATION = "stand_in_invitation"  # to a person asked to stand in
    STAND_IN_OUTCOME = "stand_in_outcome"  # to the office: the stand-in's answer
    MEETING_MOVED = "meeting_moved"
    MEETING_CANCELLED = "meeting_cancelled"
    CLASH = "clash"  # a change put someone at two meetings at once
    URGENT_PROPOSAL = "urgent_proposal"  # to a leader
    RESCHEDULED = "rescheduled"  # a new schedule moved someone's meetings
    GROUP_REMOVED = "group_removed"  # to the office: the bot left the leadership group
    GROUP_MIGRATED = "group_migrated"  # to the office: the group became a supergroup
    DIGEST_WITHOUT_GROUP = "digest_without_group"  # to the office: no group to post to
    PROPOSAL_ASSIGNED = "proposal_assigned"  # to those who answer for a body: a proposal
    PROPOSAL_UNDELIVERABLE = "proposal_undeliverable"  # to the office: nobody can receive it
    PROPOSAL_ANSWERED = "proposal_answered"  # to the member who raised it: the answer
    PROPOSAL_CLOSED = "proposal_closed"  # to the member who raised it: closed, and why
    PROPOSAL_RETURNED = "proposal_returned"  # to the office: a body gave it back
    PROPOSAL_EXTENSION = "proposal_extension"  # to the office: a body asks for more time
    PROPOSAL_SUMMARY = "proposal_summary"  # the morning's summary for whoever triages
    PROPOSAL_DUE_SOON = "proposal_due_soon"  # to a body: a deadline two days off


@dataclass(frozen=True)
class Notice:
    kind: Kind
    key: str
    about: Any
    person: Person | None = None  # None: the office
    # For the office: chats that already know (who made the change, people told directly).
    already_told: frozenset[int] = field(default_factory=frozenset)

    @property
    def to_office(self) -> bool:
        return self.person is None


def to_person(kind: Kind, key: str, person: Person, about: Any) -> Notice:
    return Notice(kind, key, about, person)


def to_office(
    kind: Kind, key: str, about: Any, already_told: frozenset[int] = frozenset()
) -> Notice:
    return Notice(kind, key, about, None, already_told)
