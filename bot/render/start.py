"""Greetings, help, and linking a Telegram account."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot import callbacks as cb
from bot.i18n import N_
from bot.render import Screen, capped, esc, inline_keyboard, said, texts
from bot.services.linking import LinkOutcome, LinkResult
from bot.services.policy import Permission
from bot.services.reports import Progress
from bot.services.worklist import Work
from db.models import Person, Role, Unit

if TYPE_CHECKING:
    from bot.services.policy import Actor


class MenuCommand(Protocol):
    """What the menus read of a command of the routing table."""

    @property
    def name(self) -> str: ...

    @property
    def menu(self) -> str | None: ...  # its line (a catalog text); None keeps it out of menus

    @property
    def audience(self) -> Permission: ...  # who sees it in their menu

    @property
    def in_groups(self) -> bool: ...


def share_phone_keyboard(lang: str) -> ReplyKeyboardMarkup:
    t = texts(lang)
    button = KeyboardButton(t.gettext("📱 Share my phone number"), request_contact=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def stranger(lang: str) -> Screen:
    t = texts(lang)
    return Screen(
        t.gettext(
            "Greetings, comrade. This bot supports committee members attending the meetings"
            " of Party branches.\n\nYour Telegram account is not yet linked to the roster."
            " To link it, press the button <b>Share my phone number</b> below; the number"
            " must be the one the office has on the roster. You can also open the invitation"
            " link the office sent you."
        ),
        share_phone_keyboard(lang),
    )


def greeting(
    actor: Actor,
    branches: list[Unit],
    progress: Progress | None,
    commands: Sequence[MenuCommand],
) -> Screen:
    t = texts(actor.lang)
    lines = [_hello(actor.person, actor.lang)]
    if actor.has(Role.ADMIN):
        lines.append(t.gettext("You are signed in as an <b>administrator</b> (office)."))
    if actor.has(Role.LEADER):
        lines.append(t.gettext("You are signed in as a <b>leader</b>."))
    if branches:
        lines += ["", t.gettext("<b>Branches you follow</b>")]
        lines += [f"• {esc(branch.name)}" for branch in branches]
    elif actor.has(Role.MEMBER):
        lines += ["", t.gettext("You are not assigned to follow any branch at present.")]
    if progress is not None and (progress.assigned or progress.owed or progress.proposals):
        lines += ["", *progress_lines(progress, actor.lang)]
    lines += ["", help_text(actor, commands)]
    return Screen("\n".join(lines), ReplyKeyboardRemove() if actor.person else None)


def progress_lines(progress: Progress, lang: str) -> list[str]:
    """A member's year so far: meetings and reports, what is owed, proposals answered."""
    t = texts(lang)
    lines = [
        t.gettext("<b>Your year {year} so far</b>").format(year=progress.year),
        t.gettext("• Reports sent: {reported} for {assigned} meetings assigned to you").format(
            reported=progress.reported, assigned=progress.assigned
        ),
    ]
    if progress.owed:
        lines.append(
            t.gettext("• Reports still owed: {owed} (send them with /baocao)").format(
                owed=progress.owed
            )
        )
    if progress.proposals:
        lines.append(
            t.gettext("• Proposals raised: {raised}, answered: {answered}").format(
                raised=progress.proposals, answered=progress.answered
            )
        )
    return lines


def _hello(person: Person | None, lang: str) -> str:
    t = texts(lang)
    if person is None:
        return t.gettext("Greetings, comrade.")
    hello = t.gettext("Greetings, comrade <b>{name}</b>.").format(name=esc(person.full_name))
    return f"{hello}\n{esc(person.title)}" if person.title else hello


def help_text(actor: Actor, commands: Sequence[MenuCommand]) -> str:
    t = texts(actor.lang)
    lines = [t.gettext("<b>What you can do</b>")]
    lines += [f"/{c.name}: {esc(t.gettext(c.menu or ''))}" for c in commands]
    if actor.may(Permission.OFFICE):
        lines += [
            "",
            t.gettext(
                "To import the roster, send the Excel workbook (.xlsx) to this chat; you will"
                " see the changes and confirm them before anything changes."
            ),
        ]
    return "\n".join(lines)


def language_choice(lang: str) -> Screen:
    """Each language named in itself, so that anyone finds theirs."""
    return Screen(
        texts(lang).gettext("Choose the language of your messages:"),
        inline_keyboard(
            [("Tiếng Việt", cb.LanguageData("vi")), ("English", cb.LanguageData("en"))]
        ),
    )


def language_chosen(lang: str) -> Screen:
    return Screen(
        texts(lang).gettext("Your messages will now come in English. /ngonngu changes it.")
    )


def language_not_kept(lang: str) -> str:
    return texts(lang).gettext(
        "A language can be kept only for a person on the roster; this account is an"
        " administrator's of the settings alone."
    )


def private_only(command: str, bot_username: str, lang: str) -> Screen:
    """In a group: a command that works in the private chat only, with the way there."""
    t = texts(lang)
    text = t.gettext(
        "The command /{command} is used in the private chat with the bot. Please press the"
        " button below to open it."
    ).format(command=esc(command))
    button = InlineKeyboardButton(
        t.gettext("💬 Open the private chat"), url=f"https://t.me/{bot_username}"
    )
    return Screen(text, InlineKeyboardMarkup([[button]]))


