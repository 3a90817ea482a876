"""Every rule of who may do what (bot/services/policy.py), each with who is allowed and who is
refused, and who triages proposals under each value of CHIBO_PROPOSAL_TRIAGE."""

from __future__ import annotations

import pytest

from bot.domain.digest import Edition
from bot.services import policy
from bot.services.policy import Actor, Permission, actor_for
from db.models import Person, Role

LEADERS, OFFICE, BOTH = frozenset({"leaders"}), frozenset({"office"}), policy.TRIAGERS


def _person(person_id: int) -> Person:
    return Person(id=person_id, code=f"CB{person_id:02d}", full_name=f"Người {person_id}")


def stranger() -> Actor:
    return actor_for(700000, None, frozenset())


def member(person_id: int = 1, triage_by: frozenset[str] = BOTH) -> Actor:
    return actor_for(
        800000 + person_id, _person(person_id), frozenset({Role.MEMBER}), triage_by=triage_by
    )


def leader(person_id: int = 2, triage_by: frozenset[str] = BOTH) -> Actor:
    roles = frozenset({Role.MEMBER, Role.LEADER})
    return actor_for(800000 + person_id, _person(person_id), roles, triage_by=triage_by)


def office(person_id: int = 3, triage_by: frozenset[str] = BOTH) -> Actor:
    roles = frozenset({Role.ADMIN})
    return actor_for(800000 + person_id, _person(person_id), roles, triage_by=triage_by)


def configured_admin(triage_by: frozenset[str] = BOTH) -> Actor:
    """An administrator known by CHIBO_ADMIN_IDS alone, linked to no person."""
    return actor_for(900001, None, frozenset({Role.ADMIN}), triage_by=triage_by)


def test_the_permissions_each_kind_of_person_holds() -> None:
    assert stranger().permissions == {Permission.ANYONE}
    assert not stranger().is_known
    assert member().permissions == {Permission.ANYONE, Permission.KNOWN}
    answerer = actor_for(800002, _person(2), frozenset({Role.MEMBER}), answers_for_body=True)
    assert answerer.permissions == {Permission.ANYONE, Permission.KNOWN, Permission.PROPOSALS}
    assert leader().permissions == {
        Permission.ANYONE,
        Permission.KNOWN,
        Permission.LEADERSHIP,
        Permission.TRIAGE,
        Permission.PROPOSALS,
    }
    assert office().permissions == set(Permission)
    assert configured_admin().permissions == set(Permission)


@pytest.mark.parametrize(
    ("triage_by", "leader_triages", "office_triages"),
    [(LEADERS, True, False), (OFFICE, False, True), (BOTH, True, True)],
)
def test_who_triages_follows_the_setting(
    triage_by: frozenset[str], leader_triages: bool, office_triages: bool
) -> None:
    assert policy.may_triage(leader(triage_by=triage_by)) is leader_triages
    assert policy.may_triage(office(triage_by=triage_by)) is office_triages
    assert policy.may_triage(configured_admin(triage_by=triage_by)) is office_triages
    assert not policy.may_triage(member(triage_by=triage_by))
    assert not policy.may_triage(stranger())
    # whoever triages sees names in a proposal's history and lists a branch's proposals
    assert policy.sees_names_in_history(leader(triage_by=triage_by)) is leader_triages
    assert policy.may_list_proposals_of_branch(office(triage_by=triage_by)) is office_triages
    # ...and may answer directly; the body's people answer whatever the setting
    assert policy.may_answer_proposal(leader(triage_by=triage_by), answers_for_body=False) is (
        leader_triages
    )
    assert policy.may_answer_proposal(member(triage_by=triage_by), answers_for_body=True)


def test_acting_for_a_handling_body() -> None:
    assert policy.may_act_for_body(member(), answers_for_body=True)
    assert not policy.may_act_for_body(member(), answers_for_body=False)
    # giving back or asking for more time is the body's, not the triager's
    assert not policy.may_act_for_body(leader(), answers_for_body=False)
    assert not policy.may_act_for_body(stranger(), answers_for_body=True)
    assert policy.may_answer_proposal(member(), answers_for_body=True)
    assert not policy.may_answer_proposal(member(), answers_for_body=False)


def test_seeing_a_proposal_in_full() -> None:
    assert policy.may_see_proposal(member(), raised_it=True, answers_for_body=False)
    assert policy.may_see_proposal(member(), raised_it=False, answers_for_body=True)
    assert not policy.may_see_proposal(member(), raised_it=False, answers_for_body=False)
    assert policy.may_see_proposal(leader(), raised_it=False, answers_for_body=False)
    assert not policy.may_see_proposal(
        leader(triage_by=OFFICE), raised_it=False, answers_for_body=False
    )
    assert not policy.may_see_proposal(stranger(), raised_it=True, answers_for_body=True)


def test_reading_reports() -> None:
    author = member(1)
    assert policy.may_read_report(author, author_id=1)
    assert not policy.may_read_report(member(4), author_id=1)
    assert policy.may_read_report(leader(), author_id=1)
    assert policy.may_read_report(configured_admin(), author_id=1)
    assert not policy.may_read_report(stranger(), author_id=None)
    assert policy.may_list_others_reports(leader())
    assert not policy.may_list_others_reports(member())
    assert policy.may_report_for_others(office())
    assert not policy.may_report_for_others(leader())


def test_meetings_and_answers_to_them() -> None:
    assert policy.may_change_meeting(member(), expected_there=True)
    assert not policy.may_change_meeting(member(), expected_there=False)
    assert policy.may_change_meeting(office(), expected_there=False)
    assert not policy.may_change_meeting(stranger(), expected_there=True)
    assert policy.may_cancel_meeting(office())
    assert not policy.may_cancel_meeting(leader())
    # one's own answer only, whoever presses
    assert policy.may_answer_rsvp(member(1), rsvp_person_id=1)
    assert not policy.may_answer_rsvp(member(1), rsvp_person_id=4)
    assert not policy.may_answer_rsvp(office(), rsvp_person_id=1)
    assert not policy.may_answer_rsvp(configured_admin(), rsvp_person_id=None)
    assert policy.may_cancel_absence(member(1), absence_person_id=1)
    assert not policy.may_cancel_absence(member(1), absence_person_id=4)
    assert not policy.may_cancel_absence(office(), absence_person_id=1)
    assert not policy.may_cancel_absence(configured_admin(), absence_person_id=1)
    assert policy.may_pick_stand_in(office())
    assert not policy.may_pick_stand_in(leader())
    assert policy.may_read_branch_calendar(office())
    assert not policy.may_read_branch_calendar(member())


def test_documents_and_the_digest() -> None:
    assert policy.may_have_document(member(), sent_or_due=True)
    assert not policy.may_have_document(member(), sent_or_due=False)
    assert policy.may_have_document(office(), sent_or_due=False)
    assert policy.may_manage_documents(office())
    assert not policy.may_manage_documents(leader())
    assert policy.digest_edition(office()) == Edition.OFFICE
    assert policy.digest_edition(leader()) == Edition.GROUP
    assert policy.may_post_digest(office())
    assert not policy.may_post_digest(leader())
