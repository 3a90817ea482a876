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


def _fields_migration():
    import importlib.util
    from pathlib import Path

    path = Path(migrate.__file__).parent / "migrations" / "versions" / "0009_proposal_fields.py"
    spec = importlib.util.spec_from_file_location("proposal_fields_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_existing_proposals_get_the_field_their_text_or_old_topic_names() -> None:
    """Migration 0009 files each proposal by the words of its text, else of the meeting
    topic it was filed under, else under "another field"."""
    from bot.services.demo import PROPOSALS
    from bot.services.topics import DEFAULT_PROPOSAL_FIELDS

    migration = _fields_migration()
    assert [name for _, name, _ in migration.FIELDS] == list(DEFAULT_PROPOSAL_FIELDS)
    for text, code in PROPOSALS:  # the sandbox town's proposals, filed by hand
        assert migration.field_of(text) == code, text
    assert migration.field_of("Yêu cầu xử lý tụ tập gây mất trật tự ban đêm") == "LV05"
    assert migration.field_of("Đề nghị sớm tổ chức hội nghị tổng kết") is None
    assert migration.field_of("Quốc phòng - an ninh, trật tự") == "LV05"  # an old topic
    assert migration.field_of("Đề nghị cấp giấy chứng nhận quyền sử dụng đất") == "LV01"
    assert migration.field_of("Lập danh sách hộ cận nghèo năm 2027") == "LV06"
    assert migration.field_of("Kiến nghị về việc học sinh đi học qua đường tàu") == "LV03"
