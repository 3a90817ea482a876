"""Fixtures: a fresh migrated database, a controllable clock, the test Bot API server, and
the real bot from the application factory, polling that server."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from telegram.ext import Application

from bot.app import build_application
from bot.clock import ManualClock
from bot.settings import Settings, load_settings
from db import migrate
from db.urls import is_sqlite
from sandbox.server import BotApiServer, Chat
from sandbox.users import TgUser

# python-telegram-bot 22 warns that RetryAfter.retry_after becomes a timedelta; take it now.
os.environ.setdefault("PTB_TIMEDELTA", "1")

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN_TELEGRAM_ID = 900001
TEST_DATABASE_ENV = "CHIBO_TEST_DATABASE_URL"
PG_TEMPLATE = "chibo_test_template"
PG_CASE = "chibo_test_case"


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {os.environ.get(TEST_DATABASE_ENV) or 'SQLite (temporary files)'}"


# ---------------------------------------------------------------------- databases


def server_url() -> str | None:
    """The PostgreSQL server to test on, if CHIBO_TEST_DATABASE_URL names one."""
    url = os.environ.get(TEST_DATABASE_ENV, "").strip()
    if not url or is_sqlite(url):
        return None
    return url


def _pg_admin(url: str) -> psycopg.Connection:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname=parsed.database or "postgres",
        autocommit=True,
    )


def _pg_url(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head once per run; each test gets a copy."""
    url = server_url()
    if url is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        asyncio.run(migrate.upgrade(f"sqlite:///{path}"))
        return str(path)
    with _pg_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_CASE}" WITH (FORCE)')
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_TEMPLATE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{PG_TEMPLATE}"')
    asyncio.run(migrate.upgrade(_pg_url(url, PG_TEMPLATE)))
    return PG_TEMPLATE


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the newest schema, for this test alone."""
    url = server_url()
    if url is None:
        path = tmp_path / "chibo.db"
        shutil.copyfile(database_template, path)
        yield f"sqlite:///{path}"
        return
    with _pg_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_CASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{PG_CASE}" TEMPLATE "{database_template}"')
    yield _pg_url(url, PG_CASE)
    with _pg_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_CASE}" WITH (FORCE)')


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for migration tests."""
    url = server_url()
    if url is None:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = "chibo_test_empty"
    with _pg_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(url, name)
    with _pg_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------- the bot and its world


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 1, 8, 0, tzinfo=ZONE))


@pytest.fixture
def english_readers() -> set[int]:
    """The chats of people who chose English (/ngonngu): a story adds them."""
    return set()


@pytest.fixture
async def tg(english_readers: set[int]) -> AsyncIterator[BotApiServer]:
    server = BotApiServer()
    await server.start()
    yield server
    await server.stop()
    # Whatever the story did, its Vietnamese readers saw no English (tests/language.py).
    from tests.language import english_found

    found = english_found(server, english_readers)
    assert found == [], "English reached a Vietnamese reader"
    # ...and every button it was shown fits a phone's line (bot/render LABEL_ROOM).
    from bot.render import labels_cut_on_a_phone

    cut = sorted(
        {
            label
            for messages in server.bot_messages.values()
            for message in messages
            for label in labels_cut_on_a_phone(
                [
                    [button["text"] for button in row]
                    for markup in (message.get("sent_markup"), message.get("reply_markup"))
                    for row in (markup or {}).get("inline_keyboard", [])
                ]
            )
        }
    )
    assert cut == [], "buttons a phone would cut"


@pytest.fixture
def settings(tg: BotApiServer, database_url: str) -> Settings:
    return make_settings(tg, database_url)


