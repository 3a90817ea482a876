"""What the bot does when Telegram says 429 (flood control): everything stops, once.

python-telegram-bot's AIORateLimiter keeps the library's throttling (30 messages a second, 20 a
minute to a group) and, on a 429, lets each request that got it wait out retry_after on its
own and try again: sixteen concurrent sends each wait, then fire again together, and meet
another 429. Here the first 429 closes one gate for the whole bot: nothing more goes out until
Telegram's wait is over, the wait is waited once, and the outbox (which asked for no retries)
puts its messages back in the queue and resumes at its own pace.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot import metrics

log = logging.getLogger(__name__)


class _FloodWait(Exception):
    """A 429 carried past AIORateLimiter, which would otherwise retry it itself."""

    def __init__(self, cause: RetryAfter) -> None:
        super().__init__(str(cause))
        self.cause = cause


class FloodGate(AIORateLimiter):
    """AIORateLimiter's throttling, with one gate that a 429 closes for every request.

    `rate_limit_args` is the number of retries after a flood wait: other calls keep the
    default (one: the gate's wait is waited, then the call is made again), the outbox passes 0
    (its message goes back to the queue, and the pacer holds it until the gate opens).
    """

    def __init__(self, *, retries: int = 1, on_wait: Callable[[float], None] | None = None) -> None:
        super().__init__(max_retries=0)
        self.retries = retries
        # Told of each new wait (the outbox's pacer pauses with it).
        self.on_wait = on_wait
        self._open_at = 0.0

    def closed_for(self) -> float:
        return max(0.0, self._open_at - time.monotonic())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        retries = self.retries if rate_limit_args is None else rate_limit_args

        async def guarded(*call_args: Any, **call_kwargs: Any) -> Any:
            try:
                return await callback(*call_args, **call_kwargs)
            except RetryAfter as exc:
                raise _FloodWait(exc) from exc

        for attempt in range(retries + 1):
            if (wait := self.closed_for()) > 0:
                if retries == 0:  # the caller retries later, at its own pace
                    raise RetryAfter(max(1, round(wait)))
                await asyncio.sleep(wait)
            try:
                return await super().process_request(
                    guarded, args, kwargs, endpoint, data, rate_limit_args=None
                )
            except _FloodWait as flood:
                self._close(flood.cause, endpoint)
                if attempt >= retries:
                    raise flood.cause from None
        raise AssertionError("unreachable")

    def _close(self, refusal: RetryAfter, endpoint: str) -> None:
        metrics.FLOOD_WAITS.inc()
        seconds = _seconds(refusal)
        open_at = time.monotonic() + seconds
        if open_at <= self._open_at:  # another request's 429 of the same wait
            return
        was_open = self.closed_for() == 0
        self._open_at = open_at
        if was_open:
            log.warning(
                "Telegram's flood control (%s): all sending paused for %.0f s", endpoint, seconds
            )
        if self.on_wait is not None:
            self.on_wait(seconds)


def _seconds(refusal: RetryAfter) -> float:
    retry_after = refusal.retry_after
    return retry_after if isinstance(retry_after, int | float) else retry_after.total_seconds()
