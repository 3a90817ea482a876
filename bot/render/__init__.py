"""Rendering: one function per screen, returning text and keyboard; nothing here sends."""

from __future__ import annotations

import html
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
