"""Conversation load: N simulated people each complete a whole report at once, against the
real bot (the application factory) and the local Bot API server; then, in the same run, the
same people talk to a bare python-telegram-bot bot that only echoes.

    python bench/conversation.py [--people 200]

Prints per-step latency (from the person's update to the bot's answer) p50, p95 and p99,
total time, and the reports saved with the right content, for both.

Each bot runs in its own process, chibo exactly as `chibo run` starts it; the people and the
Bot API server share this one. Both bots run without python-telegram-bot's rate limiter
(CHIBO_RATE_LIMITER=false) and the server's flood limits are off: this measures what the bot
adds to each answer, not Telegram's sending limits (bench/fanout.py measures those).
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
from datetime import datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bot.clock import SystemClock  # noqa: E402
from db import migrate  # noqa: E402
from db.models import Meeting, MeetingSource, Person, Report, ReportVersion, Unit  # noqa: E402
from db.session import create_engine, create_sessionmaker  # noqa: E402
from tests.factories import one_branch_followed_by  # noqa: E402
from tests.telegram_server.server import BotApiServer  # noqa: E402
from tests.telegram_server.users import TgUser  # noqa: E402

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
USER_ID_BASE = 30_000_000
TOPIC = "Kết nạp đảng viên"


class Timer:
    def __init__(self) -> None:
        self.latencies: list[float] = []

    async def step(self, user: TgUser, act, contains: str | None = None):
        started = time.perf_counter()
        await act()
        while True:
            message = await user.expect_message(timeout=120)
            # The bot's own report request may arrive meanwhile (its job runs too): skip it.
            if not message.text.startswith("📝 Mời"):
                break
        self.latencies.append(time.perf_counter() - started)
        assert contains is None or contains in message.text, (contains, message)
        return message


async def report_as(user: TgUser, n: int, timer: Timer) -> None:
    async def press(text: str) -> None:
        await user.press(text, timeout=120)

    listing = await timer.step(user, lambda: user.send("/baocao"), "Báo cáo cần gửi")
    await timer.step(user, lambda: press(listing.button_texts[0]), "1/9.")
    await timer.step(user, lambda: press("Có, đúng lịch"), "2/9.")
    times = user.all_messages()[-1]
    await timer.step(user, lambda: press(times.button_texts[0]), "3/9.")
    await timer.step(user, lambda: user.send(f"{18 + n % 3}/22"), "miễn sinh hoạt")
    await timer.step(user, lambda: press("1"), "vắng có lý do")
    await timer.step(user, lambda: press("1"), "4/9.")
    await timer.step(user, lambda: press(f"☐ {TOPIC}"), "4/9.")
    await timer.step(user, lambda: press("✅ Xong"), "5/9.")
    await timer.step(user, lambda: user.send(f"Nội dung buổi sinh hoạt số {n}."), "Đã nhận")
    await timer.step(user, lambda: press("✅ Xong"), "6/9.")
    await timer.step(user, lambda: press("Không có"), "7/9.")
    await timer.step(user, lambda: user.send(f"Kiến nghị {n}"), "lĩnh vực")
    await timer.step(user, lambda: press(TOPIC), "Mức độ")
    await timer.step(user, lambda: press("Thường"), "7/9.")
    await timer.step(user, lambda: press("✅ Xong"), "8/9.")
    await timer.step(user, lambda: user.send(f"Ý kiến {n}"), "9/9.")
    await timer.step(user, lambda: press("☐ Biên bản đầy đủ"), "9/9.")
    await timer.step(user, lambda: press("✅ Xong"), "xếp loại")
    await timer.step(user, lambda: press("Khá"), "Nhận xét")
    await timer.step(user, lambda: press("Bỏ qua"), "Báo cáo dự sinh hoạt")
    await timer.step(user, lambda: press("📨 Gửi báo cáo"), "Đã nhận báo cáo số")


async def echo_as(user: TgUser, n: int, timer: Timer, steps: int) -> None:
    for step in range(steps):
        await timer.step(user, lambda s=step: user.send(f"bước {s} của người {n}"), "bước")


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


async def bot_process(server: BotApiServer, command: list[str], env: dict[str, str]):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CHIBO_")}
    environment.update(env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        env=environment,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    await server.wait_for(lambda: any(c.method == "getUpdates" for c in server.calls), 60)
    return process


async def stop(process) -> None:
    process.send_signal(signal.SIGINT)
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    if process.returncode not in (0, -signal.SIGINT):
        print(stderr.decode()[-2000:])


async def run_chibo(
    server: BotApiServer, database_url: str, people: int
) -> tuple[Timer, float, int]:
    process = await bot_process(
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
    users = [TgUser(server, USER_ID_BASE + n + 1, f"P{n}") for n in range(people)]
    timer = Timer()
    started = time.perf_counter()
    try:
        await asyncio.gather(*(report_as(user, n, timer) for n, user in enumerate(users)))
    finally:
        total = time.perf_counter() - started
        await stop(process)
    return timer, total, await check_reports(database_url, people)


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


async def run_echo(server: BotApiServer, people: int, steps: int) -> tuple[Timer, float]:
    process = await bot_process(server, ["-c", ECHO_BOT, server.token, server.base_url], {})
    users = [TgUser(server, USER_ID_BASE + n + 1, f"P{n}") for n in range(people)]
    timer = Timer()
    started = time.perf_counter()
    try:
        await asyncio.gather(*(echo_as(user, n, timer, steps) for n, user in enumerate(users)))
    finally:
        total = time.perf_counter() - started
        await stop(process)
    return timer, total


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database to fill (default: a temporary SQLite file)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{folder}/conversation.db"
        print(f"preparing {args.people} people ...", flush=True)
        await prepare(database_url, args.people)
        server = BotApiServer()
        await server.start()
        try:
            ours, ours_total, right = await run_chibo(server, database_url, args.people)
            steps = len(ours.latencies) // args.people
            echo_server = BotApiServer()
            await echo_server.start()
            try:
                echo, echo_total = await run_echo(echo_server, args.people, steps)
            finally:
                await echo_server.stop()
        finally:
            await server.stop()
    rows = [
        ("chibo report conversation", ours, ours_total),
        ("bare PTB echo bot", echo, echo_total),
    ]
    print()
    print(f"{'':28} {'steps':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'total s':>8}")
    for name, timer, total in rows:
        p50, p95, p99 = percentiles(timer.latencies)
        print(
            f"{name:28} {len(timer.latencies):>7} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {total:>8.1f}"
        )
    print(f"\nreports saved with the right content: {right} of {args.people}")
    ours_p50, _, ours_p99 = percentiles(ours.latencies)
    echo_p50 = percentiles(echo.latencies)[0]
    print(
        f"target: p50 within 2x of the echo bot ({ours_p50:.1f} vs {echo_p50:.1f} ms,"
        f" {ours_p50 / echo_p50:.2f}x), p99 under 100 ms ({ours_p99:.1f} ms), every report"
        f" saved ({right}/{args.people})"
    )


if __name__ == "__main__":
    asyncio.run(main())
