"""Rosters made in code, for tests and benchmarks that need many people."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import update

from bot.clock import Clock
from bot.formats.roster_workbook import read_file, write_workbook
from bot.services.audit import Who
from bot.services.roster import RosterService
from db.models import Person
from db.session import create_engine, create_sessionmaker


async def one_branch_followed_by(
    database_url: str,
    clock: Clock,
    people: int,
    *,
    telegram_id_base: int,
    phone_prefix: str = "0913",
    topics: list[list[object]] | None = None,
) -> None:
    """One ward, one branch meeting on the 5th at 19:30, and `people` members who all follow
    it, each linked to the Telegram account telegram_id_base + their row id."""
    sheets: dict[str, list[list[object]]] = {
        "units": [["DB", "Đảng bộ phường Mẫu", None, "Đảng bộ phường"]],
        "branches": [
            [
                "KP",
                "Chi bộ Khu phố Đông",
                "DB",
                "ngày 5",
                time(19, 30),
                90,
                "Hội trường khu phố",
                "Lê Văn Bí",
                "0912000000",
            ]
        ],
        "people": [
            [
                f"P{n:05d}",
                f"Đảng viên {n:05d}",
                "Đảng ủy viên",
                f"{phone_prefix}{n:06d}",
                "thành viên",
                None,
            ]
            for n in range(people)
        ],
        "assignments": [[f"P{n:05d}", "KP", date(2020, 1, 1), None, None] for n in range(people)],
    }
    if topics is not None:
        sheets["topics"] = topics
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            rows, problems = read_file("roster.xlsx", write_workbook(sheets))
            result = await RosterService(db, clock).import_rows(
                rows, problems, Who.command_line(), dry_run=False
            )
            assert not result.problems, result.problems[:3]
            await db.execute(update(Person).values(telegram_user_id=Person.id + telegram_id_base))
            await db.commit()
    finally:
        await engine.dispose()
