"""People and their roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Person


async def person_by_telegram_id(db: AsyncSession, telegram_user_id: int) -> Person | None:
    """The active person linked to this Telegram account, if any."""
    return await db.scalar(
        select(Person).where(Person.telegram_user_id == telegram_user_id, Person.active)
    )
