"""What an operator running `chibo run` unattended relies on: the webhook, /healthz and
/metrics, errors reported to a person, a start-up that survives a bad network, and a flood
wait that is waited once."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import aiohttp
from sqlalchemy import func, select, text

from bot.clock import SystemClock
from bot.operations.receivers import ALLOWED_UPDATES
from bot.outbox.sender import Sender
from db.models import ErrorReport
from sandbox.server import BotApiServer
from sandbox.spec import ApiError
from sandbox.users import TgUser
from tests.conftest import Db
from tests.factories import one_branch_followed_by
from tests.stories.test_chibo_run import chibo_run
from tests.stories.test_standby import (
    ACTIVE_LINE,
    delivered,
    hello_from_a_stranger,
    log_text,
    settings_for,
    stop,
    wait_for_line,
)

IN_FLIGHT_AT_MOST = Sender.__init__.__kwdefaults__["concurrency"]
TECHNICAL_CONTACT = 555_900


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_mode_end_to_end(tg: BotApiServer, database_url: str, tmp_path: Path) -> None:
    port = free_port()
    tg.webhook_target = f"http://127.0.0.1:{port}/chibo/hook"  # where the reverse proxy leads
    log = tmp_path / "webhook.log"
    process = await chibo_run(
        tmp_path,
        log=log,
        **settings_for(
            tg,
            database_url,
            CHIBO_WEBHOOK_URL="https://bot.example.org/chibo/hook",
            CHIBO_LISTEN=f"127.0.0.1:{port}",
            CHIBO_WEBHOOK_MAX_CONNECTIONS="20",
        ),
    )
    try:
        assert await tg.wait_for(lambda: tg.webhook, timeout=60), log_text(log)
        hook = tg.webhook
        assert hook["public_url"] == "https://bot.example.org/chibo/hook"
        assert len(hook["secret_token"]) >= 32
        assert hook["allowed_updates"] == ALLOWED_UPDATES
        assert hook["max_connections"] == 20
        await hello_from_a_stranger(tg, 555020)
        assert not tg.calls_of("getUpdates"), "a webhook instance polled"

        # Anyone may find the listener: without the secret, nothing is handled.
        forged = {
            "update_id": 99_999,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": 555021, "type": "private", "first_name": "Giả"},
                "from": {"id": 555021, "is_bot": False, "first_name": "Giả"},
                "text": "/start",
            },
        }
        tg.private_chat({"id": 555021, "first_name": "Giả"})
        assert await tg.post_to_webhook(tg.webhook_target, forged, "wrong") == 403
        assert await tg.post_to_webhook(tg.webhook_target, forged, None) == 403
        await TgUser(tg, 555021, "Giả").expect_no_message(within=1.5)
        assert log_text(log).count("refused a request without the right secret token") == 2
    finally:
        await stop(process)
    assert process.returncode == 0, log_text(log)[-3000:]
    assert tg.webhook is not None, "the webhook stays set for the instance that takes over"

    # Back to polling: the webhook is deleted and updates are polled again.
    polling_log = tmp_path / "polling.log"
    process = await chibo_run(tmp_path, log=polling_log, **settings_for(tg, database_url))
    try:
        await hello_from_a_stranger(tg, 555022)
        assert tg.webhook is None
        assert tg.calls_of("deleteWebhook")
    finally:
        await stop(process)
    assert process.returncode == 0
    assert "Traceback" not in log_text(log) + log_text(polling_log)


async def test_healthz_and_metrics(tg: BotApiServer, database_url: str, tmp_path: Path) -> None:
    await one_branch_followed_by(database_url, SystemClock(), 5, telegram_id_base=22_000_000)
    for n in range(5):
        tg.private_chat({"id": 22_000_000 + n + 1, "first_name": f"P{n}"})
    port = free_port()
    log = tmp_path / "chibo.log"
    process = await chibo_run(
        tmp_path,
        log=log,
        **settings_for(tg, database_url, CHIBO_HEALTH_LISTEN=f"127.0.0.1:{port}"),
    )
    try:
        assert await wait_for_line(log, ACTIVE_LINE, 60)
        assert await tg.wait_for(lambda: len(delivered(tg)) == 5, timeout=60)
        await hello_from_a_stranger(tg, 555030)
        assert await wait_for_line(log, "chibo-tick", 30)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                health = await response.json()
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/plain")
                metrics = await response.text()
    finally:
        await stop(process)
    assert process.returncode == 0
    print(json.dumps(health, indent=1))
    assert health["status"] == "ok"
    assert health["role"] == "active"
    assert health["receiving"] == "polling"
    assert health["database"] == "ok"
    assert health["telegram_ok_at"] is not None
    assert health["outbox"]["backlog"] == 0
    assert health["outbox"]["last_sent_at"] is not None
    assert set(health["jobs"]) == {
        "calendar",
        "reminders",
        "report_requests",
        "digest",
        "proposal_mornings",
    }
    assert all(job["ok"] for job in health["jobs"].values())
    assert [i["role"] for i in health["instances"]] == ["active"]

    def value(line_start: str) -> float:
        found = [line for line in metrics.splitlines() if line.startswith(line_start)]
        assert found, f"{line_start} not in /metrics:\n{metrics}"
        return float(found[0].rsplit(" ", 1)[1])

    assert value("chibo_updates_handled_total") >= 1
    assert value('chibo_messages_sent_total{kind="remind"}') == 5
    assert value("chibo_active") == 1
    assert value("chibo_outbox_backlog") == 0
    assert value("chibo_flood_waits_total") == 0
    assert value('chibo_tick_seconds_count{job="reminders"}') >= 1


async def test_ten_identical_errors_are_reported_once(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """The roster's table is broken under the running bot: every person who writes meets the
    same error. Each is told to try again; the technical contact hears of it once, with a
    reference found in the log beside the traceback, and no word of what anyone wrote."""
    contact = TgUser(tg, TECHNICAL_CONTACT, "Kỹ thuật")
    log = tmp_path / "chibo.log"
    process = await chibo_run(
        tmp_path,
        log=log,
        **settings_for(tg, database_url, CHIBO_ERROR_CHAT_ID=str(TECHNICAL_CONTACT)),
    )
    db = Db(database_url)
    try:
        assert await wait_for_line(log, ACTIVE_LINE, 60)
        await hello_from_a_stranger(tg, 555040)
        async with db.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE people RENAME TO people_moved"))
        for n in range(10):
            stranger = TgUser(tg, 555041 + n, f"Trần Thị Mai {n}")
            await stranger.send(f"/start bí mật {n}")
            apology = await stranger.expect_message(timeout=30)
            assert "thử lại" in apology.text
        report = await contact.expect_message(timeout=30)
        await contact.expect_no_message(within=2.0)
        async with db.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE people_moved RENAME TO people"))
        await hello_from_a_stranger(tg, 555060)
        count = await db.scalar(select(func.sum(ErrorReport.count)))
    finally:
        await db.engine.dispose()
        await stop(process)
    assert process.returncode == 0
    assert count == 10
    print(report.text)
    reference = report.text.split("Mã tra cứu trong nhật ký: ")[1].split()[0]
    assert f"error {reference} while handling an update" in log_text(log)
    assert "Traceback" in log_text(log)
    assert "Mai" not in report.text and "bí mật" not in report.text and "555041" not in report.text
    assert "Traceback" not in report.text
    assert "no such table" not in report.text and "does not exist" not in report.text
    assert "message" in report.text  # the kind of update, and nothing more of it


async def test_start_up_survives_a_dropped_connection_and_a_502(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    tg.inject_error("getMe", "disconnect")
    tg.inject_error("getMe", "bad-gateway")
    tg.inject_error("setMyCommands", "bad-gateway")
    tg.inject_error("setMyCommands", ApiError(500, "Internal Server Error"))
    tg.inject_error("deleteWebhook", "disconnect")
    tg.inject_error("getUpdates", "bad-gateway")
    tg.inject_error("getUpdates", "disconnect")
    log = tmp_path / "chibo.log"
    process = await chibo_run(tmp_path, log=log, **settings_for(tg, database_url))
    try:
        await hello_from_a_stranger(tg, 555070)
        assert process.returncode is None
    finally:
        await stop(process)
    assert process.returncode == 0, log_text(log)[-3000:]
    assert not any(tg.injected.values()), "a fault was never met"
    written = log_text(log)
    assert "start-up (getMe) failed" in written
    assert "setMyCommands failed" in written
    assert "Traceback" not in written


async def test_a_flood_wait_is_waited_once(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """Telegram's flood control answers 429 for three seconds in the middle of a fan-out of
    200: the messages in flight are refused, then nothing is sent until the wait is over,
    and the rest go out at the pace, with no burst of refusals after it."""
    people, base = 200, 23_000_000
    await one_branch_followed_by(database_url, SystemClock(), people, telegram_id_base=base)
    for n in range(people):
        tg.private_chat({"id": base + n + 1, "first_name": f"P{n}"})
    tg.flood_limits_on = True
    log = tmp_path / "chibo.log"
    process = await chibo_run(tmp_path, log=log, **settings_for(tg, database_url))
    try:
        assert await tg.wait_for(lambda: sum(delivered(tg).values()) >= 40, timeout=90)
        tg.flood_wait(3)
        flood_ends = tg.flood_until
        assert await tg.wait_for(lambda: len(delivered(tg)) == people, timeout=90)
    finally:
        await stop(process)
    assert process.returncode == 0
    refused = [c for c in tg.calls if c.method == "sendMessage" and "Too Many" in c.error]
    print(f"{len(refused)} refusals during the flood wait")
    assert 1 <= len(refused) <= IN_FLIGHT_AT_MOST
    assert not [c for c in refused if c.at > flood_ends], "refusals after the wait"
    # Resumed at the pace: Telegram's 30 a second, not the sixteen waiting sends at once.
    second_after = [c for c in tg.calls_of("sendMessage") if flood_ends <= c.at < flood_ends + 1]
    assert 0 < len(second_after) <= 30
    assert max(delivered(tg).values()) == 1
    written = log_text(log)
    assert written.count("all sending paused") == 1
    assert "Rate limit hit" not in written
    assert " ERROR " not in written


async def test_another_deployment_polling_the_same_token_is_reported_once(
    tg: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """Someone starts a second deployment with this bot's token: Telegram answers 409 to one
    poller or the other. The technical contact is told once, plainly; the log says it once."""
    contact = TgUser(tg, TECHNICAL_CONTACT, "Kỹ thuật")
    log = tmp_path / "chibo.log"
    process = await chibo_run(
        tmp_path,
        log=log,
        **settings_for(tg, database_url, CHIBO_ERROR_CHAT_ID=str(TECHNICAL_CONTACT)),
    )
    try:
        assert await wait_for_line(log, ACTIVE_LINE, 60)
        await hello_from_a_stranger(tg, 555080)
        async with aiohttp.ClientSession() as other_deployment:
            for _ in range(8):  # it polls with a long timeout, as any bot does
                async with other_deployment.post(
                    f"{tg.base_url}{tg.token}/getUpdates", json={"timeout": 1}
                ):
                    pass
        report = await contact.expect_message(timeout=30)
        await contact.expect_no_message(within=2.0)
    finally:
        await stop(process)
    assert process.returncode == 0
    conflicts = [c for c in tg.calls_of("getUpdates") if "Conflict" in c.error]
    assert len(conflicts) >= 2, "the test made no conflict"
    assert "cùng mã truy cập" in report.text
    assert "409 Conflict" in report.text
    assert log_text(log).count("409 Conflict") == 1
    assert "Traceback" not in log_text(log)
