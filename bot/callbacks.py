"""Callback data: short, versioned, never trusted. "1:action:part:part"; at most 64 bytes.

One small class per action says what its parts are: `int` (an id, a revision, a number),
`str` (a word the service checks) or a `Literal` of the choices its buttons carry. A renderer
packs an instance; the routing table parses a press into its action's class before the handler
runs, so a handler receives named, typed values, and a press whose data does not have its
action's shape (stale, broken or forged) is refused before any handler sees it. The ids are
still only claims: services re-check them against the database.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self, TypeVar, dataclass_transform

VERSION = "1"
LIMIT = 64
_PART = re.compile(r"^[A-Za-z0-9_\-]{1,24}$")
# An id, a sign included: a supergroup's chat id is -100 and up to 13 digits.
_INT_DIGITS = 17

YesNo = Literal["y", "n"]
OkNo = Literal["ok", "no"]


class CallbackData:
    """The base of every action's data: subclasses are frozen dataclasses with an `action`."""

    action: ClassVar[str]
    # The parser of each field, in order, filled in when the subclass is declared.
    _parts: ClassVar[tuple[tuple[str, object], ...]]

    def pack(self) -> str:
        values = tuple(str(getattr(self, name)) for name, _ in self._parts)
        data = ":".join([VERSION, self.action, *values])
        if len(data.encode()) > LIMIT or not all(_PART.match(v) for v in values):
            raise ValueError(f"callback data {data!r} is not short and plain")
        if self._values(values) is None:
            raise ValueError(f"callback data {data!r} does not have the shape of {self.action!r}")
        return data

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """The press's values, or None if it is not this action's, of an older version (a stale
        button), or not of its shape (a broken or forged one)."""
        if not data:
            return None
        pieces = data.split(":")
        if len(pieces) < 2 or pieces[0] != VERSION or pieces[1] != cls.action:
            return None
        values = cls._values(tuple(pieces[2:]))
        return None if values is None else cls(**values)

    @classmethod
    def _values(cls, parts: tuple[str, ...]) -> dict[str, object] | None:
        if len(parts) != len(cls._parts):
            return None
        values: dict[str, object] = {}
        for part, (name, kind) in zip(parts, cls._parts, strict=True):
            if not _PART.match(part):
                return None
            if kind is int:
                if not part.lstrip("-").isdigit() or len(part) > _INT_DIGITS:
                    return None
                values[name] = int(part)
            elif isinstance(kind, frozenset):
                if part not in kind:
                    return None
                values[name] = part
            else:
                values[name] = part
        return values

    @classmethod
    def pattern(cls) -> str:
        """A regex for CallbackQueryHandler that matches this action of the current version."""
        return rf"^{VERSION}:{re.escape(cls.action)}(:|$)"


ACTIONS: dict[str, type[CallbackData]] = {}
Data = TypeVar("Data", bound=CallbackData)


@dataclass_transform(frozen_default=True)
def action(name: str) -> Callable[[type[Data]], type[Data]]:
    """Declare an action's data class: `@action("rsvp") class RsvpData: meeting_id: int ...`"""

    def declare(cls: type[Data]) -> type[Data]:
        made = dataclass(frozen=True)(cls)
        hints = typing.get_type_hints(made)
        parts: list[tuple[str, object]] = []
        for item in dataclasses.fields(typing.cast(Any, made)):
            kind = hints[item.name]
            if typing.get_origin(kind) is Literal:
                parts.append((item.name, frozenset(typing.get_args(kind))))
            elif kind in (int, str):
                parts.append((item.name, kind))
            else:
                raise TypeError(f"{made.__name__}.{item.name}: {kind!r} is not a callback part")
        made.action = name
        made._parts = tuple(parts)
        if name in ACTIONS:
            raise ValueError(f"callback action {name!r} declared twice")
        ACTIONS[name] = made
        return made

    return declare


# ---------------------------------------------------------------------------- meetings


@action("rsvp")
class RsvpData(CallbackData):
    meeting_id: int
    revision: int
    answer: YesNo


ReasonCode = Literal["trip", "ill", "family", "other", "absence"]


@action("why")
class ReasonData(CallbackData):
    meeting_id: int
    revision: int
    code: ReasonCode


@action("cal")
class CalendarAnswerData(CallbackData):
    """One of one's coming meetings, from /lich: its answer shown, to change."""

    meeting_id: int
    revision: int


@action("lang")
class LanguageData(CallbackData):
    """The language one chooses for one's messages."""

    code: Literal["vi", "en"]


@action("abx")
class AbsenceCancelData(CallbackData):
    """Cancel one's own registered period away."""

    absence_id: int


@action("abn")
class AbsenceNewData(CallbackData):
    """Register a period away by buttons: the first step, for the person whose list it is."""

    step: Literal["from"]
    person_id: int


@action("abs")
class AbsenceStepData(CallbackData):
    """A choice at a step of registering a period away."""

    draft_id: int
    revision: int
    value: str


@action("unl")
class UnlinkedPageData(CallbackData):
    """A page of the people not yet linked to Telegram (/chualienket)."""

    list: Literal["p"]
    page: int


