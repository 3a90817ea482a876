"""Everything the bot answers, in one table, in the order it is tried.

Each command and button names its handler and the permission it needs (bot/policy.py); the
command menus and /help are made from the same table, so a command, who may use it and its
menu entry are declared once. Group -1 (bot/access.py) has already resolved the actor.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import callbacks as cb
from bot.callbacks import CallbackData
from bot.handlers import (
    admin,
    digest,
    documents,
    groups,
    meetings,
    proposals,
    reports,
    roster,
    start,
)
from bot.i18n import N_
from bot.pipeline import conversations
from bot.pipeline.access import ButtonHandler, Handler, pressed, requires
from bot.services.policy import Permission

ANYONE, KNOWN = Permission.ANYONE, Permission.KNOWN
LEADERSHIP, OFFICE, TRIAGE = Permission.LEADERSHIP, Permission.OFFICE, Permission.TRIAGE


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    may: Permission
    # The menu's line for it (from the catalog); None keeps it out of the menus.
    menu: str | None = None
    # Who sees it in their menu, if not everyone who may use it.
    shown_to: Permission | None = None
    in_groups: bool = False

    @property
    def audience(self) -> Permission:
        return self.shown_to or self.may


@dataclass(frozen=True)
class Button:
    data: type[CallbackData]  # the press's data: its action and the shape of its parts
    handler: ButtonHandler
    may: Permission


COMMANDS = (
    # everyone known (a stranger may only /start and share a phone number)
    Command("start", start.on_start, ANYONE, N_("Start: your account and commands")),
    Command("lich", meetings.on_calendar, KNOWN, N_("Your coming meetings")),
    Command("vang", meetings.on_absence, KNOWN, N_("Register a period away (reminders pause)")),
    Command("baocao", reports.on_pending, KNOWN, N_("Report on a meeting you attended")),
    Command("lichsu", reports.on_history, KNOWN, N_("Reports: yours, or a branch's or a person's")),
    Command("tailieu", documents.on_documents, KNOWN, N_("Documents for your coming meetings")),
    Command("xembaocao", reports.on_view, KNOWN, N_("Read one report in full")),
    Command("ngonngu", start.on_language, KNOWN, N_("Language: Tiếng Việt or English")),
    Command("help", start.on_help, KNOWN, N_("What you can do here"), in_groups=True),
    # the office
    Command("donvi", admin.on_units, OFFICE, N_("Units and branches with their assignees")),
    Command("timcanbo", admin.on_find_person, OFFICE, N_("Find a person by name or code")),
    Command("canbo", admin.on_person, OFFICE, N_("A person's assignments and link status")),
    Command("phancong", admin.on_assign, OFFICE, N_("Assign a person to follow a branch")),
    Command("ketthuc", admin.on_end_assignment, OFFICE, N_("End an assignment")),
    Command("chualienket", admin.on_unlinked, OFFICE, N_("People not yet linked to Telegram")),
    Command("moi", admin.on_invite, OFFICE, N_("Invitation link for a person")),
    Command("huylienket", admin.on_unlink, OFFICE, N_("Unlink a person's Telegram account")),
    Command("xuatdanhsach", admin.on_export, OFFICE, N_("Export the roster workbook")),
    Command(
        "huongdan",
        meetings.on_guidance,
        OFFICE,
        N_("The office's guidance for a month's reminders"),
    ),
    Command("khongnhan", meetings.on_unreachable, OFFICE, N_("People the bot cannot reach")),
    Command("trunglich", meetings.on_conflicts, OFFICE, N_("People due at two meetings at once")),
    Command("xungdot", meetings.on_conflicts, OFFICE),  # its earlier name, still understood
    Command("baocaothay", reports.on_report_for, OFFICE, N_("Enter a report for a member")),
    # leaders and the office
    Command(
        "kiennghi",
        proposals.on_proposals,
        KNOWN,
        N_("Proposals: to answer, to assign, a branch's, one in full"),
        shown_to=Permission.PROPOSALS,
    ),
    Command("tonghop", digest.on_digest, LEADERSHIP, N_("The monthly digest")),
)

BUTTONS = (
    # reminders and attendance
    Button(cb.LanguageData, start.on_language_choice, KNOWN),
    Button(cb.RsvpData, meetings.on_rsvp, KNOWN),
    Button(cb.CalendarAnswerData, meetings.on_calendar_answer, KNOWN),
    Button(cb.ReasonData, meetings.on_reason, KNOWN),
    Button(cb.AbsenceCancelData, meetings.on_absence_cancel, KNOWN),
    Button(cb.UnlinkedPageData, admin.on_unlinked_page, OFFICE),
    Button(cb.WorkProposalsData, proposals.on_work_proposals, Permission.PROPOSALS),
    Button(cb.WorkOfficeData, admin.on_work, OFFICE),
    Button(cb.InviteData, admin.on_invite_button, OFFICE),
    Button(cb.AbsenceNewData, meetings.on_absence_new, KNOWN),
    Button(cb.AbsenceStepData, meetings.on_absence_step, KNOWN),
    Button(cb.StandInSuggestData, meetings.on_stand_in_suggest, KNOWN),
    Button(cb.StandInPickData, meetings.on_stand_in_pick, OFFICE),
    Button(cb.StandInAnswerData, meetings.on_stand_in_answer, KNOWN),
    Button(cb.MoveData, meetings.on_move, KNOWN),
    Button(cb.MoveConfirmData, meetings.on_move_confirm, KNOWN),
    Button(cb.MoveRequestData, meetings.on_move_request_answer, OFFICE),
    Button(cb.CancelData, meetings.on_cancel_meeting, OFFICE),
    Button(cb.CancelConfirmData, meetings.on_cancel_confirm, OFFICE),
    # reports
    Button(cb.ReportRequestData, reports.on_request_button, KNOWN),
    Button(cb.ReportStartData, reports.on_start_from_list, KNOWN),
    Button(cb.ReportViewData, reports.on_view_button, KNOWN),
    Button(cb.ReportOnBehalfData, reports.on_start_on_behalf, OFFICE),
    Button(cb.ReportChoiceData, reports.on_choice, KNOWN),
    Button(cb.ReportBackData, reports.on_back, KNOWN),
    Button(cb.ReportStopData, reports.on_stop, KNOWN),
    Button(cb.ReportEditData, reports.on_edit, KNOWN),
    Button(cb.ReportSendData, reports.on_send, KNOWN),
    # the office and the leadership group
    Button(cb.RosterImportData, roster.on_confirm, OFFICE),
    Button(cb.GroupRegisterData, groups.on_register_answer, OFFICE),
    Button(cb.DigestPostData, digest.on_post_again, OFFICE),
    # the proposal loop
    Button(cb.ProposalActData, proposals.on_act, KNOWN),
    Button(cb.ProposalBodyData, proposals.on_body, TRIAGE),
    Button(cb.ProposalMergeData, proposals.on_merge, TRIAGE),
    Button(cb.ProposalCloseData, proposals.on_close, TRIAGE),
    Button(cb.AnswerStepData, proposals.on_answer_step, KNOWN),
    # the meeting's documents
    Button(cb.DocStepData, documents.on_step, OFFICE),
    Button(cb.DocsReceivedData, documents.on_received, KNOWN),
    Button(cb.DocSendData, documents.on_send_again, KNOWN),
    Button(cb.DocRemoveData, documents.on_withdraw, OFFICE),
)


def handlers() -> list[BaseHandler]:
    """Group 0's handlers, in the order they are tried; the first that matches answers."""
    private = filters.ChatType.PRIVATE
    table: list[BaseHandler] = [
        # Facts about chats, not requests: the bot added to or removed from a group, a group
        # that became a supergroup.
        ChatMemberHandler(groups.on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, groups.on_migration),
        # Sharing one's own phone number links the account: strangers may.
        MessageHandler(private & filters.CONTACT, start.on_contact),
        # A file or photo goes to the conversation the person is in first (a report's minutes),
        # and only outside one is it the office's: a roster workbook, or a meeting's document.
        MessageHandler(
            private & (filters.Document.ALL | filters.PHOTO), requires(KNOWN)(roster.on_document)
        ),
        # Sent in a group by the office to make it the leadership group.
        CommandHandler("dangkynhom", requires(OFFICE)(groups.on_register)),
    ]
    for command in COMMANDS:
        table.append(
            CommandHandler(
                command.name,
                requires(command.may)(command.handler),
                filters=None if command.in_groups else private,
            )
        )
    # In a group, the private chat's commands are answered with the way there (a stranger's
    # are not: a group learns nothing of who may do what).
    private_only = [command.name for command in COMMANDS if not command.in_groups]
    table.append(
        CommandHandler(private_only, requires(KNOWN)(start.on_private_only), filters=~private)
    )
    for button in BUTTONS:
        table.append(
            CallbackQueryHandler(
                requires(button.may)(pressed(button.data, button.handler)),
                pattern=button.data.pattern(),
            )
        )
    # Last: what no handler above took. Free input goes to the open conversation; a button
    # of an action no longer known is answered as stale.
    table.append(
        MessageHandler(
            private & ~filters.StatusUpdate.ALL, requires(KNOWN)(conversations.on_free_input)
        )
    )
    table.append(CallbackQueryHandler(start.on_unknown_button))
    return table


def register(app: Application) -> None:
    app.add_handlers(handlers())
