"""Start-up does not give up on Telegram: a dropped connection, a timeout, a 5xx or a flood
wait while the bot starts is retried with a growing pause; only a refused token (or a request
Telegram finds wrong, which no retry mends) ends it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter

log = logging.getLogger(__name__)

T = TypeVar("T")
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0


async def persist(what: str, attempt: Callable[[], Awaitable[T]]) -> T:
    """attempt() until it succeeds, pausing 1, 2, 4 … 60 s after each failure."""
    pause = FIRST_PAUSE
    while True:
        try:
            return await attempt()
        except (InvalidToken, BadRequest):
            raise
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
            log.warning("telegram: %s: flood control, waiting %.0f s", what, seconds)
            await asyncio.sleep(seconds)
        except NetworkError as exc:
            log.warning("telegram: %s failed (%s); trying again in %.0f s", what, exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
