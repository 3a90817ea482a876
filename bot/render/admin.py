"""The office's screens: the roster at a glance, people, assignments, invitations."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.domain.phones import display_phone
from bot.formats.dates import period, time_of_day
from bot.formats.roster_workbook import roles_text
from bot.i18n import N_
from bot.render import Screen, esc, numbered_where_cut, said, split_lines, texts
from bot.services.directory import AssignOutcome, AssignResult, PersonCard, UnitBlock
from bot.services.linking import Invite
from db.models import Person


def overview(blocks: list[UnitBlock], lang: str) -> list[str]:
    t = texts(lang)
    if not blocks:
        return [t.gettext("The roster is empty. Send the roster workbook (.xlsx) to import it.")]
    lines = []
    for block in blocks:
        indent = "  " * block.depth
        lines.append(f"{indent}<b>{esc(block.unit.name)}</b> ({esc(block.unit.code)})")
        for line in block.branches:
            who = ", ".join(esc(p.full_name) for p in line.assignees) or t.gettext("no one")
            when = ""
            if line.schedule is not None:
                when = f"; {esc(line.schedule.schedule_text)}, " + time_of_day(
                    line.schedule.start_time, lang
                )
            lines.append(
                f"{indent}• {esc(line.branch.name)} ({esc(line.branch.code)}){when} — {who}"
            )
    return split_lines(lines)


def person_line(person: Person, lang: str) -> str:
    t = texts(lang)
    status = t.gettext("linked") if person.telegram_user_id else t.gettext("not linked")
    title = f", {esc(person.title)}" if person.title else ""
    return f"• <code>{esc(person.code)}</code> {esc(person.full_name)}{title} ({status})"


def people_found(people: list[Person], query: str, lang: str) -> list[str]:
    t = texts(lang)
    if not people:
        return [t.gettext('No one on the roster matches "{query}".').format(query=esc(query))]
    return split_lines([person_line(p, lang) for p in people])


def person_card(card: PersonCard, lang: str) -> list[str]:
    t = texts(lang)
    person = card.person
    lines = [f"<b>{esc(person.full_name)}</b> (<code>{esc(person.code)}</code>)"]
    if person.title:
        lines.append(esc(person.title))
    if person.phone:
        lines.append(t.gettext("Phone: {phone}").format(phone=esc(display_phone(person.phone))))
    lines.append(t.gettext("Roles: {roles}").format(roles=esc(roles_text(person.role_set))))
    if person.telegram_user_id:
        lines.append(t.gettext("Telegram: linked"))
    else:
        lines.append(t.gettext("Telegram: not linked"))
    if not person.active:
        lines.append(t.gettext("No longer on the roster."))
    lines += ["", t.gettext("<b>Assignments</b>")]
    if not card.assignments:
        lines.append(t.gettext("none"))
    for item in card.assignments:
        mark = "•" if item.current else "◦"
        lines.append(
            f"{mark} {esc(item.branch.name)} ({esc(item.branch.code)}), "
            + period(item.assignment.valid_from, item.assignment.valid_until, lang)
        )
    return split_lines(lines)


# People on one page of /chualienket, each with a button to invite them.
UNLINKED_PAGE = 8


def unlinked(people: list[Person], page: int, lang: str) -> Screen:
    """One page of the people not yet linked, each with an invitation button; ◀ ▶ between
    pages."""
    t = texts(lang)
    if not people:
        return Screen(t.gettext("Everyone on the roster has linked their Telegram account."))
    pages = -(-len(people) // UNLINKED_PAGE)
    page = min(max(page, 0), pages - 1)
    shown = people[page * UNLINKED_PAGE : (page + 1) * UNLINKED_PAGE]
    lines = [
        t.ngettext(
            "{count} person has not linked their Telegram account yet:",
            "{count} people have not linked their Telegram account yet:",
            len(people),
        ).format(count=len(people))
    ]
    for person in shown:
        phone = display_phone(person.phone) or t.gettext("no phone on the roster")
        lines.append(f"• <code>{esc(person.code)}</code> {esc(person.full_name)}, {esc(phone)}")
    lines += ["", t.gettext("Press a name for the invitation link to send them.")]
    labels, legend = numbered_where_cut([f"✉ {person.full_name}" for person in shown])
    lines += legend
    rows = [
        [InlineKeyboardButton(label, callback_data=cb.InviteData(person.id).pack())]
        for label, person in zip(labels, shown, strict=True)
    ]
    if pages > 1:
        lines.append(t.gettext("Page {page} of {pages}.").format(page=page + 1, pages=pages))
        turn = []
        if page > 0:
            turn.append((t.gettext("◀ Previous page"), cb.UnlinkedPageData("p", page - 1)))
        if page < pages - 1:
            turn.append((t.gettext("Next page ▶"), cb.UnlinkedPageData("p", page + 1)))
        rows.append(
            [InlineKeyboardButton(label, callback_data=data.pack()) for label, data in turn]
        )
    return Screen("\n".join(lines), InlineKeyboardMarkup(rows))


def assign_result(result: AssignResult, ended: bool, lang: str) -> Screen:
    t = texts(lang)
    match result.outcome:
        case AssignOutcome.UNKNOWN_PERSON:
            return Screen(
                t.gettext("No person on the roster has this code. Find it with /timcanbo.")
            )
        case AssignOutcome.UNKNOWN_BRANCH:
            return Screen(t.gettext("No branch has this code. See the codes with /donvi."))
        case AssignOutcome.BAD_DATES:
            return Screen(t.gettext("The end date is before the start date."))
        case AssignOutcome.OVERLAPS | AssignOutcome.NOT_FOUND:
            assert result.person is not None and result.branch is not None
            template = (
                t.gettext("Comrade {name} is already assigned to {branch} in that period.")
                if result.outcome == AssignOutcome.OVERLAPS
                else t.gettext("Comrade {name} has no assignment to {branch} to end.")
            )
            return Screen(
                template.format(name=esc(result.person.full_name), branch=esc(result.branch.name))
            )
    assert result.assignment is not None and result.person and result.branch
    template = (
        t.gettext("Assignment ended: comrade {name} was assigned to {branch} {period}.")
        if ended
        else t.gettext("Assigned: comrade {name} is assigned to {branch} {period}.")
    )
    return Screen(
        template.format(
            name=esc(result.person.full_name),
            branch=esc(result.branch.name),
            period=period(result.assignment.valid_from, result.assignment.valid_until, lang),
        )
    )


def invite(invitation: Invite, bot_username: str, lang: str) -> Screen:
    t = texts(lang)
    link = f"https://t.me/{bot_username}?start={invitation.token}"
    text = t.gettext(
        "Invitation link for comrade {name}. Send it to them; it works once, for {days} days:"
    ).format(name=esc(invitation.person.full_name), days=invitation.ttl_days)
    return Screen(f"{text}\n{esc(link)}")


def all_covered(lang: str) -> Screen:
    return said(lang, N_("Every coming meeting someone cannot attend has a stand-in invited."))


def no_invitation(lang: str) -> str:
    return texts(lang).gettext(
        "This comrade has linked their account meanwhile, or left the roster: no link."
    )


def unlinked_done(person: Person | None, had_link: bool, lang: str) -> Screen:
    t = texts(lang)
    if person is None:
        return Screen(t.gettext("No person on the roster has this code. Find it with /timcanbo."))
    if not had_link:
        return Screen(
            t.gettext("Comrade {name} has no linked Telegram account.").format(
                name=esc(person.full_name)
            )
        )
    return Screen(
        t.gettext("The Telegram account of comrade {name} has been unlinked.").format(
            name=esc(person.full_name)
        )
    )


def usage(command: str, lang: str) -> Screen:
    t = texts(lang)
    examples = {
        "timcanbo": t.gettext("Usage: /timcanbo name or code, e.g. /timcanbo Nguyễn Văn An"),
        "canbo": t.gettext("Usage: /canbo person code, e.g. /canbo CB01"),
        "phancong": t.gettext(
            "Usage: /phancong person-code branch-code [from dd/mm/yyyy] [until dd/mm/yyyy],"
            " e.g. /phancong CB01 KP03 01/01/2027"
        ),
        "ketthuc": t.gettext(
            "Usage: /ketthuc person-code branch-code [last day dd/mm/yyyy],"
            " e.g. /ketthuc CB01 KP03 31/12/2026"
        ),
        "moi": t.gettext("Usage: /moi person code, e.g. /moi CB01"),
        "huylienket": t.gettext("Usage: /huylienket person code, e.g. /huylienket CB01"),
    }
    return Screen(esc(examples[command]))


def bad_date(value: str, lang: str) -> Screen:
    return said(
        lang, N_('"{value}" is not a date; write it as dd/mm/yyyy, e.g. 01/01/2027.'), value=value
    )
