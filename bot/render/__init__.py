"""Rendering: one function per screen, returning text and keyboard; nothing here sends."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.i18n import translations

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True)
class Screen:
    """A message ready to send: HTML text, every interpolated value already escaped."""

    text: str
    reply_markup: ReplyMarkup | None = None


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def texts(lang: str):
    return translations(lang)


MESSAGE_LIMIT = 3800  # below Telegram's 4096, leaving room for what a line's markup adds


def split_lines(lines: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join lines into as few messages as fit, breaking only between lines."""
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) + 1 > limit:
            messages.append("\n".join(current).strip("\n"))
            current, size = [], 0
        current.append(line[:limit])
        size += len(line) + 1
    if current:
        messages.append("\n".join(current).strip("\n"))
    return [message for message in messages if message]


def plain(markup: str) -> str:
    """A message's HTML as plain text (tags dropped, entities restored), for files."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))
