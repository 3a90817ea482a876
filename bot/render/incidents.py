"""The error report to the office's technical contact."""

from __future__ import annotations

from bot.render import Screen, esc, texts


def error_report(
    kind: str, place: str, update_kind: str | None, reference: str, repeats: int, lang: str
) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("⚠️ <b>The bot met an error it could not handle.</b>"),
        t.gettext("Error: <code>{kind}</code>").format(kind=esc(kind)),
        t.gettext("Where: <code>{place}</code>").format(place=esc(place)),
    ]
    if update_kind is not None:
        lines.append(
            t.gettext("While handling: <code>{update}</code>").format(update=esc(update_kind))
        )
    else:
        lines.append(t.gettext("While running a periodic job."))
    lines += _reference_and_repeats(reference, repeats, lang)
    if update_kind is not None:
        lines.append(t.gettext("The person who met it was asked to try again."))
    lines.append(
        t.gettext("The same error is reported at most once an hour; its repeats are counted.")
    )
    return Screen("\n".join(lines))


def conflict_report(reference: str, repeats: int, lang: str) -> Screen:
    t = texts(lang)
    lines = [
        t.gettext("⚠️ <b>Another program is receiving this bot's messages with the same token.</b>"),
        t.gettext(
            "Telegram gives a bot's messages to one program at a time (409 Conflict), so some"
            " of them may not reach this bot. A token may be used by one deployment only:"
            " please find the other program and stop it, or give this bot a new token"
            " (@BotFather, /revoke)."
        ),
        *_reference_and_repeats(reference, repeats, lang),
    ]
    return Screen("\n".join(lines))


def _reference_and_repeats(reference: str, repeats: int, lang: str) -> list[str]:
    """Where to find the error in the log, and how often it recurred unreported."""
    t = texts(lang)
    lines = [
        t.gettext("Reference in the log: <code>{reference}</code>").format(reference=esc(reference))
    ]
    if repeats:
        lines.append(
            t.ngettext(
                "It recurred {n} time since the last report.",
                "It recurred {n} times since the last report.",
                repeats,
            ).format(n=repeats)
        )
    return lines
