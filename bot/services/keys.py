"""Every outbox key, and every prefix the outbox matches keys by, in one place.

A key names one logical message: queueing it twice is harmless, because the outbox keeps one
row per key. Nothing else in the code formats or takes apart a key.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

# ---------------------------------------------------------------- meetings


def reminder(meeting_id: int, revision: int, person_id: int, slot: str) -> str:
    """One reminder slot (3d, 1d, 2h...) of one revision of a meeting, for one person: a
    moved meeting has a new revision, and so new reminders."""
    return f"remind:{meeting_id}:r{revision}:p{person_id}:{slot}"


def reminders_prefix(meeting_id: int) -> str:
    """What the keys of every reminder of this meeting begin with, whatever its revision."""
    return f"remind:{meeting_id}:"


def absence(meeting_id: int, revision: int, person_id: int, declined_at: datetime) -> str:
    """The office told that someone cannot attend (with stand-in buttons): once per decline,
    so that declining again after saying "I will attend" is told too."""
    return f"absent:{meeting_id}:r{revision}:p{person_id}:{declined_at:%Y%m%d%H%M%S%f}"


def stand_in_suggested(meeting_id: int, revision: int, person_id: int, candidate_id: int) -> str:
    """The office told, once per colleague, whom someone who cannot attend suggests."""
    return f"absent:{meeting_id}:r{revision}:p{person_id}:suggests:p{candidate_id}"


def attending_again(meeting_id: int, person_id: int, answered_at: datetime) -> str:
    """The office told that someone who could not attend now will."""
    return f"absent:{meeting_id}:p{person_id}:again:{answered_at:%Y%m%d%H%M%S%f}"


def absence_cancelled(absence_id: int, created_at: datetime) -> str:
    """The office told that a period away was withdrawn (its id and when it was made: a
    database may give a deleted row's id again)."""
    return f"absence:{absence_id}:{created_at:%Y%m%d%H%M%S%f}:cancelled"


def reason_changed(meeting_id: int, person_id: int, change: str, changed_at: datetime) -> str:
    """The office told that someone who cannot attend gave another reason: once per change
    (what it was and became, and when)."""
    digest = hashlib.sha1(f"{change}|{changed_at.isoformat()}".encode()).hexdigest()[:16]
    return f"absent:{meeting_id}:p{person_id}:reason:{digest}"


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


def digest_posting(digest_id: int, posting: str) -> str:
    """A posting ("post", "again1"...) of a month's digest; each of its messages adds its part
    ("text0", "chart"...) to the key."""
    return f"digest:{digest_id}:{posting}"


def digest_without_group(digest_id: int) -> str:
    return f"digest:{digest_id}:nogroup"


def group_removed(chat_id: int, update_id: int) -> str:
    return f"group:{chat_id}:removed:u{update_id}"


def group_migrated(old_chat_id: int) -> str:
    return f"group:{old_chat_id}:migrated"


# ---------------------------------------------------------------- one message of many


def move_request(meeting_id: int, revision: int, person_id: int, new_start: str) -> str:
    """Someone's request to move a meeting, to the office; and the office's answer to them."""
    return f"move-request:{meeting_id}:r{revision}:p{person_id}:{new_start}"


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


def document_copies_prefix(document_id: int) -> str:
    """What the keys of one document's copies begin with, whoever they are for."""
    return f"doc:{document_id}:p"


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


def undelivered_answer(token: str) -> str:
    """An answer to someone who wrote, handed to the outbox when it could not go at once."""
    return f"answer:{token}"


def error_report(ref: str) -> str:
    """An unhandled error reported to the technical contact, under its log reference."""
    return f"error:{ref}"
