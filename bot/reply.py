"""How a handler answers the person who just wrote. Messages the bot starts go via the outbox.

Parse mode (HTML) and link previews come from the application's Defaults.
"""

from __future__ import annotations

import asyncio

from telegram import InputFile, Message, Update

from bot.render import Screen


async def reply(update: Update, screen: Screen) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(screen.text, reply_markup=screen.reply_markup)


async def answer_button(update: Update, notice: str | None = None) -> None:
    """Acknowledge a pressed button, with a short pop-up notice if given."""
    if update.callback_query is not None:
        await update.callback_query.answer(notice, show_alert=notice is not None)


async def respond(update: Update, screen: Screen, notice: str | None = None) -> None:
    """Send the next screen and, for a pressed button, acknowledge the press: both at once,
    once the work is done, so that neither round trip waits for the other."""
    if update.callback_query is None:
        await reply(update, screen)
        return
    await asyncio.gather(answer_button(update, notice), reply(update, screen))


async def reply_file(
    update: Update, content: bytes, file_name: str, caption: str, *, photo: bool = False
) -> Message | None:
    """A file (a photo if asked) to the person who just wrote."""
    chat = update.effective_chat
    if chat is None:
        return None
    upload = InputFile(content, filename=file_name)
    if photo:
        return await chat.send_photo(upload, caption=caption)
    return await chat.send_document(upload, caption=caption)