def help_screen(actor: Actor, commands: Sequence[MenuCommand]) -> Screen:
    return Screen(help_text(actor, commands))


def link_result(result: LinkResult, lang: str) -> Screen:
    t = texts(lang)
    person = result.person
    name = esc(person.full_name) if person else ""
    match result.outcome:
        case LinkOutcome.LINKED:
            text = t.gettext("Your Telegram account is now linked.") + "\n" + _hello(person, lang)
            return Screen(
                text + "\n\n" + t.gettext("Send /start to see what you can do."),
                ReplyKeyboardRemove(),
            )
        case LinkOutcome.ALREADY_LINKED:
            text = t.gettext("Your Telegram account is already linked to comrade {name}.")
            return Screen(text.format(name=name), ReplyKeyboardRemove())
        case LinkOutcome.NOT_OWN_CONTACT:
            text = t.gettext(
                "Only your own phone number can link your account: please press the button"
                " <b>Share my phone number</b> below."
            )
            return Screen(text, share_phone_keyboard(lang))
        case LinkOutcome.UNKNOWN_PHONE:
            text = t.gettext(
                "This phone number is not on the roster. Please ask the office to add it, or to"
                " send you an invitation link."
            )
        case LinkOutcome.PERSON_LINKED_ELSEWHERE:
            text = t.gettext(
                "Comrade {name} is already linked to another Telegram account. Please ask the"
                " office to remove that link first."
            ).format(name=name)
        case LinkOutcome.ACCOUNT_LINKED_ELSEWHERE:
            text = t.gettext(
                "This Telegram account is already linked to another person of the roster."
                " Please ask the office to remove that link first."
            )
        case LinkOutcome.TOKEN_USED:
            text = t.gettext(
                "This invitation link has already been used. Please ask the office for a new one."
            )
        case LinkOutcome.TOKEN_EXPIRED:
            text = t.gettext(
                "This invitation link has expired. Please ask the office for a new one."
            )
        case _:
            text = t.gettext(
                "This invitation link is not valid. Please ask the office for a new one."
            )
    return Screen(text)


def edit_not_taken(lang: str) -> Screen:
    return said(
        lang,
        N_(
            "Comrade, a message changed after it was sent is not taken as an answer. If the"
            " change matters, please send it again as a new message."
        ),
    )


def not_understood(lang: str) -> Screen:
    return said(
        lang,
        N_(
            "Sorry, comrade, I did not understand that. Please use the buttons,"
            " or send /help to see the commands."
        ),
    )


def not_permitted(lang: str) -> str:
    return texts(lang).gettext("Comrade, this function is not among your permissions.")


def stale_button(lang: str) -> str:
    return texts(lang).gettext("This button is no longer valid. Please send /start.")


def apology(lang: str) -> Screen:
    return said(
        lang,
        N_(
            "Sorry, comrade, something went wrong while handling your request. Nothing you"
            " entered was lost; please try again in a moment."
        ),
    )


def work(todo: Work, lang: str) -> Screen:
    """What waits for the office or a leader, each with the button that opens it."""
    t = texts(lang)
    lines = [t.gettext("<b>Waiting for you</b>")]
    rows: list[list[InlineKeyboardButton]] = []

    def item(text: str, label: str, data: cb.CallbackData) -> None:
        lines.append("• " + text)
        rows.append([InlineKeyboardButton(label, callback_data=data.pack())])

    proposals = cb.WorkProposalsData("todo")
    if todo.to_assign or todo.to_answer or todo.overdue:
        parts = []
        if todo.to_answer:
            parts.append(t.gettext("to answer: {n}").format(n=todo.to_answer))
        if todo.to_assign:
            parts.append(t.gettext("to assign: {n}").format(n=todo.to_assign))
        if todo.overdue:
            parts.append(t.gettext("past their deadline: {n}").format(n=todo.overdue))
        item(
            t.gettext("Proposals: {parts}").format(parts="; ".join(parts)),
            t.gettext("📌 Proposals"),
            proposals,
        )
    if todo.uncovered:
        item(
            t.gettext("Meetings someone cannot attend, with no stand-in yet: {n}").format(
                n=len(todo.uncovered)
            ),
            t.gettext("🤝 Find stand-ins"),
            cb.WorkOfficeData("uncovered"),
        )
    if todo.unassigned:
        item(
            t.gettext("Branches nobody is assigned to follow: {n}").format(n=len(todo.unassigned)),
            t.gettext("🏠 Branches unfollowed"),
            cb.WorkOfficeData("unassigned"),
        )
    if todo.unlinked:
        item(
            t.gettext("People not yet linked to Telegram: {n}").format(n=todo.unlinked),
            t.gettext("✉ Invite them"),
            cb.UnlinkedPageData("p", 0),
        )
    return Screen("\n".join(lines), InlineKeyboardMarkup(rows))


def unassigned(branches: list[Unit], lang: str) -> Screen:
    t = texts(lang)
    lines = [t.gettext("<b>Branches nobody is assigned to follow</b>")]
    lines += capped([f"• {esc(b.name)} (<code>{esc(b.code)}</code>)" for b in branches], lang)
    lines += ["", t.gettext("Assign someone with /phancong person-code branch-code.")]
    return Screen("\n".join(lines))
