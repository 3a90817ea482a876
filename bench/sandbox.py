"""The sandbox as a newcomer meets it: how long `make run` takes to a page that answers, and
how long a click on a button takes to show the bot's answer in the page.

    python bench/sandbox.py [--clicks 50]
    python bench/sandbox.py --quick    # this checkout's sandbox, 3 clicks (make test)

1. A fresh clone of this repository (the committed HEAD) in a temporary folder: `make run`
   with no token, until the page and its state answer. Once from nothing (the virtual
   environment made and the packages installed from pip's cache: "with the install"), then
   again in the same clone with the environment in place and no sandbox.db ("after the
   install", the town's data made anew), and once more with the sandbox.db of the first start.
2. In the last of those sandboxes, headless Chromium (Debian's) acts as a committee member
   at step 4 of a report and presses a topic's button N times; each time it measures, inside
   the page, from the click to the bot's new message drawn in the page.

The member presses buttons by what they do (their callback data, which the page keeps beside
each button) and the bench waits for the step the report is at (its draft in the sandbox's
database), never for words of the texts, which change with every review of them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402

CLICK_AND_WAIT = """
async () => {
  const newest = () => Math.max(0, ...[...document.querySelectorAll('.msg.bot')]
    .map((m) => Number(m.dataset.id)));
  const choices = [...document.querySelectorAll('.msg.bot button[data-callback^="1:ra:"]')];
  const button = choices.filter((b) => b.closest('.msg') === choices[choices.length - 1]
    .closest('.msg'))[0];
  const before = newest();
  const start = performance.now();
  await new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      if (newest() > before) { watch.disconnect(); resolve(); }
    });
    watch.observe(document.getElementById('messages'), { childList: true, subtree: true });
    button.click();
  });
  return performance.now() - start;
}
"""


def report_step(database: Path) -> str | None:
    """The step of the report being written in the sandbox (its newest open draft)."""
    with sqlite3.connect(database, timeout=10) as connection:
        row = connection.execute(
            "SELECT step FROM drafts WHERE flow = 'report' AND active"
            " ORDER BY updated_at DESC, id DESC LIMIT 1"
        ).fetchone()
    return row[0] if row else None


async def at_step(database: Path, step: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while report_step(database) != step:
        if time.monotonic() > deadline:
            raise SystemExit(f"the report never reached the step {step!r}")
        await asyncio.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


def make_run(clone: Path, port: int) -> tuple[subprocess.Popen, float]:
    """`make run` with no token; seconds until the page's state answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    env["CHIBO_LOG_LEVEL"] = "WARNING"
    start = time.perf_counter()
    process = subprocess.Popen(
        ["make", "-s", "run", f"RUN_ARGS=--port {port}"],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while not answers(port):
        if process.poll() is not None:
            raise SystemExit(f"make run ended with {process.returncode}")
        if time.perf_counter() - start > 900:
            raise SystemExit("make run: no page after 15 minutes")
        time.sleep(0.05)
    return process, time.perf_counter() - start


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


async def clicks(port: int, count: int, database: Path) -> list[float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 860})

        async def press(ending: str, action: str = "ra") -> None:
            """The newest button of this action whose callback data ends so."""
            selector = f'.msg.bot button[data-callback^="1:{action}:"][data-callback$="{ending}"]'
            await page.locator(selector).last.click()

        async def write(text: str) -> None:
            await page.fill("#text", text)
            await page.press("#text", "Enter")

        await page.goto(f"http://127.0.0.1:{port}/")
        await page.click("#tour-close")
        await page.click('#people button[data-key="member6"]')
        await page.click('[data-clock="meeting_end"]')
        await page.locator('.msg.bot button[data-callback^="1:rq:"]').last.wait_for()
        await press(":now", "rq")
        await at_step(database, "held")
        await press(":yes")
        await at_step(database, "times")
        await press(":planned")
        await at_step(database, "total")
        await write("18/22")
        await at_step(database, "exempted")
        await press(":0")
        await at_step(database, "excused")
        await write("3")
        await at_step(database, "topics")
        await page.locator('.msg.bot button[data-callback^="1:ra:"]').last.wait_for()
        timings = [await page.evaluate(CLICK_AND_WAIT) for _ in range(count)]
        await at_step(database, "topics")
        await browser.close()
    return timings


def sandbox_here(port: int, folder: Path) -> subprocess.Popen:
    """This checkout's sandbox (its environment already made), on a database of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    env["CHIBO_LOG_LEVEL"] = "WARNING"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "sandbox",
            "--port",
            str(port),
            "--database",
            str(folder / "sandbox.db"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    start = time.perf_counter()
    while not answers(port):
        if process.poll() is not None:
            raise SystemExit(f"the sandbox ended with {process.returncode}")
        if time.perf_counter() - start > 120:
            stop(process)
            raise SystemExit("the sandbox: no page after 2 minutes")
        time.sleep(0.05)
    return process


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=50)
    parser.add_argument(
        "--quick", action="store_true", help="this checkout's sandbox and 3 clicks, no clone"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="chibo-bench-sandbox-"))
    if args.quick:
        try:
            port = free_port()
            process = sandbox_here(port, folder)
            try:
                timings = asyncio.run(clicks(port, 3, folder / "sandbox.db"))
            finally:
                stop(process)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        drawn = ", ".join(f"{t:.0f} ms" for t in timings)
        print(f"quick: 3 clicks to the bot's answer drawn: {drawn}")
        return
    clone = folder / "chibo"
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        port = free_port()
        process, with_install = make_run(clone, port)
        stop(process)
        (clone / "sandbox.db").unlink()
        (clone / "sandbox.db.clock.json").unlink(missing_ok=True)
        process, first_start = make_run(clone, port)
        stop(process)
        process, again = make_run(clone, port)
        print("make run (no token) to the page answering, on a fresh clone:")
        print(f"  with the install (venv and packages from pip's cache): {with_install:6.1f} s")
        print(f"  after the install, the town's data made anew:           {first_start:6.1f} s")
        print(f"  after the install, the sandbox.db of an earlier start:  {again:6.1f} s")
        print("  target: within 5 s of the command after the install", flush=True)
        try:
            timings = asyncio.run(clicks(port, args.clicks, clone / "sandbox.db"))
        finally:
            stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"click on an inline button to the bot's answer drawn, {len(timings)} clicks:")
    print(
        f"  p50 {statistics.median(timings):.0f} ms, p95 {percentile(timings, 0.95):.0f} ms,"
        f" max {max(timings):.0f} ms (target: p95 within 150 ms)"
    )


if __name__ == "__main__":
    main()
