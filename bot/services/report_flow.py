"""The report conversation, declared once: a table of steps. Each step says what it asks (a
question from the catalog and its choices, for the renderer to show as text and buttons),
how it reads an answer (a button's choice, a typed text, or a voice message or photo), and
which step comes next. Pure logic: no database, no Telegram.

`answer(data, step, value, meeting_day)` applies one input at one step and gives the next
answers and step, or a refusal saying exactly what is wrong; `back` goes to the previous
step actually visited; `section_start` opens a section from the review.
"""

from __future__ import annotations

import copy
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from bot.domain import quality
from bot.domain.quality import CONVEYED_CODES, CRITERIA, RATING_CODES, RATINGS
from bot.domain.schedules import fold
from bot.i18n import N_
from bot.services.questions import Choice, Data, Input, Outcome, Question, Text

CONTENT_LIMIT = 3000
CONTENT_TOTAL_LIMIT = 12000
ITEM_LIMIT = 1000
SHORT_LIMIT = 500
CAPTION_LIMIT = 1024  # Telegram's, for sending the file back with it
MAX_ITEMS = 20
MIN_MINUTES = 90


class Step(enum.StrEnum):
    HELD = "held"
    HELD_DATE = "held_date"
    NOT_HELD_REASON = "not_held_reason"
    TIMES = "times"
    TOTAL = "total"
    EXEMPTED = "exempted"
    PRESENT = "present"
    EXCUSED = "excused"
    TOPICS = "topics"
    OTHER_TOPIC = "other_topic"
    CONTENT = "content"
    CONCERNS = "concerns"
    PROPOSALS = "proposals"
    PROPOSAL_FIELD = "proposal_topic"  # the value drafts saved before fields had a list
    PROPOSAL_URGENCY = "proposal_urgency"
    DROP_ITEMS = "drop_items"  # "None" pressed after items were given: drop them, or keep
    CHOOSE_ITEM = "choose_item"  # one of the concerns or proposals given, to edit or delete
    ONE_ITEM = "one_item"  # that item: typed anew, deleted, or kept
    CONTRIBUTION = "contribution"
    CONVEYED = "conveyed"
    BRANCH_OPINION = "branch_opinion"  # the branch still has concerns: what it said
    CRITERIA = "criteria"
    RATING = "rating"
    COMMENT = "comment"
    REVIEW = "review"  # the whole report, an edit button per section, and Send


class Section(enum.StrEnum):
    """The parts of a report the review lists, each with its edit button."""

    HELD = "held"
    TIMES = "times"
    ATTENDANCE = "attendance"
    TOPICS = "topics"
    CONTENT = "content"
    CONCERNS = "concerns"
    PROPOSALS = "proposals"
    CONTRIBUTION = "contribution"
    CONVEYED = "conveyed"  # the answers to the branch's earlier proposals, conveyed or not
    QUALITY = "quality"


SECTION_NAMES = {
    Section.HELD: N_("Held"),
    Section.TIMES: N_("Times"),
    Section.ATTENDANCE: N_("Attendance"),
    Section.TOPICS: N_("Topics"),
    Section.CONTENT: N_("Content"),
    Section.CONCERNS: N_("Wishes"),
    Section.PROPOSALS: N_("Proposals"),
    Section.CONTRIBUTION: N_("Your contribution"),
    Section.CONVEYED: N_("Answers conveyed"),
    Section.QUALITY: N_("Quality"),
}
# How the branch took the answers to its earlier proposals (the "conveyed" step).
CONVEYED = {
    "agreed": N_("Conveyed; the branch agreed"),
    "concerns": N_("Conveyed; the branch still has concerns"),
    "not": N_("Not conveyed"),
}


# ---------------------------------------------------------------- what a step asks


