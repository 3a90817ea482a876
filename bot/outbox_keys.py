"""Every outbox key, and every match on keys, in one place.

A key names one logical message: queueing it twice is harmless, because the outbox keeps one
row per key. Nothing else in the code formats or takes apart a key.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import ColumnElement, and_

from db.models import OutboxMessage

# ---------------------------------------------------------------- meetings


def reminder(meeting_id: int, revision: int, person_id: int, slot: str) -> str:
    """One reminder slot (3d, 1d, 2h...) of one revision of a meeting, for one person: a
    moved meeting has a new revision, and so new reminders."""
    return f"remind:{meeting_id}:r{revision}:p{person_id}:{slot}"


def reminders_of(meeting_id: int) -> ColumnElement[bool]:
    """SQL: the rows of every reminder of this meeting, whatever its revision."""
    return OutboxMessage.key.startswith(f"remind:{meeting_id}:")


def reminders_at_slot(meeting_id: int, revision: int, slot: str) -> ColumnElement[bool]:
    """SQL: the rows of one slot's reminders for this revision of a meeting."""
    return and_(
        OutboxMessage.key.startswith(f"remind:{meeting_id}:r{revision}:"),
        OutboxMessage.key.endswith(f":{slot}"),
    )


def absence(meeting_id: int, revision: int, person_id: int) -> str:
    """The office told that someone cannot attend (with stand-in buttons)."""
    return f"absent:{meeting_id}:r{revision}:p{person_id}"


def stand_in(meeting_id: int, revision: int, person_id: int) -> str:
    """A stand-in asked to go in someone's place."""
    return f"standin:{meeting_id}:r{revision}:p{person_id}"


def stand_in_answer(meeting_id: int, revision: int, person_id: int) -> str:
    """The office told of a stand-in's answer."""
    return f"standin-answer:{meeting_id}:r{revision}:p{person_id}"


def meeting_change(meeting_id: int, revision: int, *, moved: bool) -> str:
    """A meeting moved or cancelled; per_person() and clash() name each message of it."""
    return f"{'moved' if moved else 'cancelled'}:{meeting_id}:r{revision}"


def rescheduled(person_id: int, meetings: list[tuple[int, int]]) -> str:
    """One person told of the meetings (id, revision after the change) a new schedule moved:
    the same change told once, a later change told again."""
    changed = ",".join(f"{meeting_id}.{revision}" for meeting_id, revision in sorted(meetings))
    digest = hashlib.sha1(changed.encode()).hexdigest()[:16]
    return f"rescheduled:p{person_id}:{digest}"


def clash(change: str, person_id: int) -> str:
    """After a move: this person is now due at two meetings at once."""
    return f"{change}:clash:p{person_id}"


# ---------------------------------------------------------------- reports and proposals


def report(meeting_id: int, person_id: int, kind: str) -> str:
    """The request for a report ("request"), or a nudge ("nudge1", "nudge2")."""
    return f"report:{meeting_id}:p{person_id}:{kind}"


def urgent_proposal(proposal_id: int) -> str:
    """An urgent proposal told to whoever triages (per_person for each leader)."""
    return f"urgent:{proposal_id}"


# ---------------------------------------------------------------- the digest and groups


def digest_part(digest_id: int, posting: str, part: str) -> str:
    """One message of a posting ("post", "again1"...) of a month's digest: "text0", "chart"..."""
    return f"digest:{digest_id}:{posting}:{part}"


def digest_without_group(digest_id: int) -> str:
    return f"digest:{digest_id}:nogroup"


def group_removed(chat_id: int, update_id: int) -> str:
    return f"group:{chat_id}:removed:u{update_id}"


def group_migrated(old_chat_id: int) -> str:
    return f"group:{old_chat_id}:migrated"


# ---------------------------------------------------------------- one message of many


def per_person(key: str, person_id: int) -> str:
    """The copy of a message for one person of several."""
    return f"{key}:p{person_id}"


def per_admin(key: str, chat_id: int) -> str:
    """The copy of a message for one administrator."""
    return f"{key}:to:{chat_id}"


# ---------------------------------------------------------------- meeting documents


def meeting_document(document_id: int, person_id: int) -> str:
    """A meeting's document sent to one person: once, whichever reminder carries it."""
    return f"doc:{document_id}:p{person_id}"


def meeting_documents_of(document_id: int) -> ColumnElement[bool]:
    """SQL: the rows of one document sent to anyone."""
    return OutboxMessage.key.startswith(f"doc:{document_id}:p")


# ---------------------------------------------------------------- proposals


def proposal_assigned(proposal_id: int, revision: int, person_id: int) -> str:
    """A proposal given to a body, to one of the people who answer for it."""
    return f"proposal:{proposal_id}:r{revision}:to:p{person_id}"


def proposal_undeliverable(proposal_id: int, body_id: int) -> str:
    """The office told, once per proposal and body, that nobody can receive it."""
    return f"proposal:{proposal_id}:undeliverable:b{body_id}"


def proposal_outcome(proposal_id: int, revision: int, person_id: int) -> str:
    """The member who raised a proposal told of its answer or its closing."""
    return f"proposal:{proposal_id}:r{revision}:outcome:p{person_id}"


def proposal_to_triage(proposal_id: int, revision: int) -> str:
    """The office asked to act on a proposal again (given back, an extension asked)."""
    return f"proposal:{proposal_id}:r{revision}:triage"


def proposal_summary(day: str) -> str:
    """The morning's summary of proposals, one a day (per person: per_person)."""
    return f"proposal-summary:{day}"


def proposal_due_soon(proposal_id: int, deadline: str) -> str:
    """A body reminded, once per deadline, that a proposal is due in two days."""
    return f"proposal:{proposal_id}:due-soon:{deadline}"


def error_report(ref: str) -> str:
    """An unhandled error reported to the technical contact, under its log reference."""
    return f"error:{ref}"
