"""The one application factory: the CLI, the tests and the benchmarks build the bot here."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot import jobs, routes
from bot.clock import Clock, SystemClock
from bot.operations import incidents
from bot.operations.floodgate import FloodGate
from bot.operations.retry import persist
from bot.operations.transport import AiohttpRequest
from bot.outbox.deliver import queue_answer
from bot.outbox.sender import Pacer, QuietHours, Sender
from bot.pipeline import errors
from bot.pipeline.access import resolve_actor
from bot.pipeline.context import RUNTIME_KEY, ChiboContext
from bot.pipeline.menus import Menus
from bot.pipeline.throttle import Throttle
from bot.pipeline.updates import PerPersonUpdateProcessor
from bot.runtime import Runtime
from bot.settings import Settings, require_token
from db.session import close_engine, create_engine, create_sessionmaker

log = logging.getLogger(__name__)

ACCESS_GROUP = -1
# Connections to the Bot API: the outbox sender's concurrent sends plus the answers to people
# who just wrote. A request finding them all busy waits for one rather than failing.
REQUEST_POOL_SIZE = 32
REQUEST_POOL_TIMEOUT = 30.0


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    http_timeouts: dict[str, float] | None = None,
) -> ChiboApplication:
    """The bot, wired from settings. Nothing touches the network until it is initialised."""
    token = require_token(settings)
    engine = create_engine(settings.database_url)
    runtime = Runtime(
        settings=settings,
        clock=clock or SystemClock(),
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
    )
    timeouts = {"connect_timeout": 10.0, "read_timeout": 15.0, "write_timeout": 15.0}
    timeouts.update(http_timeouts or {})
    requests = AiohttpRequest(
        REQUEST_POOL_SIZE,
        read_timeout=timeouts["read_timeout"],
        write_timeout=timeouts["write_timeout"],
        connect_timeout=timeouts["connect_timeout"],
        pool_timeout=REQUEST_POOL_TIMEOUT,
    )
    # getUpdates long-polls on a connection of its own, read timeout on top of the poll's.
    polling = AiohttpRequest(
        1,
        read_timeout=timeouts["read_timeout"] + 30,
        write_timeout=timeouts["write_timeout"],
        connect_timeout=timeouts["connect_timeout"],
        pool_timeout=REQUEST_POOL_TIMEOUT,
    )
    pacer = Pacer(chat_interval=settings.chat_pace, answers_wait_for_second=settings.rate_limiter)
    updates = PerPersonUpdateProcessor(
        runtime.sessionmaker,
        pacer,
        undelivered=lambda chat_id, screen: queue_answer(runtime, chat_id, screen),
    )
    updates.on_commit_failure = errors.on_commit_failure(runtime)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=settings.zone,
            )
        )
        .concurrent_updates(updates)
        .context_types(ContextTypes(context=ChiboContext))
        .request(requests)
        .get_updates_request(polling)
        .application_class(ChiboApplication)
        .post_shutdown(_close_database)
    )
    if settings.rate_limiter:  # a safety net: the outbox sender paces itself
        builder = builder.rate_limiter(
            FloodGate(on_wait=lambda seconds: pacer.pause(seconds, time.monotonic()))
        )
    app = builder.build()
    assert isinstance(app, ChiboApplication)
    start_hour, end_hour = settings.quiet_hours_span
    runtime.sender = Sender(
        app.bot,
        runtime.sessionmaker,
        runtime.clock,
        QuietHours(start_hour, end_hour, settings.zone),
        pacer=pacer,
        on_failure=lambda error: incidents.report(runtime, error, doing="sending the outbox"),
    )
    runtime.menus = Menus(routes.COMMANDS, settings.triage_by)
    runtime.throttle = Throttle(backlog=updates.waiting)
    app.bot_data[RUNTIME_KEY] = runtime
    app.add_handler(TypeHandler(Update, resolve_actor), group=ACCESS_GROUP)
    routes.register(app)
    jobs.schedule(app)
    app.add_error_handler(errors.on_error)
    return app


class ChiboApplication(Application):
    """The application, with chibo's own background work started and stopped alongside it."""

    _menus_task: asyncio.Task[None] | None = None  # the people's menus, set after start

    @property
    def runtime(self) -> Runtime:
        return self.bot_data[RUNTIME_KEY]

    async def initialize(self) -> None:
        try:
            await super().initialize()
        except BaseException:
            # The library shuts down only what initialised fully; a refused token or an
            # unreachable Telegram would leave the connections open. Bot.shutdown closes
            # them and lets the next of run_polling's start-up attempts open them again.
            await self.bot.shutdown()
            raise

    async def start(self) -> None:
        await super().start()
        # What start-up made (modules, the ORM's mappers, catalogs) lives as long as the
        # process: out of the collector's scans, full collections stay short under load.
        gc.freeze()
        # The coming months' meetings are rows before the first update is answered: the
        # views read them and write nothing (once a day; later starts find it done).
        await jobs.extend_calendar(self.runtime)
        menus = self.runtime.menus
        assert menus is not None
        await persist("setMyCommands", lambda: menus.sync(self.bot, self.runtime))
        # The people's own menus, those changed since last set, without delaying the start.
        self._menus_task = asyncio.create_task(self._sync_menus(menus), name="menus")
        assert self.runtime.sender is not None
        await self.runtime.sender.start()

    async def _sync_menus(self, menus: Menus) -> None:
        try:
            done = await menus.sync_people(self.bot, self.runtime)
        except Exception:  # a menu is a convenience: the next start tries again
            log.exception("the people's command menus could not all be set")
            return
        if done:
            log.info("command menus set for %d people", done)

    async def stop(self) -> None:
        task = self._menus_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.runtime.sender is not None:
            await self.runtime.sender.stop()
        await super().stop()


async def _close_database(app: Application) -> None:
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    await close_engine(runtime.engine)
