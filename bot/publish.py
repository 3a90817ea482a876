"""The monthly digest: its files made, and posted to the leadership group exactly once.

A row per organisation and month (digests) decides: the files are stored and queued in the
outbox in the same transaction that marks the row posted, so a restart, a second tick or a
second instance finds it posted and sends nothing twice. An admin may post it again; each
posting has its own outbox keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import gc
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import notices, outbox_keys
from bot.formats.letterhead import Letterhead
from bot.notices import Kind
from bot.notify import deliver, wake_sender_after_commit
from bot.outbox import enqueue, enqueue_file
from bot.render import Screen
from bot.render import digest as screens
from bot.runtime import Runtime, unit_of_work
from bot.services import audit
from bot.services.digest import (
    DigestFigures,
    DigestService,
    Edition,
    Month,
    SheetRows,
    UnitName,
)
from bot.services.groups import GroupService
from bot.settings import Settings
from db.models import Digest, DigestState, StoredFile
from db.session import insert_for

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class DigestFiles:
    figures: DigestFigures
    messages: list[str]
    chart: bytes
    sheet: bytes
    document: bytes
    names: dict[str, str]
    captions: dict[str, str]


async def make_digest(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    root: UnitName,
    month: Month,
    edition: Edition,
    lang: str,
    now: datetime,
) -> DigestFiles:
    """The figures and rows from the database as they stand `now`, then the text and the three
    files. A month not over yet counts only the meetings that have happened."""
    zone = settings.zone
    today = now.astimezone(zone).date()
    service = DigestService(sessions, zone)
    if now < month.end(zone):
        await service.count_until(now)
    with _bulk_allocation():
        tree = await service.tree(root)
        figures, rows = await asyncio.gather(
            service.figures(tree, month, edition, quota=settings.attendance_quota or None),
            service.sheet_rows(tree, month),
        )
        # Drawing and writing the files is CPU work: a worker thread keeps the bot answering.
        chart, sheet, document = await asyncio.to_thread(
            _files, figures, rows, zone, lang, today, settings.letterhead(figures.org_name)
        )
    return DigestFiles(
        figures=figures,
        messages=screens.digest_messages(figures, lang),
        chart=chart,
        sheet=sheet,
        document=document,
        names=screens.file_names(figures),
        captions=screens.captions(figures, lang),
    )


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


def _files(
    figures: DigestFigures,
    rows: SheetRows,
    zone: ZoneInfo,
    lang: str,
    today: date,
    letterhead: Letterhead,
) -> tuple[bytes, bytes, bytes]:
    # matplotlib, XlsxWriter and python-docx are loaded when the first digest is made: at
    # start they would double the bot's memory and start-up time for a monthly job.
    from bot.formats.digest_chart import chart_png
    from bot.formats.digest_document import document_bytes
    from bot.formats.digest_workbook import workbook_bytes

    return (
        chart_png(figures, lang),
        workbook_bytes(figures, rows, zone, lang),
        document_bytes(figures, today, letterhead, lang),
    )


class Posted(enum.StrEnum):
    QUEUED = "queued"
    ALREADY = "already"
    NO_GROUP = "no_group"
    STALE = "stale"


@dataclass(frozen=True)
class PostResult:
    outcome: Posted
    group_title: str = ""


async def post_month(
    runtime: Runtime,
    root: UnitName,
    month: Month,
    *,
    again_after: int | None = None,
    who: audit.Who | None = None,
) -> PostResult:
    """Queue the month's digest for the leadership group, unless it was posted already.

    With again_after (the number of re-postings the admin saw), post it once more; a second
    press of the same button finds the number moved on and posts nothing."""
    settings, clock = runtime.settings, runtime.clock
    # Whether there is anything to do, read without a transaction held: making the files
    # takes seconds, and on SQLite a write held that long would make every update wait.
    async with runtime.sessionmaker() as db:
        digest = await db.scalar(
            select(Digest).where(Digest.org_unit_id == root.id, Digest.month == month.first)
        )
        refused = _refusal(digest, again_after)
        group = await GroupService(db, clock).leadership_group()
    if refused is not None:
        return refused
    if group is None:
        async with unit_of_work(runtime.sessionmaker) as unit:
            digest = await _digest_row(unit.session, root, month, clock.now())
            if again_after is None:
                key = outbox_keys.digest_without_group(digest.id)
                notice = notices.to_office(Kind.DIGEST_WITHOUT_GROUP, key, month.label)
                await deliver(unit.session, runtime, [notice])
                await unit.finish()
        return PostResult(Posted.NO_GROUP)
    files = await make_digest(
        runtime.sessionmaker,
        settings,
        root,
        month,
        Edition.GROUP,
        settings.locale,
        clock.now(),
    )
    # Its own unit of work, from the tick or from the office's button alike; the month's row
    # is locked (PostgreSQL) and checked again: a second instance finds it posted.
    async with unit_of_work(runtime.sessionmaker) as unit:
        db = unit.session
        now = clock.now()
        digest = await _digest_row(db, root, month, now)
        refused = _refusal(digest, again_after)
        if refused is not None:
            return refused
        group = await GroupService(db, clock).leadership_group()
        if group is None:
            return PostResult(Posted.NO_GROUP)
        if again_after is not None:
            digest.reposts += 1
            tag = f"again{digest.reposts}"
        else:
            tag = "post"
        for number, text in enumerate(files.messages):
            await enqueue(
                db,
                key=outbox_keys.digest_part(digest.id, tag, f"text{number}"),
                chat_id=group.chat_id,
                screen=Screen(text),
                due_at=now,
                now=now,
            )
        for part, method, mime in (
            ("chart", "sendPhoto", "image/png"),
            ("sheet", "sendDocument", XLSX),
            ("document", "sendDocument", DOCX),
        ):
            stored = StoredFile(
                name=files.names[part],
                mime_type=mime,
                content=getattr(files, part),
                created_at=now,
            )
            db.add(stored)
            await db.flush()
            await enqueue_file(
                db,
                key=outbox_keys.digest_part(digest.id, tag, part),
                chat_id=group.chat_id,
                file_id=stored.id,
                method=method,
                caption=files.captions[part],
                due_at=now,
                now=now,
            )
        digest.state = DigestState.POSTED
        digest.chat_id = group.chat_id
        digest.posted_at = now
        digest.figures = files.figures.current.as_dict()
        if who is not None:
            audit.record(
                db, clock, who, "digest.post_again", "digest", digest.id, month=month.label
            )
        wake_sender_after_commit(runtime)
        await unit.finish()
        title = group.title
    log.info("digest %s for %s queued for the group (%s)", month.label, root.code, tag)
    return PostResult(Posted.QUEUED, title)


def _refusal(digest: Digest | None, again_after: int | None) -> PostResult | None:
    """Why nothing is posted: the month is posted already, or the office's button is old."""
    reposts = digest.reposts if digest is not None else 0
    if again_after is None and digest is not None and digest.state == DigestState.POSTED:
        return PostResult(Posted.ALREADY)
    if again_after is not None and again_after != reposts:
        return PostResult(Posted.STALE)
    return None


async def times_posted_again(db: AsyncSession, root: UnitName, month: Month) -> int:
    return (
        await db.scalar(
            select(Digest.reposts).where(Digest.org_unit_id == root.id, Digest.month == month.first)
        )
        or 0
    )


async def _digest_row(db: AsyncSession, root: UnitName, month: Month, now) -> Digest:
    """The month's row for this organisation, created if need be; on PostgreSQL locked until
    the transaction ends, so that a second instance waits and then finds it posted."""
    query = select(Digest).where(Digest.org_unit_id == root.id, Digest.month == month.first)
    if db.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    digest = await db.scalar(query)
    if digest is not None:
        return digest
    await db.execute(
        insert_for(db)(Digest)
        .values(
            org_unit_id=root.id,
            month=month.first,
            state=DigestState.PENDING,
            figures={},
            reposts=0,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["org_unit_id", "month"])
    )
    digest = await db.scalar(query)
    assert digest is not None
    return digest
