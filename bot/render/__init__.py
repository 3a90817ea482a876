"""Rendering: one function per screen, returning text and keyboard; nothing here sends."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.callbacks import CallbackData
from bot.i18n import translations

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class Screen:
    """A message ready to send: HTML text, every interpolated value already escaped. A screen
    too long for one message carries its first parts in `before`, sent ahead of `text`,
    which keeps the buttons."""

    text: str
    reply_markup: ReplyMarkup | None = None
    before: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Every keyboard the bot sends fits a phone's line (LABEL_ROOM, below).
        if isinstance(self.reply_markup, InlineKeyboardMarkup):
            object.__setattr__(self, "reply_markup", fit_phone(self.reply_markup))

    @classmethod
    def of_lines(cls, lines: list[str], reply_markup: ReplyMarkup | None = None) -> Screen:
        """As many messages as the lines need, split between lines, the buttons on the last."""
        *before, last = split_lines(lines) or [""]
        return cls(last, reply_markup, tuple(before))

    def with_note(self, note: str) -> Screen:
        """The screen with a line (an error at a step, say) at the top of its last message,
        next to the buttons."""
        return Screen(f"{note}\n\n{self.text}", self.reply_markup, self.before)


@dataclass(frozen=True)
class FilePart:
    """A stored file (a row of stored_files) sent as a photo or a document, with a caption."""

    file_id: int
    method: Literal["sendPhoto", "sendDocument"]
    caption: str


# What one outgoing message is: a screen, or a file.
Part = Screen | FilePart


# How much of a button's label a phone shows on its one line, by how many buttons share the
# row: Telegram's clients cut the rest with "…". Measured on a 360-point-wide phone (the
# narrowest common one) at the default text size: about 32 narrow characters across the
# screen, less each button's padding; a wide character (an emoji) takes two.
LABEL_ROOM = {1: 32, 2: 18, 3: 12, 4: 9}
LABEL_ROOM_MANY = 6  # five or more in a row: numbers and short dates


def label_width(label: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label)


def labels_cut_on_a_phone(rows: Sequence[Sequence[str]]) -> list[str]:
    """The labels of an inline keyboard (row by row) a phone would cut."""
    return [
        label
        for row in rows
        for label in row
        if label_width(label) > LABEL_ROOM.get(len(row), LABEL_ROOM_MANY)
    ]


def fit_label(label: str, room: int) -> str:
    """The label, cut to the room with "…" if it is wider."""
    if label_width(label) <= room:
        return label
    while label and label_width(label + "…") > room:
        label = label[:-1]
    return label.rstrip(" ,;.") + "…"


def numbered_where_cut(labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """Labels for buttons alone on their rows: one too wide for a phone is numbered and cut,
    and the legend (to go in the message) gives it whole."""
    shown: list[str] = []
    legend: list[str] = []
    for label in labels:
        if label_width(label) <= LABEL_ROOM[1]:
            shown.append(label)
            continue
        legend.append(f"{len(legend) + 1}. {esc(label)}")
        shown.append(fit_label(f"{len(legend)}. {label}", LABEL_ROOM[1]))
    return shown, legend


def fit_phone(markup: InlineKeyboardMarkup) -> InlineKeyboardMarkup:
    """The keyboard as a phone shows it whole: a row whose labels do not all fit is split
    into a row each, and a label wider than the phone itself is cut with "…" (the message
    it comes with says the whole)."""
    rows: list[list[InlineKeyboardButton]] = []
    for row in markup.inline_keyboard:
        if not labels_cut_on_a_phone([[button.text for button in row]]):
            rows.append(list(row))
            continue
        for button in row:
            text = fit_label(button.text, LABEL_ROOM[1])
            rows.append([button if text == button.text else _relabelled(button, text)])
    return InlineKeyboardMarkup(rows)


def _relabelled(button: InlineKeyboardButton, text: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text, callback_data=button.callback_data, url=button.url, copy_text=button.copy_text
    )


def inline_keyboard(*rows: Sequence[tuple[str, CallbackData]]) -> InlineKeyboardMarkup:
    """Inline buttons, row by row, each a label and the data its press carries."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data.pack()) for label, data in row]
            for row in rows
        ]
    )


def said(lang: str, text: str, **values: object) -> Screen:
    """A screen that is one text of the catalog (marked with N_), its values escaped."""
    return Screen(texts(lang).gettext(text).format(**{k: esc(v) for k, v in values.items()}))


# The last paragraph of a message once its buttons were answered: what was recorded. An
# answer given again replaces it (the message's HTML comes back from Telegram's entities).
_STATE = re.compile(r"\n\n<i>[✅❌🔔][^\n]*</i>$")
_EDIT_ROOM = 4000


def with_state(
    message_html: str | None, state: str, markup: InlineKeyboardMarkup | None
) -> Screen | None:
    """The message pressed, its last paragraph saying what was recorded; None when there is
    no text to edit, or no room for the line."""
    if not message_html:
        return None
    text = _STATE.sub("", message_html) + f"\n\n<i>{state}</i>"
    return Screen(text, markup) if len(text) <= _EDIT_ROOM else None


def usage_line(lang: str, text: str) -> Screen:
    """A screen that is one text of the catalog (marked with N_) shown as written, with no
    markup: a usage line may hold characters HTML would read."""
    return Screen(esc(texts(lang).gettext(text)))


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def texts(lang: str):
    return translations(lang)


MESSAGE_LIMIT = 3800  # below Telegram's 4096, leaving room for what a line's markup adds
# Lines of a list of people in a chat before "and N more": a province's list would otherwise
# run to many messages that nobody reads on a phone.
LIST_LINES = 40


def capped(items: list[str], lang: str, where: str = "") -> list[str]:
    """The first LIST_LINES items, then "• and N more comrades" (and where to find them all)."""
    if len(items) <= LIST_LINES:
        return items
    more = texts(lang).gettext("• and {n} more comrades.").format(n=len(items) - LIST_LINES)
    return [*items[:LIST_LINES], f"{more} {where}".rstrip()]


def split_lines(lines: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into as few messages as fit, breaking between lines; a line longer than a
    message is broken between words, never cut."""
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in (piece for whole in lines for piece in _between_words(whole, limit)):
        if current and size + len(line) + 1 > limit:
            messages.append("\n".join(current).strip("\n"))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        messages.append("\n".join(current).strip("\n"))
    return [message for message in messages if message]


def _between_words(line: str, limit: int) -> list[str]:
    """A line in pieces of at most `limit` characters, broken at spaces (escaped text has no
    spaces inside an entity, and markup here is short and at a line's start)."""
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def plain(markup: str) -> str:
    """A message's HTML as plain text (tags dropped, entities restored), for files."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))
