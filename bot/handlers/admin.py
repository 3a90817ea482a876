"""The office's commands in chat: look up and change who follows which branch."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot.callbacks import InviteData, UnlinkedPageData, WorkOfficeData
from bot.domain.parsing import parse_day
from bot.formats.wording import reason_text
from bot.pipeline.context import Ctx
from bot.pipeline.reply import answer_button, edit_text, refuse, reply, reply_file
from bot.render import Screen
from bot.render import admin as screens
from bot.render import meetings as meeting_screens
from bot.render import start as start_screens
from bot.services.attendance import AttendanceService
from bot.services.directory import DirectoryService
from bot.services.linking import LinkingService
from bot.services.roster import RosterService
from bot.services.worklist import WorkList

# Declines with no stand-in shown at once from /start; the rest come as they are handled.
UNCOVERED_SHOWN = 10


def _directory(ctx: Ctx) -> DirectoryService:
    return DirectoryService(ctx.db, ctx.clock, ctx.settings.zone)


async def _reply_all(update: Update, texts: list[str]) -> None:
    for text in texts:
        await reply(update, Screen(text))


async def on_units(update: Update, ctx: Ctx) -> None:
    await _reply_all(update, screens.overview(await _directory(ctx).overview(), ctx.lang))


async def on_find_person(update: Update, ctx: Ctx) -> None:
    query = " ".join(ctx.args or []).strip()
    if not query:
        await reply(update, screens.usage("timcanbo", ctx.lang))
        return
    people = await _directory(ctx).find_people(query[:100])
    await _reply_all(update, screens.people_found(people, query[:100], ctx.lang))


async def on_person(update: Update, ctx: Ctx) -> None:
    args = ctx.args or []
    if len(args) != 1:
        await reply(update, screens.usage("canbo", ctx.lang))
        return
    card = await _directory(ctx).person_card(args[0][:40])
    if card is None:
        await reply(update, screens.unlinked_done(None, False, ctx.lang))
        return
    await _reply_all(update, screens.person_card(card, ctx.lang))


async def on_unlinked(update: Update, ctx: Ctx) -> None:
    await reply(update, screens.unlinked(await _directory(ctx).unlinked(), 0, ctx.lang))


async def on_work(update: Update, ctx: Ctx, data: WorkOfficeData) -> None:
    """/start's office buttons: each decline with no stand-in, with its candidates to pick;
    or the branches nobody follows."""
    await answer_button(update)
    zone = ctx.settings.zone
    worklist = WorkList(ctx.db, ctx.clock, zone, None)
    if data.what == "unassigned":
        await reply(update, start_screens.unassigned(await worklist.unassigned(), ctx.lang))
        return
    uncovered = await worklist.uncovered()
    if not uncovered:
        await reply(update, screens.all_covered(ctx.lang))
        return
    attendance = AttendanceService(ctx.db, ctx.clock, zone)
    for meeting, branch, person in uncovered[:UNCOVERED_SHOWN]:
        rsvp = await attendance.own_rsvp(meeting, person)
        reason = reason_text(rsvp.reason_code, rsvp.reason_text, ctx.lang) if rsvp else ""
        candidates, loads = await attendance.candidates_and_loads(meeting)
        await reply(
            update,
            meeting_screens.absence_notice(
                meeting, branch, person, reason, candidates, zone, ctx.lang, loads
            ),
        )


async def on_unlinked_page(update: Update, ctx: Ctx, data: UnlinkedPageData) -> None:
    await answer_button(update)
    await edit_text(update, screens.unlinked(await _directory(ctx).unlinked(), data.page, ctx.lang))


async def on_invite_button(update: Update, ctx: Ctx, data: InviteData) -> None:
    """The invitation link for one person of /chualienket's list, to forward to them."""
    invitation = await LinkingService(ctx.db, ctx.clock).invite_unlinked(
        data.person_id, ctx.actor.who, ctx.settings.invite_ttl_days
    )
    if invitation is None:  # linked meanwhile, or no longer on the roster
        await refuse(update, screens.no_invitation(ctx.lang))
        return
    await answer_button(update)
    await reply(update, screens.invite(invitation, ctx.bot.username, ctx.lang))


def _dates(values: list[str]) -> tuple[list[date | None], str | None]:
    """The dates given, or the first value that is not a date."""
    parsed: list[date | None] = []
    for value in values:
        day = parse_day(value)
        if day is None:
            return [], value
        parsed.append(day)
    return parsed, None


async def on_assign(update: Update, ctx: Ctx) -> None:
    args = ctx.args or []
    if not 2 <= len(args) <= 4:
        await reply(update, screens.usage("phancong", ctx.lang))
        return
    dates, bad = _dates(args[2:])
    if bad is not None:
        await reply(update, screens.bad_date(bad[:40], ctx.lang))
        return
    dates += [None] * (2 - len(dates))
    result = await _directory(ctx).assign(
        args[0][:40], args[1][:40], dates[0], dates[1], ctx.actor.who
    )
    await reply(update, screens.assign_result(result, ended=False, lang=ctx.lang))


async def on_end_assignment(update: Update, ctx: Ctx) -> None:
    args = ctx.args or []
    if not 2 <= len(args) <= 3:
        await reply(update, screens.usage("ketthuc", ctx.lang))
        return
    dates, bad = _dates(args[2:])
    if bad is not None:
        await reply(update, screens.bad_date(bad[:40], ctx.lang))
        return
    result = await _directory(ctx).end_assignment(
        args[0][:40], args[1][:40], dates[0] if dates else None, ctx.actor.who
    )
    await reply(update, screens.assign_result(result, ended=True, lang=ctx.lang))


async def on_invite(update: Update, ctx: Ctx) -> None:
    args = ctx.args or []
    if len(args) != 1:
        await reply(update, screens.usage("moi", ctx.lang))
        return
    invitation = await LinkingService(ctx.db, ctx.clock).create_invite(
        args[0][:40], ctx.actor.who, ctx.settings.invite_ttl_days
    )
    if invitation is None:
        await reply(update, screens.unlinked_done(None, False, ctx.lang))
        return
    await reply(update, screens.invite(invitation, ctx.bot.username, ctx.lang))


async def on_unlink(update: Update, ctx: Ctx) -> None:
    args = ctx.args or []
    if len(args) != 1:
        await reply(update, screens.usage("huylienket", ctx.lang))
        return
    person, previous = await LinkingService(ctx.db, ctx.clock).unlink(args[0][:40], ctx.actor.who)
    if previous is not None:
        await ctx.menus.set_for_person(ctx.bot, previous, frozenset(), ctx.settings.locale)
    await reply(update, screens.unlinked_done(person, previous is not None, ctx.lang))


async def on_export(update: Update, ctx: Ctx) -> None:
    content = await RosterService(ctx.db, ctx.clock).export()
    today = ctx.clock.now().astimezone(ctx.settings.zone).date()
    await reply_file(update, content, f"danh-sach-{today:%Y-%m-%d}.xlsx")
