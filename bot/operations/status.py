"""What an operator asks of a running chibo: which instance is active, whether it reaches its
database and Telegram, what waits in the outbox, when each periodic job last ran. /healthz and
`chibo status` give the same summary, read from the database, where every instance writes
its heartbeat. Which instance is active is the lock's to say, not the heartbeats': PostgreSQL
knows at once who holds the advisory lock (pg_locks), and a process that died has released
the SQLite file's lock with it."""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot import __version__, metrics
from bot.operations.election import active_holder, sqlite_holder
from bot.outbox import queue
from db.models import ErrorReport, Instance, JobTick
from db.session import insert_for

HEARTBEAT_SECONDS = 10.0
# An instance not heard from for this long is not counted as running.
ALIVE_FOR = timedelta(seconds=45)
FORGET_AFTER = timedelta(days=1)


@dataclass
class Vitals:
    """This process, as it reports itself."""

    instance_id: str
    role: str = "standby"
    receiving: str = ""
    lock_session: int | None = None  # PostgreSQL's session holding the lock, when active
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Set when the role changes, so that the heartbeat says so at once.
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def become(self, role: str, receiving: str = "", lock_session: int | None = None) -> None:
        self.role, self.receiving, self.lock_session = role, receiving, lock_session
        metrics.ACTIVE.set(1 if role == "active" else 0)
        self.changed.set()


async def beat(connection: AsyncConnection, vitals: Vitals) -> None:
    """Write this instance's heartbeat; forget instances gone for a day."""
    now = datetime.now(UTC)
    values = {
        "host": vitals.host[:200],
        "pid": vitals.pid,
        "version": __version__,
        "role": vitals.role,
        "receiving": vitals.receiving,
        "started_at": vitals.started_at,
        "seen_at": now,
        "telegram_ok_at": metrics.Telegram.ok_at,
        "lock_session": vitals.lock_session,
    }
    statement = insert_for(connection)(Instance).values(id=vitals.instance_id, **values)
    await connection.execute(statement.on_conflict_do_update(index_elements=["id"], set_=values))
    await connection.execute(delete(Instance).where(Instance.seen_at < now - FORGET_AFTER))


async def summary(connection: AsyncConnection) -> dict[str, Any]:
    now = datetime.now(UTC)
    holder = await active_holder(connection)
    sqlite_pid = None
    if connection.dialect.name == "sqlite":
        sqlite_pid = sqlite_holder(connection.engine.url.render_as_string(hide_password=False))
    instances = []
    for row in await connection.execute(
        select(Instance).where(Instance.seen_at >= now - ALIVE_FOR).order_by(Instance.role)
    ):
        if holder is not None:
            holds = row.lock_session is not None and row.lock_session == holder["pid"]
        else:
            holds = sqlite_pid is not None and row.pid == sqlite_pid
        instances.append(
            {
                "id": row.id,
                "host": row.host,
                "pid": row.pid,
                "version": row.version,
                # The lock says who is active; a heartbeat that still says "active" is a
                # process that stopped or died since.
                "role": "active" if holds else ("gone" if row.role == "active" else row.role),
                "receiving": row.receiving if holds else "",
                "started_at": iso(row.started_at),
                "seen_at": iso(row.seen_at),
                "telegram_ok_at": iso(row.telegram_ok_at),
            }
        )
    jobs = {
        row.name: {
            "finished_at": iso(row.finished_at),
            "duration_ms": row.duration_ms,
            "ok": row.ok,
        }
        for row in await connection.execute(select(JobTick).order_by(JobTick.name))
    }
    errors = await connection.scalar(
        select(func.count()).where(ErrorReport.last_at >= now - timedelta(days=1))
    )
    return {
        "active": any(instance["role"] == "active" for instance in instances),
        "instances": instances,
        "lock_holder": {k: iso(v) if isinstance(v, datetime) else v for k, v in holder.items()}
        if holder
        else None,
        "outbox": await outbox_summary(connection),
        "jobs": jobs,
        "error_kinds_last_day": int(errors or 0),
    }


async def outbox_summary(connection: AsyncConnection) -> dict[str, Any]:
    """What waits in the outbox, what is being sent, and when a message last went out."""
    now = datetime.now(UTC)
    found = await queue.summary(connection, now)
    oldest_at = _aware(found.oldest_due_at)
    return {
        "backlog": found.backlog,
        "oldest_due_at": iso(oldest_at),
        "oldest_due_seconds": round((now - oldest_at).total_seconds()) if oldest_at else 0,
        "sending": found.sending,
        "last_sent_at": iso(found.last_sent_at),
    }


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC, to the second (a naive one is taken as UTC)."""
    aware = _aware(moment)
    return aware.astimezone(UTC).isoformat(timespec="seconds") if aware else None


def lines(report: dict[str, Any], *, now: datetime | None = None) -> list[str]:
    """The summary for a person at a terminal (`chibo status`)."""
    now = now or datetime.now(UTC)
    out = []

    if not report["instances"]:
        out.append("instances: none has written a heartbeat in the last 45 s")
    for instance in report["instances"]:
        out.append(
            f"instance {instance['role']}: {instance['host']} pid {instance['pid']}"
            f" (chibo {instance['version']}, {instance['receiving'] or 'not receiving'},"
            f" seen {_ago(instance['seen_at'], now)}, last Telegram call"
            f" {_ago(instance['telegram_ok_at'], now)})"
        )
    if report["lock_holder"]:
        holder = report["lock_holder"]
        out.append(
            f"lock: held by database session {holder['pid']}"
            f" from {holder.get('client') or 'a local socket'}"
        )
    outbox = report["outbox"]
    oldest = f", oldest due {_ago(outbox['oldest_due_at'], now)}" if outbox["backlog"] else ""
    out.append(
        f"outbox: {outbox['backlog']} due{oldest}; {outbox['sending']} being sent;"
        f" last sent {_ago(outbox['last_sent_at'], now)}"
    )
    for name, job in report["jobs"].items():
        state = "ok" if job["ok"] else "FAILED"
        out.append(
            f"job {name}: last run {_ago(job['finished_at'], now)},"
            f" {job['duration_ms']} ms, {state}"
        )
    out.append(f"kinds of error met in the last day: {report['error_kinds_last_day']}")
    if not report["active"]:
        out.append("NO ACTIVE INSTANCE: nothing receives updates or sends messages")
    return out


def _ago(moment: str | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - datetime.fromisoformat(moment)).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"
