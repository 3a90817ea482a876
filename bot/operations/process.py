"""The process of `chibo run` and of the sandbox: its event loop and its log."""

from __future__ import annotations

import asyncio
import logging
import sys


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request at INFO, long polls included: too loud for an operator.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The bot's event loop: uvloop where it is installed (it is a dependency everywhere but
    Windows). It is asyncio's loop with its sockets, timers and wake-ups in C: a conversation
    step costs the bot about a tenth less CPU and answers sooner under load
    (bench/conversation.py)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
