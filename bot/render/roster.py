"""The result of a roster import, for the chat and for the command line."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from telegram import InlineKeyboardMarkup

from bot import callbacks as cb
from bot.formats.roster_workbook import Problem
from bot.i18n import N_
from bot.render import Screen, esc, inline_keyboard, said, texts
from bot.services.roster import ImportResult
from db.models import Role

# The roles, named as the sheet Cán bộ names them.
ROLE_LABELS = {Role.ADMIN: N_("administrator"), Role.LEADER: N_("leader")}
SHEET_ORDER = ("units", "branches", "people", "assignments", "topics", "fields", "bodies")


def _sheet_names(lang: str) -> dict[str, str]:
    t = texts(lang)
    return {
        "units": t.gettext("Units"),
        "branches": t.gettext("Branches"),
        "people": t.gettext("People"),
        "assignments": t.gettext("Assignments"),
        "topics": t.gettext("Topics"),
        "fields": t.gettext("Proposal fields"),
        "bodies": t.gettext("Handling bodies"),
    }


def problem_line(problem: Problem, lang: str, escape: Callable[[object], str] = esc) -> str:
    t = texts(lang)
    reason = t.gettext(problem.reason).format(**{k: escape(v) for k, v in problem.params.items()})
    if problem.value:
        where = t.gettext('Sheet "{sheet}", row {row}, column "{column}", value "{value}"')
    else:
        where = t.gettext('Sheet "{sheet}", row {row}, column "{column}"')
    place = where.format(
        sheet=escape(problem.sheet),
        row=problem.row,
        column=escape(problem.column),
        value=escape(problem.value),
    )
    return f"{place}: {reason}."


def import_report(
    result: ImportResult, lang: str, *, dry_run: bool, escape: Callable[[object], str] = esc
) -> list[str]:
    """The lines of the report: every bad row, or what changed (or would change)."""
    t = texts(lang)
    if result.refusal is not None:
        who = ", ".join(escape(name) for name in result.refusal_names)
        return ["⛔ " + t.gettext(result.refusal).format(names=who)]
    if result.problems:
        lines = [
            t.ngettext(
                "The roster has {count} error; nothing was imported.",
                "The roster has {count} errors; nothing was imported.",
                len(result.problems),
            ).format(count=len(result.problems))
        ]
        lines += ["• " + problem_line(problem, lang, escape) for problem in result.problems]
        return lines
    if not result.changed:
        return [t.gettext("The roster is valid. Nothing changes: the data is already the same.")]
    if dry_run:
        lines = [t.gettext("The roster is valid. Importing it will make these changes:")]
    else:
        lines = [t.gettext("The roster was imported. Changes:")]
    names = _sheet_names(lang)
    for key in SHEET_ORDER:
        changes = result.changes.get(key)
        if changes is None or not changes.any:
            continue
        if key == "assignments":
            line = t.gettext("• {sheet}: {created} added, {updated} updated, {deactivated} removed")
        else:
            line = t.gettext(
                "• {sheet}: {created} added, {updated} updated, {deactivated} deactivated"
            )
        lines.append(
            line.format(
                sheet=names[key],
                created=len(changes.created),
                updated=len(changes.updated),
                deactivated=len(changes.deactivated),
            )
        )
    recoded = result.changes.get("people", None)
    if recoded is not None and recoded.recoded:
        lines.append(
            t.gettext("• New codes, same people (their Telegram link kept): {codes}").format(
                codes=", ".join(escape(change) for change in recoded.recoded)
            )
        )
    return lines + _loss_lines(result, names, lang, escape)


def _loss_lines(
    result: ImportResult, names: dict[str, str], lang: str, escape: Callable[[object], str]
) -> list[str]:
    """What the import takes from the office, said before it is confirmed: the office roles
    lost, by name; a sheet emptied by more than a third; the importer's own role."""
    t = texts(lang)
    losses = result.losses
    lines: list[str] = []
    for key, (removed, total) in losses.large.items():
        lines.append(
            "⚠ "
            + t.gettext(
                "<b>{sheet}: {removed} of {total} would be taken off the list.</b> Check that"
                " the workbook is the whole roster, not a part of it."
            ).format(sheet=names[key], removed=removed, total=total)
        )
    if losses.roles:
        lines.append("⚠ " + t.gettext("<b>These comrades would lose their role:</b>"))
        for name, code, roles in losses.roles:
            lines.append(
                f"• {escape(name)} ({escape(code)}): "
                + ", ".join(t.gettext(ROLE_LABELS[role]) for role in roles)
            )
    if losses.importer_leaves:
        lines.append(
            "⚠ "
            + t.gettext(
                "<b>You would lose the administrator's role yourself</b> and could no longer"
                " import a roster; you will be asked to confirm twice."
            )
        )
    return lines


DOWNLOAD_FAILED = N_("the file could not be downloaded from Telegram; please send it again")


def confirm_again(draft_id: int, revision: int, lang: str) -> Screen:
    """The second confirmation, for an administrator whose import takes their own role."""
    t = texts(lang)
    return Screen(
        t.gettext(
            "⚠ After this import you will no longer be an administrator: the office's"
            " commands, the roster included, will be refused to you. Import all the same?"
        ),
        inline_keyboard(
            [
                (
                    t.gettext("✅ Import all the same"),
                    cb.RosterImportData(draft_id, revision, "sure"),
                ),
                (t.gettext("✖ Cancel"), cb.RosterImportData(draft_id, revision, "no")),
            ]
        ),
    )


def confirm_keyboard(draft_id: int, revision: int, lang: str) -> InlineKeyboardMarkup:
    t = texts(lang)
    return inline_keyboard(
        [
            (t.gettext("✅ Import"), cb.RosterImportData(draft_id, revision, "ok")),
            (t.gettext("✖ Cancel"), cb.RosterImportData(draft_id, revision, "no")),
        ]
    )


def too_big(lang: str) -> Screen:
    return said(lang, N_("The file is too large; a roster workbook is under 10 MB."))


def unreadable(reason: str, lang: str) -> Screen:
    return said(
        lang, N_("The file cannot be imported: {reason}."), reason=texts(lang).gettext(reason)
    )


def more_in_file(lang: str) -> str:
    return texts(lang).gettext("… the full list is in the attached file.")


def plain_report(lines: list[str]) -> str:
    """The report as plain text, for a file: markup removed, entities decoded."""
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", line)) for line in lines) + "\n"


def stale(lang: str) -> str:
    return texts(lang).gettext(
        "This button is no longer valid: the file was replaced, imported or cancelled."
    )


def cancelled(lang: str) -> Screen:
    return said(lang, N_("Cancelled. Nothing was changed."))
