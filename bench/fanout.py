"""Fan-out: N linked members each get one reminder, through chibo's real job and sender,
against the local Bot API server with Telegram's flood limits on; then, in the same run, a
plain python-telegram-bot loop with AIORateLimiter sends the same N messages.

    python bench/fanout.py [--members 5000] [--database-url URL]
    python bench/fanout.py --quick     # 90 members, in a few seconds (make test)

Prints messages per second (sustained: after the first second), 429 replies and total time
for both, side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram.ext import AIORateLimiter, ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.jobs.calendar import extend_calendar  # noqa: E402
from bot.jobs.reminders import queue_reminders  # noqa: E402
from bot.pipeline.context import RUNTIME_KEY  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from db import migrate  # noqa: E402
from sandbox.server import BotApiServer  # noqa: E402
from tests.factories import one_branch_followed_by  # noqa: E402

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
USER_ID_BASE = 20_000_000


@dataclass
class Run:
    name: str
    messages: int
    seconds: float
    sustained_per_second: float
    replies_429: int
    replies_429_steady: int


def summarise(name: str, server: BotApiServer, since_call: int, since_429: int) -> Run:
    calls = server.calls[since_call:]
    sends = [c for c in calls if c.method == "sendMessage"]
    delivered = sorted(c.at for c in sends if c.ok)
    refused = [c.at for c in sends if "Too Many" in c.error]
    first, last = delivered[0], delivered[-1]
    after_first_second = [t for t in delivered if t >= first + 1.0]
    span = last - (first + 1.0)
    sustained = len(after_first_second) / span if span > 0 else float("nan")
    return Run(
        name,
        len(delivered),
        last - first,
        sustained,
        server.error_counts[429] - since_429,
        sum(1 for t in refused if t >= first + 1.0),
    )


async def prepare(database_url: str, members: int, clock: ManualClock) -> None:
    await migrate.upgrade(database_url)
    await one_branch_followed_by(database_url, clock, members, telegram_id_base=USER_ID_BASE)


async def chibo_sender(
    server: BotApiServer, database_url: str, members: int, clock: ManualClock
) -> tuple[Run, str]:
    settings = load_settings(
        _env_file=None,
        bot_token=server.token,
        database_url=database_url,
        telegram_base_url=server.base_url,
        telegram_base_file_url=server.base_file_url,
        log_level="WARNING",
    )
    app = build_application(settings, clock=clock)
    await app.initialize()
    await app.start()
    runtime = app.bot_data[RUNTIME_KEY]
    since_call, since_429 = len(server.calls), server.error_counts[429]
    try:
        await extend_calendar(runtime)
        queued = await queue_reminders(runtime)
        assert queued == members, queued
        runtime.sender.wake()

        def delivered() -> bool:
            sends = server.calls[since_call:]
            return sum(1 for c in sends if c.method == "sendMessage" and c.ok) >= members

        await server.wait_for(delivered, timeout=members)
        sample = next(
            c.params["text"] for c in server.calls[since_call:] if c.method == "sendMessage"
        )
    finally:
        await app.stop()
        await app.shutdown()
    return summarise("chibo outbox sender", server, since_call, since_429), sample


async def plain_loop(server: BotApiServer, members: int, text: str) -> Run:
    bot = ExtBot(
        server.token,
        base_url=server.base_url,
        request=HTTPXRequest(connection_pool_size=256),
        rate_limiter=AIORateLimiter(max_retries=5),
    )
    since_call, since_429 = len(server.calls), server.error_counts[429]
    async with bot:
        await asyncio.gather(
            *(
                bot.send_message(USER_ID_BASE + n + 1, text, parse_mode="HTML")
                for n in range(members)
            )
        )
    return summarise("plain PTB + AIORateLimiter", server, since_call, since_429)


def table(runs: list[Run]) -> str:
    rows = [
        ("messages delivered", [f"{r.messages}" for r in runs]),
        ("total time, s", [f"{r.seconds:.1f}" for r in runs]),
        ("sustained msg/s (after 1st s)", [f"{r.sustained_per_second:.2f}" for r in runs]),
        ("429 replies, all", [f"{r.replies_429}" for r in runs]),
        ("429 replies after 1st s", [f"{r.replies_429_steady}" for r in runs]),
    ]
    width = max(len(label) for label, _ in rows)
    header = " " * width + "  " + "  ".join(f"{r.name:>28}" for r in runs)
    lines = [header] + [
        f"{label:<{width}}  " + "  ".join(f"{v:>28}" for v in values) for label, values in rows
    ]
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="90 members, to check it runs")
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database to fill (default: a temporary SQLite file)",
    )
    args = parser.parse_args()
    if args.quick:
        args.members = 90
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{folder}/fanout.db"
        clock = ManualClock(datetime(2026, 12, 2, 8, 0, tzinfo=ZONE))
        print(f"preparing {args.members} linked members ...", flush=True)
        await prepare(database_url, args.members, clock)
        server = BotApiServer(flood_limits=True)
        await server.start()
        for n in range(args.members):
            server.private_chat({"id": USER_ID_BASE + n + 1, "first_name": f"P{n}"})
        try:
            started = time.perf_counter()
            ours, sample = await chibo_sender(server, database_url, args.members, clock)
            print(f"chibo sender done in {time.perf_counter() - started:.1f} s", flush=True)
            await asyncio.sleep(1.5)  # let the server's windows empty between the runs
            started = time.perf_counter()
            plain = await plain_loop(server, args.members, sample)
            print(f"plain loop done in {time.perf_counter() - started:.1f} s", flush=True)
        finally:
            await server.stop()
    print()
    print(table([ours, plain]))
    print()
    print(
        f"target: sustained >= 28 msg/s, no 429 after the first second, no slower than the"
        f" plain loop -> sustained {ours.sustained_per_second:.2f} vs"
        f" {plain.sustained_per_second:.2f} msg/s, total {ours.seconds:.1f} vs"
        f" {plain.seconds:.1f} s"
    )


if __name__ == "__main__":
    asyncio.run(main())