def make_settings(tg: BotApiServer, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": tg.token,
        "database_url": database_url,
        "telegram_base_url": tg.base_url,
        "telegram_base_file_url": tg.base_file_url,
        "admin_ids": str(ADMIN_TELEGRAM_ID),
        "timezone": "Asia/Ho_Chi_Minh",
        "locale": "vi",
        "log_level": "INFO",
        # The stories run from 1 December 08:00, when November's digest falls due by default:
        # it is scheduled for the 28th so that it stays out of the way of stories about
        # other things; the digest's own stories set the default explicitly.
        "digest_at": "28@06:00",
        # The server's flood limits are off unless a story turns them on (and its bot keeps
        # Telegram's pace then): answers to one chat need not wait a second for each other.
        "chat_pace": 0.05,
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


async def start_bot(settings: Settings, clock: ManualClock) -> Application:
    app = build_application(settings, clock=clock)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    return app


async def stop_bot(app: Application) -> None:
    assert app.updater is not None
    if app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


@pytest.fixture
async def bot(settings: Settings, clock: ManualClock) -> AsyncIterator[Application]:
    app = await start_bot(settings, clock)
    yield app
    await stop_bot(app)


@pytest.fixture
def admin(tg: BotApiServer) -> TgUser:
    return TgUser(tg, ADMIN_TELEGRAM_ID, "Văn phòng", username="vanphong")


@pytest.fixture
def stranger(tg: BotApiServer) -> TgUser:
    return TgUser(tg, 555001, "Người lạ")


SAMPLE_ROSTER = Path(__file__).resolve().parent.parent / "examples" / "roster-sample.xlsx"


async def import_sample_roster(database_url: str, clock: ManualClock) -> None:
    from bot.formats.roster_workbook import read_file
    from bot.services.audit import Who
    from bot.services.roster import RosterService
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            rows, problems = read_file(SAMPLE_ROSTER.name, SAMPLE_ROSTER.read_bytes())
            result = await RosterService(db, clock).import_rows(
                rows, problems, Who.command_line(), dry_run=False
            )
            assert result.problems == []
            await db.commit()
    finally:
        await engine.dispose()


@pytest.fixture
async def roster(database_url: str, clock: ManualClock) -> None:
    """The sample ward's roster, imported before the bot starts."""
    await import_sample_roster(database_url, clock)


class Db:
    """Reads the test's database, to check what the bot stored."""

    def __init__(self, url: str) -> None:
        from db.session import create_engine, create_sessionmaker

        self.engine = create_engine(url)
        self.sessions = create_sessionmaker(self.engine)

    async def scalar(self, statement):
        async with self.sessions() as session:
            return await session.scalar(statement)

    async def all(self, statement):
        async with self.sessions() as session:
            return list((await session.execute(statement)).all())


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Db]:
    reader = Db(database_url)
    yield reader
    await reader.engine.dispose()


async def run_jobs(app: Application) -> None:
    """One scheduler tick, now, at the manual clock's time; then let the sender work."""
    from bot.jobs import run_due_work
    from bot.pipeline.context import RUNTIME_KEY
    from db.models import OutboxMessage, OutboxState

    runtime = app.bot_data[RUNTIME_KEY]
    await run_due_work(runtime)
    while await runtime.sender.send_due():  # claims are atomic: safe beside the sender's loop
        pass
    in_flight = select(OutboxMessage.id).where(OutboxMessage.state == OutboxState.SENDING)
    async with runtime.sessionmaker() as session:
        for _ in range(100):
            if await session.scalar(in_flight.limit(1)) is None:
                return
            await asyncio.sleep(0.05)


async def nothing_sent(app: Application, user: TgUser, chat: Chat | None = None) -> None:
    """After run_jobs, which sends everything due and waits for it: nothing reached this
    chat, and nothing for it is due and waiting in the outbox (in quiet hours, due messages
    wait by design). No waiting to see."""
    from bot.pipeline.context import RUNTIME_KEY
    from db.models import OutboxMessage, OutboxState

    chat = chat or user.chat
    assert user.unread(chat) == []
    runtime = app.bot_data[RUNTIME_KEY]
    if runtime.sender.quiet_hours.contains(runtime.clock.now()):
        return
    async with runtime.sessionmaker() as session:
        waiting = await session.scalar(
            select(func.count()).where(
                OutboxMessage.chat_id == chat.id,
                OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING)),
                OutboxMessage.due_at <= runtime.clock.now(),
            )
        )
    assert waiting == 0, f"{waiting} message(s) for chat {chat.id} due and not sent"


async def link(tg: BotApiServer, db: Db, code: str, user_id: int) -> TgUser:
    """A person of the sample roster links their Telegram account by sharing their phone."""
    from db.models import Person

    user = TgUser(tg, user_id, code)
    phone = await db.scalar(select(Person.phone).where(Person.code == code))
    await user.send_contact(phone)
    await user.expect_message(contains="Đã liên kết")
    return user
