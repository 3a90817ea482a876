"""SQLite through db/sqlite.py behaves as the DB-API SQLAlchemy expects: rows, row counts,
ids, bulk inserts, streamed results, and errors of the right kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from db.session import create_engine

metadata = MetaData()
words = Table(
    "words",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String, unique=True, nullable=False),
)


@pytest.fixture
async def engine(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'words.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def test_rows_counts_and_ids(engine) -> None:
    async with engine.begin() as connection:
        first = await connection.execute(insert(words).values(text="chi bộ"))
        assert first.inserted_primary_key == (1,)
        await connection.execute(insert(words), [{"text": f"từ {n}"} for n in range(50)])
        changed = await connection.execute(
            update(words).where(words.c.text.like("từ 1%")).values(text=words.c.text + "!")
        )
        assert changed.rowcount == 11  # từ 1, từ 10 … từ 19
        assert await connection.scalar(select(func.count()).select_from(words)) == 51
        rows = (await connection.execute(select(words.c.text).order_by(words.c.id))).all()
    assert rows[0].text == "chi bộ"
    assert rows[2].text == "từ 1!"


async def test_inserted_ids_come_back_by_returning(engine) -> None:
    async with engine.begin() as connection:
        ids = await connection.scalars(
            insert(words).returning(words.c.id), [{"text": "một"}, {"text": "hai"}]
        )
        assert sorted(ids) == [1, 2]


async def test_a_streamed_result_arrives_whole_in_order(engine) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(words), [{"text": f"{n:03d}"} for n in range(120)])
    async with engine.connect() as connection:
        streamed = await connection.stream(select(words.c.text).order_by(words.c.text))
        texts = [text async for text in streamed.scalars()]
    assert texts == [f"{n:03d}" for n in range(120)]


async def test_errors_keep_their_kind_and_the_transaction_rolls_back(engine) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(words).values(text="trùng"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(insert(words).values(text="khác"))
            await connection.execute(insert(words).values(text="trùng"))
    with pytest.raises(OperationalError):
        async with engine.connect() as connection:
            await connection.exec_driver_sql("SELEC nothing")
    async with engine.connect() as connection:
        texts = (await connection.scalars(select(words.c.text))).all()
    assert texts == ["trùng"]
