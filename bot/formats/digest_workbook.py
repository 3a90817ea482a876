"""The digest's spreadsheet: the month's rows and twelve months branch by branch, formatted
to print (bold frozen headers, widths, landscape, the header repeated on every page, dates
as dd/mm/yyyy).

Written with XlsxWriter, whose formats are made once and rows streamed: a province's month
is some 15,000 rows and a 3,000 x 12 coloured matrix, which openpyxl takes about five times
as long to write (bench/digest.py). In constant-memory mode each row goes to a temporary file
once the next begins (so every sheet is written top to bottom), which keeps some 50 MB of
cells out of memory at that scale."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from bot.domain.digest import BranchMonth, DigestFigures, Edition, SheetRows
from bot.domain.quality import RATING_CODES, RATINGS
from bot.formats.wording import CRITERIA_SHORT, rating_name, reason_text
from bot.i18n import N_
from bot.i18n import translations as texts
from db.models import MeetingStatus, ProposalState, ProposalUrgency, RsvpAnswer

EXCEL_CELL_LIMIT = 32000  # characters Excel keeps in one cell (32,767), with a margin


def workbook_bytes(figures: DigestFigures, rows: SheetRows, zone: ZoneInfo, lang: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False})
    sheets = _Sheets(book, zone, lang)
    sheets.summary(figures)
    sheets.units(figures)
    # The group's edition goes through Telegram to a group chat: aggregates and the branches'
    # facts, never a person's name, reason or words; the office's edition has them all.
    office = figures.edition == Edition.OFFICE
    sheets.meetings(rows, named=office)
    sheets.reports(rows, full=office)
    sheets.proposals(rows)
    sheets.matrix(figures)
    if office:
        sheets.missing(figures)
        if figures.quota:
            sheets.quota(figures)
    book.close()
    return buffer.getvalue()


# A column: its header, its width, and what it holds (text, int, date, datetime, percent).
Column = tuple[str, float, str]


class _Sheets:
    def __init__(self, book: Workbook, zone: ZoneInfo, lang: str) -> None:
        self.book = book
        self.zone = zone
        self.lang = lang
        self.t = texts(lang)
        self.formats = {
            "header": book.add_format(
                {
                    "bold": True,
                    "font_color": "#FFFFFF",
                    "bg_color": "#1F5FA8",
                    "text_wrap": True,
                    "valign": "vcenter",
                    "border": 1,
                }
            ),
            "title": book.add_format({"bold": True, "font_size": 14}),
            "date": book.add_format({"num_format": "dd/mm/yyyy"}),
            "datetime": book.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
            "percent": book.add_format({"num_format": "0.0%"}),
            "good": book.add_format({"bg_color": "#C6EFCE", "align": "center"}),
            "partial": book.add_format({"bg_color": "#FFEB9C", "align": "center"}),
            "none": book.add_format({"bg_color": "#FFC7CE", "align": "center"}),
        }

    # ------------------------------------------------------------------ helpers

    def _sheet(self, title: str, columns: Sequence[Column], landscape: bool = True) -> _Table:
        sheet = self.book.add_worksheet(title[:31])
        for index, (header, width, _kind) in enumerate(columns):
            sheet.set_column(index, index, width)
            sheet.write_string(0, index, header, self.formats["header"])
        sheet.freeze_panes(1, 0)
        sheet.repeat_rows(0)
        if landscape:
            sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        return _Table(sheet, [kind for _h, _w, kind in columns], self.formats)

    def _local(self, moment: datetime | None) -> datetime | None:
        # Excel keeps no zone: the organisation's local time, as people read it.
        return moment.astimezone(self.zone).replace(tzinfo=None) if moment else None

    def _day(self, moment: datetime | None) -> date | None:
        local = self._local(moment)
        return local.date() if local else None

    # ------------------------------------------------------------------ sheets

    def summary(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        sheet = self.book.add_worksheet(gettext("Summary"))
        sheet.set_column(0, 0, 52)
        sheet.set_column(1, 3, 16)
        sheet.write_string(
            0,
            0,
            gettext("{org}: committee members at branch meetings, month {month}").format(
                org=figures.org_name, month=figures.month.label
            ),
            self.formats["title"],
        )
        months = (figures.current, figures.previous, figures.last_year)
        header = self.formats["header"]
        sheet.write_string(2, 0, gettext("Figure"), header)
        for column, month in enumerate(months, start=1):
            sheet.write_string(2, column, month.month.label, header)
        for number, (label, value, is_rate) in enumerate(_summary_lines(gettext), start=3):
            sheet.write_string(number, 0, label)
            for column, month in enumerate(months, start=1):
                if not (month.has_data or month is figures.current):
                    continue
                result = value(month)
                if result is not None:
                    sheet.write_number(
                        number, column, result, self.formats["percent"] if is_rate else None
                    )
        sheet.set_paper(9)

    def units(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        table = self._sheet(
            gettext("Units"),
            [
                (gettext("Code"), 10, "text"),
                (gettext("Unit"), 30, "text"),
                (gettext("Branches"), 9, "int"),
                (gettext("Assignments"), 11, "int"),
                (gettext("Attended"), 10, "int"),
                (gettext("Stand-in"), 10, "int"),
                (gettext("Missed, with a reason"), 12, "int"),
                (gettext("Missed, no reason"), 12, "int"),
                (gettext("Committee member present"), 13, "percent"),
                (gettext("Reports expected"), 11, "int"),
                (gettext("On time"), 9, "int"),
                (gettext("Late"), 8, "int"),
                (gettext("Not received"), 11, "int"),
                (gettext("Received"), 10, "percent"),
            ],
        )
        for unit in figures.units:
            a, r = unit.attendance, unit.reporting
            table.row(
                [
                    unit.code,
                    unit.name,
                    unit.branches,
                    a.slots,
                    a.attended,
                    a.stood_in,
                    a.excused,
                    a.unexcused,
                    a.covered / a.slots if a.slots else None,
                    r.expected,
                    r.on_time,
                    r.late,
                    r.missing,
                    r.received / r.expected if r.expected else None,
                ]
            )

    def meetings(self, rows: SheetRows, named: bool) -> None:
        gettext = self.t.gettext
        columns: list[Column] = [
            (gettext("Date"), 12, "date"),
            (gettext("Time"), 7, "text"),
            (gettext("Branch code"), 11, "text"),
            (gettext("Branch"), 28, "text"),
            (gettext("Unit"), 20, "text"),
            (gettext("Status"), 14, "text"),
        ]
        if named:
            columns += [(gettext("Assigned member"), 26, "text")]
        columns += [(gettext("Outcome"), 22, "text")]
        if named:
            columns += [(gettext("Stand-in"), 24, "text"), (gettext("Reason given"), 24, "text")]
        columns += [(gettext("Report"), 12, "text")]
        table = self._sheet(gettext("Meetings"), columns)
        for row in rows.meetings:
            code, name, unit = rows.branch_names.get(row["unit_id"], ("", "", ""))
            start = self._local(row["starts_at"])
            state = _report_state(row)
            values: list[Any] = [
                start.date() if start else None,
                f"{start:%H:%M}" if start else "",
                code,
                name,
                unit,
                gettext(_STATUS.get(row["status"], N_("planned"))),
            ]
            if named:
                values += [row["person"] or ""]
            values += [gettext(_outcome(row))]
            if named:
                reason = (
                    reason_text(row["reason_code"], row["reason_text"] or "", self.lang)
                    if row["reason_code"] or row["reason_text"]
                    else ""
                )
                values += [row["stand_in"] or "", reason]
            values += [gettext(state) if state else ""]
            table.row(values)

    def reports(self, rows: SheetRows, full: bool) -> None:
        gettext = self.t.gettext
        columns: list[Column] = [
            (gettext("Report no."), 9, "int"),
            (gettext("Branch code"), 11, "text"),
            (gettext("Branch"), 26, "text"),
            (gettext("Unit"), 20, "text"),
            (gettext("Meeting date"), 12, "date"),
            *(
                [(gettext("Author"), 24, "text"), (gettext("Entered by"), 20, "text")]
                if full
                else []
            ),
            (gettext("Submitted"), 16, "datetime"),
            (gettext("Late"), 7, "text"),
            (gettext("Held"), 7, "text"),
            (gettext("Held on"), 12, "date"),
            (gettext("Start"), 7, "text"),
            (gettext("End"), 7, "text"),
            (gettext("Minutes"), 8, "int"),
            (gettext("Members"), 8, "int"),
            (gettext("Exempted"), 9, "int"),
            (gettext("Present"), 8, "int"),
            (gettext("Absent, excused"), 10, "int"),
            (gettext("Absent, unexcused"), 11, "int"),
            (gettext("Attendance"), 11, "percent"),
            (gettext("Rating"), 12, "text"),
            (gettext("Criteria met"), 40, "text"),
            (gettext("Topics"), 40, "text"),
        ]
        if full:
            columns += [
                (gettext("Content"), 50, "text"),
                (gettext("Concerns"), 40, "text"),
                (gettext("Proposals"), 40, "text"),
                (gettext("Contribution"), 40, "text"),
                (gettext("Comment"), 30, "text"),
            ]
        table = self._sheet(gettext("Reports"), columns)
        yes, no = gettext("yes"), gettext("no")
        criteria_names = {code: gettext(label) for code, label in CRITERIA_SHORT.items()}
        for row in rows.reports:
            code, name, unit = rows.branch_names.get(row["unit_id"], ("", "", ""))
            start, end = self._local(row["started_at"]), self._local(row["ended_at"])
            counted = (row["total_members"] or 0) - (row["exempted"] or 0)
            values: list[Any] = [
                row["report_id"],
                code,
                name,
                unit,
                self._day(row["starts_at"]),
                *([row["author"], row["entered_by"] or ""] if full else []),
                self._local(row["submitted_at"]),
                yes if row["late"] else no,
                yes if row["held"] else no,
                row["held_on"],
                f"{start:%H:%M}" if start else "",
                f"{end:%H:%M}" if end else "",
                round((end - start).total_seconds() / 60) if start and end else None,
                row["total_members"],
                row["exempted"],
                row["present"],
                row["absent_excused"],
                row["absent_unexcused"],
                (row["present"] or 0) / counted if row["held"] and counted > 0 else None,
                rating_name(row["rating"], self.lang) if row["rating"] else "",
                "; ".join(
                    criteria_names[c] for c in row["criteria_met"] or [] if c in criteria_names
                ),
                "; ".join(row["topics"]),
            ]
            if full:
                content = row["content"] or {}
                values += [
                    _text(content.get("content")),
                    _joined(content.get("concerns")),
                    _joined(item.get("text") for item in content.get("proposals") or []),
                    _text(content.get("contribution")),
                    _text(content.get("comment")),
                ]
            table.row(values)

    def proposals(self, rows: SheetRows) -> None:
        """The register: every proposal raised in the month, still open at its end, or
        answered or closed in it; where each stands, who handles it, by when, the answer."""
        gettext = self.t.gettext
        table = self._sheet(
            gettext("Proposals"),
            [
                (gettext("No."), 7, "int"),
                (gettext("Branch code"), 11, "text"),
                (gettext("Branch"), 26, "text"),
                (gettext("Raised at the meeting of"), 14, "date"),
                (gettext("Field"), 28, "text"),
                (gettext("Urgency"), 10, "text"),
                (gettext("Proposal"), 60, "text"),
                (gettext("State"), 14, "text"),
                (gettext("Handling body"), 26, "text"),
                (gettext("Assigned on"), 13, "date"),
                (gettext("Deadline"), 13, "date"),
                (gettext("Answer"), 40, "text"),
                (gettext("Answered on"), 13, "date"),
                (gettext("By the deadline"), 10, "text"),
                (gettext("Conveyed to the branch on"), 13, "date"),
            ],
        )
        urgent, normal = gettext("urgent"), gettext("normal")
        yes, no = gettext("yes"), gettext("no")
        for row in rows.proposals:
            code, name, _unit = rows.branch_names.get(row["unit_id"], ("", "", ""))
            answered = self._day(row["answered_at"]) if row["answer_final"] else None
            on_time = ""
            if answered is not None and row["deadline"] is not None:
                on_time = yes if answered <= row["deadline"] else no
            table.row(
                [
                    row["id"],
                    code,
                    name,
                    self._day(row["starts_at"]),
                    row["field"] or gettext("Other field"),
                    urgent if row["urgency"] == ProposalUrgency.URGENT else normal,
                    _text(row["text"]),
                    gettext(_PROPOSAL_STATE.get(row["state"], N_("new"))),
                    row["body"] or "",
                    self._day(row["assigned_at"]),
                    row["deadline"],
                    _text(row["answer"]),
                    self._day(row["answered_at"]),
                    on_time,
                    self._day(row["conveyed_at"]),
                ]
            )

    def matrix(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        months = [m.month for m in figures.trend]
        table = self._sheet(
            gettext("Twelve months"),
            [
                (gettext("Branch code"), 11, "text"),
                (gettext("Branch"), 26, "text"),
                (gettext("Unit"), 20, "text"),
                *((m.label, 10, "text") for m in months),
            ],
        )
        sheet = table.sheet
        nothing = [None] * len(months)
        for branch_id, (code, name, unit) in sorted(
            figures.branch_names.items(), key=lambda item: item[1][0]
        ):
            number = table.row([code, name, unit])
            cells = figures.branch_months.get(branch_id, nothing)
            for column, cell in enumerate(cells, start=3):
                value, style = _matrix_cell(cell)
                sheet.write_string(number, column, value, self.formats[style])
        table.next += 1
        table.row(
            [gettext("S: the branch met; D: a committee member was there; B: a report came; -: no")]
        )

    def missing(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        table = self._sheet(
            gettext("Reports not received"),
            [
                (gettext("Code"), 10, "text"),
                (gettext("Member"), 28, "text"),
                (gettext("Branch"), 30, "text"),
                (gettext("Meeting date"), 13, "date"),
            ],
            landscape=False,
        )
        for item in figures.missing:
            table.row([item.person_code, item.person, item.branch, item.meeting_on])

    def quota(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        table = self._sheet(
            gettext("Yearly quota"),
            [
                (gettext("Code"), 10, "text"),
                (gettext("Member"), 28, "text"),
                (gettext("Attended this year"), 14, "int"),
                (gettext("Due by now"), 12, "int"),
                (gettext("Quota"), 9, "int"),
                (gettext("On track"), 10, "text"),
            ],
            landscape=False,
        )
        yes, no = gettext("yes"), gettext("no")
        for line in figures.quota_lines:
            table.row(
                [
                    line.code,
                    line.name,
                    line.done,
                    round(line.due_by_now, 1),
                    figures.quota,
                    yes if line.on_track else no,
                ]
            )


class _Table:
    """A sheet filled a row at a time, each value written as its column's kind."""

    def __init__(self, sheet: Worksheet, kinds: list[str], formats: dict[str, Any]) -> None:
        self.sheet = sheet
        self.kinds = kinds
        self.formats = formats
        self.next = 1

    def row(self, values: Sequence[Any]) -> int:
        number = self.next
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            kind = self.kinds[column] if column < len(self.kinds) else "text"
            if kind in ("date", "datetime"):
                self.sheet.write_datetime(number, column, value, self.formats[kind])
            elif kind == "percent":
                self.sheet.write_number(number, column, value, self.formats["percent"])
            elif isinstance(value, int | float):
                self.sheet.write_number(number, column, value)
            else:
                self.sheet.write_string(number, column, str(value))
        self.next += 1
        return number


