"""The async engine and sessions. One session per unit of work, never shared between tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolResetState

from db import sqlite
from db.urls import async_database_url, is_sqlite

SQLITE_BUSY_TIMEOUT_MS = 10_000


def create_engine(database_url: str, **engine_options: Any) -> AsyncEngine:
    """An async engine for a URL as people write it; SQLite gets WAL and a busy timeout."""
    url = async_database_url(database_url)
    engine_options.setdefault("pool_reset_on_return", None)  # _roll_back_if_open does it
    if is_sqlite(url):
        database = make_url(url).database or ":memory:"
        engine = create_async_engine(
            url,
            async_creator=sqlite.connector(database, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000),
            **engine_options,
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
    else:
        engine_options.setdefault("pool_pre_ping", True)
        engine = create_async_engine(url, **engine_options)
    event.listen(engine.sync_engine, "reset", _roll_back_if_open)
    return engine


def _roll_back_if_open(
    dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, state: PoolResetState
) -> None:
    """The pool's reset when a connection comes back, minus a round trip: a session returns
    its connection after it committed or rolled back, so there is rarely anything to undo."""
    if not state.asyncio_safe or state.transaction_was_reset:
        return
    if _in_transaction(record.driver_connection):
        dbapi_connection.rollback()


def _in_transaction(driver_connection: Any) -> bool:
    if hasattr(driver_connection, "in_transaction"):  # aiosqlite
        return bool(driver_connection.in_transaction)
    info = getattr(driver_connection, "info", None)  # psycopg
    if info is not None and hasattr(info, "transaction_status"):
        # Imported here: a bot on SQLite never loads psycopg and its libpq (about 12 MB).
        from psycopg.pq import TransactionStatus

        return info.transaction_status != TransactionStatus.IDLE
    return True


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def dialect_of(db: AsyncSession | AsyncConnection) -> str:
    """The name of the session's (or connection's) database: "postgresql" or "sqlite"."""
    return db.dialect.name if isinstance(db, AsyncConnection) else db.get_bind().dialect.name


def insert_for(db: AsyncSession | AsyncConnection) -> Any:
    """The INSERT of the session's (or connection's) database: both dialects have ON CONFLICT,
    with the same Python API for it."""
    return pg_insert if dialect_of(db) == "postgresql" else sqlite_insert


async def close_engine(engine: AsyncEngine) -> None:
    """Close every connection; on SQLite first fold the write-ahead log into the database
    file, so that the file alone (a copy, a backup) holds every change."""
    if engine.dialect.name == "sqlite":
        async with engine.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    await engine.dispose()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
