"""Nothing is lost, and nobody silences the bot: a stranger's burst during a fan-out, an
answer that meets Telegram's flood control, a server error and a dropped connection, a
clean stop whose database file alone holds every change, and `chibo status` that knows at
once when no instance is left. Each on the test's database, SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
import time
from pathlib import Path

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.clock import SystemClock
from db.models import OutboxMessage, OutboxState, Person
from db.urls import is_sqlite
from sandbox.server import ApiError, BotApiServer
from sandbox.users import TgUser
from tests.conftest import Db, link
from tests.factories import one_branch_followed_by
from tests.stories.test_chibo_run import chibo_run
from tests.stories.test_operations import free_port
from tests.stories.test_standby import (
    ACTIVE_LINE,
    chibo_status,
    delivered,
    log_text,
    settings_for,
    stop,
    wait_for_line,
)

STRANGER = 555_100


async def test_a_strangers_burst_during_a_fan_out_holds_up_nobody(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """120 reminders go out while a stranger sends 40 commands in 2 seconds: the stranger is
    answered at most once every few seconds, the rest dropped quietly and counted; every
    reminder goes within the usual time, and Telegram never has to refuse a message."""
    people, base = 120, 24_000_000
    await one_branch_followed_by(database_url, SystemClock(), people, telegram_id_base=base)
    for n in range(people):
        tg.private_chat({"id": base + n + 1, "first_name": f"P{n}"})
    tg.flood_limits_on = True
    stranger = TgUser(tg, STRANGER, "Khách")
    port = free_port()
    log = tmp_path / "chibo.log"
    process = await chibo_run(
        tmp_path,
        log=log,
        **settings_for(tg, database_url, CHIBO_HEALTH_LISTEN=f"127.0.0.1:{port}"),
    )
    try:
        assert await tg.wait_for(lambda: sum(delivered(tg).values()) >= 10, timeout=90)
        began = time.monotonic()
        for _ in range(40):
            await stranger.send("/start")
            await asyncio.sleep(0.05)
        assert await tg.wait_for(
            lambda: len([chat for chat in delivered(tg) if chat != STRANGER]) == people,
            timeout=30,
        )
        took = time.monotonic() - began
        await asyncio.sleep(1.0)
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/metrics") as response,
        ):
            metrics = await response.text()
    finally:
        await stop(process)
    assert process.returncode == 0
    answers = delivered(tg)[STRANGER]
    print(f"the fan-out ended {took:.1f} s into the burst; the stranger was answered {answers}x")
    assert 1 <= answers <= 2  # 40 commands in 2 s: one answer, two at most
    assert tg.error_counts[429] == 0
    assert 'chibo_updates_dropped_total{who="stranger"}' in metrics
    dropped = next(
        line for line in metrics.splitlines() if line.startswith("chibo_updates_dropped")
    )
    assert float(dropped.rsplit(" ", 1)[1]) >= 38
    written = log_text(log)
    assert "all sending paused" not in written
    assert "Traceback" not in written


async def test_an_answer_meets_a_flood_wait_a_server_error_and_a_dropped_connection(
    roster, bot, tg: BotApiServer, db: Db
) -> None:
    """The answer to a member's /start meets a 429, a 500 and a dropped connection in turn:
    it waits, tries again, and arrives once. When Telegram refuses longer than a person
    waits, the answer goes to the outbox, which delivers it."""
    an = await link(tg, db, "CB01", 800_001)
    tg.inject_error(
        "sendMessage", ApiError(429, "Too Many Requests: retry after 1", 1), chat_id=an.id
    )
    tg.inject_error("sendMessage", ApiError(500, "Internal Server Error"), chat_id=an.id)
    tg.inject_error("sendMessage", "disconnect", chat_id=an.id)
    await an.send("/start")
    greeting = await an.expect_message(timeout=30)
    assert greeting.text.startswith("Kính chào đồng chí")
    assert not tg.injected["sendMessage"], "a fault was never met"
    await an.expect_no_message(within=1.5)

    # Longer than the person's update waits (four tries): handed to the outbox, which sends it.
    for _ in range(4):
        tg.inject_error("sendMessage", ApiError(502, "Bad Gateway"), chat_id=an.id)
    await an.send("/help")
    helped = await an.expect_message(timeout=60)
    assert "Những việc đồng chí" in helped.text or "/lich" in helped.text
    handed = select(OutboxMessage.state).where(OutboxMessage.key.like("answer:%"))
    for _ in range(50):  # the sender records the send a moment after Telegram answers
        if await db.all(handed) == [(OutboxState.SENT,)]:
            break
        await asyncio.sleep(0.1)
    assert await db.all(handed) == [(OutboxState.SENT,)]


async def test_a_clean_stop_leaves_every_change_in_the_database(
    roster, tg: BotApiServer, database_url: str, tmp_path: Path, db: Db
) -> None:
    """SIGTERM ends `chibo run` within 5 s with exit 0, nothing left claimed in the outbox,
    and on SQLite the database file alone (copied without its -wal) holds every change."""
    log = tmp_path / "chibo.log"
    process = await chibo_run(tmp_path, log=log, **settings_for(tg, database_url))
    try:
        assert await wait_for_line(log, ACTIVE_LINE, 60)
        members = [await link(tg, db, f"CB{n:02d}", 800_100 + n) for n in range(1, 6)]
        assert len(members) == 5
    finally:
        process.send_signal(signal.SIGTERM)
        began = time.monotonic()
        await asyncio.wait_for(process.wait(), 30)
        took = time.monotonic() - began
    print(f"stopped in {took:.2f} s")
    assert process.returncode == 0, log_text(log)
    assert took < 5.0
    assert "Traceback" not in log_text(log)
    claimed = select(func.count()).where(OutboxMessage.state == OutboxState.SENDING)
    assert await db.scalar(claimed) == 0
    if is_sqlite(database_url):
        original = Path(make_url(database_url).database or "")
        copy = tmp_path / "copy.db"
        shutil.copyfile(original, copy)  # the file alone, as a careless backup takes it
        with sqlite3.connect(copy) as copied:
            linked = copied.execute(
                "SELECT count(*) FROM people WHERE telegram_user_id BETWEEN 800101 AND 800105"
            ).fetchone()[0]
        assert linked == 5
    else:
        linked = await db.scalar(
            select(func.count()).where(Person.telegram_user_id.between(800_101, 800_105))
        )
        assert linked == 5


async def test_status_knows_within_seconds_that_no_instance_is_left(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """`chibo status` names the active instance and its first call to Telegram, then exits 1
    within 5 s of that instance's kill -9: the lock says so, not a heartbeat 45 s old."""
    log = tmp_path / "chibo.log"
    process = await chibo_run(tmp_path, log=log, **settings_for(tg, database_url))
    try:
        assert await wait_for_line(log, ACTIVE_LINE, 60)
        deadline = time.monotonic() + 10
        code, report = await chibo_status(database_url)
        while ("instance active" not in report or "Telegram call never" in report) and (
            time.monotonic() < deadline
        ):
            await asyncio.sleep(0.2)
            code, report = await chibo_status(database_url)
        assert code == 0, report
        assert "instance active" in report, report
        assert "last Telegram call never" not in report, report
        process.send_signal(signal.SIGKILL)
        await process.wait()
        killed = time.monotonic()
        code, report = await chibo_status(database_url)
        took = time.monotonic() - killed
    finally:
        await stop(process)
    print(f"chibo status exited {code} {took:.2f} s after the kill")
    assert code == 1, report
    assert took < 5.0
    assert "NO ACTIVE INSTANCE" in report
    assert "instance active" not in report