@action("inv")
class InviteData(CallbackData):
    """An invitation link for one person not yet linked."""

    person_id: int


@action("wp")
class WorkProposalsData(CallbackData):
    """From /start's work list: the proposals waiting for one (as /kiennghi lists them)."""

    list: Literal["todo"]


@action("wo")
class WorkOfficeData(CallbackData):
    """From /start's work list: the declines with no stand-in, or the branches nobody
    follows."""

    what: Literal["uncovered", "unassigned"]


@action("mv")
class MoveData(CallbackData):
    meeting_id: int
    revision: int


@action("mvok")
class MoveConfirmData(CallbackData):
    meeting_id: int
    revision: int
    answer: YesNo


@action("mvq")
class MoveRequestData(CallbackData):
    """The office's decision on a member's request to move a meeting: the meeting as it
    stood, the new time asked (UTC, as the number 202612261430), who asked."""

    meeting_id: int
    revision: int
    when: int
    person_id: int
    answer: YesNo


@action("cx")
class CancelData(CallbackData):
    meeting_id: int
    revision: int


@action("cxok")
class CancelConfirmData(CallbackData):
    meeting_id: int
    revision: int
    answer: YesNo


@action("ss")
class StandInSuggestData(CallbackData):
    """Someone who cannot attend suggests a colleague to stand in (the office decides)."""

    meeting_id: int
    revision: int
    candidate_id: int


@action("si")
class StandInPickData(CallbackData):
    """The office picks a stand-in for someone who cannot attend."""

    meeting_id: int
    revision: int
    candidate_id: int
    absent_id: int


@action("sia")
class StandInAnswerData(CallbackData):
    meeting_id: int
    revision: int
    answer: YesNo


# ---------------------------------------------------------------------------- reports


@action("rq")
class ReportRequestData(CallbackData):
    rsvp_id: int
    # "later" is on requests sent before "eve" (ask again this evening) and "morn" (tomorrow).
    choice: Literal["now", "later", "eve", "morn", "no"]


@action("rv")
class ReportViewData(CallbackData):
    """One report in full, from a list of them."""

    report_id: int


@action("rs")
class ReportStartData(CallbackData):
    rsvp_id: int


@action("rob")
class ReportOnBehalfData(CallbackData):
    rsvp_id: int


@action("ra")
class ReportChoiceData(CallbackData):
    draft_id: int
    revision: int
    value: str


@action("rbk")
class ReportBackData(CallbackData):
    draft_id: int
    revision: int


@action("rx")
class ReportStopData(CallbackData):
    draft_id: int
    revision: int


@action("re")
class ReportEditData(CallbackData):
    draft_id: int
    revision: int
    section: str


@action("rsend")
class ReportSendData(CallbackData):
    draft_id: int
    revision: int


# ---------------------------------------------------------------------------- the office


@action("ri")
class RosterImportData(CallbackData):
    draft_id: int
    revision: int
    answer: Literal["ok", "no", "sure"]  # "sure": confirmed again, by one losing their role


@action("grp")
class GroupRegisterData(CallbackData):
    chat_id: int
    answer: OkNo


@action("dgp")
class DigestPostData(CallbackData):
    """Post a digest edition to the group again: the unit, the month ("2026-11"), and how many
    times it was posted when the button was made."""

    root_id: int
    month: str
    reposts: int


# ---------------------------------------------------------------------------- meeting documents


DocChoice = Literal["m0", "m1", "all", "unit", "ok", "no"]


@action("dst")
class DocStepData(CallbackData):
    """A step of the office's upload: a month ("m0", "m1"), a scope ("all", "unit"), "ok" to
    save or "no" to cancel."""

    draft_id: int
    revision: int
    choice: DocChoice


@action("drc")
class DocsReceivedData(CallbackData):
    """ "Documents received" for a meeting."""

    meeting_id: int


@action("dsd")
class DocSendData(CallbackData):
    """Send a meeting's document again."""

    document_id: int


# ---------------------------------------------------------------------------- proposals

ProposalAction = Literal[
    "assign",
    "merge",
    "answer",
    "close",
    "reopen",
    "deadline",
    "back",
    "extend",
    "history",
    "dismiss",  # a picker closed with nothing chosen
]


@action("pa")
class ProposalActData(CallbackData):
    """An action on a proposal, as it stood at `revision`."""

    proposal_id: int
    revision: int
    act: ProposalAction


@action("pb")
class ProposalBodyData(CallbackData):
    """Give a proposal to a handling body."""

    proposal_id: int
    revision: int
    body_id: int


@action("pm")
class ProposalMergeData(CallbackData):
    """Merge a proposal into an earlier one that says the same thing."""

    proposal_id: int
    revision: int
    into_id: int


CloseReason = Literal["outside", "duplicate", "solved"]


@action("pc")
class ProposalCloseData(CallbackData):
    proposal_id: int
    revision: int
    reason: CloseReason


@action("pw")
class AnswerStepData(CallbackData):
    """A step of writing an answer: no file, final or interim, or stop."""

    draft_id: int
    revision: int
    choice: Literal["nofile", "final", "interim", "no"]


@action("drm")
class DocRemoveData(CallbackData):
    """The office withdraws a meeting's document."""

    document_id: int
