"""Linking a Telegram account to a person of the roster: by a shared phone number, or by a
single-use invitation link."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.domain.phones import normalise_phone
from bot.services import audit
from db.models import InviteToken, Person


class LinkOutcome(enum.StrEnum):
    LINKED = "linked"
    ALREADY_LINKED = "already_linked"
    NOT_OWN_CONTACT = "not_own_contact"
    UNKNOWN_PHONE = "unknown_phone"
    PERSON_LINKED_ELSEWHERE = "person_linked_elsewhere"
    ACCOUNT_LINKED_ELSEWHERE = "account_linked_elsewhere"
    TOKEN_UNKNOWN = "token_unknown"
    TOKEN_USED = "token_used"
    TOKEN_EXPIRED = "token_expired"


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    person: Person | None = None


@dataclass(frozen=True)
class Invite:
    token: str
    person: Person
    ttl_days: int


class LinkingService:
    def __init__(self, db: AsyncSession, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def link_by_contact(
        self, telegram_id: int, username: str | None, contact_user_id: int | None, phone: str
    ) -> LinkResult:
        if contact_user_id != telegram_id:
            return LinkResult(LinkOutcome.NOT_OWN_CONTACT)
        normalised = normalise_phone(phone)
        person = None
        if normalised is not None:
            person = await self.db.scalar(
                select(Person).where(Person.phone == normalised, Person.active)
            )
        if person is None:
            return LinkResult(LinkOutcome.UNKNOWN_PHONE)
        return await self._link(person, telegram_id, username, "contact")

    async def create_invite(self, person_code: str, who: audit.Who, ttl_days: int) -> Invite | None:
        person = await self.db.scalar(
            select(Person).where(Person.code == person_code, Person.active)
        )
        if person is None:
            return None
        now = self.clock.now()
        token = secrets.token_urlsafe(24)
        self.db.add(
            InviteToken(
                token=token,
                person_id=person.id,
                created_by_id=who.person_id,
                created_at=now,
                expires_at=now + timedelta(days=ttl_days),
            )
        )
        audit.record(self.db, self.clock, who, "invite.create", "person", person.code)
        await self.db.flush()
        return Invite(token, person, ttl_days)

    async def invite_unlinked(self, person_id: int, who: audit.Who, ttl_days: int) -> Invite | None:
        """An invitation for a person still on the roster and not linked yet."""
        person = await self.db.get(Person, person_id)
        if person is None or not person.active or person.telegram_user_id is not None:
            return None
        return await self.create_invite(person.code, who, ttl_days)

    async def link_by_token(self, telegram_id: int, username: str | None, token: str) -> LinkResult:
        invite = await self.db.scalar(select(InviteToken).where(InviteToken.token == token))
        if invite is None:
            return LinkResult(LinkOutcome.TOKEN_UNKNOWN)
        if invite.used_at is not None:
            return LinkResult(LinkOutcome.TOKEN_USED)
        now = self.clock.now()
        if invite.expires_at <= now:
            return LinkResult(LinkOutcome.TOKEN_EXPIRED)
        person = await self.db.get(Person, invite.person_id)
        if person is None or not person.active:
            return LinkResult(LinkOutcome.TOKEN_UNKNOWN)
        refused = await self._refusal(person, telegram_id)
        if refused is not None:
            return refused  # the token stays usable for the right account
        # Claim the token atomically: of two presses at once, one wins.
        claimed = await self.db.scalar(
            update(InviteToken)
            .where(InviteToken.id == invite.id, InviteToken.used_at.is_(None))
            .values(used_at=now, used_by_telegram_id=telegram_id)
            .returning(InviteToken.id)
        )
        if claimed is None:
            return LinkResult(LinkOutcome.TOKEN_USED)
        return await self._link(person, telegram_id, username, "invite")

    async def _refusal(self, person: Person, telegram_id: int) -> LinkResult | None:
        """Why this account cannot be linked to this person, if it cannot."""
        if person.telegram_user_id == telegram_id:
            return None
        if person.telegram_user_id is not None:
            return LinkResult(LinkOutcome.PERSON_LINKED_ELSEWHERE, person)
        other = await self._holder(telegram_id)
        if other is not None and other.active:
            return LinkResult(LinkOutcome.ACCOUNT_LINKED_ELSEWHERE, other)
        return None

    async def _holder(self, telegram_id: int) -> Person | None:
        return await self.db.scalar(select(Person).where(Person.telegram_user_id == telegram_id))

    async def _link(
        self, person: Person, telegram_id: int, username: str | None, how: str
    ) -> LinkResult:
        if person.telegram_user_id == telegram_id:
            return LinkResult(LinkOutcome.ALREADY_LINKED, person)
        refused = await self._refusal(person, telegram_id)
        if refused is not None:
            return refused
        now = self.clock.now()
        former = await self._holder(telegram_id)
        if former is not None:  # someone taken off the roster: the account is free again
            former.telegram_user_id = None
            former.updated_at = now
            audit.record(
                self.db,
                self.clock,
                audit.Who(None, telegram_id),
                "person.unlink",
                "person",
                former.code,
            )
            await self.db.flush()  # the unique account is released before it is taken
        person.telegram_user_id = telegram_id
        if username:
            person.telegram_username = username
        person.linked_at = now
        person.unreachable_since = None
        person.updated_at = now
        audit.record(
            self.db,
            self.clock,
            audit.Who(person.id, telegram_id),
            "person.link",
            "person",
            person.code,
            how=how,
        )
        # The same account linked a moment ago by another process breaks the unique
        # constraint at the commit: the update is rolled back and the person asked to retry.
        await self.db.flush()
        return LinkResult(LinkOutcome.LINKED, person)

    async def unlink(self, person_code: str, who: audit.Who) -> tuple[Person | None, int | None]:
        """Unlink a person; returns the person and the Telegram id they had (None if none)."""
        person = await self.db.scalar(select(Person).where(Person.code == person_code))
        if person is None or person.telegram_user_id is None:
            return person, None
        previous = person.telegram_user_id
        person.telegram_user_id = None
        person.linked_at = None
        person.updated_at = self.clock.now()
        audit.record(
            self.db, self.clock, who, "person.unlink", "person", person.code, telegram_id=previous
        )
        await self.db.flush()
        return person, previous
