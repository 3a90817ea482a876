"""`chibo run`, the command an operator types, pointed at the test Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from sandbox.server import BotApiServer
from sandbox.users import TgUser
from tests.conftest import ADMIN_TELEGRAM_ID


async def chibo_run(
    folder: Path, *, log: Path | None = None, **settings: str
) -> asyncio.subprocess.Process:
    """`chibo run` in its own process, with these settings and none from the environment;
    its log goes to `log` if given (a long run would fill a pipe nobody reads)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    env.update(settings)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        cwd=folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE if log is None else log.open("wb"),
    )


async def test_chibo_run_answers_a_stranger_and_greets_an_admin(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    process = await chibo_run(
        tmp_path,
        CHIBO_BOT_TOKEN=tg.token,
        CHIBO_DATABASE_URL=database_url,
        CHIBO_TELEGRAM_BASE_URL=tg.base_url,
        CHIBO_TELEGRAM_BASE_FILE_URL=tg.base_file_url,
        CHIBO_ADMIN_IDS=str(ADMIN_TELEGRAM_ID),
    )
    try:
        stranger = TgUser(tg, 555002, "Khách")
        await stranger.send("/start")
        hint = await stranger.expect_message(timeout=60)
        assert "chưa được liên kết" in hint.text
        await stranger.expect_no_message(within=1.0)

        admin = TgUser(tg, ADMIN_TELEGRAM_ID, "Văn phòng")
        await admin.send("/start")
        greeting = await admin.expect_message(contains="vai trò quản trị")
        assert greeting.text.startswith("Kính chào đồng chí")
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr


async def test_chibo_run_with_a_token_telegram_refuses(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    process = await chibo_run(
        tmp_path,
        CHIBO_BOT_TOKEN="999:not-the-servers-token",
        CHIBO_DATABASE_URL=database_url,
        CHIBO_TELEGRAM_BASE_URL=tg.base_url,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert (
        stderr.decode()
        .strip()
        .splitlines()[-1]
        .startswith("chibo: CHIBO_BOT_TOKEN: Telegram refused the token")
    )


async def test_chibo_run_waits_for_telegram_to_be_reachable(
    database_url: str, tmp_path: Path
) -> None:
    """Telegram cannot be reached when the bot starts (a router restarting), and can a few
    seconds later: the bot tries again, then answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tg = BotApiServer()
    process = await chibo_run(
        tmp_path,
        CHIBO_BOT_TOKEN=tg.token,
        CHIBO_DATABASE_URL=database_url,
        CHIBO_TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot",
        CHIBO_TELEGRAM_BASE_FILE_URL=f"http://127.0.0.1:{port}/file/bot",
    )
    try:
        await asyncio.sleep(2.5)  # past its first attempt, whatever the machine's pace
        assert process.returncode is None
        await tg.start(port)
        stranger = TgUser(tg, 555003, "Khách")
        await stranger.send("/start")
        hint = await stranger.expect_message(timeout=60)
        assert "chưa được liên kết" in hint.text
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        await tg.stop()
    assert process.returncode == 0, stderr.decode()[-3000:]
