"""`chibo run`: stand by until this instance is the active one, then receive updates, run the
periodic jobs and send, until told to stop or until the database lock is lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from telegram.error import NetworkError

from bot import __version__, metrics
from bot.operations import incidents
from bot.operations.election import Election, election_for
from bot.operations.receivers import Polling, Receiver, Webhook
from bot.operations.retry import persist
from bot.operations.status import HEARTBEAT_SECONDS, Vitals, beat
from bot.settings import Settings
from db.session import close_engine, create_engine

if TYPE_CHECKING:
    from bot.app import ChiboApplication

log = logging.getLogger("chibo")

# Stopping must not hang on a database or a Telegram that no longer answers.
STOP_TIMEOUT = 15.0


class CannotListen(Exception):
    """The webhook's or the health port is taken or not ours; the message is one line."""


Build = Callable[[Settings], "ChiboApplication"]


async def serve(settings: Settings, upgrade: Callable[[], Awaitable[None]], build: Build) -> None:
    """The whole life of `chibo run`, until SIGINT or SIGTERM: `build(settings)` makes the
    application (bot/app.py) each time this instance becomes the active one."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    vitals = Vitals(instance_id=secrets.token_hex(8))
    # The first call Telegram answers is in the heartbeat at once, not ten seconds later.
    metrics.Telegram.on_first_success = vitals.changed.set
    # The heartbeat's and /healthz's own connections: a standby has no application yet.
    engine = create_engine(settings.database_url)
    election = election_for(settings.database_url)
    health = None
    if settings.health_listen:  # aiohttp's server part is loaded only then
        from bot.operations.health import HealthServer

        health = HealthServer(settings.health_listen, engine, vitals)
    heart = asyncio.create_task(_heartbeat(engine, vitals), name="chibo-heartbeat")
    try:
        if health is not None:
            await _listen("CHIBO_HEALTH_LISTEN", settings.health_listen, health.start)
        log.info("chibo %s starting (%s)", __version__, _mode(settings))
        while not stop.is_set():
            if not await election.wait_until_active(stop):
                break
            await _active(settings, election, stop, vitals, upgrade, build)
            vitals.become("standby")
            if not election.lost.is_set():
                break
            await election.release()  # and stand by again, with a new connection
            election = election_for(settings.database_url)
    finally:
        heart.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heart
        await election.release()
        if health is not None:
            await health.stop()
        await close_engine(engine)
    log.info("chibo stopped")


async def _active(
    settings: Settings,
    election: Election,
    stop: asyncio.Event,
    vitals: Vitals,
    upgrade: Callable[[], Awaitable[None]],
    build: Build,
) -> None:
    """Be the active instance until stopped or until the lock is lost."""
    log.info("this instance is now the active one: it receives updates and sends")
    await upgrade()  # migrations: the active instance only, never a standby
    app = build(settings)
    app.runtime.instance_id = vitals.instance_id
    receiver: Receiver = (
        Webhook(app, settings)
        if settings.webhook_url
        else Polling(app, lambda: incidents.report_conflict(app.runtime))
    )
    vitals.become("active", receiver.kind, election.lock_session)
    starting = asyncio.create_task(_start(app, receiver, settings.listen), name="chibo-start")
    ending = asyncio.create_task(_either(stop, election.lost), name="chibo-until-stopped")
    try:
        done, _ = await asyncio.wait([starting, ending], return_when=asyncio.FIRST_COMPLETED)
        if starting in done:
            starting.result()  # a refused token ends here
            await ending
    finally:
        for task in (starting, ending):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await _stop(app, receiver, lost=election.lost.is_set())


async def _either(first: asyncio.Event, second: asyncio.Event) -> None:
    waits = [asyncio.create_task(first.wait()), asyncio.create_task(second.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


async def _start(app: Any, receiver: Receiver, listen: str) -> None:
    await persist("start-up (getMe)", app.initialize)
    await app.start()  # its command menus are set with persist() too
    await _listen("CHIBO_LISTEN", listen, receiver.start)
    if isinstance(receiver, Webhook):
        await persist("setWebhook", receiver.register)


async def _listen(setting: str, address: str, start: Callable[[], Awaitable[None]]) -> None:
    try:
        await start()
    except OSError as exc:
        raise CannotListen(f"{setting}: cannot listen on {address}: {exc.strerror}") from exc


async def _stop(app: Any, receiver: Receiver, *, lost: bool) -> None:
    """Stop receiving first, then sending and the jobs. After a lost lock the database may be
    gone: nothing here waits on it for long."""
    steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [("receiving", receiver.stop)]
    if app.running:
        steps.append(("the application", app.stop))
    steps.append(("the connections", app.shutdown))
    # app.shutdown() runs no post_shutdown hook when the application is driven by hand.
    steps.append(("the database", lambda: close_engine(app.runtime.engine)))
    for name, step in steps:
        try:
            await asyncio.wait_for(step(), STOP_TIMEOUT)
        except (TimeoutError, SQLAlchemyError, OSError, NetworkError) as exc:
            level = logging.INFO if lost else logging.WARNING
            log.log(level, "stopping %s did not finish cleanly: %s", name, exc)


async def _heartbeat(engine: Any, vitals: Vitals) -> None:
    said = False
    while True:
        vitals.changed.clear()
        try:
            async with engine.begin() as connection:
                await beat(connection, vitals)
            said = False
        except (SQLAlchemyError, OSError) as exc:
            if not said:  # a fresh database has no table yet until the active one migrates
                log.info("heartbeat not written: %s", str(exc).splitlines()[0])
                said = True
        # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancellation that
        # comes as the event is set, and the task would never end.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(HEARTBEAT_SECONDS):
                await vitals.changed.wait()


def _mode(settings: Settings) -> str:
    return f"webhook {settings.webhook_url}" if settings.webhook_url else "long polling"
