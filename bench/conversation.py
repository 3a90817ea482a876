"""Conversation load: N simulated people each complete a whole report at once, against the
real bot (`chibo run`) and the local Bot API server; in the same run, the same people talk
to a bare python-telegram-bot bot that only echoes, under the same load.

    python bench/conversation.py [--people 200] [--pace 2-6] [--database-url URL]
    python bench/conversation.py --quick   # 3 people, flat out, both bots (make test)

Two loads, each for both bots:

- at a human pace: every person waits a random 2 to 6 seconds (uniform, seeded) between the
  bot's answer and their next tap or message, as someone reading a phone does;
- flat out: no pause at all, so that latency is simply the number of people divided by the
  throughput (this shows where each bot saturates, not what people would wait).

For each it prints per-step latency (from the person's update to the bot's answer) p50, p95
and p99, total time, the bot process's CPU time per step, and the reports saved with the
right content (every person's own numbers and texts).

Each person presses buttons by what they do (their callback data) and, after each answer,
checks the step their report is at (its draft in the database, read outside the measured
time), never words of the texts, which change with every review of them.

Each bot runs in its own process, chibo exactly as `chibo run` starts it (on uvloop), the echo
bot on python-telegram-bot's default asyncio loop; the people and the Bot API server share
this one. Both bots run without python-telegram-bot's rate limiter
(CHIBO_RATE_LIMITER=false) and the server's flood limits are off: this measures what the bot
adds to each answer, not Telegram's sending limits (bench/fanout.py measures those).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bot.clock import SystemClock  # noqa: E402
from bot.services.drafts import Flow  # noqa: E402
from bot.services.report_flow import Step  # noqa: E402
from db import migrate  # noqa: E402
from db.models import (  # noqa: E402
    Draft,
    Meeting,
    MeetingSource,
    Person,
    Report,
    ReportVersion,
    Topic,
    Unit,
)
from db.session import create_engine, create_sessionmaker  # noqa: E402
from sandbox.server import BotApiServer  # noqa: E402
from sandbox.users import BotMessage, TgUser  # noqa: E402
from tests.factories import one_branch_followed_by  # noqa: E402

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
USER_ID_BASE = 30_000_000
TOPIC = "Kết nạp đảng viên"
STEPS = 22  # the steps of report_as, which echo_as repeats


@dataclass
class Pace:
    """Seconds a person waits before each action: uniform between low and high."""

    low: float
    high: float
    rng: random.Random = field(default_factory=lambda: random.Random(20261126))

    @classmethod
    def parse(cls, text: str) -> Pace:
        low, _, high = text.partition("-")
        return cls(float(low), float(high or low))

    async def pause(self) -> None:
        if self.high > 0:
            await asyncio.sleep(self.rng.uniform(self.low, self.high))

    def __str__(self) -> str:
        if self.high <= 0:
            return "flat out (no pause)"
        return f"human pace ({self.low:g}-{self.high:g} s between steps)"


class Timer:
    def __init__(self, pace: Pace) -> None:
        self.pace = pace
        self.latencies: list[float] = []

    async def step(self, user: TgUser, act: Callable[[], Awaitable[object]]) -> BotMessage:
        await self.pace.pause()
        started = time.perf_counter()
        await act()
        while True:
            message = await user.expect_message(timeout=120)
            # The bot's own report request may arrive meanwhile (its job runs too): skip it.
            if not _actions(message) & {"rq"}:
                break
        self.latencies.append(time.perf_counter() - started)
        return message


def _actions(message: BotMessage) -> set[str]:
    return {b["callback_data"].split(":")[1] for b in message.buttons if b.get("callback_data")}


async def choose(user: TgUser, ending: str, action: str = "ra") -> None:
    """Press the newest button of this action whose callback data ends with `ending`."""
    for message in reversed(user.all_messages()):
        for button in message.buttons:
            data = button.get("callback_data") or ""
            if data.startswith(f"1:{action}:") and data.endswith(ending):
                await user.press(data=data, message=message, timeout=120)
                return
    raise AssertionError(f"no {action} button ending {ending!r}")


class Steps:
    """Where each person's report is, read from the database (outside the measured time)."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        self.sessions = create_sessionmaker(self.engine)

    async def check(self, user: TgUser, step: Step | None) -> None:
        async with self.sessions() as db:
            draft = await db.scalar(
                select(Draft)
                .where(Draft.telegram_id == user.id, Draft.flow == Flow.REPORT)
                .order_by(Draft.id.desc())
                .limit(1)
            )
        at = draft.step if draft is not None and draft.active else None
        assert at == step, f"{user.id}: the report is at {at!r}, not {step!r}"

    async def close(self) -> None:
        await self.engine.dispose()


