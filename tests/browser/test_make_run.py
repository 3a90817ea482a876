"""`make run` with no token: the sandbox starts as a process and its page loads in a browser;
`chibo run` alone never falls into the sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from playwright.async_api import Browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def without_token() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}


async def launch(folder: Path, *args: str) -> asyncio.subprocess.Process:
    """A command of this project's (`python -m ...`) in its own process, with no token."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        *args,
        env=without_token(),
        cwd=folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_make_run_without_a_token_opens_the_sandbox(browser: Browser, tmp_path: Path):
    port = free_port()
    # What `make run` runs, from a folder with no .env and no token in the environment.
    process = await launch(tmp_path, "sandbox.auto", "--port", str(port))
    try:
        assert process.stdout is not None
        first = await asyncio.wait_for(process.stdout.readline(), 30)
        assert first.decode().strip() == (
            f"Chưa có CHIBO_BOT_TOKEN: chạy chế độ thử tại http://127.0.0.1:{port}"
        )
        ready = await asyncio.wait_for(process.stdout.readline(), 60)
        assert f"http://127.0.0.1:{port}" in ready.decode()
        page = await browser.new_page()
        await page.goto(f"http://127.0.0.1:{port}/")
        await page.locator('#people button[data-key="leader"]').click()
        await page.fill("#text", "/start")
        await page.press("#text", "Enter")
        await page.locator(".msg.bot", has_text="Kính chào đồng chí").wait_for(timeout=15000)
        await page.close()
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    assert (tmp_path / "sandbox.db").exists()
    assert not (tmp_path / "chibo.db").exists(), "the sandbox never touches the real database"


async def test_chibo_run_without_a_token_refuses_in_one_line(tmp_path: Path) -> None:
    process = await launch(tmp_path, "bot.cli", "run")
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert stderr.decode().strip().splitlines() == [
        "chibo: CHIBO_BOT_TOKEN: missing; get a token from @BotFather and set it in the"
        " environment or in .env"
    ]
    assert not (tmp_path / "sandbox.db").exists()


async def test_a_busy_port_is_said_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = await launch(tmp_path, "bot.cli", "sandbox", "--port", str(port))
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    lines = stderr.decode().strip().splitlines()
    assert lines[-1].startswith(f"chibo: sandbox: port {port}:"), lines
    assert "Traceback" not in stderr.decode()
