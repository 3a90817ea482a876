"""The command menu each person sees fits their roles (setMyCommands with scopes); the menus
are made from the routing table (bot/routes.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select
from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import translations
from bot.runtime import Runtime
from db.models import Person, PersonRole, Role

if TYPE_CHECKING:
    from bot.routes import Command

log = logging.getLogger(__name__)


def _bot_commands(commands: list[Command], lang: str) -> list[BotCommand]:
    t = translations(lang)
    return [BotCommand(c.name, t.gettext(c.menu or "")) for c in commands]


async def set_person_menu(bot: Bot, telegram_id: int, roles: frozenset[Role], lang: str) -> None:
    """Admins and leaders get their own menu; everyone else falls back to the default one."""
    from bot.routes import menu_for  # the table imports the handlers, which use this module

    scope = BotCommandScopeChat(telegram_id)
    try:
        if roles & {Role.ADMIN, Role.LEADER}:
            await bot.set_my_commands(_bot_commands(menu_for(roles), lang), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError as exc:
        log.info("command menu for %s not set: %s", telegram_id, exc)


async def set_group_menu(bot: Bot, chat_id: int, lang: str) -> None:
    from bot.routes import GROUP_MENU

    try:
        await bot.set_my_commands(
            _bot_commands(GROUP_MENU, lang), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError as exc:
        log.info("command menu for group %s not set: %s", chat_id, exc)


async def sync_command_menus(bot: Bot, runtime: Runtime) -> None:
    from bot.routes import menu_for

    settings = runtime.settings
    await bot.set_my_commands(
        _bot_commands(menu_for(frozenset()), settings.locale), scope=BotCommandScopeDefault()
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
        menus = {
            p.telegram_user_id: (p.role_set, p.language or settings.locale) for p in privileged
        }
    for telegram_id in settings.admin_ids:
        roles, lang = menus.get(telegram_id, (frozenset(), settings.locale))
        menus[telegram_id] = (roles | {Role.ADMIN}, lang)
    for telegram_id, (roles, lang) in menus.items():
        await set_person_menu(bot, telegram_id, roles, lang)