async def report_as(user: TgUser, n: int, timer: Timer, steps: Steps, topic: str) -> None:
    async def do(act: Callable[[], Awaitable[object]], step: Step | None) -> None:
        await timer.step(user, act)
        await steps.check(user, step)

    def write(text: str) -> Callable[[], Awaitable[object]]:
        return lambda: user.send(text)

    def press(ending: str, action: str = "ra") -> Callable[[], Awaitable[object]]:
        return lambda: choose(user, ending, action)

    await do(write("/baocao"), None)  # the reports awaited
    await do(press("", "rs"), Step.HELD)
    await do(press(":yes"), Step.TIMES)
    await do(press(":planned"), Step.TOTAL)
    await do(write(f"{18 + n % 3}/22"), Step.EXEMPTED)
    await do(press(":1"), Step.EXCUSED)
    await do(press(":1"), Step.TOPICS)
    await do(press(f":{topic}"), Step.TOPICS)
    await do(press(":done"), Step.CONTENT)
    await do(write(f"Nội dung buổi sinh hoạt số {n}."), Step.CONTENT)
    await do(press(":done"), Step.CONCERNS)
    await do(press(":none"), Step.PROPOSALS)
    await do(write(f"Kiến nghị {n}"), Step.PROPOSAL_FIELD)
    await do(press(f":{topic}"), Step.PROPOSAL_URGENCY)
    await do(press(":normal"), Step.PROPOSALS)
    await do(press(":done"), Step.CONTRIBUTION)
    await do(write(f"Ý kiến {n}"), Step.CRITERIA)
    await do(press(":minutes"), Step.CRITERIA)
    await do(press(":done"), Step.RATING)
    await do(press(":fair"), Step.COMMENT)
    await do(press(":skip"), Step.REVIEW)
    await do(press("", "rsend"), None)  # sent: the draft is closed


async def echo_as(user: TgUser, n: int, timer: Timer) -> None:
    for step in range(STEPS):
        await timer.step(user, lambda s=step: user.send(f"bước {s} của người {n}"))


