"""Opening the bot: strangers learn how to link and nothing else; admins are greeted."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CommandHandler

from bot.pipeline.throttle import STRANGER_EVERY
from sandbox.server import BotApiServer
from sandbox.users import TgUser


async def test_a_stranger_is_told_how_to_link_and_nothing_else(bot, stranger: TgUser) -> None:
    await stranger.send("/start")
    hint = await stranger.expect_message(contains="chưa được liên kết")
    assert "Kính chào đồng chí" in hint.text
    assert "quản trị" not in hint.text

    # A stranger is answered at most once every few seconds: what comes sooner is dropped.
    await stranger.send("/help")
    await stranger.expect_no_message(within=1.0)
    await asyncio.sleep(STRANGER_EVERY)
    await stranger.send("Cho tôi xem danh sách chi bộ")
    assert (await stranger.expect_message()).text == hint.text
    await stranger.expect_no_message()


async def test_an_admin_from_the_settings_is_greeted_as_administrator(bot, admin: TgUser) -> None:
    await admin.send("/start")
    greeting = await admin.expect_message(contains="Kính chào đồng chí")
    assert "vai trò quản trị (Văn phòng)" in greeting.text
    assert "<b>quản trị</b>" in greeting.html
    assert "/help" in greeting.text


async def test_a_known_user_typing_nonsense_gets_a_polite_hint(bot, admin: TgUser) -> None:
    await admin.send("xin chào")
    reply = await admin.expect_message(contains="chưa hiểu")
    assert "/help" in reply.text
    await admin.send_sticker()
    await admin.expect_message(contains="chưa hiểu")


async def test_a_failing_handler_gives_an_apology_not_a_traceback(
    bot, admin: TgUser, caplog
) -> None:
    async def broken(update: Update, ctx) -> None:
        raise RuntimeError("database exploded")

    bot.add_handler(CommandHandler("hong", broken), group=-2)
    await admin.send("/hong")
    apology = await admin.expect_message(contains="Xin lỗi đồng chí")
    assert "Traceback" not in apology.text and "exploded" not in apology.text
    assert "database exploded" in caplog.text


async def test_a_strangers_button_press_reveals_nothing(
    bot, tg: BotApiServer, admin: TgUser, stranger: TgUser
) -> None:
    await admin.send("/start")
    greeting = await admin.expect_message()
    answer = await stranger.press(data="1:x:1", message=greeting, chat=stranger.chat)
    assert answer["text"] == "Chức năng này hiện không sử dụng được."


async def test_command_menus_fit_each_persons_roles(bot, tg: BotApiServer) -> None:
    import json

    from tests.conftest import ADMIN_TELEGRAM_ID

    default = tg.commands[json.dumps({"type": "default"}) + "|"]
    assert [c["command"] for c in default] == [
        "start",
        "lich",
        "vang",
        "baocao",
        "lichsu",
        "tailieu",
        "xembaocao",  # one's own reports
        "ngonngu",
        "help",
    ]
    scope = json.dumps({"chat_id": ADMIN_TELEGRAM_ID, "type": "chat"}, sort_keys=True) + "|"
    admin_menu = [c["command"] for c in tg.commands[scope]]
    assert {"donvi", "phancong", "moi", "xuatdanhsach"} <= set(admin_menu)
    descriptions = {c["command"]: c["description"] for c in tg.commands[scope]}
    assert descriptions["donvi"] == "Đơn vị, chi bộ và cán bộ theo dõi"


async def test_a_person_chooses_their_language_and_everything_after_follows(
    roster, bot, tg: BotApiServer, db, clock, english_readers: set[int]
) -> None:
    """/ngonngu, English: the choice is confirmed in English, commands answer in English, and
    a reminder queued later comes in English; Tiếng Việt brings it back."""
    from datetime import datetime

    from tests.conftest import ZONE, link, run_jobs

    an = await link(tg, db, "CB01", 800001)
    english_readers.add(an.id)
    await an.send("/ngonngu")
    choice = await an.expect_message(contains="chọn ngôn ngữ")
    assert choice.button_texts == ["Tiếng Việt", "English"]
    await an.press("English", message=choice)
    await an.expect_edit(choice, "Your messages will now come in English.")
    await an.send("/help")
    helped = await an.expect_message()
    assert helped.text.startswith("What you can do"), helped.text
    clock.set(datetime(2026, 12, 2, 8, 0, tzinfo=ZONE))
    await run_jobs(bot)
    reminder = await an.expect_message(contains="Reminder: branch meeting")
    assert "✅ I will attend" in reminder.button_texts
    await an.send("/ngonngu")
    again = await an.expect_message(contains="Choose the language")
    await an.press("Tiếng Việt", message=again)
    await an.expect_edit(again, "Từ nay, tin nhắn gửi đồng chí được viết bằng tiếng Việt.")
    await an.send("/help")
    assert "Các chức năng" in (await an.expect_message()).text
