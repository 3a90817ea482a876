"""The leadership group: registration and what admins are told about it."""

from __future__ import annotations

from bot import callbacks as cb
from bot.i18n import N_
from bot.render import Screen, esc, inline_keyboard, said, texts
from bot.services.groups import ConfirmOutcome


def registration_request(chat_id: int, title: str, lang: str) -> Screen:
    t = texts(lang)
    keyboard = inline_keyboard(
        [
            (t.gettext("✅ Confirm"), cb.GroupRegisterData(chat_id, "ok")),
            (t.gettext("✖ Cancel"), cb.GroupRegisterData(chat_id, "no")),
        ]
    )
    text = t.gettext(
        'Register the group "{title}" as the leadership group? Monthly digests will be posted'
        " here, and only here. An administrator must confirm."
    ).format(title=esc(title))
    return Screen(text, keyboard)


def confirmed(outcome: ConfirmOutcome, title: str, lang: str) -> Screen:
    t = texts(lang)
    if outcome == ConfirmOutcome.ALREADY:
        return Screen(
            t.gettext('"{title}" is already the leadership group.').format(title=esc(title))
        )
    if outcome == ConfirmOutcome.UNKNOWN:
        return Screen(t.gettext("This registration is no longer valid. Send /dangkynhom again."))
    return Screen(
        t.gettext(
            '"{title}" is now the leadership group. Monthly digests will be posted here.'
        ).format(title=esc(title))
    )


def cancelled(lang: str) -> Screen:
    return said(lang, N_("Registration cancelled. Nothing was changed."))


def not_here(lang: str) -> Screen:
    return said(lang, N_("Send /dangkynhom in the group that should receive the digests."))


def removed_notice(title: str, lang: str) -> Screen:
    return said(
        lang,
        N_(
            'The bot was removed from the leadership group "{title}". Digests cannot be posted'
            " until the bot is added to a group and /dangkynhom is sent there."
        ),
        title=title,
    )


def migrated_notice(title: str, lang: str) -> Screen:
    return said(
        lang,
        N_(
            'The leadership group "{title}" became a supergroup; chibo follows it, and digests will'
            " still be posted there."
        ),
        title=title,
    )
