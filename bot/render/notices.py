"""The screen of each kind of notice (bot/services/notices.py), in the recipient's language.

`letter(notice, zone, lang)` is chosen by the notice's type: each kind registers its own
renderer below. A letter is one screen, one file, or several parts sent in order (the
digest's text, then its files), each with the suffix of its outbox key.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatch
from typing import Literal
from zoneinfo import ZoneInfo

from bot.formats.wording import reason_text
from bot.render import FilePart, Part, Screen
from bot.render import digest as digest_screens
from bot.render import documents as document_screens
from bot.render import groups as group_screens
from bot.render import incidents as incident_screens
from bot.render import meetings as meeting_screens
from bot.render import proposals as proposal_screens
from bot.render import reports as report_screens
from bot.services import notices as n

# One message (sent under the notice's key), or several (each under key:suffix).
Letter = Part | Sequence[tuple[str, Part]]


@singledispatch
def letter(notice: n.Notice, zone: ZoneInfo, lang: str) -> Letter:
    raise TypeError(f"no screen for the notice {type(notice).__name__}")


# ---------------------------------------------------------------- meetings


@letter.register
def _reminder(notice: n.Reminder, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.reminder(notice.reminder, zone, lang)


@letter.register
def _document_copy(notice: n.DocumentCopy, zone: ZoneInfo, lang: str) -> Letter:
    document = notice.document
    method: Literal["sendPhoto", "sendDocument"] = (
        "sendPhoto" if document.method == "sendPhoto" else "sendDocument"
    )
    return FilePart(document.file_id, method, document_screens.caption(document, lang))


@letter.register
def _cannot_attend(notice: n.CannotAttend, zone: ZoneInfo, lang: str) -> Letter:
    reason = reason_text(notice.reason_code, notice.reason_text, lang)
    return meeting_screens.absence_notice(
        notice.meeting,
        notice.branch,
        notice.absent,
        reason,
        list(notice.candidates),
        zone,
        lang,
        dict(notice.loads),
    )


@letter.register
def _absence_cancelled(notice: n.AbsenceCancelled, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.absence_cancelled_notice(
        notice.person,
        notice.starts_on,
        notice.ends_on,
        list(notice.resumed),
        list(notice.stand_ins),
        zone,
        lang,
    )


@letter.register
def _attending_again(notice: n.AttendingAgain, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.attending_again_notice(
        notice.meeting, notice.branch, notice.person, list(notice.stand_ins), zone, lang
    )


@letter.register
def _move_requested(notice: n.MoveRequested, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.move_request_notice(notice, zone, lang)


@letter.register
def _move_request_answered(notice: n.MoveRequestAnswered, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.move_request_answered(notice, zone, lang)


@letter.register
def _stand_in_suggested(notice: n.StandInSuggested, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.stand_in_suggested_notice(
        notice.meeting, notice.branch, notice.absent, notice.candidate, zone, lang
    )


@letter.register
def _reason_changed(notice: n.ReasonChanged, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.reason_changed_notice(
        notice.meeting,
        notice.branch,
        notice.absent,
        reason_text(notice.previous_code, notice.previous_text, lang),
        reason_text(notice.reason_code, notice.reason_text, lang),
        zone,
        lang,
    )


@letter.register
def _stand_in_invitation(notice: n.StandInInvitation, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.stand_in_invitation(
        notice.meeting, notice.branch, notice.unit, notice.absent, zone, lang
    )


@letter.register
def _stand_in_answered(notice: n.StandInAnswered, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.stand_in_outcome(notice, zone, lang)


@letter.register
def _moved(notice: n.MeetingMoved, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.moved_notice(
        notice.meeting,
        notice.branch,
        notice.previous_start,
        zone,
        lang,
        by=notice.by,
        by_office=notice.by_office,
    )


@letter.register
def _cancelled(notice: n.MeetingCancelled, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.cancelled_notice(notice.meeting, notice.branch, zone, lang, by=notice.by)


@letter.register
def _clash(notice: n.Clash, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.conflict_notice(notice.person, lang)


@letter.register
def _schedule_changed(notice: n.ScheduleChanged, zone: ZoneInfo, lang: str) -> Letter:
    return meeting_screens.rescheduled_notice(list(notice.items), zone, lang)


# ---------------------------------------------------------------- reports


@letter.register
def _report_request(notice: n.ReportRequest, zone: ZoneInfo, lang: str) -> Letter:
    return report_screens.request(notice.owed, zone, lang)


@letter.register
def _report_nudge(notice: n.ReportNudge, zone: ZoneInfo, lang: str) -> Letter:
    return report_screens.nudge(notice.owed, notice.second, zone, lang)


@letter.register
def _urgent(notice: n.UrgentProposal, zone: ZoneInfo, lang: str) -> Letter:
    return report_screens.urgent_notice(notice.sent, notice.proposal, zone, lang)


# ---------------------------------------------------------------- the group and the digest


@letter.register
def _group_removed(notice: n.GroupRemoved, zone: ZoneInfo, lang: str) -> Letter:
    return group_screens.removed_notice(notice.title, lang)


@letter.register
def _group_migrated(notice: n.GroupMigrated, zone: ZoneInfo, lang: str) -> Letter:
    return group_screens.migrated_notice(notice.title, lang)


@letter.register
def _digest_without_group(notice: n.DigestWithoutGroup, zone: ZoneInfo, lang: str) -> Letter:
    return digest_screens.no_group(notice.month, lang)


@letter.register
def _digest(notice: n.DigestPosting, zone: ZoneInfo, lang: str) -> Letter:
    figures = notice.figures
    captions = digest_screens.captions(figures, lang)
    parts: list[tuple[str, Part]] = [
        (f"text{number}", Screen(text))
        for number, text in enumerate(digest_screens.digest_messages(figures, lang))
    ]
    parts += [
        ("chart", FilePart(notice.chart_file_id, "sendPhoto", captions["chart"])),
        ("sheet", FilePart(notice.sheet_file_id, "sendDocument", captions["sheet"])),
        ("document", FilePart(notice.document_file_id, "sendDocument", captions["document"])),
    ]
    return parts


# ---------------------------------------------------------------- proposals


@letter.register
def _assigned(notice: n.ProposalAssigned, zone: ZoneInfo, lang: str) -> Letter:
    return proposal_screens.assigned_notice(notice.view, zone, lang)


@letter.register
def _undeliverable(notice: n.ProposalUndeliverable, zone: ZoneInfo, lang: str) -> Letter:
    return proposal_screens.undeliverable_notice(notice.view, lang)


@letter.register
def _answered(notice: n.ProposalAnswered, zone: ZoneInfo, lang: str) -> Letter:
    return proposal_screens.answered_notice(notice.view, zone, lang)


@letter.register
def _closed(notice: n.ProposalClosed, zone: ZoneInfo, lang: str) -> Letter:
    return proposal_screens.closed_notice(notice.view, lang)


@letter.register
def _returned(notice: n.ProposalReturned, zone: ZoneInfo, lang: str) -> Letter:
    return proposal_screens.returned_notice(notice.view, zone, lang, extension=False)


@letter.register
def _extension(notice: n.ProposalExtensionAsked, zone: ZoneInfo, lang: str) -> Letter:
    return proposal_screens.returned_notice(notice.view, zone, lang, extension=True)


@letter.register
def _due_soon(notice: n.ProposalDueSoon, zone: ZoneInfo, lang: str) -> Letter:
    return proposal_screens.due_soon_notice(notice.view, zone, lang)


@letter.register
def _summary(notice: n.ProposalSummary, zone: ZoneInfo, lang: str) -> Letter:
    return proposal_screens.summary_notice(notice.summary, lang)


# ---------------------------------------------------------------- operations


@letter.register
def _error(notice: n.ErrorReport, zone: ZoneInfo, lang: str) -> Letter:
    return incident_screens.error_report(
        notice.kind, notice.place, notice.update_kind, notice.reference, notice.repeats, lang
    )


@letter.register
def _conflict(notice: n.ConflictReport, zone: ZoneInfo, lang: str) -> Letter:
    return incident_screens.conflict_report(notice.reference, notice.repeats, lang)
