"""Two `chibo run` processes on one database, as an operator with two servers runs them.

On PostgreSQL one is active and the other stands by: exactly one polls, each reminder goes
out once, and when the active one is killed (kill -9) in the middle of a fan-out of 200 the
standby takes over within 30 s and sends the rest, none twice beyond the messages in flight.
An active instance that loses its database connection stops at once and stands by again.
On SQLite, a second process on the same file is refused."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bot.clock import SystemClock
from bot.operations.election import LOCK_KEY
from bot.outbox.sender import Sender
from db.urls import is_sqlite
from sandbox.server import BotApiServer
from sandbox.users import TgUser
from tests.factories import one_branch_followed_by
from tests.stories.test_chibo_run import chibo_run

PEOPLE = 200
BASE_ID = 21_000_000
SETTINGS = {"CHIBO_REMINDERS": "800h", "CHIBO_QUIET_HOURS": "00:00-00:00"}
IN_FLIGHT_AT_MOST = Sender.__init__.__kwdefaults__["concurrency"]
ACTIVE_LINE = "this instance is now the active one"
STANDBY_LINE = "standing by: another instance is active"


def delivered(tg: BotApiServer) -> Counter[int]:
    return Counter(call.params["chat_id"] for call in tg.calls_of("sendMessage") if call.ok)


def conflicts(tg: BotApiServer) -> int:
    return sum(1 for call in tg.calls_of("getUpdates") if "Conflict" in call.error)


def settings_for(tg: BotApiServer, database_url: str, **more: str) -> dict[str, str]:
    return {
        "CHIBO_BOT_TOKEN": tg.token,
        "CHIBO_DATABASE_URL": database_url,
        "CHIBO_TELEGRAM_BASE_URL": tg.base_url,
        "CHIBO_TELEGRAM_BASE_FILE_URL": tg.base_file_url,
        **SETTINGS,
        **more,
    }


def log_text(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


async def wait_for_line(log: Path, line: str, timeout: float, *, times: int = 1) -> bool:
    """Wait until the process's log has this line (`times` times)."""
    deadline = time.monotonic() + timeout
    # A file has no event to wait on: it is read ten times a second.
    while log_text(log).count(line) < times and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    return log_text(log).count(line) >= times


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGINT, as Ctrl+C; a process that has not ended 30 s later is killed (and the test
    fails on its exit code), so that it cannot outlive the test."""
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(process.communicate(), 30)
    except TimeoutError:
        process.kill()
        await process.wait()


async def hello_from_a_stranger(tg: BotApiServer, user_id: int) -> None:
    """A stranger writes /start and is told how to link: the bot receives and answers."""
    stranger = TgUser(tg, user_id, "Khách")
    await stranger.send("/start")
    assert "chưa được liên kết" in (await stranger.expect_message(timeout=30)).text


async def chibo_status(database_url: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    env["CHIBO_DATABASE_URL"] = database_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "status",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode() + err.decode()


async def test_a_second_instance_stands_by_and_takes_over(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    if is_sqlite(database_url):
        await _second_process_on_sqlite_is_refused(tg, database_url, tmp_path)
    else:
        await _standby_takes_over_on_postgresql(tg, database_url, tmp_path)


async def _second_process_on_sqlite_is_refused(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    first_log = tmp_path / "first.log"
    first = await chibo_run(tmp_path, log=first_log, **settings_for(tg, database_url))
    try:
        assert await wait_for_line(first_log, ACTIVE_LINE, 60)
        second = await chibo_run(tmp_path, **settings_for(tg, database_url))
        _, stderr = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode == 1
        last = stderr.decode().strip().splitlines()[-1]
        assert re.match(r"chibo: another `chibo run` \(pid \d+\) is using .*chibo\.db", last), last
        assert b"Traceback" not in stderr
        # The first one carries on.
        await hello_from_a_stranger(tg, 555010)
    finally:
        await stop(first)
    assert first.returncode == 0


async def _standby_takes_over_on_postgresql(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    await one_branch_followed_by(database_url, SystemClock(), PEOPLE, telegram_id_base=BASE_ID)
    for n in range(PEOPLE):
        tg.private_chat({"id": BASE_ID + n + 1, "first_name": f"P{n}"})
    tg.flood_limits_on = True
    settings = settings_for(tg, database_url)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    processes = [await chibo_run(tmp_path, log=log, **settings) for log in logs]
    try:
        started = await tg.wait_for(lambda: sum(delivered(tg).values()) >= 60, timeout=90)
        assert started, "the fan-out did not begin"
        texts = [log_text(log) for log in logs]
        actives = [n for n, text in enumerate(texts) if ACTIVE_LINE in text]
        assert len(actives) == 1, texts
        active, standby = actives[0], 1 - actives[0]
        assert await wait_for_line(logs[standby], STANDBY_LINE, 30)
        assert conflicts(tg) == 0, "two processes polled"

        code, report = await chibo_status(database_url)
        assert code == 0, report
        assert report.count("instance active:") == 1, report
        assert report.count("instance standby:") == 1, report

        processes[active].send_signal(signal.SIGKILL)
        await processes[active].wait()
        killed_at = time.monotonic()
        before = sum(delivered(tg).values())
        assert before < PEOPLE, "the fan-out ended before the kill: nothing was tested"
        resumed = await tg.wait_for(lambda: sum(delivered(tg).values()) > before, timeout=30)
        took = time.monotonic() - killed_at
        assert resumed, "the standby did not take over within 30 s"
        done = await tg.wait_for(lambda: len(delivered(tg)) == PEOPLE, timeout=60)
        assert done, f"{PEOPLE - len(delivered(tg))} reminders never went out"
        print(f"kill -9 after {before} sent; the standby sent again {took:.1f} s later")
        assert await wait_for_line(logs[standby], ACTIVE_LINE, 1)
        assert "claimed before a restart are queued again" in log_text(logs[standby])

        # Its new active instance still answers people.
        await hello_from_a_stranger(tg, 555011)
    finally:
        for process in processes:
            await stop(process)
    twice = [chat for chat, count in delivered(tg).items() if count > 1]
    assert len(twice) <= IN_FLIGHT_AT_MOST, f"{len(twice)} people got the reminder twice"
    assert max(delivered(tg).values()) <= 2
    assert processes[standby].returncode == 0
    assert "Traceback" not in log_text(logs[standby])


async def test_an_active_instance_that_loses_its_database_stops_then_stands_by(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """The connection that holds the lock is cut (a database restart, a network cut): the
    active instance stops receiving and sending at once, then takes the lock again."""
    if is_sqlite(database_url):
        await _sqlite_lock_ends_with_its_process(tg, database_url, tmp_path)
        return
    log = tmp_path / "chibo.log"
    process = await chibo_run(tmp_path, log=log, **settings_for(tg, database_url))
    try:
        assert await wait_for_line(log, ACTIVE_LINE, 60)
        parsed = make_url(database_url)
        with psycopg.connect(
            host=parsed.host,
            port=parsed.port,
            user=parsed.username,
            dbname=parsed.database,
            autocommit=True,
        ) as admin:
            cut = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objid = %s AND granted",
                (LOCK_KEY,),
            ).fetchall()
        assert cut == [(True,)]
        assert await wait_for_line(log, "lost the database connection", 30)
        assert await wait_for_line(log, ACTIVE_LINE, 30, times=2), log_text(log)
        await hello_from_a_stranger(tg, 555012)
    finally:
        await stop(process)
    assert process.returncode == 0
    assert "Traceback" not in log_text(log)


async def _sqlite_lock_ends_with_its_process(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """SQLite has no connection to lose; its lock is the process's: killed, it is free, and
    the next start (systemd's restart) is not refused."""
    first_log = tmp_path / "first.log"
    first = await chibo_run(tmp_path, log=first_log, **settings_for(tg, database_url))
    assert await wait_for_line(first_log, ACTIVE_LINE, 60)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    second_log = tmp_path / "second.log"
    second = await chibo_run(tmp_path, log=second_log, **settings_for(tg, database_url))
    try:
        assert await wait_for_line(second_log, ACTIVE_LINE, 60), log_text(second_log)
        await hello_from_a_stranger(tg, 555013)
    finally:
        await stop(second)
    assert second.returncode == 0