def _matrix_cell(cell: BranchMonth | None) -> tuple[str, str]:
    if cell is None or not cell.met:
        return "-", "none"
    value = "S " + ("D" if cell.covered else "-") + " " + ("B" if cell.reported else "-")
    return value, "good" if cell.covered and cell.reported else "partial"


_STATUS = {
    MeetingStatus.PLANNED: N_("planned"),
    MeetingStatus.CONFIRMED: N_("confirmed"),
    MeetingStatus.MOVED: N_("moved"),
    MeetingStatus.CANCELLED: N_("cancelled"),
    MeetingStatus.HELD: N_("held"),
}
_PROPOSAL_STATE = {
    ProposalState.NEW: N_("new"),
    ProposalState.IN_PROGRESS: N_("in progress"),
    ProposalState.ANSWERED: N_("answered"),
    ProposalState.CLOSED: N_("closed"),
    ProposalState.MERGED: N_("merged"),
}


def _outcome(row: dict[str, Any]) -> str:
    if row["status"] == MeetingStatus.CANCELLED:
        return N_("cancelled")
    if row.get("upcoming"):
        return N_("not yet held")
    if row["answer"] is None:
        return N_("no one assigned")
    if row["report_held"] is False:
        return N_("not held (reported)")
    if row["stand_in"]:
        return N_("a stand-in attended")
    if row["answer"] == RsvpAnswer.YES or row["report_held"]:
        return N_("attended")
    if row["answer"] == RsvpAnswer.NO:
        return N_("missed, with a reason")
    return N_("missed, no reason")


