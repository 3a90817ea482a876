"""The leadership group is registered by an admin, survives a restart, is followed when it
becomes a supergroup, and the admins hear when the bot is removed from it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from db.models import GroupChat, GroupState, OutboxMessage
from sandbox.server import BotApiServer
from sandbox.users import TgUser
from tests.conftest import link, start_bot, stop_bot


async def leadership(db) -> list[tuple[int, GroupState]]:
    return await db.all(select(GroupChat.chat_id, GroupChat.state))


async def test_registration_survives_a_restart_and_follows_a_migration(
    roster, settings, clock, tg: BotApiServer, admin: TgUser, db
) -> None:
    running = [await start_bot(settings, clock)]
    try:
        await _register_restart_migrate_remove(settings, clock, tg, admin, db, running)
    finally:
        await stop_bot(running[-1])


async def _register_restart_migrate_remove(settings, clock, tg, admin, db, running) -> None:
    group = tg.group_chat(-4001, "Thường trực Đảng ủy")
    member = TgUser(tg, 700011, "Thành viên")
    await admin.set_bot_membership(group, "member")
    await member.send("/dangkynhom", chat=group)  # a stranger in the group: silence
    await admin.send("/dangkynhom", chat=group)
    request = await admin.expect_message(chat=group, contains="Đăng ký nhóm “Thường trực Đảng ủy”")
    answer = await member.press("✅ Xác nhận", chat=group)
    assert "không" in answer["text"]  # not for them
    await admin.press("✅ Xác nhận", chat=group)
    await admin.expect_edit(request, "đã được đăng ký là nhóm lãnh đạo")
    assert await leadership(db) == [(-4001, GroupState.ACTIVE)]
    assert any('"chat_id": -4001' in key for key in tg.commands)  # the group's own menu

    await stop_bot(running[-1])
    running.append(await start_bot(settings, clock))  # a new process on the same database
    assert await leadership(db) == [(-4001, GroupState.ACTIVE)]

    supergroup = await admin.migrate_group(group, -1009990001)
    notice = await admin.expect_message(contains="đã chuyển thành siêu nhóm")
    assert "Thường trực Đảng ủy" in notice.text
    assert await leadership(db) == [(supergroup.id, GroupState.ACTIVE)]
    assert await db.scalar(select(GroupChat.previous_chat_id)) == -4001
    await admin.expect_no_message()  # the second service message changes nothing more

    await admin.set_bot_membership(supergroup, "left")
    removed = await admin.expect_message(contains="đã bị đưa ra khỏi nhóm lãnh đạo")
    assert "/dangkynhom" in removed.text
    assert await leadership(db) == [(supergroup.id, GroupState.REMOVED)]
    keys = [key for (key,) in await db.all(select(OutboxMessage.key))]
    assert len(keys) == 2 and all(key.endswith(f":to:{admin.id}") for key in keys)


async def test_registration_can_be_cancelled_and_only_in_a_group(
    roster, bot, tg: BotApiServer, admin: TgUser, db
) -> None:
    await admin.send("/dangkynhom")
    await admin.expect_message(contains="Đề nghị gửi lệnh /dangkynhom trong nhóm")
    group = tg.group_chat(-4002, "Nhóm thử")
    await admin.send("/dangkynhom", chat=group)
    await admin.expect_message(chat=group)
    await admin.press("✖ Hủy", chat=group)
    assert await leadership(db) == [(-4002, GroupState.PENDING)]


@pytest.mark.parametrize(
    ("chat_id", "forum"),
    [(-1001234567890123, False), (-1009876543210987, True)],
    ids=["supergroup", "forum"],
)
async def test_a_supergroup_or_a_forum_is_registered(
    roster, bot, tg: BotApiServer, admin: TgUser, db, chat_id: int, forum: bool
) -> None:
    """A supergroup's id is -100 and 13 digits: its buttons carry it whole."""
    group = tg.group_chat(chat_id, "Ban Thường vụ", "supergroup", forum=forum)
    await admin.set_bot_membership(group, "member")
    await admin.send("/dangkynhom", chat=group)
    request = await admin.expect_message(chat=group, contains="Đăng ký nhóm “Ban Thường vụ”")
    await admin.press("✅ Xác nhận", chat=group)
    await admin.expect_edit(request, "đã được đăng ký là nhóm lãnh đạo")
    assert await leadership(db) == [(chat_id, GroupState.ACTIVE)]


async def test_the_group_answers_every_command_its_help_lists(
    roster, bot, tg: BotApiServer, db
) -> None:
    """In the leadership group a leader's /help lists what they can do; each of those
    commands is answered there, the private chat's with the way to it; a stranger in the
    group hears nothing."""
    group = tg.group_chat(-4003, "Thường trực Đảng ủy")
    chi = await link(tg, db, "CB02", 800002)  # a leader
    await chi.send("/help", chat=group)
    listed = await chi.expect_message(chat=group)
    commands = sorted(set(re.findall(r"/[a-z]+", listed.text)) - {"/help"})
    assert {"/lich", "/tonghop", "/kiennghi"} <= set(commands), listed.text
    for command in commands:
        await chi.send(command, chat=group)
        answer = await chi.expect_message(chat=group)
        assert f"Lệnh {command} được dùng trong cuộc trò chuyện riêng với bot" in answer.text
        (button,) = answer.buttons
        assert button["text"] == "💬 Mở trò chuyện riêng với bot"
        assert button["url"].startswith("https://t.me/")
    stranger = TgUser(tg, 700099, "Người lạ")
    await stranger.send("/lich", chat=group)
    await stranger.send("/tonghop@" + bot.bot.username, chat=group)
    await chi.expect_no_message(chat=group, within=1.0)  # chi has read all that came before
