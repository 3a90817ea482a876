"""How a handler answers the person who just wrote. Messages the bot starts go via the outbox.

Inside an update, every answer waits for the update's unit of work to commit, and is sent
only if it does: a person is never told "recorded" about a change that was rolled back.
Parse mode (HTML) and link previews come from the application's Defaults.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Chat, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction

from bot.render import Screen
from bot.runtime import current_unit


async def _after_commit(send: Callable[[], Awaitable[Any]]) -> None:
    unit = current_unit()
    if unit is None:  # outside any unit of work: nothing to wait for
        await send()
    else:
        unit.after_commit(send)


async def _paced(chat: Chat) -> None:
    """Several answers in a row to one chat keep to Telegram's pace (a second apart), the
    same pace the outbox keeps, so that Telegram never has to refuse one. The first answer
    to an update goes at once: a person does not write faster than that."""
    unit = current_unit()
    if unit is None or unit.pacer is None:
        return
    if chat.id in unit.answered_chats:
        await unit.pacer.until_free(chat.id)
    else:
        unit.answered_chats.add(chat.id)
        unit.pacer.note(chat.id)


async def _send_screen(chat: Chat, screen: Screen) -> None:
    """A screen's messages in order: its first parts, then the one with the buttons."""
    for part in screen.before:
        await _paced(chat)
        await chat.send_message(part)
    await _paced(chat)
    await chat.send_message(screen.text, reply_markup=screen.reply_markup)


async def reply(update: Update, screen: Screen) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await _after_commit(lambda: _send_screen(chat, screen))


async def answer_button(update: Update, notice: str | None = None) -> None:
    """Acknowledge a pressed button, with a short pop-up notice if given."""
    query = update.callback_query
    if query is not None:
        await _after_commit(lambda: query.answer(notice, show_alert=notice is not None))


async def respond(update: Update, screen: Screen, notice: str | None = None) -> None:
    """Send the next screen and, for a pressed button, acknowledge the press: both at once,
    once the work is done, so that neither round trip waits for the other."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        await reply(update, screen)
        return
    await _after_commit(
        lambda: asyncio.gather(
            query.answer(notice, show_alert=notice is not None), _send_screen(chat, screen)
        )
    )


async def edit_buttons(update: Update, markup: InlineKeyboardMarkup | None = None) -> None:
    """Change (or, with None, remove) the buttons of the message whose button was pressed."""
    query = update.callback_query
    if query is not None:
        await _after_commit(lambda: query.edit_message_reply_markup(markup))


async def edit_text(update: Update, screen: Screen) -> None:
    """Replace the text (and buttons) of the message whose button was pressed."""
    query = update.callback_query
    if query is not None:
        await _after_commit(
            lambda: query.edit_message_text(screen.text, reply_markup=screen.reply_markup)
        )


async def reply_file(
    update: Update, content: bytes, file_name: str, caption: str = "", *, photo: bool = False
) -> None:
    """A file (a photo if asked) to the person who just wrote."""
    chat = update.effective_chat
    if chat is None:
        return
    upload = InputFile(content, filename=file_name)

    async def send() -> None:
        await _paced(chat)
        if photo:
            await chat.send_photo(upload, caption=caption or None)
        else:
            await chat.send_document(upload, caption=caption or None)

    await _after_commit(send)


async def reply_media(update: Update, kind: str, file_id: str, caption: str = "") -> None:
    """A photo, voice message or file Telegram already holds (by its id), sent back as it came,
    its caption as plain text."""
    chat = update.effective_chat
    if chat is None:
        return
    send = {"photo": chat.send_photo, "voice": chat.send_voice}.get(kind, chat.send_document)

    async def paced_send() -> None:
        await _paced(chat)
        await send(file_id, caption=caption or None, parse_mode=None)

    await _after_commit(paced_send)


async def progress(update: Update, screen: Screen | None = None) -> None:
    """Say at once that slow work has begun (true whatever comes of it): a short text, or
    Telegram's "sending a file" status."""
    chat = update.effective_chat
    if chat is None:
        return
    if screen is None:
        await chat.send_action(ChatAction.UPLOAD_DOCUMENT)
    else:
        await _paced(chat)
        await chat.send_message(screen.text, reply_markup=screen.reply_markup)


async def reply_now(update: Update, screen: Screen) -> None:
    """For the error handler alone: the unit was rolled back, the apology still goes."""
    chat = update.effective_chat
    if chat is not None:
        await _send_screen(chat, screen)
