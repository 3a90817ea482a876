"""The command menu each person sees fits what they may do (setMyCommands with scopes). The
menus are made from the routing table (bot/routes.py), which the application hands to
`Menus` when it is built: a command, who may use it and its menu entry are declared once."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import translations
from bot.render.start import MenuCommand
from bot.runtime import Runtime
from bot.services.policy import TRIAGERS, Actor, permissions_of
from db.models import Person, PersonRole, Role

log = logging.getLogger(__name__)


class Menus:
    def __init__(
        self, commands: Sequence[MenuCommand], triage_by: frozenset[str] = TRIAGERS
    ) -> None:
        self.commands = tuple(commands)
        self.triage_by = triage_by

    def for_roles(self, roles: frozenset[Role], *, known: bool = True) -> list[MenuCommand]:
        """The commands in the menu of someone with these roles, in the table's order."""
        held = permissions_of(roles, known, self.triage_by)
        return [c for c in self.commands if c.menu and c.audience in held]

    def for_actor(self, actor: Actor) -> list[MenuCommand]:
        return [c for c in self.commands if c.menu and actor.may(c.audience)]

    def in_groups(self) -> list[MenuCommand]:
        return [c for c in self.commands if c.menu and c.in_groups]

    def _bot_commands(self, commands: list[MenuCommand], lang: str) -> list[BotCommand]:
        t = translations(lang)
        return [BotCommand(c.name, t.gettext(c.menu or "")) for c in commands]

    async def set_for_person(
        self, bot: Bot, telegram_id: int, roles: frozenset[Role], lang: str
    ) -> None:
        """Admins and leaders get their own menu; everyone else falls back to the default."""
        scope = BotCommandScopeChat(telegram_id)
        try:
            if roles & {Role.ADMIN, Role.LEADER}:
                commands = self._bot_commands(self.for_roles(roles), lang)
                await bot.set_my_commands(commands, scope=scope)
            else:
                await bot.delete_my_commands(scope=scope)
        except TelegramError as exc:
            log.info("command menu for %s not set: %s", telegram_id, exc)

    async def set_for_group(self, bot: Bot, chat_id: int, lang: str) -> None:
        try:
            await bot.set_my_commands(
                self._bot_commands(self.in_groups(), lang), scope=BotCommandScopeChat(chat_id)
            )
        except TelegramError as exc:
            log.info("command menu for group %s not set: %s", chat_id, exc)

    async def sync(self, bot: Bot, runtime: Runtime) -> None:
        """Every menu, at start: the default one, and each leader's and administrator's."""
        settings = runtime.settings
        await bot.set_my_commands(
            self._bot_commands(self.for_roles(frozenset()), settings.locale),
            scope=BotCommandScopeDefault(),
        )
        async with runtime.sessionmaker() as db:
            privileged = await db.scalars(
                select(Person)
                .where(Person.active, Person.telegram_user_id.is_not(None))
                .where(
                    Person.id.in_(
                        select(PersonRole.person_id).where(
                            PersonRole.role.in_([Role.ADMIN, Role.LEADER])
                        )
                    )
                )
            )
            menus: dict[int, tuple[frozenset[Role], str]] = {
                p.telegram_user_id: (p.role_set, p.language or settings.locale)
                for p in privileged
                if p.telegram_user_id is not None
            }
        for telegram_id in settings.admin_ids:
            roles, lang = menus.get(telegram_id, (frozenset(), settings.locale))
            menus[telegram_id] = (roles | {Role.ADMIN}, lang)
        for telegram_id, (roles, lang) in menus.items():
            await self.set_for_person(bot, telegram_id, roles, lang)
