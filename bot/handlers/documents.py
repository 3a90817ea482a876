"""The meeting's documents: the office sends a file and says, with buttons, which month's and
which branches' meetings it is for; the reminders carry it; members confirm they received
it and ask for it again with /tailieu."""

from __future__ import annotations

import enum
import logging
from datetime import date

from dateutil.relativedelta import relativedelta
from telegram import Update
from telegram.error import TelegramError

from bot.callbacks import DocRemoveData, DocSendData, DocsReceivedData, DocStepData
from bot.outbox.deliver import deliver
from bot.pipeline.access import requires
from bot.pipeline.context import Ctx
from bot.pipeline.conversations import on_draft, takes_input
from bot.pipeline.reply import (
    answer_button,
    edit_buttons,
    pressed_markup,
    reply,
    reply_file,
    reply_media,
    respond,
)
from bot.render import Screen
from bot.render import documents as screens
from bot.services.documents import (
    SIZE_LIMIT,
    TITLE_LIMIT,
    DocumentService,
    Receipt,
    month_of,
)
from bot.services.drafts import DraftService, Flow
from bot.services.policy import Permission
from db.models import Draft, Unit

log = logging.getLogger(__name__)

FLOW = Flow.MEETING_DOCUMENT


class DocumentStep(enum.StrEnum):
    MONTH = "month"  # this month's meetings or next month's, by buttons
    SCOPE = "scope"  # every branch, or one unit's or branch's, by buttons
    UNIT = "unit"  # the unit's or branch's code, typed
    TITLE = "title"  # the title, typed, if the caption gave none (or one too long)
    CONFIRM = "confirm"  # what will be sent where, with Save / Cancel


def _service(ctx: Ctx) -> DocumentService:
    return DocumentService(ctx.db, ctx.clock, ctx.settings.zone)


def _months(ctx: Ctx) -> list[date]:
    this = month_of(ctx.clock.now().astimezone(ctx.settings.zone).date())
    return [this, this + relativedelta(months=1)]


# ---------------------------------------------------------------- the office's upload


