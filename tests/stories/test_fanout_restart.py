"""`chibo run` is killed (kill -9) or stopped (SIGTERM, as `systemctl restart` sends) in the
middle of a fan-out of 200 reminders and started again at once: every reminder goes out
within seconds, and only the messages in flight at the stop may arrive twice."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.outbox.sender import Sender
from sandbox.server import BotApiServer
from tests.factories import one_branch_followed_by
from tests.stories.test_chibo_run import chibo_run

PEOPLE = 200
BASE_ID = 20_000_000
# Whatever the day the test runs on, the branch's next meeting (the 5th, monthly) is less than
# 800 hours away: its reminder is due at once. No quiet hours, whatever the hour.
SETTINGS = {"CHIBO_REMINDERS": "800h", "CHIBO_QUIET_HOURS": "00:00-00:00"}
# Calls the sender may have begun and not seen answered when it stopped.
IN_FLIGHT_AT_MOST = Sender.__init__.__kwdefaults__["concurrency"]


def delivered(tg: BotApiServer) -> Counter[int]:
    return Counter(call.params["chat_id"] for call in tg.calls_of("sendMessage") if call.ok)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
async def test_a_restart_mid_fan_out_loses_nothing(
    tg: BotApiServer, database_url: str, tmp_path: Path, stop: signal.Signals
) -> None:
    await one_branch_followed_by(database_url, SystemClock(), PEOPLE, telegram_id_base=BASE_ID)
    for n in range(PEOPLE):
        tg.private_chat({"id": BASE_ID + n + 1, "first_name": f"P{n}"})
    tg.flood_limits_on = True
    settings = {
        "CHIBO_BOT_TOKEN": tg.token,
        "CHIBO_DATABASE_URL": database_url,
        "CHIBO_TELEGRAM_BASE_URL": tg.base_url,
        "CHIBO_TELEGRAM_BASE_FILE_URL": tg.base_file_url,
        "CHIBO_LOG_LEVEL": "WARNING",
        **SETTINGS,
    }
    first = await chibo_run(tmp_path, **settings)
    try:
        started = await tg.wait_for(lambda: sum(delivered(tg).values()) >= 60, timeout=90)
        assert started, "the fan-out did not begin"
    finally:
        first.send_signal(stop)
        await asyncio.wait_for(first.communicate(), 60)
    before = sum(delivered(tg).values())
    assert before < PEOPLE, "the fan-out ended before the stop: nothing was tested"

    restarted_at = time.monotonic()
    second = await chibo_run(tmp_path, **settings)
    try:
        done = await tg.wait_for(lambda: len(delivered(tg)) == PEOPLE, timeout=60)
        took = time.monotonic() - restarted_at
    finally:
        second.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(second.communicate(), 60)
    assert done, f"{PEOPLE - len(delivered(tg))} reminders never went out after the restart"
    print(f"{stop.name}: {before} sent before the stop; all {PEOPLE} {took:.1f} s after restart")
    assert took < 20, f"the rest took {took:.1f} s after the restart"
    twice = [chat for chat, count in delivered(tg).items() if count > 1]
    assert len(twice) <= IN_FLIGHT_AT_MOST, f"{len(twice)} people got the reminder twice"
    assert max(delivered(tg).values()) <= 2
    assert tg.error_counts[429] == 0
    assert b"Traceback" not in stderr
