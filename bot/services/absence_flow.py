"""Registering a period away by buttons (`/vang`, then "➕ Register a period away"): the first
day, the last day, the reason, then a confirmation. Each day is a button of the coming days
or typed ("15/2"); the reason is a button or typed. Pure logic: no database, no Telegram; the
handler saves the draft after every step and registers the period on confirmation.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

from bot.domain.parsing import parse_coming_day
from bot.formats.dates import WEEKDAYS_SHORT
from bot.formats.wording import REASON_TEXTS
from bot.i18n import N_
from bot.services.questions import Choice, Data, Input, Outcome, Question, Text

DAYS_SHOWN = 16
DAYS_A_ROW = 4
REASON_LIMIT = 300
REASON_CODES = ("trip", "ill", "family")
CANCEL = Choice(Text(N_("✖ Cancel")), "no")


class AbsenceStep(enum.StrEnum):
    FROM = "from"
    UNTIL = "until"
    REASON = "reason"
    CONFIRM = "confirm"


FIRST = AbsenceStep.FROM


def ask(data: Data, step: str, today: date) -> Question:
    match AbsenceStep(step):
        case AbsenceStep.FROM:
            return Question(
                Text(N_("From which day will you be away? Press a day, or type one (e.g. 15/2).")),
                (*day_rows(today), (CANCEL,)),
            )
        case AbsenceStep.UNTIL:
            first = date.fromisoformat(data["from"])
            return Question(
                Text(
                    N_("Away from {day}. Until which day (included)? Press or type it."),
                    {"day": f"{first:%d/%m/%Y}"},
                ),
                (*day_rows(first), (CANCEL,)),
            )
        case AbsenceStep.REASON:
            reasons = tuple((Choice(Text(REASON_TEXTS[code]), code),) for code in REASON_CODES)
            return Question(
                Text(N_("The reason, for the office: press one, or type it in one message.")),
                (
                    *reasons,
                    (Choice(Text(N_("No reason given")), "none"),),
                    (CANCEL,),
                ),
            )
        case AbsenceStep.CONFIRM:
            return Question(
                Text(N_("Register this period away?")),
                ((Choice(Text(N_("✅ Register")), "ok"), CANCEL),),
            )


def day_rows(first: date) -> tuple[tuple[Choice, ...], ...]:
    """The days from `first` on as buttons, four to a row: "T2 08/12"."""
    days = [first + timedelta(days=n) for n in range(DAYS_SHOWN)]
    choices = [Choice(Text(N_("{weekday} {day}"), _weekday_day(d)), f"d{d:%Y%m%d}") for d in days]
    return tuple(tuple(choices[i : i + DAYS_A_ROW]) for i in range(0, len(choices), DAYS_A_ROW))


def _weekday_day(day: date) -> dict[str, object]:
    return {"weekday": Text(WEEKDAYS_SHORT[day.weekday()]), "day": f"{day:%d/%m}"}


def answer(data: Data, step: str, value: Input, today: date) -> Outcome:
    """The next step and the answers so far, or the same step with why the answer is
    refused. The step "done" means confirmed, "cancelled" that the member gave up."""
    data = dict(data)
    if value.kind == "choice" and value.value == "no":
        return Outcome(data, "cancelled")
    match AbsenceStep(step):
        case AbsenceStep.FROM:
            day = _day(value, today)
            if day is None:
                return Outcome(data, step, N_("Please press a day, or type one such as 15/2."))
            if day < today:
                return Outcome(data, step, N_("That day has passed; please choose today or later."))
            data["from"] = day.isoformat()
            return Outcome(data, AbsenceStep.UNTIL)
        case AbsenceStep.UNTIL:
            first = date.fromisoformat(data["from"])
            day = _day(value, today)  # "30/11" after a first day of 01/12 is a slip, not 2027
            if day is None:
                return Outcome(data, step, N_("Please press a day, or type one such as 15/2."))
            if day < first:
                return Outcome(
                    data,
                    step,
                    N_("The last day cannot come before the first ({day})."),
                    {"day": f"{first:%d/%m/%Y}"},
                )
            data["until"] = day.isoformat()
            return Outcome(data, AbsenceStep.REASON)
        case AbsenceStep.REASON:
            if value.kind == "choice" and value.value in (*REASON_CODES, "none"):
                data["reason_code"] = value.value if value.value != "none" else ""
                data["reason"] = ""
                return Outcome(data, AbsenceStep.CONFIRM)
            if value.kind != "text" or not value.value.strip():
                return Outcome(data, step, N_("Please press a reason, or write it as text."))
            if len(value.value.strip()) > REASON_LIMIT:
                return Outcome(
                    data,
                    step,
                    N_(
                        "The reason is too long; please write it in at most 300 characters."
                        " Nothing was saved yet."
                    ),
                )
            data["reason_code"], data["reason"] = "", value.value.strip()
            return Outcome(data, AbsenceStep.CONFIRM)
        case AbsenceStep.CONFIRM:
            if value.kind == "choice" and value.value == "ok":
                return Outcome(data, "done")
            return Outcome(data, step, N_("Please answer with one of the buttons."))


def _day(value: Input, today: date) -> date | None:
    if value.kind == "choice" and value.value.startswith("d") and value.value[1:].isdigit():
        try:
            return date(int(value.value[1:5]), int(value.value[5:7]), int(value.value[7:9]))
        except ValueError:
            return None
    if value.kind == "text":
        return parse_coming_day(value.value[:40], today)
    return None
