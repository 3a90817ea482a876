"""Turn the database URLs people write into the async URLs SQLAlchemy needs."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

_ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "psycopg"}
_BACKEND_ALIASES = {"postgres": "postgresql", "sqlite3": "sqlite"}


class DatabaseUrlError(ValueError):
    pass


def parse_database_url(raw: str) -> URL:
    """The URL with the async driver chosen for its backend."""
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise DatabaseUrlError(
            f"cannot read {raw!r}; write e.g. sqlite:///chibo.db or postgresql://user@host/db"
        ) from None
    backend = url.get_backend_name()
    backend = _BACKEND_ALIASES.get(backend, backend)
    if backend not in _ASYNC_DRIVERS:
        raise DatabaseUrlError(f"unsupported database {backend!r}; use sqlite or postgresql")
    return url.set(drivername=f"{backend}+{_ASYNC_DRIVERS[backend]}")


def async_database_url(raw: str) -> str:
    return parse_database_url(raw).render_as_string(hide_password=False)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"
