"""SQLite connections for the async engine: aiosqlite, with one thread hand-off per statement.

aiosqlite runs each SQLite connection on a thread of its own and hands every call to it.
SQLAlchemy's adapter opens a cursor, executes, fetches and closes: four hand-offs for one
SELECT, each waking the event loop from the other thread, so a step of a conversation (a
SELECT, an UPDATE and a COMMIT) took eight. Here a statement runs whole on the connection's
thread, executed and its rows fetched in one hand-off: three for that step, which shortened
the slowest answers under load most (bench/conversation.py). Everything else (commit,
rollback, close) is aiosqlite's own.

The engine takes these connections through create_async_engine's async_creator.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import aiosqlite

_Rows = list[Any]
# A statement's description, rows, row count and last row id.
_Outcome = tuple[Any, _Rows, int, int | None]


class OneHopConnection(aiosqlite.Connection):
    """aiosqlite's connection with cursors of its own. They hand work to the connection's
    thread the way aiosqlite's own cursors do, through Connection._execute."""

    # aiosqlite's cursor() is a context manager that awaits a Cursor; SQLAlchemy only calls
    # cursor() and uses what it returns at once, so a plain cursor is returned here.
    def cursor(self) -> OneHopCursor:  # type: ignore[override]  # a narrower return, see above
        return OneHopCursor(self)


class OneHopCursor:
    """The cursor SQLAlchemy drives: a statement's results are read in the same hand-off
    that runs it, and kept here until fetched."""

    arraysize = 1

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self._rows: _Rows = []
        self.description: Sequence[Any] | None = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneHopCursor:
        connection = self._connection
        arguments = parameters if parameters is not None else ()
        self._keep(await connection._execute(_run, connection._conn.execute, sql, arguments))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> OneHopCursor:
        connection = self._connection
        many = connection._conn.executemany
        self._keep(await connection._execute(_run, many, sql, parameters))
        return self

    def _keep(self, outcome: _Outcome) -> None:
        self.description, self._rows, self.rowcount, self.lastrowid = outcome

    async def fetchall(self) -> _Rows:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> _Rows:
        count = size or self.arraysize
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


def _run(execute: Callable[..., sqlite3.Cursor], *arguments: Any) -> _Outcome:
    """On the connection's thread: the statement, and its rows if it returns any."""
    connection = getattr(execute, "__self__", None)
    if (
        isinstance(connection, sqlite3.Connection)
        and not connection.in_transaction
        and str(arguments[0]).lstrip().upper().startswith("SAVEPOINT")
    ):
        # sqlite3 begins a transaction itself only before a write, so SELECTs run outside
        # one; a SAVEPOINT outside one begins a deferred transaction instead, and its reads
        # hold a snapshot: if another connection commits meanwhile, its first write fails at
        # once with "database is locked", the busy timeout notwithstanding. A savepoint is
        # taken to write (the roster's trial import): take the write lock first, waiting
        # for it as any write does.
        connection.execute("BEGIN IMMEDIATE")
    cursor = execute(*arguments)
    try:
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def connector(database: str, timeout: float) -> Callable[[], Awaitable[OneHopConnection]]:
    """An async_creator for create_async_engine: a connection to `database` (a file path, or
    ':memory:'), waiting up to `timeout` seconds for another writer's lock."""

    async def connect() -> OneHopConnection:
        connection = OneHopConnection(
            lambda: sqlite3.connect(database, timeout=timeout), iter_chunk_size=64
        )
        # As SQLAlchemy does for aiosqlite's own connections: an open connection never keeps
        # the process alive.
        connection._thread.daemon = True
        await connection  # starts its thread and opens the database
        return connection

    return connect
