"""Who may do what: every rule the bot checks, in one place.

The routing table (bot/routes.py) names the permission each command and button needs, and the
services ask the rules about one object (this proposal, this report, this meeting) with the
facts they looked up in the database. Nothing else decides a permission.

Who triages proposals is a setting (CHIBO_PROPOSAL_TRIAGE: the leaders, the office, or both);
it is read once, when the actor is resolved, into the permissions the actor holds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bot.domain.digest import Edition
from bot.services import audit
from db.models import Draft, Person, Role

# Who triages proposals (CHIBO_PROPOSAL_TRIAGE): "leaders", "office", or both.
TRIAGERS = frozenset({"leaders", "office"})


class Permission(enum.StrEnum):
    ANYONE = "anyone"  # strangers too: /start, sharing one's phone number
    KNOWN = "known"  # any linked person or configured administrator
    LEADERSHIP = "leadership"  # leaders and the office: every report, proposals, the digest
    OFFICE = "office"  # the office: the roster, the calendar, stand-ins, the office's digest
    TRIAGE = "triage"  # whoever CHIBO_PROPOSAL_TRIAGE names: assign, merge, close proposals
    PROPOSALS = "proposals"  # the proposals' lists: the leadership, and who answers for a body


def permissions_of(
    roles: frozenset[Role],
    known: bool,
    triage_by: frozenset[str] = TRIAGERS,
    answers_for_body: bool = False,
) -> frozenset[Permission]:
    """The permissions someone with these roles holds (a stranger holds ANYONE alone)."""
    held = {Permission.ANYONE}
    if not known:
        return frozenset(held)
    held.add(Permission.KNOWN)
    if roles & {Role.LEADER, Role.ADMIN}:
        held.add(Permission.LEADERSHIP)
    if roles & {Role.LEADER, Role.ADMIN} or answers_for_body:
        held.add(Permission.PROPOSALS)
    if Role.ADMIN in roles:
        held.add(Permission.OFFICE)
    if ("leaders" in triage_by and Role.LEADER in roles) or (
        "office" in triage_by and Role.ADMIN in roles
    ):
        held.add(Permission.TRIAGE)
    return frozenset(held)


@dataclass(frozen=True)
class Actor:
    """Who sent an update: their Telegram account, the person it is linked to (None for a
    stranger or an administrator known only by id), their roles and what those permit."""

    telegram_id: int
    person: Person | None
    roles: frozenset[Role] = frozenset()
    lang: str = "vi"
    # The conversation a linked person is in, looked up with them (None: none open, or an
    # account with no person, whose conversations are looked up when needed).
    conversation: Draft | None = None
    # Taken when the update arrives: a rollback in the update (a dry-run import) expires the
    # person's attributes, and reading them again outside SQLAlchemy's greenlet fails.
    person_id: int | None = None
    permissions: frozenset[Permission] = field(
        default_factory=lambda: frozenset({Permission.ANYONE})
    )

    @property
    def is_known(self) -> bool:
        return Permission.KNOWN in self.permissions

    def has(self, role: Role) -> bool:
        return role in self.roles

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def who(self) -> audit.Who:
        return audit.Who(self.person_id, self.telegram_id)


def actor_for(
    telegram_id: int,
    person: Person | None,
    roles: frozenset[Role],
    *,
    lang: str = "vi",
    conversation: Draft | None = None,
    triage_by: frozenset[str] = TRIAGERS,
    answers_for_body: bool = False,
) -> Actor:
    known = person is not None or bool(roles)
    return Actor(
        telegram_id,
        person,
        roles,
        lang,
        conversation,
        person.id if person is not None else None,
        permissions_of(roles, known, triage_by, answers_for_body),
    )


# ---------------------------------------------------------------- rules about one object


def may_triage(actor: Actor) -> bool:
    """Assign a proposal to a body, merge it, close it, reopen it, change its deadline."""
    return actor.may(Permission.TRIAGE)


def may_act_for_body(actor: Actor, *, answers_for_body: bool) -> bool:
    """Give a proposal back, or ask for more time: the people who answer for its body."""
    return actor.is_known and answers_for_body


def may_answer_proposal(actor: Actor, *, answers_for_body: bool) -> bool:
    """The people of its body answer it; whoever triages may answer it directly."""
    return may_act_for_body(actor, answers_for_body=answers_for_body) or may_triage(actor)


def may_see_proposal(actor: Actor, *, raised_it: bool, answers_for_body: bool) -> bool:
    """A proposal in full, with its history: whoever triages, its body, and its raiser."""
    return may_triage(actor) or (actor.is_known and (raised_it or answers_for_body))


def sees_names_in_history(actor: Actor) -> bool:
    """Who answered and who assigned: shown to those who triage only."""
    return may_triage(actor)


def may_list_proposals_of_branch(actor: Actor) -> bool:
    return may_triage(actor)


def may_read_report(actor: Actor, *, author_id: int | None) -> bool:
    """A report in full: its author, the leaders and the office."""
    if actor.may(Permission.LEADERSHIP):
        return True
    return actor.person_id is not None and actor.person_id == author_id


def may_list_others_reports(actor: Actor) -> bool:
    """A branch's or another person's reports: the leaders and the office."""
    return actor.may(Permission.LEADERSHIP)


def may_report_for_others(actor: Actor) -> bool:
    """Enter a report on behalf of a member who cannot use the bot: the office."""
    return actor.may(Permission.OFFICE)


def may_change_meeting(actor: Actor, *, expected_there: bool) -> bool:
    """Move a meeting: the office, or someone expected at it. Cancel: the office."""
    return actor.may(Permission.OFFICE) or (actor.is_known and expected_there)


def may_move_at_once(actor: Actor) -> bool:
    """Move a meeting without asking: the office; a member's move is a request it decides."""
    return actor.may(Permission.OFFICE)


def may_cancel_meeting(actor: Actor) -> bool:
    return actor.may(Permission.OFFICE)


def may_answer_rsvp(actor: Actor, *, rsvp_person_id: int | None) -> bool:
    """Say whether one will attend, or why not: one's own answer only."""
    return actor.person_id is not None and actor.person_id == rsvp_person_id


def may_cancel_absence(actor: Actor, *, absence_person_id: int) -> bool:
    """Cancel a registered period away: one's own only (the office registers none for others)."""
    return actor.person_id is not None and actor.person_id == absence_person_id


def may_pick_stand_in(actor: Actor) -> bool:
    return actor.may(Permission.OFFICE)


def may_read_branch_calendar(actor: Actor) -> bool:
    return actor.may(Permission.OFFICE)


def may_manage_documents(actor: Actor) -> bool:
    """Add a meeting's document, withdraw one, see who has not confirmed: the office."""
    return actor.may(Permission.OFFICE)


def may_have_document(actor: Actor, *, sent_or_due: bool) -> bool:
    """A document sent again: to whoever it was sent or is due to, and to the office."""
    return may_manage_documents(actor) or (actor.is_known and sent_or_due)


def digest_edition(actor: Actor) -> Edition:
    """The office reads its own edition (names, who has not reported, the quota); the leaders
    read the group's."""
    return Edition.OFFICE if actor.may(Permission.OFFICE) else Edition.GROUP


def may_post_digest(actor: Actor) -> bool:
    return actor.may(Permission.OFFICE)
