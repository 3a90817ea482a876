"""No English reaches a Vietnamese reader: every text, caption, button, pop-up and menu the bot
sent in a story, and every document and spreadsheet it sent, is searched for the words of the
English catalog that Vietnamese texts never use. The `tg` fixture runs it after each story, so
every screen a story reaches is checked, in the language its reader sees."""

from __future__ import annotations

import functools
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import polib

LOCALES = Path(__file__).resolve().parent.parent / "bot" / "locales"
WORD = re.compile(r"[A-Za-z]{4,}")
# Placeholders, markup, commands and links are not words a reader reads; nor is code (the
# error report's names of an error type and of a place in the program).
NOT_WORDS = re.compile(r"<code>[^<]*</code>|https?://\S+|\{[^}]*\}|<[^>]+>|%\(\w+\)\w|/\w+")
# Vietnamese syllables that English words are spelled like: a name ("Đỗ Quang Long") is not
# English.
SYLLABLES = frozenset({"long", "than", "hang", "tang", "bang", "sang", "lang", "dong", "tong"})


def words_in(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(NOT_WORDS.sub(" ", text))} - SYLLABLES


@functools.cache
def english_words() -> frozenset[str]:
    """Words of the English texts that no Vietnamese text uses (so not "Telegram", "Excel",
    or a sheet name both catalogs share)."""
    english: set[str] = set()
    for entry in polib.pofile(str(LOCALES / "en" / "LC_MESSAGES" / "chibo.po")):
        for text in (entry.msgstr or entry.msgid, *entry.msgstr_plural.values()):
            english |= words_in(text)
    vietnamese: set[str] = set()
    for entry in polib.pofile(str(LOCALES / "vi" / "LC_MESSAGES" / "chibo.po")):
        for text in (entry.msgstr, *entry.msgstr_plural.values()):
            vietnamese |= words_in(text)
    return frozenset(english - vietnamese)


def document_text(name: str, content: bytes) -> str:
    """The words of a file the bot sent: a report document, a spreadsheet, a text file (a
    file that is not what its name says, as a test of the server may send, has none)."""
    try:
        return _document_text(name, content)
    except (zipfile.BadZipFile, KeyError, ValueError):
        return ""


def _document_text(name: str, content: bytes) -> str:
    if name.endswith(".docx"):
        import docx

        document = docx.Document(io.BytesIO(content))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
        return "\n".join(parts)
    if name.endswith(".xlsx"):
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        parts = [sheet.title for sheet in workbook]
        for sheet in workbook:
            for row in sheet.iter_rows(values_only=True):
                parts += [value for value in row if isinstance(value, str)]
        return "\n".join(parts)
    if name.endswith((".txt", ".csv")):
        return content.decode("utf-8", errors="replace")
    return ""


def english_found(
    server: Any, english_readers: frozenset[int] | set[int] = frozenset()
) -> list[tuple[str, list[str]]]:
    """Each text the bot showed (or file it sent) with the English words in it, but in the
    chats of those who chose English."""
    found = []
    shown: list[str] = []
    for chat_id, messages in server.bot_messages.items():
        if chat_id in english_readers:
            continue
        for message in messages:
            # The HTML where there is some: what is in <code> is code, not words.
            shown.append(message.get("html") or message.get("text") or message.get("caption") or "")
            markup = message.get("reply_markup") or {}
            shown += [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
            sent = message.get("sent_markup") or {}
            shown += [
                b["text"] if isinstance(b, dict) else b
                for row in sent.get("keyboard", [])
                for b in row
            ]
            document = message.get("document")
            if document and document["file_id"] in server.files:
                stored = server.files[document["file_id"]]
                shown.append(document_text(document.get("file_name") or "", stored.content))
    shown += [answer.get("text") or "" for answer in server.callback_answers.values() if answer]
    for key, commands in server.commands.items():
        if not key.endswith("|en"):
            shown += [command["description"] for command in commands]
    english = english_words()
    for text in shown:
        words = sorted(words_in(text) & english)
        if words:
            found.append((text[:300], words))
    return found
