"""A crash in the middle of a fan-out of 200 reminders, then a restart: every reminder is
sent, once; only those in flight at the crash may arrive twice."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

from sqlalchemy import func, select

from bot.jobs import run_due_work
from bot.pipeline.context import RUNTIME_KEY
from db.models import OutboxMessage, OutboxState
from sandbox.server import BotApiServer
from sandbox.users import TgUser
from tests.conftest import ZONE, make_settings, run_jobs, start_bot, stop_bot
from tests.factories import one_branch_followed_by

PEOPLE = 200
MEETING = "thứ Bảy, ngày 05/12/2026"


async def test_crash_mid_fan_out_then_restart_sends_each_once(
    tg: BotApiServer, database_url, clock, db
) -> None:
    # Telegram's limits are on, and the bot keeps its pace: a message in flight at the crash
    # goes again to its chat, a second after the first try at the earliest.
    settings = make_settings(tg, database_url, chat_pace=1.05)
    await one_branch_followed_by(database_url, clock, PEOPLE, telegram_id_base=10_000_000)
    people = [TgUser(tg, n + 1 + 10_000_000, f"P{n}") for n in range(PEOPLE)]
    tg.flood_limits_on = True
    clock.set(datetime.combine(date(2026, 12, 2), time(8, 0), tzinfo=ZONE))

    app = await start_bot(settings, clock)
    runtime = app.bot_data[RUNTIME_KEY]
    await run_due_work(runtime)
    reminders = select(func.count()).where(OutboxMessage.key.like("remind:%"))
    assert await db.scalar(reminders) == PEOPLE
    runtime.sender.wake()

    def delivered() -> int:
        return sum(1 for call in tg.calls_of("sendMessage") if call.ok)

    await tg.wait_for(lambda: delivered() >= 60, timeout=30)
    await runtime.sender.stop()  # the crash: sending stops wherever it is
    in_flight = await db.scalar(
        select(func.count()).where(OutboxMessage.state == OutboxState.SENDING)
    )
    await stop_bot(app)
    assert 60 <= delivered() < PEOPLE

    app = await start_bot(settings, clock)  # at once: what the crash left claimed goes out
    try:
        await run_jobs(app)
        await tg.wait_for(lambda: all(user.all_messages() for user in people), timeout=60)
        await run_jobs(app)
    finally:
        await stop_bot(app)

    per_chat = Counter(call.params["chat_id"] for call in tg.calls_of("sendMessage") if call.ok)
    assert set(per_chat) == {user.id for user in people}
    twice = [chat for chat, count in per_chat.items() if count > 1]
    assert all(count <= 2 for count in per_chat.values())
    assert len(twice) <= in_flight
    assert tg.error_counts[429] == 0, [
        (i, c.at) for i, c in enumerate(tg.calls) if "Too Many" in c.error
    ][:5]
    sent = await db.scalar(select(func.count()).where(OutboxMessage.state == OutboxState.SENT))
    assert sent == PEOPLE
    assert all(MEETING in user.all_messages()[0].text for user in people)
