"""The screen of each kind of notice (bot/notices.py), in the recipient's language."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.notices import Kind, Notice
from bot.render import Screen
from bot.render import digest as digest_screens
from bot.render import groups as group_screens
from bot.render import meetings as meeting_screens
from bot.render import proposals as proposal_screens
from bot.render import reports as report_screens


def screen(notice: Notice, zone: ZoneInfo, lang: str) -> Screen:
    about = notice.about
    match notice.kind:
        case Kind.ABSENCE:
            rsvp = about.rsvp
            reason = meeting_screens.reason_text(rsvp.reason_code, rsvp.reason_text, lang)
            return meeting_screens.absence_notice(
                about.meeting, about.branch, about.absent_for, reason, about.candidates, zone, lang
            )
        case Kind.STAND_IN_INVITATION:
            meeting, branch, unit, absent = about
            return meeting_screens.stand_in_invitation(meeting, branch, unit, absent, zone, lang)
        case Kind.STAND_IN_OUTCOME:
            return meeting_screens.stand_in_outcome(about, zone, lang)
        case Kind.MEETING_MOVED:
            return meeting_screens.moved_notice(about, zone, lang)
        case Kind.MEETING_CANCELLED:
            return meeting_screens.cancelled_notice(about, zone, lang)
        case Kind.CLASH:
            return meeting_screens.conflict_notice(about, lang)
        case Kind.URGENT_PROPOSAL:
            sent, proposal = about
            return report_screens.urgent_notice(sent, proposal, zone, lang)
        case Kind.RESCHEDULED:
            return meeting_screens.rescheduled_notice(about, zone, lang)
        case Kind.GROUP_REMOVED:
            return group_screens.removed_notice(about, lang)
        case Kind.GROUP_MIGRATED:
            return group_screens.migrated_notice(about, lang)
        case Kind.DIGEST_WITHOUT_GROUP:
            return digest_screens.no_group(about, lang)
        case Kind.PROPOSAL_ASSIGNED:
            return proposal_screens.assigned_notice(about, zone, lang)
        case Kind.PROPOSAL_UNDELIVERABLE:
            return proposal_screens.undeliverable_notice(about, lang)
        case Kind.PROPOSAL_ANSWERED:
            return proposal_screens.answered_notice(about, zone, lang)
        case Kind.PROPOSAL_CLOSED:
            return proposal_screens.closed_notice(about, lang)
        case Kind.PROPOSAL_RETURNED:
            return proposal_screens.returned_notice(about, zone, lang, extension=False)
        case Kind.PROPOSAL_EXTENSION:
            return proposal_screens.returned_notice(about, zone, lang, extension=True)
        case Kind.PROPOSAL_SUMMARY:
            return proposal_screens.summary_notice(about, lang)
        case Kind.PROPOSAL_DUE_SOON:
            return proposal_screens.due_soon_notice(about, zone, lang)
    raise ValueError(f"no screen for the notice {notice.kind!r}")
