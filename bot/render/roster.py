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
    return lines


DOWNLOAD_FAILED = N_("the file could not be downloaded from Telegram; please send it again")


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
