"""Greetings and help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.render import Screen, esc, texts
from db.models import Role

if TYPE_CHECKING:
    from bot.access import Actor


def stranger(lang: str) -> Screen:
    t = texts(lang)
    return Screen(
        t.gettext(
            "Greetings, comrade. This bot supports committee members attending the meetings"
            " of Party branches.\n\nYour Telegram account is not yet linked to the roster."
            " Please contact the office to be linked."
        )
    )


def greeting(actor: Actor) -> Screen:
    t = texts(actor.lang)
    if actor.person is not None:
        person = actor.person
        lines = [t.gettext("Greetings, comrade <b>{name}</b>.").format(name=esc(person.full_name))]
        if person.title:
            lines.append(esc(person.title))
    else:
        lines = [t.gettext("Greetings, comrade.")]
    if actor.has(Role.ADMIN):
        lines.append(t.gettext("You are signed in as an <b>administrator</b> (office)."))
    lines.append("")
    lines.append(help_text(actor))
    return Screen("\n".join(lines))


def help_text(actor: Actor) -> str:
    t = texts(actor.lang)
    lines = [
        t.gettext("<b>What you can do</b>"),
        t.gettext("/start: greeting and your account"),
        t.gettext("/help: this list of commands"),
    ]
    return "\n".join(lines)


def help_screen(actor: Actor) -> Screen:
    return Screen(help_text(actor))


def not_understood(lang: str) -> Screen:
    t = texts(lang)
    return Screen(
        t.gettext(
            "Sorry, comrade, I did not understand that. Please use the buttons,"
            " or send /help to see the commands."
        )
    )


def stale_button(lang: str) -> str:
    return texts(lang).gettext("This button is no longer valid. Please send /start.")


def apology(lang: str) -> Screen:
    t = texts(lang)
    return Screen(
        t.gettext(
            "Sorry, comrade, something went wrong while handling your request. Nothing you"
            " entered was lost; please try again in a moment."
        )
    )
