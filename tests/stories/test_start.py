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


async def test_command_menus_fit_each_persons_roles(
    roster, settings, clock, tg: BotApiServer, db
) -> None:
    """A stranger's menu is /start alone; a member's lists what members do; one who answers
    for a handling body also has /kiennghi; a leader has the digest too; the office all. At
    start the people whose menu changed get theirs, once."""
    import json

    from sqlalchemy import select

    from db.models import Person
    from tests.conftest import ADMIN_TELEGRAM_ID, link, start_bot, stop_bot

    def menu(chat_id: int | None = None) -> list[str]:
        scope = {"type": "default"} if chat_id is None else {"chat_id": chat_id, "type": "chat"}
        return [c["command"] for c in tg.commands[json.dumps(scope, sort_keys=True) + "|"]]

    member_menu = [
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
    app = await start_bot(settings, clock)
    try:
        assert menu() == ["start"]
        member = await link(tg, db, "CB07", 800007)
        answerer = await link(tg, db, "CB08", 800008)  # answers for the People's Committee
        leader = await link(tg, db, "CB02", 800002)
        assert menu(member.id) == member_menu
        assert menu(answerer.id) == [*member_menu, "kiennghi"]
        assert menu(leader.id) == [*member_menu, "kiennghi", "tonghop"]
        office = menu(ADMIN_TELEGRAM_ID)
        assert {"donvi", "phancong", "moi", "xuatdanhsach", "tonghop"} <= set(office)
        descriptions = {
            c["command"]: c["description"]
            for c in tg.commands[
                json.dumps({"chat_id": ADMIN_TELEGRAM_ID, "type": "chat"}, sort_keys=True) + "|"
            ]
        }
        assert descriptions["donvi"] == "Đơn vị, chi bộ và cán bộ theo dõi"
        await answerer.send("/help")
        assert "/kiennghi" in (await answerer.expect_message()).text
    finally:
        await stop_bot(app)

    def menus_set() -> int:
        return sum(1 for call in tg.calls if call.method == "setMyCommands")

    before = menus_set()
    app = await start_bot(settings, clock)  # a restart: the three get theirs, remembered
    try:
        for _ in range(100):
            menus = await db.all(select(Person.menu).where(Person.telegram_user_id.is_not(None)))
            if len(menus) == 3 and all(m for (m,) in menus):
                break
            await asyncio.sleep(0.05)
        assert all(m for (m,) in menus) and len(menus) == 3
    finally:
        await stop_bot(app)
    after_first = menus_set()
    assert after_first - before >= 3
    app = await start_bot(settings, clock)  # nothing changed: only the default and the office's
    try:
        await asyncio.sleep(0.3)
    finally:
        await stop_bot(app)
    assert menus_set() - after_first == 2


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
