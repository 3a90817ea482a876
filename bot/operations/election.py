"""Which `chibo run` process is the active one (DESIGN.md principle 10).

On PostgreSQL every process tries to take one session-level advisory lock on a connection of
its own; the holder is active, the others stand by and try again every few seconds. When the
holder dies its connection drops and PostgreSQL releases the lock. The holder checks its
connection every few seconds: once it cannot, it no longer knows it holds the lock, and steps
down before another process can take over, so there are never two active instances.

On SQLite there is one process: a second one on the same file is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from db.urls import async_database_url, parse_database_url

log = logging.getLogger(__name__)

# The lock's key, in the database's own space of advisory locks: "chib" in ASCII.
LOCK_KEY = 0x63686962
# How often a standby tries the lock, and how often the active one checks its connection.
RETRY_SECONDS = 3.0
CHECK_SECONDS = 3.0
# A check that takes longer than this counts as a lost connection.
CHECK_TIMEOUT = 5.0
# So that PostgreSQL notices a holder whose machine went away (no packet ever says so):
# about 5 + 3 × 3 seconds of silence end its session and release the lock.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 3,
    "keepalives_count": 3,
}


class AlreadyRunning(Exception):
    """Another process runs the bot on this SQLite file; the message is one line."""


class Election:
    """The interface `chibo run` uses: wait to become active, then watch for the loss."""

    def __init__(self) -> None:
        self.lost = asyncio.Event()
        # PostgreSQL's session that holds the lock, while this process holds it.
        self.lock_session: int | None = None

    async def wait_until_active(self, stop: asyncio.Event) -> bool:
        """Return True once this process is the active one; False if `stop` came first."""
        raise NotImplementedError

    async def release(self) -> None:
        raise NotImplementedError


class SqliteElection(Election):
    """One process per SQLite file, held by an exclusive lock on a file beside it."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        database = make_url(database_url).database or ""
        self.path = None if database in ("", ":memory:") else Path(f"{database}.lock")
        self._file: int | None = None

    async def wait_until_active(self, stop: asyncio.Event) -> bool:
        if self.path is None:
            return True
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 20, 0).decode(errors="replace").strip() or "?"
            os.close(handle)
            raise AlreadyRunning(
                f"another `chibo run` (pid {holder}) is using {self.path.with_suffix('')};"
                " SQLite allows one: stop it first"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode(), 0)
        self._file = handle
        return True

    async def release(self) -> None:
        if self._file is not None:
            os.close(self._file)  # the lock goes with the file; the file stays, harmless
            self._file = None


class PostgresElection(Election):
    def __init__(
        self,
        database_url: str,
        *,
        retry_seconds: float = RETRY_SECONDS,
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        super().__init__()
        self._engine = create_async_engine(
            async_database_url(database_url),
            poolclass=NullPool,
            connect_args={**KEEPALIVES, "connect_timeout": 5},
        )
        self.retry_seconds = retry_seconds
        self.check_seconds = check_seconds
        self._connection: AsyncConnection | None = None
        self._watch: asyncio.Task[None] | None = None

    async def wait_until_active(self, stop: asyncio.Event) -> bool:
        self.lost.clear()
        said_standby = False
        while not stop.is_set():
            try:
                if await self._try_lock():
                    assert self._connection is not None
                    self.lock_session = await self._connection.scalar(
                        text("SELECT pg_backend_pid()")
                    )
                    self._watch = asyncio.create_task(self._watch_connection(), name="chibo-lock")
                    return True
                if not said_standby:
                    log.info(
                        "standing by: another instance is active; trying every %.0f s",
                        self.retry_seconds,
                    )
                    said_standby = True
            except (SQLAlchemyError, OSError) as exc:
                log.warning("standing by: cannot reach the database: %s", _first_line(exc))
                await self._close()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.retry_seconds):
                    await stop.wait()
        return False

    async def _try_lock(self) -> bool:
        if self._connection is None:
            connection = await self._engine.connect()
            # Autocommit: the connection must not sit in an open transaction for days.
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            # The server's side of the keepalives, for a client that vanished.
            await self._connection.execute(
                text("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 3")
            )
        result = await self._connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
        )
        return bool(result.scalar())

    async def _watch_connection(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                assert self._connection is not None
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await self._connection.execute(text("SELECT 1"))
            except (SQLAlchemyError, OSError, TimeoutError) as exc:
                log.error(
                    "lost the database connection that holds the active instance's lock (%s):"
                    " stopping at once",
                    _first_line(exc),
                )
                self.lost.set()
                with contextlib.suppress(Exception):
                    await self._close()
                return

    async def _close(self) -> None:
        self.lock_session = None
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError, OSError, TimeoutError):
                await asyncio.wait_for(connection.close(), CHECK_TIMEOUT)

    async def release(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        await self._close()  # closing the session releases the lock
        await self._engine.dispose()


def election_for(database_url: str) -> Election:
    if parse_database_url(database_url).get_backend_name() == "postgresql":
        return PostgresElection(database_url)
    return SqliteElection(database_url)


async def active_holder(connection: AsyncConnection) -> dict[str, object] | None:
    """Who holds the lock, as PostgreSQL sees it (for `chibo status`); None on SQLite or when
    nobody does."""
    if connection.dialect.name != "postgresql":
        return None
    row = (
        await connection.execute(
            text(
                "SELECT a.pid, a.client_addr::text AS client, a.backend_start"
                " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.objid = :key AND l.granted"
                " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"key": LOCK_KEY},
        )
    ).first()
    return dict(row._mapping) if row is not None else None


def sqlite_holder(database_url: str) -> int | None:
    """The pid of the `chibo run` holding this SQLite file's lock, or None when none does: a
    process that died left the lock with it (`chibo status`)."""
    database = make_url(database_url).database or ""
    if database in ("", ":memory:"):
        return None
    path = Path(f"{database}.lock")
    if not path.exists():
        return None
    handle = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        text_pid = os.pread(handle, 20, 0).decode(errors="replace").strip()
        return int(text_pid) if text_pid.isdigit() else 0
    else:
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None
    finally:
        os.close(handle)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
