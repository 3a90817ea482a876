"""`chibo sandbox`: the Bot API server, the real bot and the page, in one process.

The bot is built by the same build_application as `chibo run`; what differs is its settings
(the token and address of the sandbox's server, the sandbox's own SQLite file) and its clock.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from telegram.ext import Application

from bot.app import build_application
from bot.domain.digest import Month
from bot.jobs import run_due_work
from bot.jobs.calendar import extend_calendar
from bot.jobs.digest import due_at as digest_due_at
from bot.pipeline.context import RUNTIME_KEY
from bot.runtime import Runtime
from bot.services.calendar import open_meetings
from bot.services.reports import meeting_end
from bot.settings import Settings
from db import migrate
from db.models import Assignment, Meeting, Rsvp, Unit
from sandbox import world
from sandbox.clock import SandboxClock
from sandbox.server import BotApiServer, Chat
from sandbox.users import TgUser

log = logging.getLogger("chibo.sandbox")

DEFAULT_PORT = 8080
DEFAULT_DATABASE = "sandbox.db"


def sandbox_settings(base: Settings, server: BotApiServer, database: Path) -> Settings:
    """The operator's settings (zone, reminders, quiet hours...) with the sandbox's token,
    server and database: never the production database, whatever .env says."""
    return base.model_copy(
        update={
            "bot_token": server.token,
            "database_url": f"sqlite:///{database}",
            "telegram_base_url": server.base_url,
            "telegram_base_file_url": server.base_file_url,
            # The office's persona is an administrator in the sandbox's roster.
            "admin_ids": frozenset(),
            # The outbox paces itself; the sandbox's server enforces Telegram's limits.
            "rate_limiter": False,
        }
    )


@dataclass
class Sandbox:
    """Everything the page acts on: the server, the bot, the clock and the town's people."""

    base_settings: Settings
    database: Path
    scale: str = "town"
    clock: SandboxClock = field(init=False)
    server: BotApiServer = field(init=False)
    app: Application | None = None
    settings: Settings | None = None
    users: dict[str, TgUser] = field(default_factory=dict)
    group: Chat | None = None
    views: dict[str, world.PersonView] = field(default_factory=dict)
    followers: set[asyncio.Queue[dict[str, Any]]] = field(default_factory=set)
    # Set once the bot runs: the page may be served a moment before that.
    started: asyncio.Event = field(default_factory=asyncio.Event)
    _catching_up: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.clock = SandboxClock(self.database.with_name(self.database.name + ".clock.json"))
        self.server = BotApiServer(
            world.TOKEN,
            bot_id=world.BOT_ID,
            bot_username=world.BOT_USERNAME,
            # As in the story tests: the strict sliding window would refuse a reply that
            # follows a reminder within the second, which Telegram lets through in practice.
            flood_limits=False,
            clock=self.clock.timestamp,
        )
        self.server.bot_user["first_name"] = "Trợ lý dự sinh hoạt chi bộ"

    @property
    def runtime(self) -> Runtime:
        assert self.app is not None
        return self.app.bot_data[RUNTIME_KEY]

    async def start(self) -> None:
        await self.server.start()
        self.settings = sandbox_settings(self.base_settings, self.server, self.database)
        await migrate.upgrade(self.settings.database_url)
        self.app = build_application(self.settings, clock=self.clock)
        async with self.runtime.sessionmaker() as db:
            if await world.fill_if_empty(db, self.clock, self.settings.zone, self.scale):
                log.info("sandbox: the %s's demo data is in %s", self.scale, self.database)
        await self.refresh_people()
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=10)
        # The coming meetings exist before the first click; the rest of what is due (a
        # digest on the 1st) follows while the page is already answering.
        await extend_calendar(self.runtime)
        self.started.set()
        self._catching_up = asyncio.create_task(run_due_work(self.runtime))

    async def stop(self) -> None:
        for queue in self.followers:
            queue.put_nowait({"type": "bye"})
        if self._catching_up is not None:
            await asyncio.gather(self._catching_up, return_exceptions=True)
        if self.app is not None:
            if self.app.updater is not None and self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
        await self.server.stop()

    async def refresh_people(self) -> None:
        """Who is who: names, branches and link state, as the database has them now."""
        async with self.runtime.sessionmaker() as db:
            self.views = await world.person_views(db, self.today())
        known = self.users
        for key, user in world.accounts(self.server, self.views).items():
            known.setdefault(key, user)
        self.group = world.leadership_group(self.server, self.users)

    def today(self):
        return self.clock.now().astimezone(self.zone).date()

    @property
    def zone(self):
        assert self.settings is not None
        return self.settings.zone

    # ------------------------------------------------------------------ the clock

    async def move_clock(self, action: str, persona: str | None) -> str:
        """Move the clock as the page asked, run the work that is now due, and say where
        the clock went (in Vietnamese, for the page)."""
        target, what = await self._target(action, persona)
        if target is None:
            return what
        self.clock.move_to(target)
        await run_due_work(self.runtime)  # each job wakes the sender once it has committed
        return what

    async def _target(self, action: str, persona: str | None) -> tuple[datetime | None, str]:
        now = self.clock.now()
        if action == "hour":
            return now + timedelta(hours=1), "Thêm 1 giờ."
        if action == "day":
            return now + timedelta(days=1), "Thêm 1 ngày."
        if action == "digest":
            return self._next_digest(now), "Đến lúc gửi báo cáo tổng hợp tháng."
        meetings = await self.coming_meetings(persona, now)
        if not meetings:
            return None, "Không có buổi sinh hoạt nào sắp tới."
        if action == "reminder":
            assert self.settings is not None
            slots = self.settings.reminder_slots
            best: tuple[datetime, Meeting, Unit] | None = None
            for meeting, unit in meetings:
                for slot in slots:
                    due = slot.due(meeting.starts_at, self.zone)
                    if due > now and (best is None or due < best[0]):
                        best = (due, meeting, unit)
            if best is None:
                return None, "Không còn lời nhắc nào sắp tới."
            return best[0], f"Đến giờ nhắc lịch buổi sinh hoạt của {best[2].name}."
        if action == "meeting_end":
            meeting, unit = min(meetings, key=lambda pair: meeting_end(pair[0]))
            end = meeting_end(meeting) + timedelta(minutes=1)
            return end, f"Đến lúc kết thúc buổi sinh hoạt của {unit.name}."
        raise ValueError(action)

    def _next_digest(self, now: datetime) -> datetime:
        """The next moment the monthly digest falls due (CHIBO_DIGEST_AT)."""
        assert self.settings is not None
        month = Month.of(now.astimezone(self.zone).date())
        while (moment := digest_due_at(self.settings, month)) <= now:
            month = month.shift(1)
        return moment

    async def coming_meetings(
        self, persona: str | None, now: datetime
    ) -> list[tuple[Meeting, Unit]]:
        """The meetings not yet ended that this persona is expected at (any branch's, for
        someone who follows none), soonest first."""
        query = open_meetings(now - timedelta(hours=4), now + timedelta(days=62)).limit(40)
        async with self.runtime.sessionmaker() as db:
            person = await world.person_of(db, world.persona(persona)) if persona else None
            if person is not None:
                mine = query.where(
                    or_(
                        Meeting.unit_id.in_(
                            select(Assignment.unit_id).where(
                                Assignment.person_id == person.id,
                                Assignment.overlapping(self.today()),
                            )
                        ),
                        Meeting.id.in_(select(Rsvp.meeting_id).where(Rsvp.person_id == person.id)),
                    )
                )
                rows = list(await db.execute(mine))
                if rows:
                    return [(m, u) for m, u in rows if meeting_end(m) > now]
            return [(m, u) for m, u in await db.execute(query) if meeting_end(m) > now]
