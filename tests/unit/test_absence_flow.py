"""Registering a period away by buttons, step by step: pure logic."""

from __future__ import annotations

from datetime import date

from bot.domain.parsing import parse_coming_day
from bot.services import absence_flow as flow
from bot.services.absence_flow import AbsenceStep
from bot.services.questions import Input

TODAY = date(2026, 12, 7)


def test_a_typed_day_is_the_next_one_to_come() -> None:
    assert parse_coming_day("15/2", TODAY) == date(2027, 2, 15)
    assert parse_coming_day("7/12", TODAY) == date(2026, 12, 7)  # today counts
    assert parse_coming_day("6/12", TODAY) == date(2027, 12, 6)
    assert parse_coming_day("20/11/2026", TODAY) == date(2026, 11, 20)  # a full date as written
    assert parse_coming_day("31/2", TODAY) is None
    assert parse_coming_day("mai", TODAY) is None


def test_the_steps_in_order_with_buttons_and_typing() -> None:
    days = [c.value for row in flow.ask({}, AbsenceStep.FROM, TODAY).rows for c in row]
    assert days[:2] == ["d20261207", "d20261208"] and days[-1] == "no"
    assert len(days) == flow.DAYS_SHOWN + 1
    start = flow.answer({}, AbsenceStep.FROM, Input("choice", "d20261208"), TODAY)
    assert (start.step, start.data) == (AbsenceStep.UNTIL, {"from": "2026-12-08"})
    end = flow.answer(start.data, AbsenceStep.UNTIL, Input("text", "10/12"), TODAY)
    assert end.step == AbsenceStep.REASON and end.data["until"] == "2026-12-10"
    reason = flow.answer(end.data, AbsenceStep.REASON, Input("choice", "ill"), TODAY)
    assert reason.step == AbsenceStep.CONFIRM and reason.data["reason_code"] == "ill"
    typed = flow.answer(end.data, AbsenceStep.REASON, Input("text", " Họp HĐND "), TODAY)
    assert typed.data["reason"] == "Họp HĐND" and typed.data["reason_code"] == ""
    done = flow.answer(reason.data, AbsenceStep.CONFIRM, Input("choice", "ok"), TODAY)
    assert done.step == "done"


def test_bad_answers_are_refused_and_change_nothing() -> None:
    for step, data, value in [
        (AbsenceStep.FROM, {}, Input("text", "6/12/2026")),  # past
        (AbsenceStep.FROM, {}, Input("media")),
        (AbsenceStep.FROM, {}, Input("choice", "d20261399")),  # forged
        (AbsenceStep.UNTIL, {"from": "2026-12-08"}, Input("text", "7/12/2026")),
        (
            AbsenceStep.REASON,
            {"from": "2026-12-08", "until": "2026-12-09"},
            Input("text", "x" * 301),
        ),
        (AbsenceStep.REASON, {"from": "2026-12-08", "until": "2026-12-09"}, Input("media")),
        (AbsenceStep.CONFIRM, {"from": "2026-12-08", "until": "2026-12-09"}, Input("text", "ok")),
    ]:
        outcome = flow.answer(data, step, value, TODAY)
        assert outcome.error is not None and outcome.step == step and outcome.data == data
    dropped = flow.answer({"from": "2026-12-08"}, AbsenceStep.UNTIL, Input("choice", "no"), TODAY)
    assert dropped.step == "cancelled"
