"""A conversation's question (bot/services/questions.py) drawn as a message and buttons, the
same way for every flow: catalog texts in the reader's language, values escaped, and a
choice too long for a phone's button numbered, cut and given whole under the question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton

from bot.callbacks import CallbackData
from bot.render import LABEL_ROOM, LABEL_ROOM_MANY, esc, fit_label, label_width, texts
from bot.services.questions import Choice, Question, Text


def said_text(text: Text, lang: str) -> str:
    """A catalog text in HTML: its values escaped, a value that is a text said in turn."""
    values = {
        key: said_text(value, lang) if isinstance(value, Text) else esc(value)
        for key, value in text.values.items()
    }
    return texts(lang).gettext(text.msgid).format(**values)


def label(choice_label: Text | str, lang: str) -> str:
    """A button's label: plain text (Telegram shows labels as they are)."""
    if isinstance(choice_label, str):
        return choice_label
    values = {
        key: label(value, lang) if isinstance(value, Text) else value
        for key, value in choice_label.values.items()
    }
    return texts(lang).gettext(choice_label.msgid).format(**values)


def refusal_line(error: str, params: dict[str, Any] | None, lang: str) -> str:
    return texts(lang).gettext(error).format(**{k: esc(v) for k, v in (params or {}).items()})


def drawn(
    question: Question,
    lang: str,
    data: Callable[[str], CallbackData],
    *,
    before: str = "",
    after: str = "",
    refusal: str | None = None,
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """A step's message and buttons: the refusal first if any, then `before` (what the step
    stands on), the question and its notes, `after` (what was given so far), and the whole
    text of any choice cut on its button."""
    text = said_text(question.text, lang)
    text += "".join("\n" + said_text(note, lang) for note in question.notes)
    text = (f"{before}\n\n" if before else "") + text + after
    rows, legend = question_rows(question, lang, data)
    if legend:
        text += "\n\n" + "\n".join(legend)
    if refusal is not None:
        text = f"⚠ {refusal}\n\n{text}"
    return text, rows


def question_rows(
    question: Question, lang: str, data: Callable[[str], CallbackData]
) -> tuple[list[list[InlineKeyboardButton]], list[str]]:
    """The question's buttons, each answering with `data(value)`, and the legend of the
    choices whose labels were cut (their number, then the whole text)."""
    legend: list[str] = []
    rows = []
    for row in _paired(question, lang) if question.pairs else question.rows:
        buttons = []
        room = LABEL_ROOM.get(len(row), LABEL_ROOM_MANY)
        for choice in row:
            whole = label(choice.label, lang)
            shown = _mark(choice) + whole
            if label_width(shown) > room:
                legend.append(f"{len(legend) + 1}. {esc(whole)}")
                shown = fit_label(f"{_mark(choice)}{len(legend)}. {whole}", room)
            buttons.append(InlineKeyboardButton(shown, callback_data=data(choice.value).pack()))
        rows.append(buttons)
    return rows, legend


def _paired(question: Question, lang: str) -> list[tuple[Choice, ...]]:
    """One-choice rows joined two by two where both labels fit half a phone's width."""
    rows: list[tuple[Choice, ...]] = []
    for row in question.rows:
        last = rows[-1] if rows else ()
        if (
            len(row) == 1
            and len(last) == 1
            and all(
                label_width(_mark(choice) + label(choice.label, lang)) <= LABEL_ROOM[2]
                for choice in (*last, *row)
            )
        ):
            rows[-1] = (*last, *row)
        else:
            rows.append(row)
    return rows


def _mark(choice: Choice) -> str:
    if choice.ticked is None:
        return ""
    return "☑ " if choice.ticked else "☐ "
