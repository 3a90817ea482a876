"""The command menu each person sees fits their roles (setMyCommands with scopes)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.i18n import N_, translations
from bot.runtime import Runtime
from db.models import Person, PersonRole, Role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    roles: frozenset[Role] = frozenset()  # empty: everyone


EVERYONE = (
    Command("start", N_("Greeting and your account")),
    Command("lich", N_("Your coming meetings")),
    Command("vang", N_("Register a period away (reminders pause)")),
    Command("baocao", N_("Report on a meeting you attended")),
    Command("lichsu", N_("Reports: yours, or a branch's or a person's")),
    Command("help", N_("What you can do here")),
)
ADMIN_COMMANDS = (
    Command("donvi", N_("Units and branches with their assignees"), frozenset({Role.ADMIN})),
    Command("timcanbo", N_("Find a person by name or code"), frozenset({Role.ADMIN})),
    Command("canbo", N_("A person's assignments and link status"), frozenset({Role.ADMIN})),
    Command("phancong", N_("Assign a person to follow a branch"), frozenset({Role.ADMIN})),
    Command("ketthuc", N_("End an assignment"), frozenset({Role.ADMIN})),
    Command("chualienket", N_("People not yet linked to Telegram"), frozenset({Role.ADMIN})),
    Command("moi", N_("Invitation link for a person"), frozenset({Role.ADMIN})),
    Command("huylienket", N_("Unlink a person's Telegram account"), frozenset({Role.ADMIN})),
    Command("xuatdanhsach", N_("Export the roster workbook"), frozenset({Role.ADMIN})),
    Command(
        "huongdan", N_("The office's guidance for a month's reminders"), frozenset({Role.ADMIN})
    ),
    Command("khongnhan", N_("People the bot cannot reach"), frozenset({Role.ADMIN})),
    Command("xungdot", N_("People due at two meetings at once"), frozenset({Role.ADMIN})),
    Command("baocaothay", N_("Enter a report for a member"), frozenset({Role.ADMIN})),
    Command("xembaocao", N_("Read one report in full"), frozenset({Role.ADMIN, Role.LEADER})),
    Command("kiennghi", N_("A branch's open proposals"), frozenset({Role.ADMIN, Role.LEADER})),
    Command("tonghop", N_("The monthly digest"), frozenset({Role.ADMIN, Role.LEADER})),
)
GROUP_COMMANDS = (Command("help", N_("What you can do here")),)
ALL_COMMANDS = EVERYONE + ADMIN_COMMANDS


def commands_for(roles: frozenset[Role]) -> list[Command]:
    return [c for c in ALL_COMMANDS if not c.roles or c.roles & roles]


def _bot_commands(commands: list[Command] | tuple[Command, ...], lang: str) -> list[BotCommand]:
    t = translations(lang)
    return [BotCommand(c.name, t.gettext(c.description)) for c in commands]


async def set_person_menu(bot: Bot, telegram_id: int, roles: frozenset[Role], lang: str) -> None:
    """Admins and leaders get their own menu; everyone else falls back to the default one."""
    scope = BotCommandScopeChat(telegram_id)
    try:
        if roles & {Role.ADMIN, Role.LEADER}:
            await bot.set_my_commands(_bot_commands(commands_for(roles), lang), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError as exc:
        log.info("command menu for %s not set: %s", telegram_id, exc)


async def set_group_menu(bot: Bot, chat_id: int, lang: str) -> None:
    try:
        await bot.set_my_commands(
            _bot_commands(GROUP_COMMANDS, lang), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError as exc:
        log.info("command menu for group %s not set: %s", chat_id, exc)


async def sync_command_menus(bot: Bot, runtime: Runtime) -> None:
    settings = runtime.settings
    await bot.set_my_commands(
        _bot_commands(EVERYONE, settings.locale), scope=BotCommandScopeDefault()
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
