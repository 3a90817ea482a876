"""What a guided conversation asks and how an answer comes back, for any flow (the report,
a period away…): the step logic says it in these terms, with texts from the catalog, and
bot/render/questions.py draws it as a message with buttons. Pure: no Telegram, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Data = dict[str, Any]


@dataclass(frozen=True)
class Text:
    """A text of the catalog, with the values it is formatted with (escaped when shown)."""

    msgid: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """A button: its label (a catalog text, or a name shown as it is), the value it answers
    with, and for a checklist whether it is ticked."""

    label: Text | str
    value: str
    ticked: bool | None = None  # None: not a checkbox


@dataclass(frozen=True)
class Question:
    text: Text
    rows: tuple[tuple[Choice, ...], ...] = ()
    notes: tuple[Text, ...] = ()  # lines under the question (what was received so far)
    items: tuple[str, ...] = ()  # what was given so far at this step, listed in order
    answers: tuple[tuple[str, str], ...] = ()  # proposals and their answers, to convey
    pairs: bool = False  # short choices may go two to a row


@dataclass(frozen=True)
class Input:
    kind: str  # "choice", "text" or "media"
    value: str = ""
    media_kind: str = ""
    caption: str = ""  # what the member wrote under a photo or file


@dataclass
class Outcome:
    data: Data
    step: str
    error: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
