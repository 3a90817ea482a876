"""The monthly digest of a province: wall time and peak memory, on SQLite and PostgreSQL.

    python bench/digest.py [--postgresql postgresql://postgres@127.0.0.1:5432/postgres]
    python bench/digest.py --quick     # a town on SQLite alone, in a few seconds (make test)

For each database it fills a province with `chibo demo-data --scale province` (3,000
branches, 2,500 committee members, twelve months), then, in a fresh process, makes the full
digest of the last month (figures, text, chart, spreadsheet, report document), as the bot does
on the 1st, and prints the wall time and the process's peak memory (resident set). PostgreSQL
is measured in a database of its own, created and dropped beside the one named.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DATABASE = "chibo_bench_digest"


def fill(database_url: str, scale: str = "province") -> str:
    """The province (or a town), by the same command people use; returns what it printed."""
    environment = {**os.environ, "CHIBO_DATABASE_URL": database_url, "CHIBO_LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo-data", "--scale", scale],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def measure_in_child(database_url: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


async def measure(database_url: str) -> dict:
    """Run in a fresh process: import, then make the digest twice (the first as on the 1st
    of a month, the second with SQLAlchemy's statement cache warm)."""
    started = time.perf_counter()
    from bot.clock import SystemClock
    from bot.domain.digest import Edition, Month
    from bot.render.digest import digest_messages
    from bot.services.digest import DigestService
    from bot.services.digest.posting import make_edition
    from bot.settings import load_settings
    from db.session import create_engine, create_sessionmaker

    imported = time.perf_counter() - started
    settings = load_settings(_env_file=None, database_url=database_url, attendance_quota=6)
    today = SystemClock().now().astimezone(settings.zone).date()
    month = Month.of(today).shift(-1)
    engine = create_engine(database_url)
    runs = []
    rss_before = peak_rss_mb()
    try:
        sessions = create_sessionmaker(engine)
        [root] = await DigestService(sessions, settings.zone).organisations()
        for edition in (Edition.GROUP, Edition.OFFICE):
            started = time.perf_counter()
            made = await make_edition(
                sessions,
                root,
                month,
                edition,
                lang="vi",
                now=SystemClock().now(),
                zone=settings.zone,
                quota=settings.attendance_quota or None,
                letterhead_for=settings.letterhead,
            )
            messages = digest_messages(made.figures, "vi")
            files = made.files
            runs.append(
                {
                    "edition": edition.value,
                    "seconds": time.perf_counter() - started,
                    "text_chars": sum(len(m) for m in messages),
                    "messages": len(messages),
                    "chart_kb": len(files.chart) // 1024,
                    "sheet_kb": len(files.sheet) // 1024,
                    "document_kb": len(files.document) // 1024,
                    "assignments": made.figures.current.attendance.slots,
                    "reports": made.figures.current.reporting.received,
                }
            )
    finally:
        await engine.dispose()
    return {
        "month": month.label,
        "import_seconds": imported,
        "rss_after_import_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
        "runs": runs,
    }


def postgres_database(admin_url: str) -> str | None:
    """A fresh database beside the one named, or None if the server cannot be reached."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    try:
        with psycopg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password,
            dbname=url.database or "postgres",
            autocommit=True,
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL at {admin_url} not reachable ({exc}); measuring SQLite only")
        return None
    return url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def report(name: str, filled: str, result: dict) -> None:
    print(f"\n{name}: {filled}")
    print(
        f"  month {result['month']}; imports {result['import_seconds']:.2f} s;"
        f" resident after imports {result['rss_after_import_mb']:.0f} MB"
    )
    for run in result["runs"]:
        print(
            f"  {run['edition']:6} edition: {run['seconds']:.2f} s"
            f" ({run['assignments']} assignments, {run['reports']} reports;"
            f" text {run['text_chars']} chars in {run['messages']} message(s);"
            f" chart {run['chart_kb']} KB, spreadsheet {run['sheet_kb']} KB,"
            f" document {run['document_kb']} KB)"
        )
    print(f"  peak memory of the process: {result['peak_rss_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgresql",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to measure on (a database is created beside this one)",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument(
        "--quick", action="store_true", help="a town on SQLite only, to check the bench runs"
    )
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure))))
        return
    if args.quick:
        with tempfile.TemporaryDirectory() as folder:
            town = f"sqlite:///{folder}/town.db"
            report("SQLite, a town (quick)", fill(town, "town"), measure_in_child(town))
        return
    print(f"{date.today()}: the digest of a province's last month; target under 3 s, 300 MB")
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite:///{folder}/province.db"
        print("filling the province on SQLite ...", flush=True)
        filled = fill(sqlite_url)
        report("SQLite", filled, measure_in_child(sqlite_url))
    pg_url = postgres_database(args.postgresql)
    if pg_url is not None:
        print("filling the province on PostgreSQL ...", flush=True)
        filled = fill(pg_url)
        report("PostgreSQL", filled, measure_in_child(pg_url))


if __name__ == "__main__":
    main()
