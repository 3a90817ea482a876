"""Migrations build the schema the models describe, on SQLite and PostgreSQL alike,
and take it down again cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from db import migrate
from db.models import Base
from db.session import create_engine


async def _differences_and_tables(database_url: str) -> tuple[list, set[str]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:

            def look(sync_connection):
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                tables = set(inspect(sync_connection).get_table_names())
                return compare_metadata(context, Base.metadata), tables

            return await connection.run_sync(look)
    finally:
        await engine.dispose()


async def test_upgrade_builds_exactly_the_models_schema(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url)
    differences, tables = await _differences_and_tables(empty_database_url)
    assert differences == []
    assert set(Base.metadata.tables) <= tables
    assert await migrate.current_revision_for(empty_database_url) == migrate.head_revision()


async def test_downgrade_removes_everything_and_upgrade_rebuilds(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url)
    await migrate.downgrade(empty_database_url, "base")
    _, tables = await _differences_and_tables(empty_database_url)
    assert tables <= {"alembic_version"}
    assert await migrate.current_revision_for(empty_database_url) is None
    await migrate.upgrade(empty_database_url)
    differences, _ = await _differences_and_tables(empty_database_url)
    assert differences == []


def test_the_newest_revision_is_read_as_alembic_reads_it() -> None:
    """`chibo run` checks the schema without loading Alembic: it must agree on the head."""
    from db import migrate, schema

    assert schema.newest_revision() == migrate.head_revision()
