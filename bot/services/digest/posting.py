"""The monthly digest posted to the leadership group exactly once.

A row per organisation and month (digests) decides: the files are stored and the posting's
notice queued in the same transaction that marks the row posted, so a restart, a second tick
or a second instance finds it posted and sends nothing twice. The office may post it again;
each posting has its own outbox keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.domain.digest import DigestFigures, Edition, Month, UnitName
from bot.formats.digest_files import DOCX, PNG, XLSX, DigestFiles, make_files
from bot.formats.letterhead import Letterhead
from bot.services import audit
from bot.services import keys as outbox_keys
from bot.services.digest import DigestService
from bot.services.groups import GroupService
from bot.services.notices import OFFICE, Chat, DigestPosting, DigestWithoutGroup, Notices
from db.models import Digest, DigestState, StoredFile
from db.session import dialect_of, insert_for


@dataclass(frozen=True)
class DigestEdition:
    """A month's digest as one reader gets it: the figures (the text is rendered from them)
    and the three files."""

    figures: DigestFigures
    files: DigestFiles


async def make_edition(
    sessions: async_sessionmaker[AsyncSession],
    root: UnitName,
    month: Month,
    edition: Edition,
    *,
    lang: str,
    now: datetime,
    zone: ZoneInfo,
    quota: int | None,
    letterhead_for: Callable[[str], Letterhead],
) -> DigestEdition:
    """The figures and rows from the database as they stand `now`, then the three files. A
    month not over yet counts only the meetings that have happened."""
    service = DigestService(sessions, zone)
    if now < month.end(zone):
        await service.count_until(now)
    with _bulk_allocation():
        tree = await service.tree(root)
        figures, rows = await asyncio.gather(
            service.figures(tree, month, edition, quota=quota),
            service.sheet_rows(tree, month),
        )
        # Drawing and writing the files is CPU work: a worker thread keeps the bot answering.
        today = now.astimezone(zone).date()
        letterhead = letterhead_for(figures.org_name)
        files = await asyncio.to_thread(make_files, figures, rows, zone, lang, today, letterhead)
    return DigestEdition(figures, files)


@contextlib.contextmanager
def _bulk_allocation() -> Iterator[None]:
    """A province's digest makes a few hundred thousand short-lived objects in a few
    seconds; the cyclic garbage collector, scanning the whole heap again and again meanwhile,
    took a third of the time. Reference counting still frees them; the collector resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Posted(enum.StrEnum):
    QUEUED = "queued"
    ALREADY = "already"
    NO_GROUP = "no_group"
    STALE = "stale"


@dataclass(frozen=True)
class PostResult:
    outcome: Posted
    group_title: str = ""
    notices: Notices = ()


class DigestPostingService:
    """Whether a month's digest is to be posted, and its posting: the files stored and the
    group's notice returned, in the caller's unit of work."""

    def __init__(self, db: AsyncSession, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def refusal(
        self, root: UnitName, month: Month, again_after: int | None
    ) -> PostResult | None:
        """Why nothing is to be posted (posted already, an old button, no group), or None.
        A read: making the files takes seconds, and no transaction is held meanwhile."""
        digest = await self.db.scalar(
            select(Digest).where(Digest.org_unit_id == root.id, Digest.month == month.first)
        )
        refused = _refusal(digest, again_after)
        if refused is None and await GroupService(self.db, self.clock).leadership_group() is None:
            return PostResult(Posted.NO_GROUP)
        return refused

    async def without_group(
        self, root: UnitName, month: Month, again_after: int | None
    ) -> PostResult:
        """No leadership group: the office is told, once for the month (not for a button)."""
        digest = await self._row(root, month)
        if again_after is not None:
            return PostResult(Posted.NO_GROUP)
        key = outbox_keys.digest_without_group(digest.id)
        notice = DigestWithoutGroup(key=key, to=OFFICE, month=month.label)
        return PostResult(Posted.NO_GROUP, notices=(notice,))

    async def post(
        self,
        root: UnitName,
        month: Month,
        edition: DigestEdition,
        *,
        again_after: int | None = None,
        who: audit.Who | None = None,
    ) -> PostResult:
        """Store the files and return the group's notice, unless (checked again, the month's
        row locked on PostgreSQL) it was posted meanwhile. With again_after (the number of
        re-postings the office saw), post it once more; a second press of the same button
        finds the number moved on and posts nothing."""
        now = self.clock.now()
        digest = await self._row(root, month)
        refused = _refusal(digest, again_after)
        if refused is not None:
            return refused
        group = await GroupService(self.db, self.clock).leadership_group()
        if group is None:
            return PostResult(Posted.NO_GROUP)
        if again_after is not None:
            digest.reposts += 1
            tag = f"again{digest.reposts}"
        else:
            tag = "post"
        files, names = edition.files, edition.files.names
        stored = {}
        for part, mime in (("chart", PNG), ("sheet", XLSX), ("document", DOCX)):
            row = StoredFile(
                name=names[part], mime_type=mime, content=getattr(files, part), created_at=now
            )
            self.db.add(row)
            await self.db.flush()
            stored[part] = row.id
        digest.state = DigestState.POSTED
        digest.chat_id = group.chat_id
        digest.posted_at = now
        digest.figures = edition.figures.current.as_dict()
        if who is not None:
            audit.record(
                self.db,
                self.clock,
                who,
                "digest.post_again",
                "digest",
                digest.id,
                month=month.label,
            )
        posting = DigestPosting(
            key=outbox_keys.digest_posting(digest.id, tag),
            to=Chat(group.chat_id),
            figures=edition.figures,
            chart_file_id=stored["chart"],
            sheet_file_id=stored["sheet"],
            document_file_id=stored["document"],
        )
        return PostResult(Posted.QUEUED, group.title, (posting,))

    async def times_posted_again(self, root: UnitName, month: Month) -> int:
        return (
            await self.db.scalar(
                select(Digest.reposts).where(
                    Digest.org_unit_id == root.id, Digest.month == month.first
                )
            )
            or 0
        )

    async def _row(self, root: UnitName, month: Month) -> Digest:
        """The month's row for this organisation, created if need be; on PostgreSQL locked
        until the transaction ends, so that a second instance waits and then finds it posted."""
        query = select(Digest).where(Digest.org_unit_id == root.id, Digest.month == month.first)
        if dialect_of(self.db) == "postgresql":
            query = query.with_for_update()
        digest = await self.db.scalar(query)
        if digest is not None:
            return digest
        await self.db.execute(
            insert_for(self.db)(Digest)
            .values(
                org_unit_id=root.id,
                month=month.first,
                state=DigestState.PENDING,
                figures={},
                reposts=0,
                created_at=self.clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["org_unit_id", "month"])
        )
        digest = await self.db.scalar(query)
        assert digest is not None
        return digest


def _refusal(digest: Digest | None, again_after: int | None) -> PostResult | None:
    """Why nothing is posted: the month is posted already, or the office's button is old."""
    reposts = digest.reposts if digest is not None else 0
    if again_after is None and digest is not None and digest.state == DigestState.POSTED:
        return PostResult(Posted.ALREADY)
    if again_after is not None and again_after != reposts:
        return PostResult(Posted.STALE)
    return None
