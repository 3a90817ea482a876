"""Start-up and idle memory: `chibo run`, and beside it a bare python-telegram-bot bot (one
/start handler, long polling), each started as a process against the local Bot API server.

    python bench/startup.py [--runs 5] [--idle 10] [--database-url URL] [--before COMMIT]
    python bench/startup.py --quick    # one start each, one second idle (make test)

For each: the time from the process's start to its first getUpdates (median of --runs
starts), and its resident memory after --idle seconds of idling, read from /proc. chibo's
database is migrated once before, as it is at every restart but the first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db import migrate  # noqa: E402
from sandbox.server import BotApiServer  # noqa: E402

BARE_BOT = """
import sys
from telegram.ext import Application, CommandHandler

async def start(update, context):
    await update.message.reply_text("Hello")

app = Application.builder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(CommandHandler("start", start))
app.run_polling()
"""


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def one_start(
    server: BotApiServer, command: list[str], env: dict[str, str], idle: float, folder: Path
) -> tuple[float, float, float]:
    server.first_arrival.clear()
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env,
        cwd=folder,  # no .env of a checkout is read
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        # Polled a tenth of a second at a time: a long poll wakes nothing until it returns.
        deadline = started + 60
        while "getUpdates" not in server.first_arrival and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        assert "getUpdates" in server.first_arrival, f"{command} never polled"
        took = server.first_arrival["getUpdates"] - started
        await asyncio.sleep(idle)
        rss, peak = rss_mb(process.pid)
    finally:
        process.terminate()
        await process.wait()
    return took, rss, peak


def earlier_chibo(commit: str, folder: Path, env: dict[str, str]) -> dict[str, str]:
    """The environment that runs chibo's code at `commit`, on a database it migrated."""
    tree = folder / f"chibo-{commit[:8]}"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
        check=True,
        capture_output=True,
    )
    earlier = {
        **env,
        "PYTHONPATH": str(tree),
        "CHIBO_DATABASE_URL": f"sqlite:///{folder / 'earlier.db'}",
    }
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        env=earlier,
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return earlier


def remove_worktree(tree: Path) -> None:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--before",
        metavar="COMMIT",
        help="also start chibo as it was at this commit (a git worktree), on its own database",
    )
    parser.add_argument("--quick", action="store_true", help="one start each, 1 s idle")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.idle = 1, 1.0

    server = BotApiServer()
    await server.start()
    folder = Path(tempfile.mkdtemp(prefix="chibo-startup-"))
    database_url = args.database_url or f"sqlite:///{folder / 'chibo.db'}"
    await migrate.upgrade(database_url)
    bare = folder / "bare_bot.py"
    bare.write_text(BARE_BOT)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    chibo_env = {
        **base_env,
        "CHIBO_BOT_TOKEN": server.token,
        "CHIBO_DATABASE_URL": database_url,
        "CHIBO_TELEGRAM_BASE_URL": server.base_url,
        "CHIBO_TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "CHIBO_LOG_LEVEL": "WARNING",
    }
    candidates = {
        "bare python-telegram-bot bot": (
            [sys.executable, str(bare), server.token, server.base_url],
            base_env,
        ),
        "chibo run": ([sys.executable, "-m", "bot.cli", "run"], chibo_env),
    }
    if args.before:
        candidates[f"chibo run at {args.before[:8]}"] = (
            [sys.executable, "-m", "bot.cli", "run"],
            earlier_chibo(args.before, folder, chibo_env),
        )
    print(f"{args.runs} starts each, memory after {args.idle:.0f} s idle; database {database_url}")
    print(f"{'':32} {'to first getUpdates':>20} {'idle RSS':>10} {'peak RSS':>10}")
    try:
        for name, (command, env) in candidates.items():
            runs = [
                await one_start(server, command, env, args.idle, folder) for _ in range(args.runs)
            ]
            took = statistics.median(r[0] for r in runs)
            rss = statistics.median(r[1] for r in runs)
            peak = statistics.median(r[2] for r in runs)
            spread = f"({min(r[0] for r in runs):.2f}–{max(r[0] for r in runs):.2f})"
            print(f"{name:32} {took:>7.2f} s {spread:>12} {rss:>7.0f} MB {peak:>7.0f} MB")
    finally:
        await server.stop()
        if args.before:
            remove_worktree(folder / f"chibo-{args.before[:8]}")


if __name__ == "__main__":
    asyncio.run(main())
