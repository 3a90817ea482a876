"""Nobody can silence the bot by writing fast. A stranger is answered at most once every few
seconds; someone known who writes faster than they are answered (a script, a stuck key: more
than a few of their updates waiting for the ones before) is answered at most once every few
seconds until the bot catches up. What is left unanswered is dropped quietly and counted in
/metrics (chibo_updates_dropped). A person who waits for each answer is never held back."""

from __future__ import annotations

from collections.abc import Callable

from bot import metrics

STRANGER_EVERY = 3.0  # seconds between two answers to the same stranger
FLOOD_BACKLOG = 10  # more of one person's updates than this waiting is a flood
FLOOD_EVERY = 5.0  # seconds between two answers to someone flooding
FORGET_AFTER = 120.0  # accounts not answered for this long are forgotten
CLEAN_EVERY = 1000  # checks between two clean-ups of forgotten accounts


class Throttle:
    def __init__(self, backlog: Callable[[int], int] = lambda _account: 0) -> None:
        # How many of an account's updates wait behind the one being handled.
        self.backlog = backlog
        self._answered_at: dict[int, float] = {}
        self._checks = 0

    def lets_through(self, telegram_id: int, *, known: bool, now: float) -> bool:
        """Whether this update from this account is handled; counted if not."""
        self._checks += 1
        if self._checks % CLEAN_EVERY == 0:
            self._forget(now)
        if not known:
            return self._once_every(telegram_id, STRANGER_EVERY, now, "stranger")
        if self.backlog(telegram_id) <= FLOOD_BACKLOG:
            return True
        return self._once_every(telegram_id, FLOOD_EVERY, now, "flood")

    def _once_every(self, telegram_id: int, seconds: float, now: float, who: str) -> bool:
        last = self._answered_at.get(telegram_id)
        if last is not None and now - last < seconds:
            metrics.UPDATES_DROPPED.labels(who).inc()
            return False
        self._answered_at[telegram_id] = now
        return True

    def _forget(self, now: float) -> None:
        for telegram_id in [t for t, at in self._answered_at.items() if at < now - FORGET_AFTER]:
            del self._answered_at[telegram_id]
