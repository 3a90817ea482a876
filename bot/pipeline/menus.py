"""The command menu each person sees fits what they may do (setMyCommands with scopes). The
menus are made from the routing table (bot/routes.py), which the application hands to
`Menus` when it is built: a command, who may use it and its menu entry are declared once.

A stranger sees the default menu: /start alone. Everyone known has a menu of their own,
set when they link, when they choose a language, and at start for those whose menu has
changed since it was last set (the person's row keeps what was set: `Person.menu`)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import translations
from bot.render.start import MenuCommand
from bot.runtime import Runtime
from bot.services.people import answers_for_a_body
from bot.services.policy import TRIAGERS, Actor, Permission, permissions_of
from db.models import Person, Role

log = logging.getLogger(__name__)

STRANGER = frozenset({Permission.ANYONE})
SYNC_BATCH = 100


class Menus:
    def __init__(
        self, commands: Sequence[MenuCommand], triage_by: frozenset[str] = TRIAGERS
    ) -> None:
        self.commands = tuple(commands)
        self.triage_by = triage_by

    def held(self, roles: frozenset[Role], answers_for_body: bool = False) -> frozenset[Permission]:
        """What someone known with these roles may do."""
        return permissions_of(roles, True, self.triage_by, answers_for_body)

    def for_permissions(self, held: frozenset[Permission]) -> list[MenuCommand]:
        """The commands in the menu of someone who holds these, in the table's order."""
        return [c for c in self.commands if c.menu and c.audience in held]

    def for_roles(self, roles: frozenset[Role], *, known: bool = True) -> list[MenuCommand]:
        return self.for_permissions(self.held(roles) if known else STRANGER)

    def for_actor(self, actor: Actor) -> list[MenuCommand]:
        return self.for_permissions(actor.permissions)

    def in_groups(self) -> list[MenuCommand]:
        return [c for c in self.commands if c.menu and c.in_groups]

    def _bot_commands(self, commands: list[MenuCommand], lang: str) -> list[BotCommand]:
        t = translations(lang)
        return [BotCommand(c.name, t.gettext(c.menu or "")) for c in commands]

    def signature(self, held: frozenset[Permission], lang: str) -> str:
        """What a person's menu is made of: its commands and their language."""
        names = ",".join(c.name for c in self.for_permissions(held))
        return hashlib.sha1(f"{lang}|{names}".encode()).hexdigest()[:16]

    async def set_for_person(
        self, bot: Bot, telegram_id: int, held: frozenset[Permission], lang: str
    ) -> bool:
        """Their own menu; for an account that is no longer known, the stranger's (the
        default). Whether Telegram took it."""
        scope = BotCommandScopeChat(telegram_id)
        try:
            if Permission.KNOWN in held:
                commands = self._bot_commands(self.for_permissions(held), lang)
                await bot.set_my_commands(commands, scope=scope)
            else:
                await bot.delete_my_commands(scope=scope)
        except TelegramError as exc:
            log.info("command menu for %s not set: %s", telegram_id, exc)
            return False
        return True

    async def set_for_actor(self, bot: Bot, actor: Actor, lang: str) -> bool:
        return await self.set_for_person(bot, actor.telegram_id, actor.permissions, lang)

    async def set_for_group(self, bot: Bot, chat_id: int, lang: str) -> None:
        try:
            await bot.set_my_commands(
                self._bot_commands(self.in_groups(), lang), scope=BotCommandScopeChat(chat_id)
            )
        except TelegramError as exc:
            log.info("command menu for group %s not set: %s", chat_id, exc)

    async def sync(self, bot: Bot, runtime: Runtime) -> None:
        """At start: the default menu (a stranger's) and each administrator's of the settings;
        the people's own menus follow in the background (`sync_people`)."""
        settings = runtime.settings
        await bot.set_my_commands(
            self._bot_commands(self.for_permissions(STRANGER), settings.locale),
            scope=BotCommandScopeDefault(),
        )
        async with runtime.sessionmaker() as db:
            linked = set(
                await db.scalars(
                    select(Person.telegram_user_id).where(
                        Person.active, Person.telegram_user_id.in_(settings.admin_ids)
                    )
                )
            )
        for telegram_id in set(settings.admin_ids) - linked:  # no person: no row to remember
            await self.set_for_person(
                bot, telegram_id, self.held(frozenset({Role.ADMIN})), settings.locale
            )

    async def sync_people(self, bot: Bot, runtime: Runtime) -> int:
        """Each linked person whose menu is not the one last set: set, and remembered, a
        batch at a time (the first start after an upgrade may have thousands to set).
        Returns how many were set."""
        settings = runtime.settings
        done = 0
        last_id = 0
        while True:
            async with runtime.sessionmaker() as db:
                rows = list(
                    await db.execute(
                        select(Person, answers_for_a_body())
                        .options(selectinload(Person.roles))
                        .where(
                            Person.active,
                            Person.telegram_user_id.is_not(None),
                            Person.id > last_id,
                        )
                        .order_by(Person.id)
                        .limit(SYNC_BATCH)
                    )
                )
                if not rows:
                    return done
                for person, answers in rows:
                    last_id = person.id
                    roles = person.role_set
                    if person.telegram_user_id in settings.admin_ids:
                        roles = roles | {Role.ADMIN}
                    held = self.held(roles, bool(answers))
                    lang = person.language or settings.locale
                    wanted = self.signature(held, lang)
                    if person.menu == wanted or person.telegram_user_id is None:
                        continue
                    if await self.set_for_person(bot, person.telegram_user_id, held, lang):
                        person.menu = wanted
                        done += 1
                await db.commit()
            await asyncio.sleep(0)
