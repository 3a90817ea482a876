"""People and their roles."""

from __future__ import annotations

import enum

from sqlalchemy import BindParameter, Exists, Select, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from bot.clock import Clock
from bot.domain.phones import normalise_phone
from bot.services import audit
from bot.services.policy import Actor
from db.models import Draft, HandlingBodyMember, Person, PersonRole, Role


async def mark_reachable(db: AsyncSession, person: Person) -> None:
    """They wrote to the bot, so it can write to them again."""
    person.unreachable_since = None
    await db.flush()


def _person_and_conversation() -> Select[Person, Draft, bool]:
    account: BindParameter[int] = bindparam("telegram_user_id")
    latest_open = (
        select(Draft.id)
        .where(Draft.telegram_id == account, Draft.active)
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(Person, Draft, answers_for_a_body())
        .options(joinedload(Person.roles))
        .outerjoin(Draft, Draft.id == latest_open)
        .where(Person.telegram_user_id == account, Person.active)
    )


def answers_for_a_body() -> Exists:
    """Whether the person (of the query's people) answers for a handling body."""
    return exists().where(HandlingBodyMember.person_id == Person.id)


# Built once: this runs for every update, and a statement built anew each time cost more
# than the query (constructing it, then computing its key in SQLAlchemy's compiled cache).
_PERSON_AND_CONVERSATION = _person_and_conversation()


async def person_by_telegram_id(
    db: AsyncSession, telegram_user_id: int
) -> tuple[Person | None, Draft | None, bool]:
    """The active person linked to this Telegram account, with their roles, the
    conversation they are in (their most recently touched open draft), and whether they
    answer for a handling body, in one query: this runs for every update, and the step it
    answers then finds its draft without another."""
    found = await db.execute(_PERSON_AND_CONVERSATION, {"telegram_user_id": telegram_user_id})
    row = found.unique().first()
    return (row[0], row[1], bool(row[2])) if row is not None else (None, None, False)


async def choose_language(db: AsyncSession, clock: Clock, actor: Actor, language: str) -> bool:
    """The language one's messages come in, from now on (notices queued later included);
    False for an administrator of the settings alone, with no person to keep it on."""
    person = actor.person
    if person is None:
        return False
    person.language = language
    audit.record(db, clock, actor.who, "person.language", "person", person.code, language=language)
    await db.flush()
    return True


async def answers_for_body(db: AsyncSession, person: Person) -> bool:
    """Whether the person answers for a handling body (their menu then lists proposals)."""
    found = await db.scalar(
        select(HandlingBodyMember.id).where(HandlingBodyMember.person_id == person.id).limit(1)
    )
    return found is not None


class AdminChange(enum.StrEnum):
    GRANTED = "granted"
    REVOKED = "revoked"
    UNCHANGED = "unchanged"
    UNKNOWN = "unknown"  # no active person has that code or phone number
    LAST = "last"  # the only administrator: revoking would lock the office out


async def set_administrator(
    db: AsyncSession, clock: Clock, code_or_phone: str, grant: bool
) -> tuple[AdminChange, Person | None]:
    """`chibo admin grant|revoke`: the way back in for an office that locked itself out, from
    the server's command line; never takes the role from the last administrator."""
    phone = normalise_phone(code_or_phone)
    match = Person.code == code_or_phone.strip()
    if phone is not None:
        match = or_(match, Person.phone == phone)
    person = await db.scalar(
        select(Person).options(selectinload(Person.roles)).where(Person.active, match).limit(1)
    )
    if person is None:
        return AdminChange.UNKNOWN, None
    held = Role.ADMIN in person.role_set
    if held == grant:
        return AdminChange.UNCHANGED, person
    if grant:
        person.roles.append(PersonRole(role=Role.ADMIN))
    else:
        others = await db.scalar(
            select(func.count())
            .select_from(PersonRole)
            .join(Person, Person.id == PersonRole.person_id)
            .where(Person.active, PersonRole.role == Role.ADMIN, Person.id != person.id)
        )
        if not others:
            return AdminChange.LAST, person
        person.roles = [role for role in person.roles if role.role != Role.ADMIN]
    person.updated_at = clock.now()
    action = "person.admin_grant" if grant else "person.admin_revoke"
    audit.record(db, clock, audit.Who.command_line(), action, "person", person.code)
    await db.flush()
    return (AdminChange.GRANTED if grant else AdminChange.REVOKED), person