class Named(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Lists:
    """The lists the office keeps that steps offer as buttons."""

    topics: Sequence[Named] = ()  # what a meeting may have discussed
    fields: Sequence[Named] = ()  # what a proposal may concern


# ---------------------------------------------------------------- what an answer gives


def refuse(data: Data, step: str, error: str, **params: Any) -> Outcome:
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


def unexcused(data: Data) -> int:
    return int(data["total"] - data["exempted"] - data["present"] - data["excused"])


def attendance_rate(data: Data) -> float | None:
    expected = data.get("total", 0) - data.get("exempted", 0)
    if not data.get("total") or expected <= 0:
        return None
    return float(data.get("present", 0) / expected)


def computed_criteria(data: Data) -> dict[str, bool]:
    """The criteria the report's figures decide (bot/domain/quality.py), as far as they are
    given yet."""
    counted = all(key in data for key in ("total", "exempted", "present", "excused"))
    timed = bool(data.get("start") and data.get("end"))
    return quality.computed_criteria(
        data["total"] - data["exempted"] if counted else None,
        data["present"] if counted else None,
        unexcused(data) if counted else None,
        minutes_between(data["start"], data["end"]) if timed else None,
    )


def criteria_met(data: Data) -> list[str]:
    """The criteria met: computed from the figures where they decide, ticked otherwise."""
    return quality.criteria_met(data.get("criteria", []), computed_criteria(data))


def _number(value: Input) -> int | None:
    if value.kind == "choice" and value.value.isdigit():
        return int(value.value)
    if value.kind != "text":
        return None
    match = _NUMBER.match(value.value)
    return int(match.group(1)) if match else None


def _text(value: Input) -> str:
    return value.value.strip() if value.kind == "text" else ""


def _choice(value: Input, *choices: str) -> str | None:
    return value.value if value.kind == "choice" and value.value in choices else None


ANSWER_WITH_BUTTONS = N_("Please answer with one of the buttons.")
DONE = Choice(Text(N_("✅ Done")), "done")
NONE_OR_DONE = (Choice(Text(N_("None")), "none"), DONE)
SMALL_NUMBERS = tuple(Choice(str(n), str(n)) for n in range(4))


# ---------------------------------------------------------------- the steps


class ReportStep:
    """One step: what it asks, how it reads an answer, and what comes after it. A step that
    ends a section returns to the review when that section was opened from the review."""

    name: ClassVar[Step]
    section: ClassVar[Section | None] = None
    ends_section: ClassVar[bool] = False
    then: ClassVar[Step | None] = None  # the next step, when the step does not decide

    def ask(self, data: Data, lists: Lists) -> Question:
        raise NotImplementedError

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        raise NotImplementedError

    def next(self, data: Data) -> Step:
        return self.then or Step.REVIEW

    # What read() returns: on to the next step (the step is remembered for Back), to
    # another step of the same answer, or the same step again.
    def done(self, data: Data, to: Step | None = None) -> Outcome:
        data.setdefault("visited", []).append(self.name.value)
        if to is None:
            to = Step.REVIEW if data.get("editing") and self.ends_section else self.next(data)
        return Outcome(data, to.value)

    def stay(self, data: Data, to: Step | None = None) -> Outcome:
        return Outcome(data, (to or self.name).value)

    def refuse(self, data: Data, error: str, **params: Any) -> Outcome:
        return refuse(data, self.name.value, error, **params)

    def written_item(self, data: Data, value: Input) -> str | Outcome:
        """One concern or proposal typed, or why it is refused."""
        return self.written(
            data,
            value,
            ITEM_LIMIT,
            N_("Please write it as text."),
            N_(
                "This has {length} characters; please keep each item under"
                " {limit}. Nothing was saved."
            ),
        )

    def written(
        self, data: Data, value: Input, limit: int, missing: str, too_long: str
    ) -> str | Outcome:
        """The text typed at this step, or the refusal: no text, or more than `limit`
        characters (the refusal gives the limit and the length; nothing is cut)."""
        text = _text(value)
        if not text:
            return self.refuse(data, missing, limit=limit)
        if len(text) > limit:
            return self.refuse(data, too_long, limit=limit, length=len(text))
        return text


class Held(ReportStep):
    name, section, ends_section, then = Step.HELD, Section.HELD, True, Step.TIMES

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(
            Text(N_("1/9. Was the meeting held?")),
            (
                (Choice(Text(N_("Yes, as planned")), "yes"),),
                (Choice(Text(N_("Yes, on another date")), "other"),),
                (Choice(Text(N_("It was not held")), "no"),),
            ),
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        match _choice(value, "yes", "other", "no"):
            case "yes":
                data.update(held="yes", held_on=meeting_day.isoformat())
                return self.done(data)
            case "other":
                data["held"] = "other_date"
                return self.done(data, Step.HELD_DATE)
            case "no":
                data["held"] = "no"
                return self.done(data, Step.NOT_HELD_REASON)
        return self.refuse(data, ANSWER_WITH_BUTTONS)


class HeldDate(ReportStep):
    name, section, ends_section, then = Step.HELD_DATE, Section.HELD, True, Step.TIMES

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(Text(N_("On which date was it held? Write it as dd/mm, e.g. 07/12.")))

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        day = parse_day_of(value.value, meeting_day) if value.kind == "text" else None
        if day is None:
            return self.refuse(data, N_("Please write the date as dd/mm, e.g. 07/12."))
        if abs((day - meeting_day).days) > 62:
            return self.refuse(data, N_("That date is more than two months from the meeting's."))
        data["held_on"] = day.isoformat()
        return self.done(data)


class NotHeldReason(ReportStep):
    name, section, ends_section = Step.NOT_HELD_REASON, Section.HELD, True

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(Text(N_("Why was the meeting not held? Please write the reason.")))

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        text = self.written(
            data,
            value,
            SHORT_LIMIT,
            N_("Please write why the meeting was not held."),
            N_("Please keep it under {limit} characters; yours has {length}."),
        )
        if isinstance(text, Outcome):
            return text
        data["not_held_reason"] = text
        return self.done(data)


class Times(ReportStep):
    name, section, ends_section, then = Step.TIMES, Section.TIMES, True, Step.TOTAL

    def ask(self, data: Data, lists: Lists) -> Question:
        planned = Text(
            N_("As planned: {start}–{end}"),
            {"start": data["planned_start"], "end": data["planned_end"]},
        )
        return Question(
            Text(N_("2/9. When did it start and end? Write e.g. 19h30-21h15.")),
            ((Choice(planned, "planned"),),),
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        if _choice(value, "planned"):
            start, end = data["planned_start"], data["planned_end"]
        else:
            span = parse_span(value.value) if value.kind == "text" else None
            if span is None:
                return self.refuse(data, N_("Please write the start and end like 19h30-21h15."))
            start, end = span[0].strftime("%H:%M"), span[1].strftime("%H:%M")
        if minutes_between(start, end) <= 0:
            return self.refuse(
                data,
                N_("The end ({end}) must be after the start ({start})."),
                start=start,
                end=end,
            )
        data.update(start=start, end=end)
        return self.done(data)


class Total(ReportStep):
    name, section, then = Step.TOTAL, Section.ATTENDANCE, Step.EXEMPTED

    def ask(self, data: Data, lists: Lists) -> Question:
        rows: tuple[tuple[Choice, ...], ...] = ()
        if data.get("last_total"):
            last = Text(N_("{count} (as last time)"), {"count": data["last_total"]})
            rows = ((Choice(last, str(data["last_total"])),),)
        return Question(
            Text(
                N_(
                    "3/9. How many members does the branch have? You may also"
                    " write present/total, e.g. 18/22."
                )
            ),
            rows,
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        if value.kind == "text" and (match := _FRACTION.match(value.value)):
            present, total = int(match.group(1)), int(match.group(2))
            if present > total:
                return self.refuse(
                    data,
                    N_("Present ({present}) cannot be more than the total ({total})."),
                    present=present,
                    total=total,
                )
            data.update(total=total, present=present)
            return self.done(data)
        number = _number(value)
        if number is None or number == 0:
            return self.refuse(
                data,
                N_("Please write the number of members, e.g. 22, or present/total, e.g. 18/22."),
            )
        data["total"] = number
        data.pop("present", None)
        return self.done(data)


class _Count(ReportStep):
    """Exempted, present, absent with reason: a whole number that, with those before it,
    does not exceed the total."""

    section = Section.ATTENDANCE
    question: ClassVar[str]
    small_numbers: ClassVar[bool] = True

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(Text(self.question), (SMALL_NUMBERS,) if self.small_numbers else ())

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        number = _number(value)
        if number is None:
            return self.refuse(data, N_("Please write a whole number, e.g. 2."))
        data[self.name.value] = number
        total = data["total"]
        excused = data.get("excused", 0) if self.name == Step.EXCUSED else 0
        used = data.get("exempted", 0) + data.get("present", 0) + excused
        if used > total:
            return self.refuse(
                data,
                N_(
                    "The numbers do not add up: exempted ({exempted}) + present ({present})"
                    " + absent with reason ({excused}) = {used}, more than the total ({total})."
                ),
                exempted=data.get("exempted", 0),
                present=data.get("present", 0),
                excused=excused,
                used=used,
                total=total,
            )
        return self.done(data)


class Exempted(_Count):
    name = Step.EXEMPTED
    question = N_("How many members are exempted from meetings (miễn sinh hoạt)?")

    def next(self, data: Data) -> Step:
        # "18/22" at the total gave the number present: it is not asked again.
        return Step.EXCUSED if "present" in data else Step.PRESENT


class Present(_Count):
    name, then, small_numbers = Step.PRESENT, Step.EXCUSED, False
    question = N_("How many members were present?")


class Excused(_Count):
    name, ends_section, then = Step.EXCUSED, True, Step.TOPICS
    question = N_("How many were absent with a reason? The rest count as absent without reason.")


# A checklist longer than this is paged, so that its question stays on a phone's screen.
TOPICS_PER_PAGE = 6
TOPICS_ON_ONE_PAGE = 8


class Topics(ReportStep):
    name, section, ends_section, then = Step.TOPICS, Section.TOPICS, True, Step.CONTENT

    def ask(self, data: Data, lists: Lists) -> Question:
        chosen = set(data.get("topics", []))
        topics, page, pages = _page_of(list(lists.topics), data.get("topics_page", 0))
        rows: list[tuple[Choice, ...]] = [
            (Choice(topic.name, str(topic.id), topic.id in chosen),) for topic in topics
        ]
        notes: list[Text] = []
        if pages > 1:
            turn = []
            if page > 0:
                turn.append(Choice(Text(N_("◀ Previous page")), f"page-{page - 1}"))
            if page < pages - 1:
                turn.append(Choice(Text(N_("Next page ▶")), f"page-{page + 1}"))
            rows.append(tuple(turn))
            notes.append(Text(N_("Page {page} of {pages}."), {"page": page + 1, "pages": pages}))
            ticked = [topic.name for topic in lists.topics if topic.id in chosen]
            if data.get("other_topic"):
                ticked.append(data["other_topic"])
            if ticked:
                notes.append(Text(N_("Ticked so far: {topics}."), {"topics": "; ".join(ticked)}))
        rows.append((Choice(Text(N_("➕ Another topic")), "other"), DONE))
        return Question(
            Text(N_("4/9. Which topics were discussed? Tick all that apply, then press Done.")),
            tuple(rows),
            tuple(notes),
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        if _choice(value, "done"):
            data.pop("topics_page", None)
            return self.done(data)
        if _choice(value, "other"):
            return self.stay(data, Step.OTHER_TOPIC)
        if value.kind == "choice" and value.value.startswith("page-"):
            page = value.value.removeprefix("page-")
            if page.isdigit():
                data["topics_page"] = int(page)
                return self.stay(data)
        if value.kind == "choice" and value.value.isdigit():
            chosen = set(data.get("topics", []))
            chosen ^= {int(value.value)}
            data["topics"] = sorted(chosen)
            return self.stay(data)
        return self.refuse(data, N_("Please tick the topics with the buttons, then press Done."))


def _page_of(entries: list[Named], page: int) -> tuple[list[Named], int, int]:
    """The entries on one page of a checklist, the page (kept in range) and the page count."""
    if len(entries) <= TOPICS_ON_ONE_PAGE:
        return entries, 0, 1
    pages = -(-len(entries) // TOPICS_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    return entries[page * TOPICS_PER_PAGE : (page + 1) * TOPICS_PER_PAGE], page, pages


class OtherTopic(ReportStep):
    name, section = Step.OTHER_TOPIC, Section.TOPICS

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(Text(N_("Write the other topic discussed.")))

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        under = N_("Please write the other topic in under {limit} characters.")
        text = self.written(data, value, SHORT_LIMIT, under, under)
        if isinstance(text, Outcome):
            return text
        data["other_topic"] = text
        return self.stay(data, Step.TOPICS)


class Content(ReportStep):
    name, section, ends_section, then = Step.CONTENT, Section.CONTENT, True, Step.CONCERNS

    def ask(self, data: Data, lists: Lists) -> Question:
        notes: tuple[Text, ...] = ()
        if data.get("content") or data.get("attachments"):
            received = {
                "chars": len(data.get("content", "")),
                "files": len(data.get("attachments", [])),
            }
            notes = (Text(N_("Received so far: {chars} characters, {files} files."), received),)
        return Question(
            Text(
                N_(
                    "5/9. Write a summary of the content (up to 3,000 characters per message;"
                    " send more parts if needed). A photo of the minutes or a voice message is"
                    " welcome too. Press Done when finished."
                )
            ),
            ((DONE,),),
            notes,
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        if value.kind == "media":
            attachment = {"kind": value.media_kind, "file_id": value.value}
            if value.caption.strip():
                attachment["caption"] = value.caption.strip()[:CAPTION_LIMIT]
            data.setdefault("attachments", []).append(attachment)
            return self.stay(data)
        if _choice(value, "done"):
            if not data.get("content") and not data.get("attachments"):
                return self.refuse(data, N_("Please write a short summary of the meeting first."))
            return self.done(data)
        text = self.written(
            data,
            value,
            CONTENT_LIMIT,
            N_("Please write the summary as text."),
            N_(
                "This message has {length} characters; one part may have up to {limit}."
                " Nothing was saved: please send it in shorter parts, one after another."
            ),
        )
        if isinstance(text, Outcome):
            return text
        content = f"{data['content']}\n{text}" if data.get("content") else text
        if len(content) > CONTENT_TOTAL_LIMIT:
            return self.refuse(
                data,
                N_("The summary would exceed {limit} characters; please shorten it."),
                limit=CONTENT_TOTAL_LIMIT,
            )
        data["content"] = content
        return self.stay(data)


class _Written(ReportStep):
    """A step answered by writing: a list of items (concerns, proposals), or one text (the
    contribution, the comment)."""

    ends_section = True
    listed: ClassVar[bool] = True
    required: ClassVar[str | None] = None  # what to say if Done comes before any text

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        if self.listed and data.get(self.name.value) and _choice(value, "change"):
            data["item_of"] = self.name.value
            return self.stay(data, Step.CHOOSE_ITEM)
        choice = _choice(value, "done", "none", "skip")
        if choice is not None:
            if self.required and not data.get(self.name.value):
                return self.refuse(data, self.required)
            if choice == "none" and self.listed and data.get(self.name.value):
                data["dropping"] = self.name.value  # asked first: nothing typed goes unasked
                return self.stay(data, Step.DROP_ITEMS)
            if choice == "none" and self.listed:
                data[self.name.value] = []
            return self.done(data)
        text = self.written_item(data, value)
        if isinstance(text, Outcome):
            return text
        if not self.listed:
            data[self.name.value] = text
            return self.done(data)
        items = data.setdefault(self.name.value, [])
        if len(items) >= MAX_ITEMS:
            return self.refuse(
                data, N_("At most {limit} items; please press Done."), limit=MAX_ITEMS
            )
        return self.add(data, items, text)

    def add(self, data: Data, items: list[Any], text: str) -> Outcome:
        items.append(text)
        return self.stay(data)


class Concerns(_Written):
    name, section, then = Step.CONCERNS, Section.CONCERNS, Step.PROPOSALS

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(
            Text(
                N_(
                    "6/9. Concerns and wishes of members and residents: send each as"
                    " a message, then press Done."
                )
            ),
            _list_rows(data.get("concerns")),
            items=tuple(data.get("concerns", [])),
        )


class Proposals(_Written):
    name, section, then = Step.PROPOSALS, Section.PROPOSALS, Step.CONTRIBUTION

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(
            Text(
                N_(
                    "7/9. Proposals to the higher level: send each as a message;"
                    " you will then choose its field and urgency. Press Done when"
                    " finished."
                )
            ),
            _list_rows(data.get("proposals")),
            items=tuple(p["text"] for p in data.get("proposals", [])),
        )

    def add(self, data: Data, items: list[Any], text: str) -> Outcome:
        data["pending_proposal"] = {"text": text}  # its field and urgency come next
        return self.stay(data, Step.PROPOSAL_FIELD)


class ProposalFieldChoice(ReportStep):
    name, section = Step.PROPOSAL_FIELD, Section.PROPOSALS

    def ask(self, data: Data, lists: Lists) -> Question:
        rows = [(Choice(field.name, str(field.id)),) for field in lists.fields]
        rows.append((Choice(Text(N_("Other field")), "none"),))
        return Question(
            Text(N_("Which field does this proposal concern?")), tuple(rows), pairs=True
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        if value.kind == "choice" and (value.value.isdigit() or value.value == "none"):
            field = int(value.value) if value.value.isdigit() else None
            data["pending_proposal"]["field_id"] = field
            return self.stay(data, Step.PROPOSAL_URGENCY)
        return self.refuse(data, N_("Please choose the field with the buttons."))


class ProposalUrgency(ReportStep):
    name, section = Step.PROPOSAL_URGENCY, Section.PROPOSALS

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(
            Text(N_("How urgent is it?")),
            ((Choice(Text(N_("Normal")), "normal"), Choice(Text(N_("🔴 Urgent")), "urgent")),),
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        urgency = _choice(value, "normal", "urgent")
        if urgency is None:
            return self.refuse(data, N_("Please choose the urgency with the buttons."))
        pending = data.pop("pending_proposal")
        pending["urgency"] = urgency
        data.setdefault("proposals", []).append(pending)
        return self.stay(data, Step.PROPOSALS)


def _list_rows(items: list[Any] | None) -> tuple[tuple[Choice, ...], ...]:
    """A list's buttons: None and Done, and once something is given, to edit or delete one."""
    if not items:
        return (NONE_OR_DONE,)
    return (NONE_OR_DONE, (Choice(Text(N_("✏ Edit or delete one")), "change"),))


def _item_text(item: Any) -> str:
    return str(item["text"] if isinstance(item, dict) else item)


class ChooseItem(ReportStep):
    """Which of the concerns or proposals given is to be edited or deleted: by its number
    (Back returns to the list)."""

    name = Step.CHOOSE_ITEM

    def ask(self, data: Data, lists: Lists) -> Question:
        items = data.get(data.get("item_of", ""), [])
        numbers = [Choice(str(n), str(n)) for n in range(1, len(items) + 1)]
        rows = [tuple(numbers[i : i + 5]) for i in range(0, len(numbers), 5)]
        return Question(
            Text(N_("Which one? Press its number.")),
            tuple(rows),
            items=tuple(_item_text(item) for item in items),
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        owner = _owner(data, "item_of")
        items = data.get(owner.name.value, [])
        picked = _number(value) if value.kind == "choice" else None
        if picked is None or not 1 <= picked <= len(items):
            data["item_of"] = owner.name.value
            return self.refuse(data, ANSWER_WITH_BUTTONS)
        data["item_of"], data["item_index"] = owner.name.value, picked - 1
        return self.stay(data, Step.ONE_ITEM)


class OneItem(ReportStep):
    """One concern or proposal: typed anew (a proposal keeps its field and urgency), deleted,
    or kept as it is."""

    name = Step.ONE_ITEM

    def ask(self, data: Data, lists: Lists) -> Question:
        items = data.get(data.get("item_of", ""), [])
        index = data.get("item_index", 0)
        text = _item_text(items[index]) if 0 <= index < len(items) else ""
        return Question(
            Text(
                N_(
                    "Item {number}: “{text}”. Send its new wording in one message, or press a"
                    " button."
                ),
                {"number": index + 1, "text": text},
            ),
            (
                (Choice(Text(N_("🗑 Delete this item")), "delete"),),
                (Choice(Text(N_("↩ Keep it as it is")), "keep"),),
            ),
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        index = data.pop("item_index", -1)
        owner = _owner(data, "item_of")
        items = data.get(owner.name.value, [])
        if not 0 <= index < len(items) or _choice(value, "keep"):
            return owner.stay(data)
        if _choice(value, "delete"):
            del items[index]
            return owner.stay(data)
        text = self.written_item(data, value)
        if isinstance(text, Outcome):
            data["item_of"], data["item_index"] = owner.name.value, index
            return text
        if isinstance(items[index], dict):
            items[index] = {**items[index], "text": text}
        else:
            items[index] = text
        return owner.stay(data)


def _owner(data: Data, key: str) -> ReportStep:
    """The list step a side step works on (taken off the answers); the concerns if unknown."""
    name = data.pop(key, Step.CONCERNS.value)
    return STEPS[Step(name)] if name in STEP_NAMES else STEPS[Step.CONCERNS]


class DropItems(ReportStep):
    """ "None" after concerns or proposals were given: are they to be dropped? Typing goes on
    with the list instead."""

    name = Step.DROP_ITEMS

    def ask(self, data: Data, lists: Lists) -> Question:
        items = data.get(data.get("dropping", ""), [])
        listed = tuple(item["text"] if isinstance(item, dict) else item for item in items)
        return Question(
            Text(
                N_(
                    "You pressed “None”, but {count} item(s) were given at this step (listed"
                    " below). Drop them?"
                ),
                {"count": len(listed)},
            ),
            (
                (Choice(Text(N_("🗑 Drop them")), "drop"),),
                (Choice(Text(N_("↩ Keep them")), "keep"),),
            ),
            items=listed,
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        owner = _dropping(data)
        match _choice(value, "drop", "keep"):
            case "drop":
                data[owner.name.value] = []
                return owner.done(data)
            case "keep":
                return owner.stay(data)
        if value.kind == "text":
            return owner.read(data, value, meeting_day)  # another item: the list goes on
        data["dropping"] = owner.name.value
        return self.refuse(data, ANSWER_WITH_BUTTONS)


def _dropping(data: Data) -> ReportStep:
    """The step whose items DropItems asks about (taken off the answers)."""
    return _owner(data, "dropping")


class Contribution(_Written):
    name, section, then, listed = Step.CONTRIBUTION, Section.CONTRIBUTION, Step.CRITERIA, False
    required = N_("Please write what you conveyed and the guidance you gave.")

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(
            Text(N_("8/9. Your own contribution: what you conveyed and the guidance you gave."))
        )

    def next(self, data: Data) -> Step:
        # The answers to the branch's earlier proposals: were they conveyed at this meeting?
        return Step.CONVEYED if data.get("to_convey") else Step.CRITERIA


class Conveyed(ReportStep):
    name, section, ends_section, then = Step.CONVEYED, Section.CONVEYED, True, Step.CRITERIA

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(
            Text(
                N_(
                    "8/9. The answers to the branch's earlier proposals: were they conveyed to"
                    " the branch at this meeting, and how did it take them?"
                )
            ),
            tuple((Choice(Text(CONVEYED[code]), code),) for code in CONVEYED_CODES),
            answers=tuple(
                (item["text"][:120], item["answer"][:300]) for item in data.get("to_convey", [])
            ),
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        conveyed = _choice(value, *CONVEYED_CODES)
        if conveyed is None:
            return self.refuse(data, ANSWER_WITH_BUTTONS)
        data["conveyed"] = conveyed
        if conveyed == "concerns":  # what the branch said is asked for, and kept
            return self.done(data, Step.BRANCH_OPINION)
        data.pop("branch_opinion", None)
        return self.done(data)


class BranchOpinion(_Written):
    name, section, then, listed = Step.BRANCH_OPINION, Section.CONVEYED, Step.CRITERIA, False
    required = N_("Please write in one message what the branch said about the answers.")

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(
            Text(
                N_(
                    "8/9. The branch still has concerns about the answers: please write in one"
                    " message what it said."
                )
            )
        )


class Criteria(ReportStep):
    """The criteria the figures cannot tell, ticked; those they decide are shown, with why."""

    name, section, then = Step.CRITERIA, Section.QUALITY, Step.RATING

    def ask(self, data: Data, lists: Lists) -> Question:
        chosen = set(data.get("criteria", []))
        computed = computed_criteria(data)
        rows = [
            (Choice(Text(label), code, code in chosen),)
            for code, label in CRITERIA
            if code not in computed
        ]
        rows.append((DONE,))
        notes = []
        if computed:
            notes.append(Text(N_("From the figures given (not asked):")))
        if "attendance" in computed:
            expected = data["total"] - data["exempted"]
            notes.append(
                Text(
                    N_(
                        "{mark} Attendance above 85%, no unexcused absence: {rate}% present,"
                        " {unexcused} unexcused"
                    ),
                    {
                        "mark": "☑" if computed["attendance"] else "☐",
                        "rate": round(100 * data["present"] / expected),
                        "unexcused": unexcused(data),
                    },
                )
            )
        if "duration" in computed:
            notes.append(
                Text(
                    N_("{mark} Lasted at least 90 minutes: {minutes} minutes"),
                    {
                        "mark": "☑" if computed["duration"] else "☐",
                        "minutes": minutes_between(data["start"], data["end"]),
                    },
                )
            )
        return Question(
            Text(N_("9/9. Which criteria of a good meeting were met? Tick them, then press Done.")),
            tuple(rows),
            notes=tuple(notes),
        )

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        if _choice(value, "done"):
            data["criteria"] = criteria_met(data)
            return self.done(data)
        codes = [code for code, _ in CRITERIA]
        code = _choice(value, *codes)
        if code is None:
            return self.refuse(
                data, N_("Please tick the criteria with the buttons, then press Done.")
            )
        if code in computed_criteria(data):
            return self.refuse(
                data,
                N_(
                    "This criterion follows from the figures; to change it, edit the attendance"
                    " or the times."
                ),
            )
        chosen = set(data.get("criteria", [])) ^ {code}
        data["criteria"] = [c for c in codes if c in chosen]
        return self.stay(data)


class Rating(ReportStep):
    """The rating; one the criteria met do not bear out is asked once more, never refused."""

    name, section, then = Step.RATING, Section.QUALITY, Step.COMMENT

    def ask(self, data: Data, lists: Lists) -> Question:
        choices = [
            Choice(Text(label), code) for code, label in zip(RATING_CODES, RATINGS, strict=True)
        ]
        rows = (tuple(choices[:2]), tuple(choices[2:]))
        questioned = data.get("rating_questioned")
        if questioned in RATING_CODES:
            label = RATINGS[RATING_CODES.index(questioned)]
            return Question(
                Text(
                    N_(
                        "Criteria met: {met} of {all}, which hardly bears out the rating"
                        " “{rating}”. Press it again to keep it, or choose another:"
                    ),
                    {"met": len(criteria_met(data)), "all": len(CRITERIA), "rating": Text(label)},
                ),
                rows,
            )
        return Question(Text(N_("Your rating of the meeting's quality:")), rows)

    def read(self, data: Data, value: Input, meeting_day: date) -> Outcome:
        rating = _choice(value, *RATING_CODES)
        if rating is None:
            return self.refuse(data, N_("Please choose the rating with the buttons."))
        questioned = data.pop("rating_questioned", None)
        if questioned is None and quality.rating_questioned(rating, len(criteria_met(data))):
            data["rating_questioned"] = rating
            return self.stay(data)
        data["rating"] = rating
        return self.done(data)


class Comment(_Written):
    name, section, listed = Step.COMMENT, Section.QUALITY, False

    def ask(self, data: Data, lists: Lists) -> Question:
        return Question(
            Text(N_("A comment on the quality, if any (or press Skip).")),
            ((Choice(Text(N_("Skip")), "skip"),),),
        )


STEPS: dict[Step, ReportStep] = {
    step.name: step
    for step in (
        Held(),
        HeldDate(),
        NotHeldReason(),
        Times(),
        Total(),
        Exempted(),
        Present(),
        Excused(),
        Topics(),
        OtherTopic(),
        Content(),
        Concerns(),
        Proposals(),
        ProposalFieldChoice(),
        ProposalUrgency(),
        DropItems(),
        ChooseItem(),
        OneItem(),
        Contribution(),
        Conveyed(),
        BranchOpinion(),
        Criteria(),
        Rating(),
        Comment(),
    )
}
FIRST = Step.HELD
STEP_NAMES = frozenset(step.value for step in Step)
SECTION_STARTS = {
    Section.HELD: Step.HELD,
    Section.TIMES: Step.TIMES,
    Section.ATTENDANCE: Step.TOTAL,
    Section.TOPICS: Step.TOPICS,
    Section.CONTENT: Step.CONTENT,
    Section.CONCERNS: Step.CONCERNS,
    Section.PROPOSALS: Step.PROPOSALS,
    Section.CONTRIBUTION: Step.CONTRIBUTION,
    Section.CONVEYED: Step.CONVEYED,
    Section.QUALITY: Step.CRITERIA,
}


def answer(data: Data, step: str, value: Input, meeting_day: date) -> Outcome:
    """Apply one input at one step (the review takes buttons of its own, not answers)."""
    data = copy.deepcopy(data)
    handler = STEPS.get(Step(step)) if step in STEP_NAMES else None
    if handler is None:
        return refuse(data, step, ANSWER_WITH_BUTTONS)
    if value.kind == "media" and handler.name != Step.CONTENT:
        return handler.refuse(
            data,
            N_(
                "A photo or voice message is taken at the content step only;"
                " please answer this step with the buttons or a text."
            ),
        )
    return handler.read(data, value, meeting_day)


def ask(data: Data, step: str, lists: Lists) -> Question:
    return STEPS[Step(step)].ask(data, lists)


def back(data: Data, step: str) -> Outcome:
    data = copy.deepcopy(data)
    if step == Step.DROP_ITEMS:  # Back is Keep: to the list, as it was
        return Outcome(data, _dropping(data).name.value)
    if step in (Step.CHOOSE_ITEM, Step.ONE_ITEM):  # to the list, as it was
        data.pop("item_index", None)
        return Outcome(data, _owner(data, "item_of").name.value)
    visited = data.get("visited", [])
    if not visited:
        return Outcome(data, step)
    previous = visited.pop()
    return Outcome(data, previous)


def section_start(section: Section) -> Step:
    return SECTION_STARTS[section]


REQUIRED = {
    "start": N_("the start and end times"),
    "total": N_("the attendance"),
    "excused": N_("the attendance"),
    "contribution": N_("your contribution"),
    "rating": N_("the rating"),
}


def validated(data: Data) -> str | None:
    """Why the draft cannot be sent yet (a catalog text), or None."""
    if data.get("held") == "no":
        return None if data.get("not_held_reason") else N_("the reason the meeting was not held")
    for key, what in REQUIRED.items():
        if key not in data:
            return what
    if not data.get("content") and not data.get("attachments"):
        return N_("the summary of the content")
    return None


def held_at(data: Data, which: str, zone: ZoneInfo) -> datetime | None:
    """When the meeting started ("start") or ended ("end"), if it was held."""
    if data.get("held") == "no" or which not in data:
        return None
    day = date.fromisoformat(data["held_on"])
    return datetime.combine(day, time.fromisoformat(data[which]), tzinfo=zone)
