"""The sandbox's town: the demo data, and the people a visitor can act as.

On first start the sandbox's own database is filled with the town of `chibo demo-data`, then
a few of its people are given Telegram accounts on the sandbox's server, as if they had
linked them: an office administrator, a leader, three committee members. One member is left
unlinked (sharing the phone number links them, as in real life), a stranger has no place in
the roster, and the leadership group is registered for the digests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services.demo import SCALES, DemoData
from db.models import (
    Assignment,
    GroupChat,
    GroupState,
    Person,
    PersonRole,
    Role,
    Unit,
)
from sandbox.server import BotApiServer, Chat
from sandbox.users import TgUser

BOT_ID = 7000001
TOKEN = f"{BOT_ID}:sandbox-token"
BOT_USERNAME = "chibo_sandbox_bot"
GROUP_CHAT_ID = -1001000000001
GROUP_TITLE = "Thường trực Đảng ủy"

OFFICE_CODE = "VP0001"


@dataclass(frozen=True)
class Persona:
    """Someone the visitor can act as."""

    key: str
    telegram_id: int
    role: str  # shown under the name: what this person is in the practice
    code: str | None = None  # the roster code in the town; None for the stranger
    # The person's phone: the one examples/roster-sample.xlsx gives a person of the same
    # standing, so that importing the sample from the page keeps every persona (matched by
    # phone under the sample's code) and the office keeps its role.
    phone: str | None = None
    linked: bool = True


PERSONAS = (
    Persona("office", 910001, "Văn phòng Đảng ủy (quản trị)", OFFICE_CODE, "+84941424623"),
    Persona("leader", 910002, "Lãnh đạo", "UV0001", "+84901234567"),
    Persona("member4", 910004, "Cấp ủy viên", "UV0004", "+84931258324"),
    Persona("member5", 910005, "Cấp ủy viên", "UV0005", "+84941266243"),
    Persona("member6", 910006, "Cấp ủy viên", "UV0006", "+84951274162"),
    Persona("unlinked", 910010, "Cấp ủy viên", "UV0010", "+84991305838", linked=False),
    Persona("stranger", 910099, "Người lạ (không có trong danh sách)"),
)


def persona(key: str) -> Persona:
    for candidate in PERSONAS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)


# Who speaks in the leadership group.
GROUP_SPEAKER = "leader"


@dataclass
class PersonView:
    """A persona as the page lists it."""

    persona: Persona
    name: str
    phone: str | None
    branches: list[str] = field(default_factory=list)
    # Whether the bot knows this account as the persona's (the unlinked one links in play).
    linked: bool = False


async def fill_if_empty(db: AsyncSession, clock: Clock, settings_zone, scale: str) -> bool:
    """The town and its accounts, unless the database already holds a roster. Returns
    whether it filled it."""
    if await db.scalar(select(func.count()).select_from(Unit)):
        return False
    await DemoData(db, clock, settings_zone).fill(SCALES[scale])
    await db.commit()
    now = clock.now()
    office = Person(
        code=OFFICE_CODE,
        full_name="Trần Thị Thu Hà",
        title="Chuyên viên Văn phòng Đảng ủy",
        phone=persona("office").phone,
        active=True,
        created_at=now,
        updated_at=now,
    )
    db.add(office)
    await db.flush()
    db.add(PersonRole(person_id=office.id, role=Role.ADMIN))
    for one in PERSONAS:
        if one.code is None:
            continue
        person = await db.scalar(select(Person).where(Person.code == one.code))
        assert person is not None, one.code
        person.phone = one.phone
        if not one.linked:
            continue
        person.telegram_user_id = one.telegram_id
        person.linked_at = now
        person.updated_at = now
    db.add(
        GroupChat(
            chat_id=GROUP_CHAT_ID,
            title=GROUP_TITLE,
            state=GroupState.ACTIVE,
            registered_by_id=office.id,
            registered_at=now,
            updated_at=now,
        )
    )
    await db.commit()
    return True


async def person_of(db: AsyncSession, persona: Persona) -> Person | None:
    """The persona's person: by the Telegram account once linked, else by phone, whatever
    code a roster import has since given them."""
    found = await db.scalar(
        select(Person).where(Person.telegram_user_id == persona.telegram_id, Person.active)
    )
    if found is None and persona.phone is not None:
        found = await db.scalar(
            select(Person).where(Person.phone == persona.phone, Person.active).limit(1)
        )
    return found


async def person_views(db: AsyncSession, today: date) -> dict[str, PersonView]:
    """Each persona's name, phone and the branches they follow, from the database."""
    views: dict[str, PersonView] = {}
    for persona in PERSONAS:
        if persona.code is None:
            views[persona.key] = PersonView(persona, "Người lạ", None)
            continue
        person = await person_of(db, persona)
        if person is None:
            continue
        branches = await db.scalars(
            select(Unit.name)
            .join(Assignment, Assignment.unit_id == Unit.id)
            .where(Assignment.person_id == person.id, Assignment.overlapping(today, today))
            .order_by(Unit.code)
        )
        views[persona.key] = PersonView(
            persona,
            person.full_name,
            person.phone,
            list(branches),
            linked=person.telegram_user_id == persona.telegram_id,
        )
    return views


def accounts(server: BotApiServer, views: dict[str, PersonView]) -> dict[str, TgUser]:
    """Each persona's Telegram account on the server, and their private chat with the bot."""
    users = {}
    for key, view in views.items():
        family, _, given = view.name.rpartition(" ")
        users[key] = TgUser(
            server, view.persona.telegram_id, given or view.name, family or None, language_code="vi"
        )
    return users


def leadership_group(server: BotApiServer, users: dict[str, TgUser]) -> Chat:
    group = server.group_chat(GROUP_CHAT_ID, GROUP_TITLE, "supergroup")
    group.members.update(user.id for key, user in users.items() if key in ("leader", "office"))
    return group
