"""A consistent copy of the database, and putting one back into an empty database.

SQLite: the online backup API, which copies a consistent snapshot while the bot keeps
writing. PostgreSQL: pg_dump in its custom format and pg_restore, where they are installed.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from db.urls import is_sqlite, parse_database_url


class BackupError(Exception):
    """What went wrong, in one line for the operator."""


def _sqlite_path(database_url: str) -> Path:
    path = make_url(database_url).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(path)


def _libpq_url(database_url: str) -> str:
    """The URL pg_dump and pg_restore take: no SQLAlchemy driver in the scheme."""
    url = parse_database_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client tools"
            " (Debian: postgresql-client)"
        )
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["failed"]
        raise BackupError(f"{Path(command[0]).name}: {lines[-1]}")


def backup(database_url: str, target: Path) -> str:
    """Write the copy; returns what was done, for the operator."""
    if target.exists():
        raise BackupError(f"{target} exists already; name a new file")
    if is_sqlite(database_url):
        source_path = _sqlite_path(database_url)
        if not source_path.exists():
            raise BackupError(f"{source_path} does not exist")
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return f"SQLite database {source_path} copied to {target} (online backup)"
    _run([_tool("pg_dump"), "--format=custom", "--file", str(target), _libpq_url(database_url)])
    return f"PostgreSQL database dumped to {target} (pg_dump, custom format)"


def _sqlite_is_empty(path: Path) -> bool:
    if not path.exists():
        return True
    connection = sqlite3.connect(path)
    try:
        tables = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
    finally:
        connection.close()
    return tables == 0


def restore(database_url: str, source: Path) -> str:
    """Put a copy back, into an empty database only: a restore never overwrites data."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if is_sqlite(database_url):
        target_path = _sqlite_path(database_url)
        if not _sqlite_is_empty(target_path):
            raise BackupError(f"{target_path} is not empty; restore into a new database file")
        copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(target_path)
        try:
            copy.backup(target)
        finally:
            target.close()
            copy.close()
        return f"{source} restored into {target_path}"
    url = _libpq_url(database_url)
    psql = _tool("psql")
    tables = subprocess.run(
        [psql, "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if tables.returncode != 0:
        raise BackupError(f"psql: {(tables.stderr.strip().splitlines() or ['failed'])[-1]}")
    if tables.stdout.strip() != "0":
        raise BackupError("the database is not empty; restore into a new, empty database")
    _run([_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", url, str(source)])
    return f"{source} restored into the PostgreSQL database (pg_restore)"
