"""The report conversation as pure logic: given the draft's answers, the step it is at and one
input (a button's choice, a typed text, or a voice message or photo), the next answers and
step, or a refusal saying exactly what is wrong. No database, no Telegram."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from bot.i18n import N_
from bot.services.schedules import fold

CONTENT_LIMIT = 3000
CONTENT_TOTAL_LIMIT = 12000
ITEM_LIMIT = 1000
SHORT_LIMIT = 500
CAPTION_LIMIT = 1024  # Telegram's, for sending the file back with it
MAX_ITEMS = 20
MIN_MINUTES = 90

CRITERIA = (
    ("attendance", N_("Attendance above 85%, no unexcused absence")),
    ("prepared", N_("Content prepared by the secretary; branch committee met beforehand")),
    ("duration", N_("Lasted at least 90 minutes")),
    ("discussion", N_("Many members spoke")),
    ("minutes", N_("Minutes complete")),
    ("principles", N_("Party principles kept")),
    ("follow_up", N_("Earlier conclusions carried out")),
)
RATINGS = (N_("Good"), N_("Fairly good"), N_("Average"), N_("Poor"))
RATING_CODES = ("good", "fair", "average", "poor")
# How the branch took the answers to its earlier proposals, asked when there were some.
CONVEYED_CODES = ("agreed", "concerns", "not")

# The order of the sections; Back goes to the previous step actually visited.
SECTIONS = (
    "held",
    "times",
    "attendance",
    "topics",
    "content",
    "concerns",
    "proposals",
    "contribution",
    "quality",
)


@dataclass(frozen=True)
class Input:
    kind: str  # "choice", "text" or "media"
    value: str = ""
    media_kind: str = ""
    caption: str = ""  # what the member wrote under a photo or file


@dataclass
class Outcome:
    data: dict[str, Any]
    step: str
    error: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def refuse(data: dict[str, Any], step: str, error: str, **params: Any) -> Outcome:
    return Outcome(data, step, error, params)


_NUMBER = re.compile(r"^\s*(\d{1,4})\s*$")
_FRACTION = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,4})\s*$")
_SPAN = re.compile(
    r"^\s*(\d{1,2})\s*(?:h|:|gio)\s*(\d{2})?\s*(?:-|den|–|toi)\s*(\d{1,2})\s*(?:h|:|gio)\s*(\d{2})?\s*$"
)
_DAY = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2,4}))?\s*$")


def parse_span(text: str) -> tuple[time, time] | None:
    match = _SPAN.match(fold(text))
    if match is None:
        return None
    try:
        start = time(int(match.group(1)), int(match.group(2) or 0))
        end = time(int(match.group(3)), int(match.group(4) or 0))
    except ValueError:
        return None
    return start, end


def minutes_between(start: str, end: str) -> int:
    first, last = time.fromisoformat(start), time.fromisoformat(end)
    return (last.hour * 60 + last.minute) - (first.hour * 60 + first.minute)


def parse_day_of(text: str, meeting_day: date) -> date | None:
    match = _DAY.match(text)
    if match is None:
        return None
    year = meeting_day.year
    if match.group(3):
        year = int(match.group(3)) + (2000 if len(match.group(3)) == 2 else 0)
    try:
        return date(year, int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


def unexcused(data: dict[str, Any]) -> int:
    return data["total"] - data["exempted"] - data["present"] - data["excused"]


def attendance_rate(data: dict[str, Any]) -> float | None:
    expected = data.get("total", 0) - data.get("exempted", 0)
    if not data.get("total") or expected <= 0:
        return None
    return data.get("present", 0) / expected


def _number(value: Input) -> int | None:
    if value.kind == "choice" and value.value.isdigit():
        return int(value.value)
    if value.kind != "text":
        return None
    match = _NUMBER.match(value.value)
    return int(match.group(1)) if match else None


ORDER = {
    "held": "times",
    "held_date": "times",
    "not_held_reason": "review",
    "times": "total",
    "total": "exempted",
    "present": "excused",
    "excused": "topics",
    "topics": "content",
    "content": "concerns",
    "concerns": "proposals",
    "proposals": "contribution",
    "contribution": "criteria",
    "conveyed": "criteria",
    "criteria": "rating",
    "rating": "comment",
    "comment": "review",
}
# The last step of each section: editing a section from the review returns there after it.
SECTION_ENDS = {
    "held",
    "held_date",
    "not_held_reason",
    "times",
    "excused",
    "topics",
    "content",
    "concerns",
    "proposals",
    "contribution",
    "conveyed",
    "comment",
}


def next_after(step: str, data: dict[str, Any]) -> str:
    """The step after `step`, or the review when a section was being edited."""
    if data.get("editing") and step in SECTION_ENDS:
        return "review"
    if step == "exempted":
        return "excused" if "present" in data else "present"
    if step == "contribution" and data.get("to_convey"):
        return "conveyed"  # the answers to the branch's earlier proposals: conveyed?
    return ORDER.get(step, "review")


def answer(data: dict[str, Any], step: str, value: Input, meeting_day: date) -> Outcome:
    """Apply one input at one step."""
    data = copy.deepcopy(data)

    def go(next_step: str | None = None) -> Outcome:
        chosen = next_step or next_after(step, data)
        data.setdefault("visited", []).append(step)
        return Outcome(data, chosen)

    if value.kind == "media" and step != "content":
        return refuse(
            data,
            step,
            N_(
                "A photo or voice message is taken at the content step only;"
                " please answer this step with the buttons or a text."
            ),
        )
    match step:
        case "held":
            if value.value == "yes":
                data.update(held="yes", held_on=meeting_day.isoformat())
                return go()
            if value.value == "other":
                data["held"] = "other_date"
                return go("held_date")
            if value.value == "no":
                data["held"] = "no"
                return go("not_held_reason")
            return refuse(data, step, N_("Please answer with one of the buttons."))
        case "held_date":
            day = parse_day_of(value.value, meeting_day) if value.kind == "text" else None
            if day is None:
                return refuse(data, step, N_("Please write the date as dd/mm, e.g. 07/12."))
            if abs((day - meeting_day).days) > 62:
                return refuse(
                    data, step, N_("That date is more than two months from the meeting's.")
                )
            data["held_on"] = day.isoformat()
            return go()
        case "not_held_reason":
            text = value.value.strip() if value.kind == "text" else ""
            if not text:
                return refuse(data, step, N_("Please write why the meeting was not held."))
            if len(text) > SHORT_LIMIT:
                return refuse(
                    data,
                    step,
                    N_("Please keep it under {limit} characters; yours has {length}."),
                    limit=SHORT_LIMIT,
                    length=len(text),
                )
            data["not_held_reason"] = text
            return go()
        case "times":
            if value.kind == "choice" and value.value == "planned":
                start, end = data["planned_start"], data["planned_end"]
            else:
                span = parse_span(value.value) if value.kind == "text" else None
                if span is None:
                    return refuse(
                        data, step, N_("Please write the start and end like 19h30-21h15.")
                    )
                start, end = span[0].strftime("%H:%M"), span[1].strftime("%H:%M")
            if minutes_between(start, end) <= 0:
                return refuse(
                    data,
                    step,
                    N_("The end ({end}) must be after the start ({start})."),
                    start=start,
                    end=end,
                )
            data.update(start=start, end=end)
            return go()
        case "total":
            if value.kind == "text" and (match := _FRACTION.match(value.value)):
                present, total = int(match.group(1)), int(match.group(2))
                if present > total:
                    return refuse(
                        data,
                        step,
                        N_("Present ({present}) cannot be more than the total ({total})."),
                        present=present,
                        total=total,
                    )
                data.update(total=total, present=present)
                return go()
            number = _number(value)
            if number is None or number == 0:
                return refuse(
                    data,
                    step,
                    N_(
                        "Please write the number of members, e.g. 22, or present/total, e.g. 18/22."
                    ),
                )
            data["total"] = number
            data.pop("present", None)
            return go()
        case "exempted" | "present" | "excused":
            number = _number(value)
            if number is None:
                return refuse(data, step, N_("Please write a whole number, e.g. 2."))
            data[step] = number
            total = data["total"]
            used = (
                data.get("exempted", 0)
                + data.get("present", 0)
                + (data.get("excused", 0) if step == "excused" else 0)
            )
            if used > total:
                return refuse(
                    data,
                    step,
                    N_(
                        "The numbers do not add up: exempted ({exempted}) + present ({present})"
                        " + absent with reason ({excused}) = {used}, more than the total ({total})."
                    ),
                    exempted=data.get("exempted", 0),
                    present=data.get("present", 0),
                    excused=data.get("excused", 0) if step == "excused" else 0,
                    used=used,
                    total=total,
                )
            return go()
        case "topics":
            if value.kind == "choice" and value.value == "done":
                return go()
            if value.kind == "choice" and value.value == "other":
                return Outcome(data, "other_topic")
            if value.kind == "choice" and value.value.isdigit():
                chosen = set(data.get("topics", []))
                chosen ^= {int(value.value)}
                data["topics"] = sorted(chosen)
                return Outcome(data, "topics")
            return refuse(
                data, step, N_("Please tick the topics with the buttons, then press Done.")
            )
        case "other_topic":
            text = value.value.strip() if value.kind == "text" else ""
            if not text or len(text) > SHORT_LIMIT:
                return refuse(
                    data,
                    step,
                    N_("Please write the other topic in under {limit} characters."),
                    limit=SHORT_LIMIT,
                )
            data["other_topic"] = text
            return Outcome(data, "topics")
        case "content":
            if value.kind == "media":
                attachment = {"kind": value.media_kind, "file_id": value.value}
                if value.caption.strip():
                    attachment["caption"] = value.caption.strip()[:CAPTION_LIMIT]
                data.setdefault("attachments", []).append(attachment)
                return Outcome(data, "content")
            if value.kind == "choice" and value.value == "done":
                if not data.get("content") and not data.get("attachments"):
                    return refuse(
                        data, step, N_("Please write a short summary of the meeting first.")
                    )
                return go()
            if value.kind != "text" or not value.value.strip():
                return refuse(data, step, N_("Please write the summary as text."))
            text = value.value.strip()
            if len(text) > CONTENT_LIMIT:
                return refuse(
                    data,
                    step,
                    N_(
                        "This message has {length} characters; one part may have up to {limit}."
                        " Nothing was saved: please send it in shorter parts, one after another."
                    ),
                    length=len(text),
                    limit=CONTENT_LIMIT,
                )
            content = f"{data['content']}\n{text}" if data.get("content") else text
            if len(content) > CONTENT_TOTAL_LIMIT:
                return refuse(
                    data,
                    step,
                    N_("The summary would exceed {limit} characters; please shorten it."),
                    limit=CONTENT_TOTAL_LIMIT,
                )
            data["content"] = content
            return Outcome(data, "content")
        case "concerns" | "proposals" | "contribution" | "comment":
            return _items(data, step, value, go)
        case "proposal_topic":
            if value.kind == "choice" and (value.value.isdigit() or value.value == "none"):
                data["pending_proposal"]["topic_id"] = (
                    int(value.value) if value.value.isdigit() else None
                )
                return Outcome(data, "proposal_urgency")
            return refuse(data, step, N_("Please choose the field with the buttons."))
        case "proposal_urgency":
            if value.kind == "choice" and value.value in ("normal", "urgent"):
                pending = data.pop("pending_proposal")
                pending["urgency"] = value.value
                data.setdefault("proposals", []).append(pending)
                return Outcome(data, "proposals")
            return refuse(data, step, N_("Please choose the urgency with the buttons."))
        case "criteria":
            if value.kind == "choice" and value.value == "done":
                return go()
            codes = [code for code, _ in CRITERIA]
            if value.kind == "choice" and value.value in codes:
                chosen = set(data.get("criteria", []))
                chosen ^= {value.value}
                data["criteria"] = [code for code in codes if code in chosen]
                return Outcome(data, "criteria")
            return refuse(
                data, step, N_("Please tick the criteria with the buttons, then press Done.")
            )
        case "conveyed":
            if value.kind == "choice" and value.value in CONVEYED_CODES:
                data["conveyed"] = value.value
                return go()
            return refuse(data, step, N_("Please answer with one of the buttons."))
        case "rating":
            if value.kind == "choice" and value.value in RATING_CODES:
                data["rating"] = value.value
                return go()
            return refuse(data, step, N_("Please choose the rating with the buttons."))
    return refuse(data, step, N_("Please answer with one of the buttons."))


def _items(data: dict[str, Any], step: str, value: Input, go) -> Outcome:
    if value.kind == "choice" and value.value in ("done", "none", "skip"):
        if step == "contribution" and not data.get("contribution"):
            return refuse(
                data, step, N_("Please write what you conveyed and the guidance you gave.")
            )
        if value.value == "none" and step in ("concerns", "proposals"):
            data[step] = []
        return go()
    if value.kind != "text" or not value.value.strip():
        return refuse(data, step, N_("Please write it as text."))
    text = value.value.strip()
    if len(text) > ITEM_LIMIT:
        return refuse(
            data,
            step,
            N_(
                "This has {length} characters; please keep each item under"
                " {limit}. Nothing was saved."
            ),
            length=len(text),
            limit=ITEM_LIMIT,
        )
    if step in ("contribution", "comment"):
        data[step] = text
        return go()
    items = data.setdefault(step, [])
    if len(items) >= MAX_ITEMS:
        return refuse(data, step, N_("At most {limit} items; please press Done."), limit=MAX_ITEMS)
    if step == "proposals":
        data["pending_proposal"] = {"text": text}
        return Outcome(data, "proposal_topic")
    items.append(text)
    return Outcome(data, step)


def back(data: dict[str, Any], step: str) -> Outcome:
    data = copy.deepcopy(data)
    visited = data.get("visited", [])
    if not visited:
        return Outcome(data, step)
    previous = visited.pop()
    return Outcome(data, previous)


def section_start(section: str) -> str:
    return {
        "held": "held",
        "times": "times",
        "attendance": "total",
        "topics": "topics",
        "content": "content",
        "concerns": "concerns",
        "proposals": "proposals",
        "contribution": "contribution",
        "quality": "criteria",
    }[section]


def first_step() -> str:
    return "held"


REQUIRED = {
    "start": N_("the start and end times"),
    "total": N_("the attendance"),
    "excused": N_("the attendance"),
    "contribution": N_("your contribution"),
    "rating": N_("the rating"),
}


def validated(data: dict[str, Any]) -> str | None:
    """Why the draft cannot be sent yet (a catalog text), or None."""
    if data.get("held") == "no":
        return None if data.get("not_held_reason") else N_("the reason the meeting was not held")
    for key, what in REQUIRED.items():
        if key not in data:
            return what
    if not data.get("content") and not data.get("attachments"):
        return N_("the summary of the content")
    return None


def held_at(data: dict[str, Any], which: str, zone) -> datetime | None:
    """When the meeting started ("start") or ended ("end"), if it was held."""
    if data.get("held") == "no" or which not in data:
        return None
    day = date.fromisoformat(data["held_on"])
    return datetime.combine(day, time.fromisoformat(data[which]), tzinfo=zone)
