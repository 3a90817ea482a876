"""The meeting's documents: the office's upload steps, what the member sees with a reminder
and in /tailieu, and the office's view of who has received what."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.callbacks import DocChoice
from bot.formats.dates import moment
from bot.formats.numbers import count, decimal
from bot.i18n import N_
from bot.render import Screen, esc, said, texts
from bot.services.documents import TITLE_LIMIT, ComingMeeting, DocumentStatus, Receipt
from db.models import Meeting, MeetingDocument, Unit

# Names listed in one message before "và N đồng chí khác".
NAMES_SHOWN = 10


def month_label(month: date, lang: str) -> str:
    return texts(lang).gettext("month {month}").format(month=f"{month:%m/%Y}")


def size_label(size: int, lang: str) -> str:
    if size >= 1024 * 1024:
        return texts(lang).gettext("{n} MB").format(n=decimal(round(size / 1024 / 1024, 1), lang))
    return texts(lang).gettext("{n} KB").format(n=count(max(1, round(size / 1024)), lang))


def scope_label(unit: Unit | None, lang: str) -> str:
    if unit is None:
        return texts(lang).gettext("every branch")
    return esc(unit.name)


def names_capped(names: list[str], lang: str, shown: int = NAMES_SHOWN) -> str:
    """Names joined, the first `shown` of them, then "and N more comrades"."""
    text = ", ".join(esc(n) for n in names[:shown])
    if len(names) > shown:
        text += (
            texts(lang).gettext(" and {n} more comrades").format(n=count(len(names) - shown, lang))
        )
    return text


# ---------------------------------------------------------------- with the reminder


def caption(document: MeetingDocument, lang: str) -> str:
    return caption_plain(document, lang, escape=esc)


def caption_plain(document: MeetingDocument, lang: str, escape=str) -> str:
    """The caption as plain text (for a file sent back without markup), or escaped for HTML."""
    return (
        texts(lang)
        .gettext("📎 Document for the meeting: {title}")
        .format(title=escape(document.title))
    )


def reminder_lines(documents: tuple[MeetingDocument, ...], received: bool, lang: str) -> list[str]:
    t = texts(lang)
    if not documents:
        return []
    lines = ["", t.gettext("<b>Documents to bring to the branch</b>")]
    lines += [f"• {esc(d.title)}" for d in documents]
    if not received:
        lines.append(
            t.gettext(
                "The documents follow this message. Please press “Documents received” once"
                " you have them; /tailieu sends them again."
            )
        )
    return lines


def without_receipt(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The message's buttons once the documents' receipt is recorded: all but that one."""
    if markup is None:
        return None
    receipt = f"{cb.VERSION}:{cb.DocsReceivedData.action}:"
    rows = [
        [b for b in row if not str(b.callback_data or "").startswith(receipt)]
        for row in markup.inline_keyboard
    ]
    kept = [row for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def received_button(meeting: Meeting, lang: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        texts(lang).gettext("📎 Documents received"),
        callback_data=cb.DocsReceivedData(meeting.id).pack(),
    )


def receipt_answer(receipt: Receipt, lang: str) -> str:
    t = texts(lang)
    match receipt:
        case Receipt.RECORDED:
            return t.gettext("Thank you: it is recorded that you received the documents.")
        case Receipt.ALREADY:
            return t.gettext("You have already confirmed that you received these documents.")
        case Receipt.NOTHING:
            return t.gettext("This meeting has no documents.")
    return t.gettext("This meeting is not among yours.")


# ---------------------------------------------------------------- /tailieu


def member_list(coming: list[ComingMeeting], zone: ZoneInfo, lang: str) -> Screen:
    t = texts(lang)
    if not coming:
        return Screen(t.gettext("There are no documents for your coming meetings."))
    lines = [t.gettext("<b>Documents for your coming meetings</b>")]
    rows: list[list[InlineKeyboardButton]] = []
    number = 0
    for item in coming:
        lines += [
            "",
            t.gettext("{branch}, {when}:").format(
                branch=esc(item.branch.name),
                when=moment(item.meeting.starts_at.astimezone(zone), lang),
            ),
        ]
        for document in item.documents:
            number += 1
            mark = " ✔" if document.id in item.received else ""
            lines.append(f"{number}. {esc(document.title)}{mark}")
            rows.append(
                [
                    InlineKeyboardButton(
                        t.gettext("📄 Send again: {n}").format(n=number),
                        callback_data=cb.DocSendData(document.id).pack(),
                    )
                ]
            )
        if not item.all_received:
            rows.append([received_button(item.meeting, lang)])
    lines += ["", t.gettext("✔ marks a document you have confirmed receiving.")]
    return Screen.of_lines(lines, InlineKeyboardMarkup(rows))


def office_list(statuses: list[DocumentStatus], units: dict[int, Unit], lang: str) -> Screen:
    """The office's documents with who has not confirmed each, and a button to withdraw one."""
    t = texts(lang)
    lines = [t.gettext("<b>Documents the office has given for meetings</b>")]
    if not statuses:
        lines.append(
            t.gettext(
                "None for this month or later. To add one, send the file (PDF, Word or a photo)"
                " to the bot, with a short title as its caption."
            )
        )
        return Screen.of_lines(lines)
    rows = []
    for number, status in enumerate(statuses, start=1):
        document = status.document
        unit = units.get(document.unit_id) if document.unit_id else None
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext("🗑 Withdraw {n}").format(n=number),
                    callback_data=cb.DocRemoveData(document.id).pack(),
                )
            ]
        )
        lines += [
            "",
            t.gettext("{n}. 📎 <b>{title}</b> ({month}, {scope})").format(
                n=number,
                title=esc(document.title),
                month=month_label(document.month, lang),
                scope=scope_label(unit, lang),
            ),
            t.gettext("Sent to {sent} comrades; {missing} have not confirmed receiving it.").format(
                sent=count(status.sent_to, lang), missing=count(len(status.not_received), lang)
            ),
        ]
        if status.not_received:
            lines.append(
                t.gettext("Not yet confirmed: {names}.").format(
                    names=names_capped([p.full_name for p in status.not_received], lang)
                )
            )
    return Screen.of_lines(lines, InlineKeyboardMarkup(rows))


