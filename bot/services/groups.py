"""The leadership group: the one group chat where digests are posted."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import audit
from bot.services import keys as outbox_keys
from bot.services.notices import OFFICE, GroupMigrated, GroupRemoved, Notice
from db.models import GroupChat, GroupState, Person, PersonRole, Role


class ConfirmOutcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class AdminChat:
    chat_id: int
    person_id: int | None
    lang: str


class GroupService:
    def __init__(self, db: AsyncSession, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def leadership_group(self) -> GroupChat | None:
        return await self.db.scalar(select(GroupChat).where(GroupChat.state == GroupState.ACTIVE))

    async def _row(self, chat_id: int, title: str) -> GroupChat:
        group = await self.db.scalar(select(GroupChat).where(GroupChat.chat_id == chat_id))
        if group is None:
            group = GroupChat(
                chat_id=chat_id, title=title, state=GroupState.PENDING, updated_at=self.clock.now()
            )
            self.db.add(group)
        elif title and group.title != title:
            group.title = title
        return group

    async def bot_added(self, chat_id: int, title: str) -> None:
        group = await self._row(chat_id, title)
        if group.state == GroupState.REMOVED:
            group.state = GroupState.PENDING
        group.updated_at = self.clock.now()
        await self.db.flush()

    async def bot_removed(
        self, chat_id: int, title: str, who: audit.Who, event_id: int
    ) -> tuple[Notice, ...]:
        """Record the removal; the office is told if it was the leadership group (once per
        event: the update that said so)."""
        group = await self.db.scalar(select(GroupChat).where(GroupChat.chat_id == chat_id))
        if group is None or group.state == GroupState.REMOVED:
            return ()
        was_leadership = group.state == GroupState.ACTIVE
        group.state = GroupState.REMOVED
        group.updated_at = self.clock.now()
        audit.record(self.db, self.clock, who, "group.removed", "group", chat_id, title=title)
        await self.db.flush()
        if not was_leadership:
            return ()
        key = outbox_keys.group_removed(chat_id, event_id)
        return (GroupRemoved(key=key, to=OFFICE, title=title),)

    async def request(self, chat_id: int, title: str) -> GroupChat:
        group = await self._row(chat_id, title)
        group.updated_at = self.clock.now()
        await self.db.flush()
        return group

    async def confirm(self, chat_id: int, who: audit.Who) -> ConfirmOutcome:
        group = await self.db.scalar(select(GroupChat).where(GroupChat.chat_id == chat_id))
        if group is None or group.state == GroupState.REMOVED:
            return ConfirmOutcome.UNKNOWN
        if group.state == GroupState.ACTIVE:
            return ConfirmOutcome.ALREADY
        now = self.clock.now()
        for other in await self.db.scalars(
            select(GroupChat).where(GroupChat.state == GroupState.ACTIVE)
        ):
            other.state = GroupState.PENDING
            other.updated_at = now
        group.state = GroupState.ACTIVE
        group.registered_by_id = who.person_id
        group.registered_at = now
        group.updated_at = now
        audit.record(
            self.db, self.clock, who, "group.register", "group", chat_id, title=group.title
        )
        await self.db.flush()
        return ConfirmOutcome.CONFIRMED

    async def migrated(self, old_chat_id: int, new_chat_id: int) -> tuple[Notice, ...]:
        """Follow a group that became a supergroup, and tell the office; nothing if already
        followed or unknown."""
        group = await self.db.scalar(select(GroupChat).where(GroupChat.chat_id == old_chat_id))
        if group is None:
            return ()
        group.previous_chat_id = old_chat_id
        group.chat_id = new_chat_id
        group.updated_at = self.clock.now()
        audit.record(
            self.db,
            self.clock,
            audit.Who(),
            "group.migrated",
            "group",
            new_chat_id,
            previous=old_chat_id,
        )
        await self.db.flush()
        key = outbox_keys.group_migrated(old_chat_id)
        return (GroupMigrated(key=key, to=OFFICE, title=group.title),)


async def admin_recipients(
    db: AsyncSession, bootstrap_admin_ids: frozenset[int], default_lang: str
) -> list[AdminChat]:
    """Everyone to tell about the system's own affairs: linked admins and the configured ids."""
    admins = await db.scalars(
        select(Person)
        .where(Person.active, Person.telegram_user_id.is_not(None))
        .where(Person.id.in_(select(PersonRole.person_id).where(PersonRole.role == Role.ADMIN)))
    )
    recipients = {
        p.telegram_user_id: AdminChat(p.telegram_user_id, p.id, p.language or default_lang)
        for p in admins
        if p.telegram_user_id is not None
    }
    for telegram_id in bootstrap_admin_ids:
        recipients.setdefault(telegram_id, AdminChat(telegram_id, None, default_lang))
    return sorted(recipients.values(), key=lambda r: r.chat_id)