def _report_state(row: dict[str, Any]) -> str:
    if row.get("upcoming") and row["report_id"] is None:
        return ""
    if row["report_id"] is None:
        return N_("none") if row["status"] != MeetingStatus.CANCELLED else ""
    return N_("late") if row["report_late"] else N_("on time")


def _summary_lines(gettext) -> list[tuple[str, Any, bool]]:
    def rate(part, whole):
        return lambda m: part(m) / whole(m) if whole(m) else None

    def rated(code: str):
        return lambda m: m.quality.ratings.get(code, 0)

    ratings = [
        (gettext("Rated: {rating}").format(rating=gettext(name)), rated(code), False)
        for code, name in zip(RATING_CODES, RATINGS, strict=True)
    ]
    return [
        (gettext("Active branches"), lambda m: m.branches, False),
        (gettext("Meetings planned"), lambda m: m.planned, False),
        (gettext("Meetings cancelled"), lambda m: m.cancelled, False),
        (gettext("Branches that met"), lambda m: m.branches_met, False),
        (
            gettext("Branches that met with a committee member present"),
            lambda m: m.branches_covered,
            False,
        ),
        (
            gettext("Share of branches with a committee member present"),
            rate(lambda m: m.branches_covered, lambda m: m.branches),
            True,
        ),
        (gettext("Assignments"), lambda m: m.attendance.slots, False),
        (gettext("Attended by the assigned member"), lambda m: m.attendance.attended, False),
        (gettext("Attended by a stand-in"), lambda m: m.attendance.stood_in, False),
        (gettext("Missed, with a reason"), lambda m: m.attendance.excused, False),
        (gettext("Missed, no reason"), lambda m: m.attendance.unexcused, False),
        (
            gettext("Share of assignments with a committee member present"),
            rate(lambda m: m.attendance.covered, lambda m: m.attendance.slots),
            True,
        ),
        (gettext("Reports expected"), lambda m: m.reporting.expected, False),
        (gettext("Reports on time"), lambda m: m.reporting.on_time, False),
        (gettext("Reports late"), lambda m: m.reporting.late, False),
        (gettext("Reports not received"), lambda m: m.reporting.missing, False),
        (gettext("Reports on meetings held"), lambda m: m.quality.held, False),
        (
            gettext("Members present (exempted left out)"),
            lambda m: m.quality.attendance_rate,
            True,
        ),
        *ratings,
        (gettext("Proposals raised"), lambda m: m.proposals_new, False),
    ]


def _text(value: Any) -> str:
    return str(value or "")[:EXCEL_CELL_LIMIT]


def _joined(values: Iterable[Any] | None) -> str:
    return _text("; ".join(str(v) for v in values or [] if v))
