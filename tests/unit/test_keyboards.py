"""Every keyboard fits a phone, in both catalogs: no label wider than a phone shows on its
line for its row (bot/render LABEL_ROOM). The catalog's own labels fit whole; a choice that
is data (a topic, a criterion's long name) may be cut with "…" only where the message gives
it whole. The stories check, besides, every keyboard they are shown (tests/conftest.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardMarkup

from bot.render import Screen, labels_cut_on_a_phone
from bot.render import meetings as meeting_screens
from bot.render import reports as report_screens
from bot.render import start as start_screens
from bot.services.absence_flow import AbsenceStep
from bot.services.attendance import AttendanceResult, Outcome
from bot.services.report_flow import Lists, Step
from bot.services.topics import DEFAULT_PROPOSAL_FIELDS, DEFAULT_TOPICS
from db.models import Absence, Draft, Meeting, ProposalField, Rsvp, RsvpAnswer, Topic, Unit

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
AWAY = {"from": "2026-12-08", "until": "2026-12-10", "reason_code": "ill", "reason": ""}
LANGS = ["vi", "en"]
LISTS = Lists(
    [Topic(id=n, name=name) for n, name in enumerate(DEFAULT_TOPICS, start=1)],
    [ProposalField(id=n, name=name) for n, name in enumerate(DEFAULT_PROPOSAL_FIELDS, start=1)],
)
MEETING = Meeting(id=7, revision=1, starts_at=datetime(2026, 12, 5, 19, 30, tzinfo=ZONE))
BRANCH = Unit(id=3, name="Chi bộ Khu dân cư số 12", code="CB0012")
# Answers enough for every step and for a review that lists every section.
DATA = {
    "planned_start": "19:30",
    "planned_end": "21:00",
    "meeting_day": "2026-12-05",
    "held": "yes",
    "held_on": "2026-12-05",
    "start": "19:30",
    "end": "21:15",
    "total": 22,
    "exempted": 1,
    "present": 19,
    "excused": 1,
    "topics": [1, 2],
    "content": "Nội dung",
    "concerns": ["Đường ngập"],
    "proposals": [{"text": "Sửa đường", "field_id": 1, "urgency": "normal"}],
    "pending_proposal": {"text": "Sửa đường"},
    "contribution": "Ý kiến",
    "to_convey": [{"id": 9, "text": "Lắp đèn", "answer": "Đã lắp"}],
    "conveyed": "concerns",
    "branch_opinion": "Còn ý kiến",
    "rating": "fair",
    "dropping": "concerns",
    "item_of": "proposals",
    "item_index": 0,
}


def rows_of(screen: Screen) -> list[list[str]]:
    markup = screen.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return [[button.text for button in row] for row in markup.inline_keyboard]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("step", [s for s in Step if s != Step.REVIEW], ids=str)
def test_every_step_of_the_report_fits_a_phone(step: Step, lang: str) -> None:
    draft = Draft(id=1, revision=1, data=dict(DATA), step=step.value)
    screen = report_screens.step(draft, LISTS, lang)
    rows = rows_of(screen)
    assert labels_cut_on_a_phone(rows) == []
    for label in (label for row in rows for label in row if label.endswith("…")):
        number = label.lstrip("☐☑ ").split(".")[0]
        assert f"\n{number}. " in screen.text, (label, screen.text)  # given whole


@pytest.mark.parametrize("lang", LANGS)
def test_the_catalogs_labels_fit_whole(lang: str) -> None:
    rsvp = Rsvp(id=5, answer=RsvpAnswer.PENDING, person_id=1)
    answered = AttendanceResult(Outcome.DONE, MEETING, BRANCH, rsvp)
    draft = Draft(id=1, revision=1, data=dict(DATA), step=Step.REVIEW.value)
    screens = [
        Screen("", meeting_screens.rsvp_keyboard(MEETING, rsvp, lang)),
        meeting_screens.ask_reason(MEETING, lang),
        meeting_screens.own_answer(answered, ZONE, lang),
        meeting_screens.absences(
            [Absence(id=1, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 10), reason="")],
            1,
            lang,
        ),
        meeting_screens.stand_in_invitation(MEETING, BRANCH, None, _person(), ZONE, lang),
        Screen("", report_screens.request_keyboard(5, lang)),
        report_screens.review(draft, LISTS, BRANCH, MEETING, ZONE, lang),
        start_screens.language_choice(lang),
        *(
            meeting_screens.absence_step(
                Draft(id=2, revision=1, data=dict(AWAY), step=step.value), date(2026, 12, 7), lang
            )
            for step in AbsenceStep
        ),
    ]
    for screen in screens:
        rows = rows_of(screen)
        assert labels_cut_on_a_phone(rows) == [], rows
        assert not [label for row in rows for label in row if label.endswith("…")], rows


def _person():
    from db.models import Person

    return Person(id=2, code="CB02", full_name="Trần Thị Bích Ngọc")
