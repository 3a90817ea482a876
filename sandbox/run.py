"""`chibo sandbox`: the sandbox and its page on 127.0.0.1, until Ctrl+C."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from aiohttp import web

from bot.operations.process import new_event_loop
from bot.settings import Settings
from sandbox.main import Sandbox
from sandbox.web import make_app

log = logging.getLogger(__name__)


async def open_page(sandbox: Sandbox, port: int) -> tuple[web.AppRunner, int]:
    """The page and its API on 127.0.0.1:port (0: any free port); returns the port."""
    runner = web.AppRunner(make_app(sandbox), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    return runner, runner.addresses[0][1]


async def serve(sandbox: Sandbox, port: int, ready: asyncio.Event | None = None) -> None:
    """Run the sandbox and its page on 127.0.0.1:port until interrupted."""
    runner, port = await open_page(sandbox, port)  # the port first: if taken, nothing starts
    try:
        await sandbox.start()
        log.info("sandbox: the page is at http://127.0.0.1:%s", port)
        if ready is not None:
            ready.set()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        # The sandbox first: it ends the page's event streams, which the web server's
        # cleanup would otherwise wait out.
        await sandbox.stop()
        await runner.cleanup()


def run(base_settings: Settings, *, port: int, scale: str, database: Path) -> None:
    """`chibo sandbox`: until Ctrl+C."""
    sandbox = Sandbox(base_settings, database.resolve(), scale)
    ready = asyncio.Event()

    async def main() -> None:
        task = asyncio.create_task(serve(sandbox, port, ready))
        waiter = asyncio.create_task(ready.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if ready.is_set():
            print(f"chibo: chế độ thử đang chạy tại http://127.0.0.1:{port} (Ctrl+C để dừng)")
        else:
            waiter.cancel()
        await task

    loop = new_event_loop()
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
