"""Every kind of button, pressed with broken or forged data (missing, extra or non-numeric
parts), gets the polite "no longer valid" answer: never an error, never a silent button."""

from __future__ import annotations

import re

from telegram.ext import CallbackQueryHandler

from tests.conftest import link

FORGERIES = ("", ":x", ":1", ":-1:abc", ":1:2", ":1:2:3:4:5:6:7:8", ":999999:1:y", ":1:1:ok")


def actions(app) -> list[str]:
    found = []
    for handlers in app.handlers.values():
        for handler in handlers:
            if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
                match = re.match(r"\^1:(\w+)\(", handler.pattern.pattern)
                assert match, handler.pattern.pattern
                found.append(match.group(1))
    return found


async def test_broken_and_forged_presses_are_answered_politely(roster, bot, tg, db, admin) -> None:
    member = await link(tg, db, "CB01", 800001)
    await member.send("/lich")
    anchor = await member.expect_message()  # a message of the bot's to press buttons on
    await admin.send("/start")
    admin_anchor = await admin.expect_message()
    await admin.expect_message(contains="Việc cần đồng chí xử lý")  # the office's work list
    kinds = actions(bot)
    assert len(kinds) >= 10, kinds
    for action in kinds:
        for forgery in FORGERIES:
            data = f"1:{action}{forgery}"
            for person, message in ((member, anchor), (admin, admin_anchor)):
                answer = await person.press(data=data, message=message, timeout=5)
                assert answer["text"], f"{data} was answered with nothing"
    await member.expect_no_message(within=0.2)  # no apology: nothing went wrong
    await admin.expect_no_message(within=0.2)
    assert not [call for call in tg.calls if not call.ok], "a call Telegram would refuse"
