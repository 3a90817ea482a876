"""People link their own Telegram account: by sharing their phone number, or by the office's
single-use invitation link."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select

from db.models import AuditEntry, Person
from sandbox.server import BotApiServer
from sandbox.users import TgUser


async def phone_of(db, code: str) -> str:
    return await db.scalar(select(Person.phone).where(Person.code == code))


async def test_a_genuine_contact_links_and_a_spoofed_one_is_refused(
    roster, bot, tg: BotApiServer, db
) -> None:
    binh = TgUser(tg, 700002, "Chi")
    await binh.send("/start")
    hint = await binh.expect_message(contains="chưa được liên kết")
    assert hint.keyboard == [{"text": "📱 Chia sẻ số điện thoại", "request_contact": True}]

    phone = await phone_of(db, "CB02")
    await binh.send_contact(phone, user_id=999999)  # someone else's contact, forwarded
    refused = await binh.expect_message(contains="số điện thoại của chính đồng chí")
    assert refused.keyboard  # the share button is offered again
    await binh.send_contact(phone, user_id=None)  # a contact typed in by hand
    await binh.expect_message(contains="số điện thoại của chính đồng chí")
    await binh.send_contact("0987 654 321")  # their own, but not on the roster
    await binh.expect_message(contains="chưa có trong danh sách cán bộ")
    assert await db.scalar(select(Person.telegram_user_id).where(Person.code == "CB02")) is None

    spaced = "84 " + phone[3:6] + " " + phone[6:]  # as Telegram may send it
    await binh.send_contact(spaced)
    linked = await binh.expect_message(contains="Đã liên kết tài khoản Telegram")
    assert "Kính chào đồng chí Trần Thị Thu Chi." in linked.text
    assert "Phó Bí thư Thường trực Đảng ủy" in linked.text
    assert await db.scalar(select(Person.telegram_user_id).where(Person.code == "CB02")) == binh.id

    await binh.send("/start")
    greeting = await binh.expect_message(contains="Kính chào đồng chí Trần Thị Thu Chi")
    assert "Chi bộ đồng chí được phân công theo dõi" in greeting.text
    assert "Chi bộ Khu phố 2" in greeting.text
    assert "vai trò lãnh đạo" in greeting.text

    impostor = TgUser(tg, 700099, "Giả")
    await impostor.send_contact(spaced)
    await impostor.expect_message(contains="đã được liên kết với một tài khoản Telegram khác")
    actions = await db.all(select(AuditEntry.action, AuditEntry.entity_id))
    assert ("person.link", "CB02") in actions


async def test_an_invitation_link_works_once_and_not_after_expiry(
    roster, bot, tg: BotApiServer, admin: TgUser, clock, db
) -> None:
    await admin.send("/moi CB03")
    invitation = await admin.expect_message(contains="Đường dẫn mời dành cho đồng chí")
    token = re.search(r"https://t\.me/chibo_test_bot\?start=([\w-]+)", invitation.text).group(1)

    first, second = TgUser(tg, 700003, "Cường"), TgUser(tg, 700004, "Khác")
    await first.send(f"/start {token}")
    await first.expect_message(contains="Đã liên kết tài khoản Telegram")
    await second.send(f"/start {token}")
    await second.expect_message(contains="đã được sử dụng")
    assert await db.scalar(select(Person.telegram_user_id).where(Person.code == "CB03")) == first.id

    await admin.send("/moi CB04")
    late = await admin.expect_message(contains="Đường dẫn mời")
    late_token = re.search(r"start=([\w-]+)", late.text).group(1)
    clock.advance(timedelta(days=7, minutes=1))
    await second.send(f"/start {late_token}")
    await second.expect_message(contains="đã hết hạn")
    await second.send("/start khong-co-ma-nay")
    await second.expect_message(contains="không hợp lệ")
    assert await db.scalar(select(Person.telegram_user_id).where(Person.code == "CB04")) is None


async def test_chibo_invite_on_the_command_line(roster, tg: BotApiServer, database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    env.update(
        CHIBO_BOT_TOKEN=tg.token,
        CHIBO_DATABASE_URL=database_url,
        CHIBO_TELEGRAM_BASE_URL=tg.base_url,
    )
    import asyncio

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "invite",
        "CB05",
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    link = stdout.decode().splitlines()[0]
    assert re.fullmatch(r"https://t\.me/chibo_test_bot\?start=[\w-]{20,64}", link)
