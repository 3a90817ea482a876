"""`chibo backup` writes a consistent copy of the database; `chibo restore` puts it back into
an empty database, and refuses one that holds data."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.cli import main as chibo
from db.models import Assignment, HandlingBodyMember, Person, Unit
from tests.conftest import Db


async def _counts(url: str) -> list[int]:
    reader = Db(url)
    try:
        return [
            await reader.scalar(select(func.count()).select_from(table))
            for table in (Unit, Person, Assignment, HandlingBodyMember)
        ]
    finally:
        await reader.engine.dispose()


async def test_backup_and_restore_round_trip(
    roster, database_url, empty_database_url, tmp_path, monkeypatch, capsys
) -> None:
    copy = tmp_path / "chibo.backup"
    monkeypatch.setenv("CHIBO_DATABASE_URL", database_url)
    assert await asyncio.to_thread(chibo, ["backup", str(copy)]) == 0
    assert copy.stat().st_size > 0
    assert await asyncio.to_thread(chibo, ["backup", str(copy)]) == 1  # never overwritten
    assert "exists already" in capsys.readouterr().err
    # A database that holds data is never restored into.
    assert await asyncio.to_thread(chibo, ["restore", str(copy)]) == 1
    assert "not empty" in capsys.readouterr().err

    monkeypatch.setenv("CHIBO_DATABASE_URL", empty_database_url)
    assert await asyncio.to_thread(chibo, ["restore", str(copy)]) == 0
    original, restored = await _counts(database_url), await _counts(empty_database_url)
    assert restored == original and original[1] == 25