async def prepare(database_url: str, people: int) -> None:
    """The roster, and one meeting that ended yesterday evening, in real time: the bot runs
    as `chibo run` in its own process, on the system clock."""
    await migrate.upgrade(database_url)
    clock = SystemClock()
    topics = [["CD01", TOPIC, 1], ["CD02", "Phát triển kinh tế - xã hội", 2]]
    await one_branch_followed_by(
        database_url,
        clock,
        people,
        telegram_id_base=USER_ID_BASE,
        phone_prefix="0914",
        topics=topics,
    )
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            branch = await db.scalar(select(Unit).where(Unit.code == "KP"))
            yesterday = datetime.now(ZONE).date() - timedelta(days=1)
            start = datetime.combine(yesterday, day_time(19, 30), tzinfo=ZONE)
            db.add(
                Meeting(
                    unit_id=branch.id,
                    occurrence_on=yesterday,
                    starts_at=start,
                    duration_minutes=90,
                    venue="Hội trường",
                    source=MeetingSource.MANUAL,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
            await db.commit()
    finally:
        await engine.dispose()


def percentiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a running process, where /proc tells (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    name: str
    timer: Timer
    total: float
    cpu: float | None
    right: int | None = None

    def row(self) -> str:
        p50, p95, p99 = percentiles(self.timer.latencies)
        steps = len(self.timer.latencies)
        cpu = f"{self.cpu / steps * 1000:.2f}" if self.cpu is not None else "n/a"
        return (
            f"{self.name:28} {steps:>6} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {self.total:>8.1f}"
            f" {cpu:>12}"
        )


class BotProcess:
    """A bot in its own process, running until stop()."""

    def __init__(self, server: BotApiServer, command: list[str], env: dict[str, str]) -> None:
        self.server, self.command, self.env = server, command, env
        self.process: asyncio.subprocess.Process | None = None
        self.cpu_at_start: float | None = None

    async def start(self) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
        environment.update(self.env)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.command,
            env=environment,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        server = self.server
        await server.wait_for(lambda: any(c.method == "getUpdates" for c in server.calls), 60)
        await asyncio.sleep(1.0)  # start-up work done (menus, the first poll)
        self.cpu_at_start = cpu_seconds(self.process.pid)

    def cpu_used(self) -> float | None:
        assert self.process is not None
        now = cpu_seconds(self.process.pid)
        if now is None or self.cpu_at_start is None:
            return None
        return now - self.cpu_at_start

    async def stop(self) -> None:
        """Stopped whatever happened: a bench that fails leaves no bot running."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(self.process.communicate(), 60)
        if self.process.returncode not in (0, -signal.SIGINT):
            print(stderr.decode()[-2000:])


async def run_chibo(database_url: str, people: int, pace: Pace) -> Run:
    server = BotApiServer()
    await server.start()
    # The people exist on the server before the bot starts: its first tick asks them to report.
    users = [TgUser(server, USER_ID_BASE + n + 1, f"P{n}") for n in range(people)]
    bot = BotProcess(
        server,
        ["-m", "bot.cli", "run"],
        {
            "CHIBO_BOT_TOKEN": server.token,
            "CHIBO_DATABASE_URL": database_url,
            "CHIBO_TELEGRAM_BASE_URL": server.base_url,
            "CHIBO_TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "CHIBO_LOG_LEVEL": "WARNING",
            "CHIBO_RATE_LIMITER": "false",
            "CHIBO_QUIET_HOURS": "00:00-00:00",
        },
    )
    steps = Steps(database_url)
    try:
        topic = str(await topic_id(steps))
        await bot.start()
        timer = Timer(pace)
        started = time.perf_counter()
        await asyncio.gather(
            *(report_as(user, n, timer, steps, topic) for n, user in enumerate(users))
        )
        total, cpu = time.perf_counter() - started, bot.cpu_used()
    finally:
        await bot.stop()
        await steps.close()
        await server.stop()
    right = await check_reports(database_url, people)
    return Run(f"chibo, {people} reporting", timer, total, cpu, right)


async def topic_id(steps: Steps) -> int:
    async with steps.sessions() as db:
        found = await db.scalar(select(Topic.id).where(Topic.name == TOPIC))
    assert found is not None
    return found


async def check_reports(database_url: str, people: int) -> int:
    """Reports saved with the right content: each person's own numbers and texts."""
    engine = create_engine(database_url)
    right = 0
    try:
        async with create_sessionmaker(engine)() as db:
            rows = await db.execute(
                select(Report, ReportVersion, Person)
                .join(ReportVersion, ReportVersion.report_id == Report.id)
                .join(Person, Person.id == Report.author_id)
            )
            for _, version, person in rows:
                n = int(person.code[1:])  # P00042 -> 42
                content = version.content
                if (
                    version.present == 18 + n % 3
                    and version.total_members == 22
                    and version.exempted == 1
                    and version.absent_excused == 1
                    and content.get("content") == f"Nội dung buổi sinh hoạt số {n}."
                    and content.get("contribution") == f"Ý kiến {n}"
                    and content["proposals"][0]["text"] == f"Kiến nghị {n}"
                    and version.rating == "fair"
                ):
                    right += 1
            count = await db.scalar(select(func.count()).select_from(Report))
            assert count == people, f"{count} reports for {people} people"
    finally:
        await engine.dispose()
    return right


ECHO_BOT = """
import sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters
async def echo(update, context):
    await update.effective_chat.send_message(update.effective_message.text)
app = ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2]).concurrent_updates(256).build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0, timeout=1)
"""


async def run_echo(people: int, pace: Pace) -> Run:
    server = BotApiServer()
    await server.start()
    users = [TgUser(server, USER_ID_BASE + n + 1, f"P{n}") for n in range(people)]
    bot = BotProcess(server, ["-c", ECHO_BOT, server.token, server.base_url], {})
    try:
        await bot.start()
        timer = Timer(pace)
        started = time.perf_counter()
        await asyncio.gather(*(echo_as(user, n, timer) for n, user in enumerate(users)))
        total, cpu = time.perf_counter() - started, bot.cpu_used()
    finally:
        await bot.stop()
        await server.stop()
    return Run("bare PTB echo bot", timer, total, cpu)


async def measure(people: int, pace: Pace, database_url: str | None) -> tuple[Run, Run]:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{folder}/conversation.db"
        await prepare(url, people)
        ours = await run_chibo(url, people, pace)
    echo = await run_echo(people, pace)
    return ours, echo


def print_load(pace: Pace, people: int, ours: Run, echo: Run) -> None:
    print(f"\n{people} people at once, {pace}")
    header = f"{'':28} {'steps':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'total s':>8}"
    print(f"{header} {'CPU ms/step':>12}")
    print(ours.row())
    print(echo.row())
    ours_p50, _, ours_p99 = percentiles(ours.timer.latencies)
    echo_p50 = percentiles(echo.timer.latencies)[0]
    print(
        f"reports saved with the right content: {ours.right} of {people};"
        f" p50 {ours_p50 / echo_p50:.2f}x the echo bot's; p99 {ours_p99:.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument(
        "--quick", action="store_true", help="3 people, flat out only, to check the bench runs"
    )
    parser.add_argument(
        "--pace", default="2-6", help="seconds between a person's steps, LOW-HIGH (default 2-6)"
    )
    parser.add_argument(
        "--no-flat-out", action="store_true", help="skip the run with no pause between steps"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database to fill, used for each chibo run in turn (default: a"
        " temporary SQLite file)",
    )
    args = parser.parse_args()
    if args.quick:
        args.people, args.pace, args.no_flat_out = 3, "0-0", True
    if args.database_url and not args.no_flat_out:
        parser.error("--database-url takes one load only: add --no-flat-out")
    loads = [Pace.parse(args.pace)]
    if not args.no_flat_out:
        loads.append(Pace(0, 0))
    results = []
    for pace in loads:
        print(f"measuring {args.people} people, {pace} ...", flush=True)
        results.append((pace, *await measure(args.people, pace, args.database_url)))
    for pace, ours, echo in results:
        print_load(pace, args.people, ours, echo)
    print(
        "\ntarget, at a human pace: p50 within 2x of the echo bot, p99 under 100 ms, every"
        " report saved"
    )


if __name__ == "__main__":
    asyncio.run(main())
