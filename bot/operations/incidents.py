"""An unhandled error reaches a person: logged with its traceback and a reference, and
reported to the office's technical contact (CHIBO_ERROR_CHAT_ID) once an hour at most.

The report names the error's type, where in the code it happened and the kind of update being
handled, never the traceback or anything a person wrote. The same error (type and place)
again within the hour is counted, not sent; the next report says how many times it recurred.
The counting is a row, so two instances and a restart count alike.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import traceback
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from bot.outbox.deliver import deliver
from bot.runtime import Runtime, unit_of_work
from bot.services import keys, notices
from bot.services.notices import Chat, Notice
from db.models import ErrorReport
from db.session import insert_for

log = logging.getLogger("chibo.errors")

QUIET_FOR = timedelta(hours=1)
# The report's notice, but for what every report has (its key, chat, reference and repeats).
Report = Callable[..., Notice]
_ROOT = Path(__file__).resolve().parent.parent
# The bot's own code first (a handler, a service), the database layer if nothing of it.
_OWN = ((str(_ROOT / "bot"),), (str(_ROOT / "db"),))


def new_reference() -> str:
    return secrets.token_hex(4).upper()


def place_of(error: BaseException) -> str:
    """Where in chibo's own code the error happened: the innermost of its frames."""
    frames = traceback.extract_tb(error.__traceback__)
    for folders in _OWN:
        own = [frame for frame in frames if frame.filename.startswith(folders)]
        if own:
            module = Path(own[-1].filename).relative_to(_ROOT).with_suffix("")
            return f"{'.'.join(module.parts)}:{own[-1].name}"
    return frames[-1].name if frames else "?"


async def report(
    runtime: Runtime, error: BaseException, *, doing: str, update_kind: str | None = None
) -> str:
    """Log the error with its traceback under a new reference, and report it; returns the
    reference. Never raises: a failure to report is logged."""
    reference = new_reference()
    place = place_of(error)
    log.error("error %s while %s (at %s)", reference, doing, place, exc_info=error)
    metrics.ERRORS.labels(place).inc()
    kind = type(error).__name__
    report = partial(notices.ErrorReport, kind=kind, place=place, update_kind=update_kind)
    await _record_safely(runtime, kind, place, reference, report)
    return reference


async def report_conflict(runtime: Runtime) -> None:
    """Another program receives this bot's updates with the same token (409 Conflict): said
    plainly to the technical contact, once an hour at most, like an error."""
    reference = new_reference()
    log.error(
        "error %s: another program is receiving this bot's updates with the same token"
        " (409 Conflict); only one deployment may use a token",
        reference,
    )
    report = partial(notices.ConflictReport)
    await _record_safely(runtime, "Conflict", "telegram:getUpdates", reference, report)


async def _record_safely(
    runtime: Runtime, kind: str, place: str, reference: str, report: Report
) -> None:
    """Counted, and reported unless the same was reported within the hour; never raises."""
    try:
        await _record(runtime, kind, place, reference, report)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("error %s could not be recorded for the report: %s", reference, exc)


async def _record(runtime: Runtime, kind: str, place: str, reference: str, report: Report) -> None:
    now = runtime.clock.now()
    fingerprint = hashlib.sha256(f"{kind}@{place}".encode()).hexdigest()[:64]
    async with unit_of_work(runtime.sessionmaker) as unit:
        db = unit.session
        inserted = await db.execute(
            insert_for(db)(ErrorReport)
            .values(
                fingerprint=fingerprint,
                kind=kind[:100],
                place=place[:200],
                first_at=now,
                last_at=now,
                reported_at=now,
                last_ref=reference,
                count=1,
                unreported=0,
            )
            .on_conflict_do_nothing(index_elements=["fingerprint"])
            .returning(ErrorReport.fingerprint)
        )
        repeats: int | None = 0
        if inserted.first() is None:
            # Counted; reported again only if the last report is an hour old.
            await db.execute(
                update(ErrorReport)
                .where(ErrorReport.fingerprint == fingerprint)
                .values(
                    count=ErrorReport.count + 1,
                    unreported=ErrorReport.unreported + 1,
                    last_at=now,
                )
            )
            repeats = await db.scalar(
                select(ErrorReport.unreported).where(ErrorReport.fingerprint == fingerprint)
            )
            due = await db.execute(
                update(ErrorReport)
                .where(
                    ErrorReport.fingerprint == fingerprint,
                    ErrorReport.reported_at <= now - QUIET_FOR,
                )
                .values(reported_at=now, last_ref=reference, unreported=0)
                .returning(ErrorReport.fingerprint)
            )
            if due.first() is None:
                await unit.finish()
                return
        chat_id = runtime.settings.error_chat_id
        if chat_id is not None:
            told = report(
                key=keys.error_report(reference),
                to=Chat(chat_id),
                quiet_hours=False,
                reference=reference,
                repeats=repeats or 0,
            )
            await deliver(db, runtime, [told])
        await unit.finish()


def update_kind_of(update: object) -> str | None:
    """The kind of update (message, callback_query, …): the only thing of it reported."""
    to_dict = getattr(update, "to_dict", None)
    if to_dict is None:
        return None
    kinds = [key for key in to_dict() if key != "update_id"]
    return kinds[0] if kinds else None
