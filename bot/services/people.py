"""People and their roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from db.models import Person


async def mark_reachable(db: AsyncSession, person: Person) -> None:
    """They wrote to the bot, so it can write to them again."""
    person.unreachable_since = None
    await db.commit()


async def person_by_telegram_id(db: AsyncSession, telegram_user_id: int) -> Person | None:
    """The active person linked to this Telegram account, if any."""
    return await db.scalar(
        select(Person)
        .options(joinedload(Person.roles))  # one query: this runs for every update
        .where(Person.telegram_user_id == telegram_user_id, Person.active)
    )
