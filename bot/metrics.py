"""What this process has done since it started, for /metrics (Prometheus's text format) and
/healthz. Counters live in memory: they are a process's figures, reset by a restart as
Prometheus expects; what must survive a restart (the outbox, the jobs' ticks) is in the
database and read from there."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter("chibo_updates_handled", "Updates from Telegram handled", registry=REGISTRY)
SENT = Counter(
    "chibo_messages_sent", "Outbox messages delivered, by kind", ["kind"], registry=REGISTRY
)
SEND_ERRORS = Counter(
    "chibo_send_errors",
    "Outbox sends that failed, by kind of message and of error",
    ["kind", "error"],
    registry=REGISTRY,
)
FLOOD_WAITS = Counter(
    "chibo_flood_waits", "429 answers from Telegram (flood control)", registry=REGISTRY
)
ERRORS = Counter(
    "chibo_errors", "Unhandled errors, by where they happened", ["where"], registry=REGISTRY
)
OUTBOX_BACKLOG = Gauge(
    "chibo_outbox_backlog", "Outbox messages due and not yet sent", registry=REGISTRY
)
OUTBOX_OLDEST_SECONDS = Gauge(
    "chibo_outbox_oldest_due_seconds",
    "How long the oldest due outbox message has waited",
    registry=REGISTRY,
)
ACTIVE = Gauge(
    "chibo_active", "1 when this instance is the active one, 0 when it stands by", registry=REGISTRY
)
ANSWER_RETRIES = Counter(
    "chibo_answer_retries",
    "Answers to people who wrote tried again, by cause (flood, network)",
    ["cause"],
    registry=REGISTRY,
)
UPDATES_DROPPED = Counter(
    "chibo_updates_dropped",
    "Updates left unanswered on purpose: a stranger or a flood writing faster than answered",
    ["who"],
    registry=REGISTRY,
)
TICK_SECONDS = Histogram(
    "chibo_tick_seconds",
    "Duration of the periodic jobs' runs",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)


class Telegram:
    """When a call to the Bot API last succeeded (monotonic and wall clock)."""

    ok_at: datetime | None = None
    _ok_monotonic = 0.0
    # Told of the first success (the heartbeat records it at once, not 10 s later).
    on_first_success: Callable[[], None] | None = None

    @classmethod
    def succeeded(cls) -> None:
        now = time.monotonic()
        # A call per update at most: the wall clock is read a few times a second, not more.
        if now - cls._ok_monotonic > 0.5:
            first = cls.ok_at is None
            cls._ok_monotonic = now
            cls.ok_at = datetime.now(UTC)
            if first and cls.on_first_success is not None:
                cls.on_first_success()


def message_kind(outbox_key: str) -> str:
    """The kind of an outbox message, from its key's first part ("remind", "digest", …)."""
    return outbox_key.split(":", 1)[0][:30] or "other"
