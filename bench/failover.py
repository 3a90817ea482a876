"""Failover: two `chibo run` processes on one PostgreSQL database, the active one killed with
kill -9 in the middle of sending; the time until the standby sends its first message.

    python bench/failover.py [--trials 10] [--database-url postgresql://...]
    python bench/failover.py --quick [--database-url URL]   # one short trial (make test)

On SQLite, where one process runs at a time, the killed process is replaced by a new one at
once (as systemd's Restart=always does): the time is that of a restart.

Each trial queues 300 messages, waits until 40 of them are delivered, kills the active
process, and measures from the kill to the next message Telegram (the local Bot API server)
receives. A new process then replaces the killed one as the standby. Prints each trial, then
min, median and max, and the messages delivered twice (a message in flight when the process
died may be; the sender sends at most 16 at once).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.outbox.queue import put  # noqa: E402
from bot.render import Screen  # noqa: E402
from db import migrate  # noqa: E402
from db.session import create_engine, create_sessionmaker  # noqa: E402
from db.urls import is_sqlite  # noqa: E402
from sandbox.server import BotApiServer  # noqa: E402

BATCH = 300
KILL_AFTER = 40
USER_BASE = 30_000_000
ACTIVE_LINE = b"this instance is now the active one"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/chibo_failover"


class Instance:
    def __init__(self, name: str, folder: Path, env: dict[str, str]) -> None:
        self.name, self.folder, self.env = name, folder, env
        self.log = folder / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=self.env,
            cwd=self.folder,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )

    def active(self) -> bool:
        return self.log.exists() and ACTIVE_LINE in self.log.read_bytes()

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        """Ctrl+C; a process that has not ended 20 s later (one stopped while it was still
        starting may miss the signal) is killed, so the bench never leaves one running."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def fresh_database(url: str) -> None:
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{parsed.database}"')


async def queue_batch(sessionmaker, trial: int, batch: int) -> None:
    now = datetime.now(UTC)
    async with sessionmaker() as db:
        for n in range(batch):
            await put(
                db,
                key=f"bench:{trial}:{n}",
                chat_id=USER_BASE + n,
                part=Screen(f"Tin thử {trial}.{n}"),
                now=now,
                quiet_hours=False,
            )
        await db.commit()


def delivered(server: BotApiServer, trial: int) -> Counter[str]:
    prefix = f"Tin thử {trial}."
    return Counter(
        c.params["text"]
        for c in server.calls_of("sendMessage")
        if c.ok and c.params["text"].startswith(prefix)
    )


async def until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    return bool(predicate())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--quick", action="store_true", help="one trial of 90 messages, to check the bench runs"
    )
    args = parser.parse_args()
    batch, kill_after = (90, 20) if args.quick else (BATCH, KILL_AFTER)
    if args.quick:
        args.trials = 1
    folder = Path(tempfile.mkdtemp(prefix="chibo-failover-"))
    sqlite = is_sqlite(args.database_url)
    if sqlite:
        args.database_url = f"sqlite:///{folder / 'failover.db'}"
    else:
        fresh_database(args.database_url)
    await migrate.upgrade(args.database_url)
    engine = create_engine(args.database_url)
    sessionmaker = create_sessionmaker(engine)
    server = BotApiServer(flood_limits=True)
    await server.start()
    for n in range(batch):
        server.private_chat({"id": USER_BASE + n, "first_name": f"P{n}"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    env.update(
        CHIBO_BOT_TOKEN=server.token,
        CHIBO_DATABASE_URL=args.database_url,
        CHIBO_TELEGRAM_BASE_URL=server.base_url,
        CHIBO_TELEGRAM_BASE_FILE_URL=server.base_file_url,
        CHIBO_QUIET_HOURS="00:00-00:00",
    )
    count = 0

    def new_instance() -> Instance:
        nonlocal count
        count += 1
        return Instance(f"instance-{count}", folder, env)

    # On SQLite one process runs at a time: the second starts when the first is killed.
    instances = [new_instance()] if sqlite else [new_instance(), new_instance()]
    for instance in instances:
        await instance.start()
    takeovers: list[float] = []
    twice_total = 0
    print(f"{args.trials} trials; database {args.database_url}; logs in {folder}")
    try:
        for trial in range(1, args.trials + 1):
            pair = instances
            assert await until(lambda pair=pair: any(i.active() for i in pair), 60), "none active"
            active = next(i for i in pair if i.active())
            await queue_batch(sessionmaker, trial, batch)
            assert await until(
                lambda trial=trial: sum(delivered(server, trial).values()) >= kill_after, 60
            )
            await active.kill()
            killed_at = time.monotonic()
            if sqlite:  # restarted at once, in the dead one's place
                standby = new_instance()
                await standby.start()
            else:
                standby = next(i for i in pair if i is not active)
            mark = len(server.calls)  # every call from here on is the standby's

            def sent_since(mark: int = mark) -> list[float]:
                return [c.at for c in server.calls[mark:] if c.method == "sendMessage" and c.ok]

            assert await until(sent_since, 60), "the standby never sent"
            took = sent_since()[0] - killed_at
            takeovers.append(took)
            assert await until(lambda trial=trial: len(delivered(server, trial)) == batch, 60), (
                "lost"
            )
            twice = sum(1 for n in delivered(server, trial).values() if n > 1)
            twice_total += twice
            print(
                f"trial {trial:2}: first message from the standby {took:5.2f} s after the kill;"
                f" {twice} delivered twice"
            )
            if sqlite or trial == args.trials:
                instances = [standby]
            else:  # the next trial's standby
                replacement = new_instance()
                await replacement.start()
                instances = [standby, replacement]
    finally:
        for instance in instances:
            await instance.stop()
        await server.stop()
        await engine.dispose()
    print(
        f"takeover over {len(takeovers)} trials: min {min(takeovers):.2f} s,"
        f" median {statistics.median(takeovers):.2f} s, max {max(takeovers):.2f} s"
        " (target: median under 15 s, max under 30 s)"
    )
    print(f"delivered twice: {twice_total} in all (at most 16 a trial may be in flight)")


if __name__ == "__main__":
    asyncio.run(main())
