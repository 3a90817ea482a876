"""The roster workbook sent in chat: checked and previewed, imported only after Confirm."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.callbacks import RosterImportData
from bot.formats.roster_workbook import WorkbookError, read_file
from bot.handlers import documents
from bot.outbox.deliver import deliver
from bot.pipeline.access import requires
from bot.pipeline.context import Ctx
from bot.pipeline.conversations import answer_conversation, on_draft
from bot.pipeline.reply import answer_button, edit_buttons, reply, reply_file
from bot.render import Screen, split_lines
from bot.render import roster as screens
from bot.services.drafts import DraftService, Flow
from bot.services.policy import Permission
from bot.services.roster import ImportResult, RosterService
from db.models import Draft

log = logging.getLogger(__name__)

FLOW = Flow.ROSTER_IMPORT
CONFIRM = "confirm"  # the only step: the preview shown, with Import / Cancel
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_MESSAGES = 3


async def _import(ctx: Ctx, file_id: str, file_name: str, *, dry_run: bool) -> ImportResult | str:
    """The import's result, or a catalog text saying why the file could not be read."""
    try:
        content = bytes(await (await ctx.bot.get_file(file_id)).download_as_bytearray())
        rows, problems = read_file(file_name, content)
    except WorkbookError as exc:
        return exc.args[0]
    except TelegramError:
        log.exception("could not download the roster file %s", file_name)
        return screens.DOWNLOAD_FAILED
    return await RosterService(ctx.db, ctx.clock, ctx.settings.zone).import_rows(
        rows,
        problems,
        ctx.actor.who,
        dry_run=dry_run,
        source=file_name,
    )


ROSTER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


async def on_document(update: Update, ctx: Ctx) -> None:
    """A file belongs to the conversation the person is in (a report's minutes, say); outside
    one, a spreadsheet is the office's roster workbook, and any other file or photo a
    document for the members to bring to their meetings."""
    if await answer_conversation(update, ctx):
        return
    message = update.effective_message
    assert message is not None
    name = (message.document.file_name or "").lower() if message.document else ""
    if name.endswith(ROSTER_SUFFIXES):
        await on_roster_file(update, ctx)
    else:
        await documents.on_upload(update, ctx)


@requires(Permission.OFFICE)  # reached from on_document, outside the routing table
async def on_roster_file(update: Update, ctx: Ctx) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    file_name = document.file_name or "roster.xlsx"
    if (document.file_size or 0) > MAX_FILE_BYTES:
        await reply(update, screens.too_big(ctx.lang))
        return
    result = await _import(ctx, document.file_id, file_name, dry_run=True)
    if isinstance(result, str):
        await reply(update, screens.unreadable(result, ctx.lang))
        return
    lines = screens.import_report(result, ctx.lang, dry_run=True)
    keyboard = None
    if not result.problems and result.changed:
        draft = await DraftService(ctx.db, ctx.clock).save(
            ctx.actor.telegram_id,
            ctx.actor.person_id,
            FLOW,
            0,
            CONFIRM,
            {
                "file_id": document.file_id,
                "file_name": file_name,
                "importer_leaves": result.losses.importer_leaves,
            },
        )
        keyboard = screens.confirm_keyboard(draft.id, draft.revision, ctx.lang)
    await _send_report(update, lines, keyboard, ctx)


async def _send_report(update: Update, lines: list[str], keyboard, ctx: Ctx) -> None:
    messages = split_lines(lines)
    if len(messages) > MAX_MESSAGES:
        messages = [*messages[: MAX_MESSAGES - 1], screens.more_in_file(ctx.lang)]
        await reply_file(
            update, screens.plain_report(lines).encode("utf-8"), "kiem-tra-danh-sach.txt"
        )
    for index, text in enumerate(messages):
        last = index == len(messages) - 1
        await reply(update, Screen(text, keyboard if last else None))


@on_draft(FLOW, screens.stale)
async def on_confirm(update: Update, ctx: Ctx, data: RosterImportData, draft: Draft) -> None:
    drafts = DraftService(ctx.db, ctx.clock)
    await answer_button(update)
    await edit_buttons(update)
    file_id, file_name = draft.data["file_id"], draft.data["file_name"]
    if data.answer == "ok" and draft.data.get("importer_leaves"):
        # One's own role is not given up in one press: asked again, in its own message.
        await drafts.advance(draft, CONFIRM, {**draft.data, "importer_leaves": False})
        await reply(update, screens.confirm_again(draft.id, draft.revision, ctx.lang))
        return
    await drafts.close(draft)
    if data.answer == "no":
        await reply(update, screens.cancelled(ctx.lang))
        return
    result = await _import(ctx, file_id, file_name, dry_run=False)
    if isinstance(result, str):
        await reply(update, screens.unreadable(result, ctx.lang))
        return
    await deliver(ctx.db, ctx.runtime, result.notices)
    await _send_report(update, screens.import_report(result, ctx.lang, dry_run=False), None, ctx)
