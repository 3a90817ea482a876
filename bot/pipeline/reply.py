"""How a handler answers the person who just wrote. Messages the bot starts go via the outbox.

Inside an update, every answer waits for the update's unit of work to commit, and is sent
only if it does: a person is never told "recorded" about a change that was rolled back.
Parse mode (HTML) and link previews come from the application's Defaults.

Answers keep each chat's pace (one message a second, the pace the outbox keeps too), across
updates: the bot never makes Telegram refuse a chat. An answer that meets a flood wait, a
server error or a dropped connection waits and is tried again; a message that still cannot
go is handed to the outbox, which keeps trying. Nothing is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from telegram import Chat, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot import metrics
from bot.render import Screen
from bot.runtime import current_unit

log = logging.getLogger(__name__)

# Pauses before each further try of an answer that failed on the network or the server's side.
PAUSES = (1.0, 2.0, 4.0)
# A flood wait longer than this is the outbox's to wait out, not the person's update's.
LONGEST_WAIT = 10.0


async def _after_commit(send: Callable[[], Awaitable[Any]]) -> None:
    unit = current_unit()
    if unit is None:  # outside any unit of work: nothing to wait for
        await send()
    else:
        unit.after_commit(send)


def _paced(chat: Chat) -> AbstractAsyncContextManager[None]:
    """Wait until a message to this chat keeps Telegram's pace (a second apart), counting the
    answers to earlier updates and the outbox's messages alike; the message counts in the
    pace until the block ends."""
    unit = current_unit()
    if unit is not None and unit.pacer is not None:
        return unit.pacer.sending(chat.id, answer=True)
    return contextlib.nullcontext()


async def delivered(
    what: str, chat_id: int, send: Callable[[], Awaitable[Any]], lost: Screen | None = None
) -> None:
    """send(), tried again after a flood wait, a server error or a dropped connection; a
    message (`lost`, its screen) that cannot go after that is handed to the outbox."""
    for pause in (*PAUSES, None):
        try:
            await send()
            return
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            metrics.ANSWER_RETRIES.labels("flood").inc()
            log.warning("telegram: flood wait of %.0f s for %s to chat %s", wait, what, chat_id)
            if wait > LONGEST_WAIT or pause is None:
                break
            await asyncio.sleep(wait)
        except Forbidden as exc:  # blocked by the person: nothing to do
            log.info("%s not sent to chat %s: %s", what, chat_id, exc)
            return
        except BadRequest as exc:  # Telegram finds the request wrong: trying again won't mend it
            if "not modified" in str(exc).lower():  # a double tap: the message already says it
                log.debug("%s to chat %s changed nothing", what, chat_id)
                return
            log.exception("%s to chat %s refused by Telegram", what, chat_id)
            return
        except NetworkError as exc:  # a timeout, a 5xx, a dropped connection
            metrics.ANSWER_RETRIES.labels("network").inc()
            if pause is None:
                break
            log.warning("%s to chat %s failed (%s); trying again", what, chat_id, exc)
            await asyncio.sleep(pause)
    unit = current_unit()
    if lost is not None and unit is not None and unit.undelivered is not None:
        log.warning("%s to chat %s could not go now: the outbox will send it", what, chat_id)
        await unit.undelivered(chat_id, lost)
        return
    log.error("%s to chat %s could not be sent after %s tries", what, chat_id, len(PAUSES) + 1)


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


async def _send_screen(chat: Chat, screen: Screen) -> None:
    """A screen's messages in order: its first parts, then the one with the buttons."""
    for part in screen.before:
        await _send_message(chat, Screen(part))
    await _send_message(chat, screen)


async def _send_message(chat: Chat, screen: Screen) -> None:
    async def send() -> None:
        async with _paced(chat):
            await chat.send_message(screen.text, reply_markup=screen.reply_markup)

    await delivered("an answer", chat.id, send, lost=screen)


async def reply(update: Update, screen: Screen) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await _after_commit(lambda: _send_screen(chat, screen))


