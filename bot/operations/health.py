"""/healthz and /metrics on CHIBO_HEALTH_LISTEN, served by every instance, active or not."""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import __version__, metrics
from bot.operations.status import Vitals, iso, outbox_summary, summary
from bot.settings import host_and_port

log = logging.getLogger(__name__)


class HealthServer:
    def __init__(self, listen: str, engine: AsyncEngine, vitals: Vitals) -> None:
        self.host, self.port = host_and_port(listen)
        self.engine = engine
        self.vitals = vitals
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        server = web.Application()
        server.router.add_get("/healthz", self._healthz)
        server.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("health: /healthz and /metrics on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, _request: web.Request) -> web.Response:
        body = {
            "status": "ok",
            "role": self.vitals.role,
            "receiving": self.vitals.receiving,
            "instance": self.vitals.instance_id,
            "version": __version__,
            "telegram_ok_at": iso(metrics.Telegram.ok_at),
        }
        try:
            async with self.engine.connect() as connection:
                body.update(await summary(connection))
            body["database"] = "ok"
        except (SQLAlchemyError, OSError) as exc:
            body.update(status="failing", database=f"unreachable: {type(exc).__name__}")
            return web.json_response(body, status=503)
        return web.json_response(body)

    async def _metrics(self, _request: web.Request) -> web.Response:
        try:
            async with self.engine.connect() as connection:
                outbox = await outbox_summary(connection)
            metrics.OUTBOX_BACKLOG.set(outbox["backlog"])
            metrics.OUTBOX_OLDEST_SECONDS.set(outbox["oldest_due_seconds"])
        except (SQLAlchemyError, OSError):
            log.warning("metrics: the database cannot be reached; outbox figures not updated")
        return web.Response(
            body=generate_latest(metrics.REGISTRY),
            headers={"Content-Type": CONTENT_TYPE_LATEST},
        )