@requires(Permission.OFFICE)  # reached from the file handlers, outside the routing table
async def on_upload(update: Update, ctx: Ctx) -> None:
    """A file the office sent outside any conversation: a document for meetings."""
    message = update.effective_message
    assert message is not None
    if message.photo:
        photo = message.photo[-1]
        stamp = ctx.clock.now().astimezone(ctx.settings.zone)
        telegram_id, size = photo.file_id, photo.file_size or 0
        name, mime, method = f"anh-{stamp:%Y%m%d-%H%M}.jpg", "image/jpeg", "sendPhoto"
    else:
        document = message.document
        assert document is not None
        telegram_id, size = document.file_id, document.file_size or 0
        name = document.file_name or "tai-lieu"
        mime, method = document.mime_type or "application/octet-stream", "sendDocument"
    if size > SIZE_LIMIT:
        await reply(update, screens.too_big(SIZE_LIMIT // (1024 * 1024), ctx.lang))
        return
    try:
        content = bytes(await (await ctx.bot.get_file(telegram_id)).download_as_bytearray())
    except TelegramError:
        log.exception("could not download the meeting document %s", name)
        await reply(update, screens.download_failed(ctx.lang))
        return
    service = _service(ctx)
    drafts = DraftService(ctx.db, ctx.clock)
    earlier = await drafts.find(ctx.actor.telegram_id, FLOW, 0)
    if earlier is not None and earlier.active:
        await service.discard(earlier.data["file"])
    stored = await service.store(name, mime, content, telegram_id)
    title = (message.caption or "").strip()
    draft = await drafts.save(
        ctx.actor.telegram_id,
        ctx.actor.person_id,
        FLOW,
        0,
        DocumentStep.MONTH,
        {
            "file": stored,
            "method": method,
            "title": title if len(title) <= TITLE_LIMIT else "",
            "too_long": len(title) if len(title) > TITLE_LIMIT else None,
        },
    )
    await reply(
        update,
        screens.ask_month(draft.id, draft.revision, name, len(content), _months(ctx), ctx.lang),
    )


@on_draft(FLOW, screens.stale)
async def on_step(update: Update, ctx: Ctx, data: DocStepData, draft: Draft) -> None:
    drafts = DraftService(ctx.db, ctx.clock)
    await answer_button(update)
    await edit_buttons(update)
    service = _service(ctx)
    if data.choice == "no":
        await service.discard(draft.data["file"])
        await drafts.close(draft)
        await reply(update, screens.cancelled(ctx.lang))
        return
    values = dict(draft.data)
    if draft.step == DocumentStep.MONTH and data.choice in ("m0", "m1"):
        values["month"] = _months(ctx)[int(data.choice[1])].isoformat()
        await drafts.advance(draft, DocumentStep.SCOPE, values)
        await reply(update, screens.ask_scope(draft.id, draft.revision, ctx.lang))
    elif draft.step == DocumentStep.SCOPE and data.choice == "all":
        values["unit"] = None
        await _after_scope(update, ctx, draft, values)
    elif draft.step == DocumentStep.SCOPE and data.choice == "unit":
        await drafts.advance(draft, DocumentStep.UNIT, values)
        await reply(update, screens.ask_unit_code(ctx.lang))
    elif draft.step == DocumentStep.CONFIRM and data.choice == "ok":
        document = await service.add(
            file_id=values["file"],
            method=values["method"],
            title=values["title"],
            month=date.fromisoformat(values["month"]),
            unit_id=values["unit"],
            who=ctx.actor.who,
        )
        await drafts.close(draft)
        await reply(update, screens.saved(document.title, ctx.lang))
    else:  # a button of another step of this draft
        await reply(update, screens.use_buttons(ctx.lang))


async def _after_scope(update: Update, ctx: Ctx, draft: Draft, values: dict) -> None:
    drafts = DraftService(ctx.db, ctx.clock)
    if not values["title"]:
        await drafts.advance(draft, DocumentStep.TITLE, values)
        await reply(update, screens.ask_title(ctx.lang, too_long=values.get("too_long")))
        return
    await drafts.advance(draft, DocumentStep.CONFIRM, values)
    await respond(update, await _confirm_screen(ctx, draft))


async def _confirm_screen(ctx: Ctx, draft: Draft) -> Screen:
    values = draft.data
    month = date.fromisoformat(values["month"])
    unit = await ctx.db.get(Unit, values["unit"]) if values["unit"] else None
    meetings = await _service(ctx).reach(month, values["unit"])
    return screens.confirm(
        draft.id,
        draft.revision,
        values["title"],
        month,
        screens.scope_label(unit, ctx.lang),
        meetings,
        ctx.lang,
    )


@takes_input(FLOW)
async def on_upload_input(update: Update, ctx: Ctx, draft: Draft) -> None:
    """What the office types while adding a document: a unit's code, or the title."""
    message = update.effective_message
    assert message is not None
    if message.document or message.photo:
        await reply(update, screens.finish_first(ctx.lang))
        return
    if draft.step not in (DocumentStep.UNIT, DocumentStep.TITLE):
        await reply(update, screens.use_buttons(ctx.lang))
        return
    if not message.text:
        await reply(update, screens.type_text(ctx.lang))
        return
    text = message.text.strip()
    values = dict(draft.data)
    if draft.step == DocumentStep.UNIT:
        unit = await _service(ctx).unit_by_code(text)
        if unit is None:
            await reply(update, screens.unknown_unit(text, ctx.lang))
            return
        values["unit"] = unit.id
        await _after_scope(update, ctx, draft, values)
        return
    if len(text) > TITLE_LIMIT:
        await reply(update, screens.ask_title(ctx.lang, too_long=len(text)))
        return
    values["title"] = text
    await DraftService(ctx.db, ctx.clock).advance(draft, DocumentStep.CONFIRM, values)
    await respond(update, await _confirm_screen(ctx, draft))


# ---------------------------------------------------------------- members


async def on_documents(update: Update, ctx: Ctx) -> None:
    """/tailieu: the documents for one's coming meetings; for the office, also who has not
    confirmed receiving each document."""
    service = _service(ctx)
    coming, statuses = await service.shown_to(ctx.actor)
    if coming is not None:
        await reply(update, screens.member_list(coming, ctx.settings.zone, ctx.lang))
    if statuses is not None:
        ids = {s.document.unit_id for s in statuses if s.document.unit_id}
        units = {u: await ctx.db.get(Unit, u) for u in ids}
        await reply(
            update, screens.office_list(statuses, {k: v for k, v in units.items() if v}, ctx.lang)
        )


async def on_received(update: Update, ctx: Ctx, data: DocsReceivedData) -> None:
    if ctx.actor.person is None:
        await answer_button(update, screens.receipt_answer(Receipt.NOT_YOURS, ctx.lang))
        return
    receipt = await _service(ctx).acknowledge(data.meeting_id, ctx.actor.person)
    await answer_button(update, screens.receipt_answer(receipt, ctx.lang))
    if receipt in (Receipt.RECORDED, Receipt.ALREADY):  # the button has done its work
        await edit_buttons(update, screens.without_receipt(pressed_markup(update)))


async def on_send_again(update: Update, ctx: Ctx, data: DocSendData) -> None:
    service = _service(ctx)
    document = await service.for_actor(ctx.actor, data.document_id)
    if document is None:
        await answer_button(update, screens.sent_again_missing(ctx.lang))
        return
    await answer_button(update)
    stored = await service.file_of(document)
    photo = document.method == "sendPhoto"
    if stored.telegram_file_id:
        caption = screens.caption_plain(document, ctx.lang)
        await reply_media(
            update, "photo" if photo else "document", stored.telegram_file_id, caption
        )
    else:
        caption = screens.caption(document, ctx.lang)
        await reply_file(update, stored.content, stored.name, caption, photo=photo)


async def on_withdraw(update: Update, ctx: Ctx, data: DocRemoveData) -> None:
    """The office withdraws a document: the reminders still to come go without it."""
    document, notices = await _service(ctx).withdraw(data.document_id, ctx.actor.who)
    await deliver(ctx.db, ctx.runtime, notices)
    await answer_button(update, screens.withdrawn(document.title if document else None, ctx.lang))