async def answer_button(update: Update, notice: str | None = None) -> None:
    """Acknowledge a pressed button, with a short pop-up notice if given."""
    query = update.callback_query
    if query is not None:
        chat_id = query.from_user.id

        async def acknowledge() -> None:
            await delivered(
                "a button's answer",
                chat_id,
                lambda: query.answer(notice, show_alert=notice is not None),
            )

        await _after_commit(acknowledge)


async def refuse(update: Update, text: str) -> None:
    """Why nothing was done: a pop-up for a pressed button, a message for what was typed."""
    if update.callback_query is not None:
        await answer_button(update, text)
    else:
        await reply(update, Screen(text))


async def respond(update: Update, screen: Screen, notice: str | None = None) -> None:
    """Send the next screen and, for a pressed button, acknowledge the press: both at once,
    once the work is done, so that neither round trip waits for the other."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        await reply(update, screen)
        return

    async def both() -> None:
        acknowledge = delivered(
            "a button's answer",
            chat.id,
            lambda: query.answer(notice, show_alert=notice is not None),
        )
        await asyncio.gather(acknowledge, _send_screen(chat, screen))

    await _after_commit(both)


def pressed_html(update: Update) -> str | None:
    """The text of the message whose button was pressed, as HTML (from its entities), for
    an edit that adds what was recorded; None for a message with no text."""
    message = update.effective_message
    return message.text_html if message is not None and message.text else None


def pressed_markup(update: Update) -> InlineKeyboardMarkup | None:
    """The buttons of the message whose button was pressed, as they are now."""
    message = update.effective_message
    return message.reply_markup if message is not None else None


async def edit_buttons(update: Update, markup: InlineKeyboardMarkup | None = None) -> None:
    """Change (or, with None, remove) the buttons of the message whose button was pressed."""
    query = update.callback_query
    if query is not None:
        chat_id = query.from_user.id
        await _after_commit(
            lambda: delivered(
                "an edit of buttons", chat_id, lambda: query.edit_message_reply_markup(markup)
            )
        )


async def edit_text(update: Update, screen: Screen) -> None:
    """Replace the text (and buttons) of the message whose button was pressed."""
    query = update.callback_query
    if query is not None:
        chat_id = query.from_user.id
        markup = screen.reply_markup
        assert markup is None or isinstance(markup, InlineKeyboardMarkup)
        await _after_commit(
            lambda: delivered(
                "an edit",
                chat_id,
                lambda: query.edit_message_text(screen.text, reply_markup=markup),
            )
        )


async def reply_file(
    update: Update, content: bytes, file_name: str, caption: str = "", *, photo: bool = False
) -> None:
    """A file (a photo if asked) to the person who just wrote."""
    chat = update.effective_chat
    if chat is None:
        return

    async def send() -> None:
        async with _paced(chat):
            upload = InputFile(content, filename=file_name)
            if photo:
                await chat.send_photo(upload, caption=caption or None)
            else:
                await chat.send_document(upload, caption=caption or None)

    await _after_commit(lambda: delivered("a file", chat.id, send))


async def reply_media(update: Update, kind: str, file_id: str, caption: str = "") -> None:
    """A photo, voice message or file Telegram already holds (by its id), sent back as it came,
    its caption as plain text."""
    chat = update.effective_chat
    if chat is None:
        return

    async def send() -> None:
        async with _paced(chat):
            options: dict[str, Any] = {"caption": caption or None, "parse_mode": None}
            if kind == "photo":
                await chat.send_photo(file_id, **options)
            elif kind == "voice":
                await chat.send_voice(file_id, **options)
            else:
                await chat.send_document(file_id, **options)

    await _after_commit(lambda: delivered("a file", chat.id, send))


async def progress(update: Update, screen: Screen | None = None) -> None:
    """Say at once that slow work has begun (true whatever comes of it): a short text, or
    Telegram's "sending a file" status."""
    chat = update.effective_chat
    if chat is None:
        return
    if screen is None:
        await delivered(
            "a chat action", chat.id, lambda: chat.send_action(ChatAction.UPLOAD_DOCUMENT)
        )
    else:
        await _send_message(chat, screen)


async def reply_now(update: Update, screen: Screen) -> None:
    """For the error handler alone: the unit was rolled back, the apology still goes."""
    chat = update.effective_chat
    if chat is not None:
        await _send_screen(chat, screen)
