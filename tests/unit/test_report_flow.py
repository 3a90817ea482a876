"""The report conversation's table of steps (bot/services/report_flow.py), each step on its
own: a valid answer and where it leads, an answer it refuses (nothing changes), Back, and
the edit of its section from the review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from bot.services import report_flow as flow
from bot.services.report_flow import Input, Section, Step
from bot.services.topics import DEFAULT_PROPOSAL_FIELDS, DEFAULT_TOPICS

MEETING_DAY = date(2026, 12, 5)
PLANNED = {"planned_start": "19:30", "planned_end": "21:00", "meeting_day": "2026-12-05"}
COUNTED = {**PLANNED, "held": "yes", "held_on": "2026-12-05", "start": "19:30", "end": "21:15"}


def choice(value: str) -> Input:
    return Input("choice", value)


def text(value: str) -> Input:
    return Input("text", value)


@dataclass(frozen=True)
class Case:
    step: Step
    before: dict[str, Any]
    valid: Input
    then: Step
    saved: dict[str, Any]  # what the valid answer leaves in the answers
    invalid: Input


TOPICS = [(3, "Kết nạp đảng viên"), (4, "Quốc phòng - an ninh")]
CASES = [
    Case(Step.HELD, PLANNED, choice("yes"), Step.TIMES, {"held_on": "2026-12-05"}, text("có")),
    Case(Step.HELD_DATE, PLANNED, text("07/12"), Step.TIMES, {"held_on": "2026-12-07"}, text("x")),
    Case(
        Step.NOT_HELD_REASON,
        PLANNED,
        text("Mưa bão"),
        Step.REVIEW,
        {"not_held_reason": "Mưa bão"},
        text("x" * 501),
    ),
    Case(
        Step.TIMES,
        PLANNED,
        text("19h30-21h15"),
        Step.TOTAL,
        {"start": "19:30", "end": "21:15"},
        text("21h-19h"),
    ),
    Case(Step.TOTAL, COUNTED, text("18/22"), Step.EXEMPTED, {"present": 18}, text("30/22")),
    Case(
        Step.EXEMPTED,
        {**COUNTED, "total": 22},
        choice("2"),
        Step.PRESENT,
        {"exempted": 2},
        text("hai"),
    ),
    Case(
        Step.PRESENT,
        {**COUNTED, "total": 22, "exempted": 2},
        text("18"),
        Step.EXCUSED,
        {"present": 18},
        text("30"),
    ),
    Case(
        Step.EXCUSED,
        {**COUNTED, "total": 22, "exempted": 2, "present": 18},
        choice("1"),
        Step.TOPICS,
        {"excused": 1},
        text("5"),
    ),
    Case(Step.TOPICS, COUNTED, choice("3"), Step.TOPICS, {"topics": [3]}, text("Kết nạp")),
    Case(
        Step.OTHER_TOPIC,
        COUNTED,
        text("Phòng cháy"),
        Step.TOPICS,
        {"other_topic": "Phòng cháy"},
        text(""),
    ),
    Case(
        Step.CONTENT,
        COUNTED,
        text("Chi bộ đã quán triệt"),
        Step.CONTENT,
        {"content": "Chi bộ đã quán triệt"},
        choice("done"),
    ),
    Case(
        Step.CONCERNS,
        COUNTED,
        text("Đường ngập"),
        Step.CONCERNS,
        {"concerns": ["Đường ngập"]},
        text("x" * 1001),
    ),
    Case(
        Step.PROPOSALS,
        COUNTED,
        text("Sửa đường"),
        Step.PROPOSAL_FIELD,
        {"pending_proposal": {"text": "Sửa đường"}},
        Input("media", "file-1", "photo"),
    ),
    Case(
        Step.PROPOSAL_FIELD,
        {**COUNTED, "pending_proposal": {"text": "Sửa đường"}},
        choice("none"),
        Step.PROPOSAL_URGENCY,
        {"pending_proposal": {"text": "Sửa đường", "field_id": None}},
        text("đường"),
    ),
    Case(
        Step.PROPOSAL_URGENCY,
        {**COUNTED, "pending_proposal": {"text": "Sửa đường", "field_id": None}},
        choice("urgent"),
        Step.PROPOSALS,
        {"proposals": [{"text": "Sửa đường", "field_id": None, "urgency": "urgent"}]},
        choice("soon"),
    ),
    Case(
        Step.DROP_ITEMS,
        {**COUNTED, "dropping": "concerns", "concerns": ["Đường ngập"]},
        choice("drop"),
        Step.PROPOSALS,
        {"concerns": []},
        choice("maybe"),
    ),
    Case(
        Step.CHOOSE_ITEM,
        {**COUNTED, "item_of": "concerns", "concerns": ["Đường ngập", "Thiếu đèn"]},
        choice("2"),
        Step.ONE_ITEM,
        {"item_index": 1, "item_of": "concerns"},
        choice("3"),
    ),
    Case(
        Step.ONE_ITEM,
        {**COUNTED, "item_of": "concerns", "item_index": 0, "concerns": ["Đường ngập"]},
        text("Đường ngõ 5 ngập khi mưa"),
        Step.CONCERNS,
        {"concerns": ["Đường ngõ 5 ngập khi mưa"]},
        text("x" * 1001),
    ),
    Case(
        Step.CONTRIBUTION,
        COUNTED,
        text("Đã quán triệt nghị quyết"),
        Step.CRITERIA,
        {"contribution": "Đã quán triệt nghị quyết"},
        choice("done"),
    ),
    Case(
        Step.CONVEYED,
        {**COUNTED, "to_convey": [{"id": 9, "text": "Sửa đường", "answer": "Đã sửa"}]},
        choice("agreed"),
        Step.CRITERIA,
        {"conveyed": "agreed"},
        choice("maybe"),
    ),
    Case(
        Step.BRANCH_OPINION,
        {**COUNTED, "conveyed": "concerns"},
        text("Chi bộ đề nghị lắp thêm đèn ngõ 7"),
        Step.CRITERIA,
        {"branch_opinion": "Chi bộ đề nghị lắp thêm đèn ngõ 7"},
        choice("done"),
    ),
    Case(
        Step.CRITERIA,
        COUNTED,
        choice("minutes"),
        Step.CRITERIA,
        {"criteria": ["minutes"]},
        choice("unknown"),
    ),
    Case(Step.RATING, COUNTED, choice("fair"), Step.COMMENT, {"rating": "fair"}, text("Khá")),
    Case(Step.COMMENT, COUNTED, choice("skip"), Step.REVIEW, {}, Input("media", "v", "voice")),
]


def test_every_step_of_the_table_is_tested() -> None:
    assert {case.step for case in CASES} == set(flow.STEPS)
    assert set(flow.STEPS) == set(Step) - {Step.REVIEW}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.step.value)
def test_a_valid_answer_saves_and_moves_on(case: Case) -> None:
    outcome = flow.answer(case.before, case.step, case.valid, MEETING_DAY)
    assert outcome.error is None
    assert outcome.step == case.then
    for key, value in case.saved.items():
        assert outcome.data[key] == value
    assert case.before == {**case.before}  # the draft's answers are never changed in place


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.step.value)
def test_an_invalid_answer_is_refused_and_changes_nothing(case: Case) -> None:
    outcome = flow.answer(case.before, case.step, case.invalid, MEETING_DAY)
    assert outcome.error is not None
    assert outcome.step == case.step
    assert "visited" not in outcome.data


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.step.value)
def test_every_step_asks_with_a_question_from_the_catalog(case: Case) -> None:
    topics = [_Named(topic_id, name) for topic_id, name in TOPICS]
    fields = [_Named(n, name) for n, name in enumerate(DEFAULT_PROPOSAL_FIELDS, start=1)]
    question = flow.ask(case.before, case.step, flow.Lists(topics, fields))
    assert question.text.msgid
    for row in question.rows:
        for button in row:
            assert len(button.value.encode()) <= 24  # one part of the callback data


@dataclass(frozen=True)
class _Named:
    id: int
    name: str


def test_back_returns_to_the_step_answered_before() -> None:
    data = dict(PLANNED)
    visited = []
    for step, value in (
        (Step.HELD, choice("yes")),
        (Step.TIMES, choice("planned")),
        (Step.TOTAL, text("22")),
    ):
        outcome = flow.answer(data, step, value, MEETING_DAY)
        data = outcome.data
        visited.append(step)
    assert outcome.step == Step.EXEMPTED
    back = flow.back(data, Step.EXEMPTED)
    assert back.step == Step.TOTAL
    back = flow.back(back.data, Step.TOTAL)
    assert back.step == Step.TIMES
    assert flow.back(PLANNED, Step.HELD).step == Step.HELD  # nothing before the first


def test_the_numbers_must_add_up_and_present_total_skips_a_question() -> None:
    data = {**COUNTED, "total": 22, "exempted": 2}
    refused = flow.answer(data, Step.PRESENT, text("21"), MEETING_DAY)
    assert refused.error is not None and refused.params["used"] == 23
    fraction = flow.answer(COUNTED, Step.TOTAL, text("18/22"), MEETING_DAY)
    exempted = flow.answer(fraction.data, Step.EXEMPTED, choice("0"), MEETING_DAY)
    assert exempted.step == Step.EXCUSED  # present was given with the total


def test_none_after_proposals_asks_before_dropping_them() -> None:
    with_one = {**COUNTED, "proposals": [{"text": "x", "field_id": None, "urgency": "normal"}]}
    asked = flow.answer(with_one, Step.PROPOSALS, choice("none"), MEETING_DAY)
    assert asked.step == Step.DROP_ITEMS and asked.data["proposals"] == with_one["proposals"]
    question = flow.ask(asked.data, Step.DROP_ITEMS, flow.Lists())
    assert question.items == ("x",) and question.text.values == {"count": 1}
    kept = flow.answer(asked.data, Step.DROP_ITEMS, choice("keep"), MEETING_DAY)
    assert kept.step == Step.PROPOSALS and kept.data["proposals"] == with_one["proposals"]
    assert "dropping" not in kept.data
    assert flow.back(asked.data, Step.DROP_ITEMS).step == Step.PROPOSALS  # Back keeps them
    more = flow.answer(asked.data, Step.DROP_ITEMS, text("Sửa cống"), MEETING_DAY)
    assert more.step == Step.PROPOSAL_FIELD  # typing goes on with the list
    assert more.data["pending_proposal"] == {"text": "Sửa cống"}
    dropped = flow.answer(asked.data, Step.DROP_ITEMS, choice("drop"), MEETING_DAY)
    assert dropped.step == Step.CONTRIBUTION and dropped.data["proposals"] == []
    assert dropped.data["visited"][-1] == Step.PROPOSALS  # Back from the next step: the list
    # with nothing given, "None" moves on at once
    nothing = flow.answer(COUNTED, Step.PROPOSALS, choice("none"), MEETING_DAY)
    assert nothing.step == Step.CONTRIBUTION and nothing.data["proposals"] == []


def test_a_contribution_is_required() -> None:
    refused = flow.answer(COUNTED, Step.CONTRIBUTION, choice("done"), MEETING_DAY)
    assert refused.error is not None


def test_answers_to_convey_add_a_step_after_the_contribution() -> None:
    data = {**COUNTED, "to_convey": [{"id": 9, "text": "Sửa đường", "answer": "Đã sửa"}]}
    outcome = flow.answer(data, Step.CONTRIBUTION, text("Đã quán triệt"), MEETING_DAY)
    assert outcome.step == Step.CONVEYED


FINISHING = {
    Section.HELD: [choice("yes")],
    Section.TIMES: [choice("planned")],
    Section.ATTENDANCE: [text("22"), choice("0"), text("20"), choice("2")],
    Section.TOPICS: [choice("3"), choice("done")],
    Section.CONTENT: [text("Nội dung"), choice("done")],
    Section.CONCERNS: [text("Đường ngập"), choice("done")],
    Section.PROPOSALS: [text("Sửa đường"), choice("none"), choice("normal"), choice("done")],
    Section.CONTRIBUTION: [text("Đã quán triệt")],
    Section.CONVEYED: [choice("concerns"), text("Chi bộ đề nghị lắp thêm đèn ngõ 7")],
    Section.QUALITY: [choice("minutes"), choice("done"), choice("fair"), choice("skip")],
}


@pytest.mark.parametrize("section", list(Section))
def test_a_section_opened_from_the_review_returns_to_the_review(section: Section) -> None:
    step = flow.section_start(section)
    assert flow.STEPS[step].section == section
    data: dict[str, Any] = {**COUNTED, "editing": True}
    for value in FINISHING[section]:
        assert step != Step.REVIEW
        outcome = flow.answer(data, step, value, MEETING_DAY)
        assert outcome.error is None, (step, value)
        data, step = outcome.data, Step(outcome.step)
    assert step == Step.REVIEW


def test_a_media_message_is_taken_at_the_content_step_only() -> None:
    photo = Input("media", "file-9", "photo", "Biên bản")
    taken = flow.answer(COUNTED, Step.CONTENT, photo, MEETING_DAY)
    assert taken.data["attachments"] == [
        {"kind": "photo", "file_id": "file-9", "caption": "Biên bản"}
    ]
    assert flow.answer(COUNTED, Step.TIMES, photo, MEETING_DAY).error is not None


def test_what_is_required_before_sending() -> None:
    assert flow.validated({"held": "no"}) is not None
    assert flow.validated({"held": "no", "not_held_reason": "Mưa"}) is None
    complete = {
        **COUNTED,
        "total": 22,
        "exempted": 0,
        "present": 20,
        "excused": 2,
        "content": "x",
        "contribution": "y",
        "rating": "good",
    }
    assert flow.validated(complete) is None
    assert flow.validated({**complete, "content": ""}) is not None


def test_a_branch_with_concerns_is_asked_what_it_said() -> None:
    data = {**COUNTED, "to_convey": [{"id": 9, "text": "Sửa đường", "answer": "Đã sửa"}]}
    concerns = flow.answer(data, Step.CONVEYED, choice("concerns"), MEETING_DAY)
    assert concerns.step == Step.BRANCH_OPINION
    said = flow.answer(concerns.data, Step.BRANCH_OPINION, text("Cần sửa cả ngõ 7"), MEETING_DAY)
    assert said.step == Step.CRITERIA and said.data["branch_opinion"] == "Cần sửa cả ngõ 7"
    agreed = flow.answer(said.data, Step.CONVEYED, choice("agreed"), MEETING_DAY)
    assert "branch_opinion" not in agreed.data  # no opinion kept beside "agreed"


def test_the_criteria_the_figures_decide_are_computed_not_asked() -> None:
    # 33 members, 1 exempted, 30 present (94%), 2 excused, none unexcused; 105 minutes
    data = {**COUNTED, "total": 33, "exempted": 1, "present": 30, "excused": 2}
    question = flow.ask(data, Step.CRITERIA, flow.Lists())
    offered = {choice.value for row in question.rows for choice in row}
    assert "attendance" not in offered and "duration" not in offered and "minutes" in offered
    assert [note.values.get("mark") for note in question.notes[1:]] == ["☑", "☑"]
    assert question.notes[1].values["rate"] == 94
    refused = flow.answer(data, Step.CRITERIA, choice("attendance"), MEETING_DAY)
    assert refused.error is not None
    done = flow.answer(data, Step.CRITERIA, choice("done"), MEETING_DAY)
    assert done.data["criteria"] == ["attendance", "duration"]
    # one absent without leave: the attendance criterion is not met, whatever was ticked
    one_unexcused = {**data, "excused": 1, "criteria": ["attendance", "minutes"]}
    assert flow.criteria_met(one_unexcused) == ["duration", "minutes"]
    # 80 minutes: not met
    short = {**data, "end": "20:50"}
    assert flow.criteria_met(short) == ["attendance"]


def test_a_rating_the_criteria_do_not_bear_out_is_asked_once_more() -> None:
    data = {**COUNTED, "criteria": []}  # 105 minutes: one criterion met
    asked = flow.answer(data, Step.RATING, choice("good"), MEETING_DAY)
    assert asked.step == Step.RATING and asked.error is None and "rating" not in asked.data
    question = flow.ask(asked.data, Step.RATING, flow.Lists())
    assert question.text.values["met"] == 1 and question.text.values["all"] == 7
    kept = flow.answer(asked.data, Step.RATING, choice("good"), MEETING_DAY)
    assert kept.step == Step.COMMENT and kept.data["rating"] == "good"
    other = flow.answer(asked.data, Step.RATING, choice("average"), MEETING_DAY)
    assert other.step == Step.COMMENT and other.data["rating"] == "average"
    assert "rating_questioned" not in kept.data and "rating_questioned" not in other.data


def test_one_proposal_is_edited_or_deleted_and_keeps_its_field() -> None:
    proposals = [
        {"text": "Sửa đường", "field_id": 3, "urgency": "urgent"},
        {"text": "Lắp đèn", "field_id": None, "urgency": "normal"},
    ]
    data = {**COUNTED, "proposals": proposals}
    asked = flow.ask(data, Step.PROPOSALS, flow.Lists())
    assert [c.value for row in asked.rows for c in row] == ["none", "done", "change"]
    chosen = flow.answer(data, Step.PROPOSALS, choice("change"), MEETING_DAY)
    assert chosen.step == Step.CHOOSE_ITEM
    question = flow.ask(chosen.data, Step.CHOOSE_ITEM, flow.Lists())
    assert question.items == ("Sửa đường", "Lắp đèn")
    one = flow.answer(chosen.data, Step.CHOOSE_ITEM, choice("1"), MEETING_DAY)
    assert flow.ask(one.data, Step.ONE_ITEM, flow.Lists()).text.values["text"] == "Sửa đường"
    edited = flow.answer(one.data, Step.ONE_ITEM, text("Sửa đường ngõ 5"), MEETING_DAY)
    assert edited.step == Step.PROPOSALS
    assert edited.data["proposals"][0] == {
        "text": "Sửa đường ngõ 5",
        "field_id": 3,
        "urgency": "urgent",
    }
    assert "item_of" not in edited.data and "item_index" not in edited.data
    deleted = flow.answer(one.data, Step.ONE_ITEM, choice("delete"), MEETING_DAY)
    assert deleted.data["proposals"] == proposals[1:]
    kept = flow.answer(one.data, Step.ONE_ITEM, choice("keep"), MEETING_DAY)
    assert kept.step == Step.PROPOSALS and kept.data["proposals"] == proposals
    assert flow.back(one.data, Step.ONE_ITEM).step == Step.PROPOSALS
    # nothing given yet: nothing to edit
    assert flow.answer(COUNTED, Step.PROPOSALS, choice("change"), MEETING_DAY).error is not None


def test_a_long_topic_list_is_paged_and_keeps_what_was_ticked_on_other_pages() -> None:
    topics = [_Named(n, name) for n, name in enumerate(DEFAULT_TOPICS, start=1)]
    lists = flow.Lists(topics)
    first = flow.ask(COUNTED, Step.TOPICS, lists)
    values = [choice.value for row in first.rows for choice in row]
    assert values[: flow.TOPICS_PER_PAGE] == [str(n) for n in range(1, 7)]
    assert "page-1" in values and not any(v == "page--1" for v in values)
    ticked = flow.answer(COUNTED, Step.TOPICS, choice("2"), MEETING_DAY)
    turned = flow.answer(ticked.data, Step.TOPICS, choice("page-1"), MEETING_DAY)
    second = flow.ask(turned.data, Step.TOPICS, lists)
    shown = [choice.value for row in second.rows for choice in row]
    assert shown[0] == "7" and "page-0" in shown and "page-2" in shown
    # what was ticked on the first page is named under the question
    assert any(note.values.get("topics") == DEFAULT_TOPICS[1] for note in second.notes)
    last = flow.answer(turned.data, Step.TOPICS, choice("page-2"), MEETING_DAY)
    assert "page-3" not in [
        c.value for row in flow.ask(last.data, Step.TOPICS, lists).rows for c in row
    ]
    done = flow.answer(last.data, Step.TOPICS, choice("done"), MEETING_DAY)
    assert done.step == Step.CONTENT and done.data["topics"] == [2]
    assert "topics_page" not in done.data


def test_a_short_topic_list_is_one_page() -> None:
    lists = flow.Lists([_Named(n, f"Chủ đề {n}") for n in range(1, 9)])
    values = [c.value for row in flow.ask(COUNTED, Step.TOPICS, lists).rows for c in row]
    assert not any(value.startswith("page-") for value in values)


def test_a_proposal_is_filed_under_a_field_of_its_own_list() -> None:
    fields = [_Named(n, name) for n, name in enumerate(DEFAULT_PROPOSAL_FIELDS, start=1)]
    pending = {**COUNTED, "pending_proposal": {"text": "Sửa đường ngõ 3"}}
    question = flow.ask(pending, Step.PROPOSAL_FIELD, flow.Lists((), fields))
    labels = [c.label for row in question.rows for c in row]
    assert labels[: len(fields)] == list(DEFAULT_PROPOSAL_FIELDS) and question.pairs
    filed = flow.answer(pending, Step.PROPOSAL_FIELD, choice("3"), MEETING_DAY)
    assert filed.data["pending_proposal"]["field_id"] == 3
