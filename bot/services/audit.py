"""The audit log: who changed what, when."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from db.models import AuditEntry


@dataclass(frozen=True)
class Who:
    """The actor behind a change: a person, a Telegram account, or the command line."""

    person_id: int | None = None
    telegram_id: int | None = None

    @classmethod
    def command_line(cls) -> Who:
        return cls()


def record(
    db: AsyncSession,
    clock: Clock,
    who: Who,
    action: str,
    entity: str,
    entity_id: object = "",
    **details: Any,
) -> None:
    """Add an audit entry to the session; it is committed with the change it describes."""
    db.add(
        AuditEntry(
            at=clock.now(),
            actor_person_id=who.person_id,
            actor_telegram_id=who.telegram_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details,
        )
    )
