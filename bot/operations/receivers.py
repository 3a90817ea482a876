"""How updates reach the active instance: long polling, or a webhook behind a reverse proxy.
Either way they go into the application's update queue, and the same update processor
handles them in order per person."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import Conflict, NetworkError, TelegramError
from telegram.ext import Application

if TYPE_CHECKING:
    from aiohttp import web

from bot.settings import Settings, host_and_port

log = logging.getLogger(__name__)

# The updates the handlers use (bot/routes.py); Telegram sends no others.
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Network errors while polling are retried by the library; one warning a minute is enough.
WARN_EVERY = 60.0


class Receiver:
    kind = ""

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError


class Polling(Receiver):
    kind = "polling"

    def __init__(self, app: Application, on_conflict: Callable[[], Awaitable[Any]]) -> None:
        self.app = app
        self.on_conflict = on_conflict
        self._conflict_told = False
        self._last_warning = 0.0

    async def start(self) -> None:
        assert self.app.updater is not None
        # Its bootstrap deletes a webhook left from webhook mode, retrying until it can.
        await self.app.updater.start_polling(
            allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=-1,
            error_callback=self._on_error,
        )

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()

    def _on_error(self, error: TelegramError) -> None:
        if isinstance(error, Conflict):
            # Another process polls with this token: a second deployment, not this one's
            # standby (that one never polls). Said once, plainly; the library keeps trying.
            if not self._conflict_told:
                self._conflict_told = True
                self.app.create_task(self.on_conflict())
            return
        now = asyncio.get_running_loop().time()
        if isinstance(error, NetworkError) and now - self._last_warning < WARN_EVERY:
            return
        self._last_warning = now
        log.warning("telegram: polling failed, retrying: %s", error)


class Webhook(Receiver):
    """Listens on CHIBO_LISTEN for Telegram's posts, each checked against a secret token
    chosen at every start, and tells Telegram where to post."""

    kind = "webhook"

    def __init__(self, app: Application, settings: Settings) -> None:
        self.app = app
        self.url = settings.webhook_url
        self.path = urlsplit(self.url).path or "/"
        self.host, self.port = host_and_port(settings.listen)
        self.max_connections = settings.webhook_max_connections
        self.secret = secrets.token_urlsafe(32)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        from aiohttp import web  # the server's part of aiohttp: loaded by webhook mode only

        server = web.Application(client_max_size=1024 * 1024)
        server.router.add_post(self.path, self._receive)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("webhook: listening on %s:%s%s", self.host, self.port, self.path)

    async def register(self) -> None:
        """Tell Telegram to post here (after start, so the first post finds us listening)."""
        await self.app.bot.set_webhook(
            self.url,
            secret_token=self.secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=self.max_connections,
        )
        log.info("webhook: Telegram posts updates to %s", self.url)

    async def stop(self) -> None:
        # The webhook stays set: updates wait at Telegram for the instance that takes over,
        # which sets it again with its own secret.
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        from aiohttp import web

        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning(
                "webhook: refused a request without the right secret token from %s", request.remote
            )
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self.app.bot)
        except (ValueError, TypeError, KeyError):
            log.warning("webhook: refused a request that is not an update")
            return web.Response(status=400)
        await self.app.update_queue.put(update)
        return web.Response()
