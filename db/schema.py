"""Whether a database is at the newest schema, read without loading Alembic, which a process
would then keep in memory for good (about 7 MB): `chibo run` asks at every start and
migrates only when it is not."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from db.session import create_engine

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision = ['\"](\w+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision = ['\"](\w+)['\"]", re.MULTILINE)


def newest_revision() -> str:
    """The one revision no other revision follows (Alembic's head)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        if found := _REVISION.search(source):
            revisions.add(found.group(1))
        if down := _DOWN.search(source):
            followed.add(down.group(1))
    heads = revisions - followed
    assert len(heads) == 1, f"the migrations have {len(heads)} heads: {sorted(heads)}"
    return heads.pop()


async def is_current(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError:  # no schema yet
        return False
    finally:
        await engine.dispose()
    return version == newest_revision()