def withdrawn(title: str | None, lang: str) -> str:
    t = texts(lang)
    if title is None:
        return t.gettext("This document was already withdrawn.")
    return t.gettext("Withdrawn “{title}”: it will not be sent with the coming reminders.").format(
        title=title
    )


def sent_again_missing(lang: str) -> str:
    return texts(lang).gettext("This document is no longer available to you.")


# ---------------------------------------------------------------- the office's upload


def _step_keyboard(
    draft_id: int, revision: int, choices: list[tuple[DocChoice, str]], lang: str
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                label, callback_data=cb.DocStepData(draft_id, revision, value).pack()
            )
        ]
        for value, label in choices
    ]
    rows.append(
        [
            InlineKeyboardButton(
                texts(lang).gettext("✖ Cancel"),
                callback_data=cb.DocStepData(draft_id, revision, "no").pack(),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def ask_month(
    draft_id: int, revision: int, name: str, size: int, months: list[date], lang: str
) -> Screen:
    t = texts(lang)
    text = "\n".join(
        [
            t.gettext("📎 Received the file “{name}” ({size}).").format(
                name=esc(name), size=size_label(size, lang)
            ),
            t.gettext(
                "It will be sent with the reminders, for the attending members to bring to"
                " the branch. For the meetings of which month?"
            ),
        ]
    )
    month_choices: tuple[DocChoice, ...] = ("m0", "m1")
    choices = [
        (choice, month_label(m, lang).capitalize())
        for choice, m in zip(month_choices, months, strict=False)
    ]
    return Screen(text, _step_keyboard(draft_id, revision, choices, lang))


def ask_scope(draft_id: int, revision: int, lang: str) -> Screen:
    t = texts(lang)
    choices: list[tuple[DocChoice, str]] = [
        ("all", t.gettext("For every branch")),
        ("unit", t.gettext("For one unit or branch (type its code)")),
    ]
    return Screen(
        t.gettext("Which branches' meetings is it for?"),
        _step_keyboard(draft_id, revision, choices, lang),
    )


def ask_unit_code(lang: str) -> Screen:
    return said(
        lang,
        N_(
            "Please type the code of the unit or branch (as in the roster workbook, e.g. KP01)."
            " A unit's code covers all its branches."
        ),
    )


def unknown_unit(code: str, lang: str) -> Screen:
    return said(
        lang,
        N_(
            "No unit or branch has the code “{code}”. Please check the code (see /donvi) and"
            " type it again."
        ),
        code=code[:40],
    )


def ask_title(lang: str, *, too_long: int | None = None) -> Screen:
    t = texts(lang)
    text = t.gettext(
        "Please type a short title for the document (at most {limit} characters), as the"
        " members will see it."
    ).format(limit=TITLE_LIMIT)
    if too_long is not None:
        text = (
            t.gettext("The title has {n} characters, more than {limit}.").format(
                n=count(too_long, lang), limit=TITLE_LIMIT
            )
            + "\n"
            + text
        )
    return Screen(text)


def confirm(
    draft_id: int,
    revision: int,
    title: str,
    month: date,
    scope: str,
    meetings: int,
    lang: str,
) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("<b>Please check before saving</b>"),
        t.gettext("Document: {title}").format(title=esc(title)),
        t.gettext("For: the meetings of {month}, {scope}").format(
            month=month_label(month, lang), scope=scope
        ),
        t.gettext(
            "It will go with the next reminder of each of these meetings ({n} in the calendar)."
        ).format(n=count(meetings, lang)),
    ]
    return Screen(
        "\n".join(lines), _step_keyboard(draft_id, revision, [("ok", t.gettext("✅ Save"))], lang)
    )


def saved(title: str, lang: str) -> Screen:
    return said(
        lang,
        N_(
            "✅ Saved “{title}”. The members will receive it with their reminders; /tailieu"
            " shows who has confirmed receiving it."
        ),
        title=title,
    )


def cancelled(lang: str) -> Screen:
    return said(lang, N_("Cancelled; the file was not kept."))


def too_big(limit_mb: int, lang: str) -> Screen:
    return Screen(
        texts(lang)
        .gettext(
            "The file is larger than {limit} MB, which Telegram lets the bot receive. Please send"
            " a smaller file (a PDF of the pages that matter, for instance)."
        )
        .format(limit=limit_mb)
    )


def download_failed(lang: str) -> Screen:
    return said(lang, N_("The file could not be received from Telegram. Please send it again."))


def finish_first(lang: str) -> Screen:
    return said(
        lang,
        N_(
            "You are adding a document: please finish with the buttons above, or press"
            " “Cancel”, before sending another file."
        ),
    )


def use_buttons(lang: str) -> Screen:
    return said(lang, N_("Please answer with the buttons above."))


def type_text(lang: str) -> Screen:
    return said(lang, N_("Please type it as text."))


def stale(lang: str) -> str:
    return texts(lang).gettext("This button is out of date: this document was already handled.")
