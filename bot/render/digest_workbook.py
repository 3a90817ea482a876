"""The digest's spreadsheet: the month's rows and twelve months branch by branch, formatted
to print (bold frozen headers, widths, landscape, the header repeated on every page).

Written in openpyxl's write-only mode: a province's month is thousands of rows."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import N_
from bot.render import texts
from bot.render.digest import CRITERIA_SHORT, rating_name
from bot.services.digest import DigestFigures, Edition, Month, SheetRows
from bot.services.report_flow import RATING_CODES, RATINGS
from db.models import MeetingStatus, ProposalState, ProposalUrgency, RsvpAnswer

DATE = "DD/MM/YYYY"
DATE_TIME = "DD/MM/YYYY HH:MM"
PERCENT = "0.0%"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", start_color="1F5FA8")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
FILLS = {
    "good": PatternFill("solid", start_color="C6EFCE"),
    "partial": PatternFill("solid", start_color="FFEB9C"),
    "none": PatternFill("solid", start_color="FFC7CE"),
}


def workbook_bytes(figures: DigestFigures, rows: SheetRows, zone: ZoneInfo, lang: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = _Sheets(book, zone, lang)
    sheet.summary(figures)
    sheet.units(figures)
    sheet.meetings(rows)
    sheet.reports(rows, full=figures.edition == Edition.OFFICE)
    sheet.proposals(rows)
    sheet.matrix(figures)
    if figures.edition == Edition.OFFICE:
        sheet.missing(figures)
        if figures.quota:
            sheet.quota(figures)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Sheets:
    def __init__(self, book: Workbook, zone: ZoneInfo, lang: str) -> None:
        self.book = book
        self.zone = zone
        self.lang = lang
        self.t = texts(lang)

    # ------------------------------------------------------------------ helpers

    def _sheet(
        self, title: str, headers: Sequence[str], widths: Sequence[float], landscape: bool = True
    ) -> Worksheet:
        sheet = self.book.create_sheet(title[:31])
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.append([self._header(sheet, text) for text in headers])
        return sheet

    def _header(self, sheet: Worksheet, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        return cell

    def _cell(self, sheet: Worksheet, value: Any, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = number_format
        return cell

    def _local(self, moment: datetime | None) -> datetime | None:
        # Excel keeps no zone: the organisation's local time, as people read it.
        return moment.astimezone(self.zone).replace(tzinfo=None) if moment else None

    # ------------------------------------------------------------------ sheets

    def summary(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        sheet = self.book.create_sheet(gettext("Summary"))
        sheet.column_dimensions["A"].width = 52
        for column in "BCD":
            sheet.column_dimensions[column].width = 16
        title = WriteOnlyCell(
            sheet,
            gettext("{org}: committee members at branch meetings, month {month}").format(
                org=figures.org_name, month=figures.month.label
            ),
        )
        title.font = TITLE_FONT
        sheet.append([title])
        sheet.append([])
        months = (figures.current, figures.previous, figures.last_year)
        sheet.append(
            [
                self._header(sheet, gettext("Figure")),
                *(self._header(sheet, m.month.label) for m in months),
            ]
        )
        for label, value, is_rate in _summary_lines(gettext):
            row: list[Any] = [label]
            for month in months:
                result = value(month) if month.has_data or month is figures.current else None
                row.append(self._cell(sheet, result, PERCENT) if is_rate else result)
            sheet.append(row)

    def units(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        headers = [
            gettext("Code"),
            gettext("Unit"),
            gettext("Branches"),
            gettext("Assignments"),
            gettext("Attended"),
            gettext("Stand-in"),
            gettext("Missed, with a reason"),
            gettext("Missed, no reason"),
            gettext("Committee member present"),
            gettext("Reports expected"),
            gettext("On time"),
            gettext("Late"),
            gettext("Not received"),
            gettext("Received"),
        ]
        sheet = self._sheet(
            gettext("Units"), headers, [10, 30, 9, 11, 10, 10, 12, 12, 13, 11, 9, 8, 11, 10]
        )
        for unit in figures.units:
            a, r = unit.attendance, unit.reporting
            sheet.append(
                [
                    unit.code,
                    unit.name,
                    unit.branches,
                    a.slots,
                    a.attended,
                    a.stood_in,
                    a.excused,
                    a.unexcused,
                    self._cell(sheet, a.covered / a.slots if a.slots else None, PERCENT),
                    r.expected,
                    r.on_time,
                    r.late,
                    r.missing,
                    self._cell(sheet, r.received / r.expected if r.expected else None, PERCENT),
                ]
            )

    def meetings(self, rows: SheetRows) -> None:
        gettext = self.t.gettext
        headers = [
            gettext("Date"),
            gettext("Time"),
            gettext("Branch code"),
            gettext("Branch"),
            gettext("Unit"),
            gettext("Status"),
            gettext("Assigned member"),
            gettext("Outcome"),
            gettext("Stand-in"),
            gettext("Reason given"),
            gettext("Report"),
        ]
        sheet = self._sheet(
            gettext("Meetings"), headers, [12, 7, 11, 28, 22, 12, 26, 22, 24, 24, 12]
        )
        for row in rows.meetings:
            code, name, unit = rows.branch_names.get(row["unit_id"], ("", "", ""))
            start = self._local(row["starts_at"])
            sheet.append(
                [
                    self._cell(sheet, start.date() if start else None, DATE),
                    f"{start:%H:%M}" if start else "",
                    code,
                    name,
                    unit,
                    gettext(_STATUS.get(row["status"], "planned")),
                    row["person"] or "",
                    gettext(_outcome(row)),
                    row["stand_in"] or "",
                    row["reason_text"] or "",
                    gettext(_report_state(row)) if _report_state(row) else "",
                ]
            )

    def reports(self, rows: SheetRows, full: bool) -> None:
        gettext = self.t.gettext
        headers = [
            gettext("Report no."),
            gettext("Branch code"),
            gettext("Branch"),
            gettext("Unit"),
            gettext("Meeting date"),
            gettext("Author"),
            gettext("Entered by"),
            gettext("Submitted"),
            gettext("Late"),
            gettext("Held"),
            gettext("Held on"),
            gettext("Start"),
            gettext("End"),
            gettext("Minutes"),
            gettext("Members"),
            gettext("Exempted"),
            gettext("Present"),
            gettext("Absent, excused"),
            gettext("Absent, unexcused"),
            gettext("Attendance"),
            gettext("Rating"),
            gettext("Criteria met"),
            gettext("Topics"),
        ]
        widths = [9, 11, 26, 20, 12, 24, 20, 16, 7, 7, 12, 7, 7, 8, 8, 9, 8, 10, 11, 11, 12, 40, 40]
        if full:
            headers += [
                gettext("Content"),
                gettext("Concerns"),
                gettext("Proposals"),
                gettext("Contribution"),
                gettext("Comment"),
            ]
            widths += [50, 40, 40, 40, 30]
        sheet = self._sheet(gettext("Reports"), headers, widths)
        yes, no = gettext("yes"), gettext("no")
        for row in rows.reports:
            code, name, unit = rows.branch_names.get(row["unit_id"], ("", "", ""))
            start, end = self._local(row["started_at"]), self._local(row["ended_at"])
            minutes = round((end - start).total_seconds() / 60) if start and end else None
            counted = (row["total_members"] or 0) - (row["exempted"] or 0)
            meeting = self._local(row["starts_at"])
            values: list[Any] = [
                row["report_id"],
                code,
                name,
                unit,
                self._cell(sheet, meeting.date() if meeting else None, DATE),
                row["author"],
                row["entered_by"] or "",
                self._cell(sheet, self._local(row["submitted_at"]), DATE_TIME),
                yes if row["late"] else no,
                yes if row["held"] else no,
                self._cell(sheet, row["held_on"], DATE),
                f"{start:%H:%M}" if start else "",
                f"{end:%H:%M}" if end else "",
                minutes,
                row["total_members"],
                row["exempted"],
                row["present"],
                row["absent_excused"],
                row["absent_unexcused"],
                self._cell(
                    sheet,
                    (row["present"] or 0) / counted if row["held"] and counted > 0 else None,
                    PERCENT,
                ),
                rating_name(row["rating"], self.lang) if row["rating"] else "",
                "; ".join(
                    gettext(CRITERIA_SHORT[c])
                    for c in row["criteria_met"] or []
                    if c in CRITERIA_SHORT
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
            sheet.append(values)

    def proposals(self, rows: SheetRows) -> None:
        gettext = self.t.gettext
        headers = [
            gettext("No."),
            gettext("Branch code"),
            gettext("Branch"),
            gettext("Raised at the meeting of"),
            gettext("Field"),
            gettext("Urgency"),
            gettext("Proposal"),
            gettext("State"),
            gettext("Answer"),
            gettext("Answered on"),
        ]
        sheet = self._sheet(gettext("Proposals"), headers, [7, 11, 26, 14, 28, 10, 60, 14, 40, 13])
        for row in rows.proposals:
            code, name, _unit = rows.branch_names.get(row["unit_id"], ("", "", ""))
            meeting = self._local(row["starts_at"])
            answered = self._local(row["answered_at"])
            sheet.append(
                [
                    row["id"],
                    code,
                    name,
                    self._cell(sheet, meeting.date() if meeting else None, DATE),
                    row["topic"] or "",
                    gettext("urgent")
                    if row["urgency"] == ProposalUrgency.URGENT
                    else gettext("normal"),
                    row["text"],
                    gettext(_PROPOSAL_STATE.get(row["state"], "new")),
                    row["answer"] or "",
                    self._cell(sheet, answered.date() if answered else None, DATE),
                ]
            )

    def matrix(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        months = [m.month for m in figures.trend]
        headers = [
            gettext("Branch code"),
            gettext("Branch"),
            gettext("Unit"),
            *(m.label for m in months),
        ]
        sheet = self._sheet(gettext("Twelve months"), headers, [11, 26, 20, *([10] * len(months))])
        legend = gettext(
            "S: the branch met; D: a committee member was there; B: a report came; -: no"
        )
        for branch_id, (code, name, unit) in sorted(
            figures.branch_names.items(), key=lambda item: item[1][0]
        ):
            cells = figures.branch_months.get(branch_id, {})
            sheet.append([code, name, unit, *(self._matrix_cell(sheet, cells, m) for m in months)])
        sheet.append([])
        sheet.append([legend])

    def _matrix_cell(self, sheet: Worksheet, cells: dict, month: Month) -> WriteOnlyCell:
        cell = cells.get(month)
        if cell is None or not cell.met:
            value, fill = "-", FILLS["none"]
        else:
            value = "S " + ("D" if cell.covered else "-") + " " + ("B" if cell.reported else "-")
            fill = FILLS["good"] if cell.covered and cell.reported else FILLS["partial"]
        out = WriteOnlyCell(sheet, value)
        out.fill = fill
        out.alignment = Alignment(horizontal="center")
        return out

    def missing(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        sheet = self._sheet(
            gettext("Reports not received"),
            [gettext("Code"), gettext("Member"), gettext("Branch"), gettext("Meeting date")],
            [10, 28, 30, 13],
            landscape=False,
        )
        for item in figures.missing:
            sheet.append(
                [
                    item.person_code,
                    item.person,
                    item.branch,
                    self._cell(sheet, item.meeting_on, DATE),
                ]
            )

    def quota(self, figures: DigestFigures) -> None:
        gettext = self.t.gettext
        sheet = self._sheet(
            gettext("Yearly quota"),
            [
                gettext("Code"),
                gettext("Member"),
                gettext("Attended this year"),
                gettext("Due by now"),
                gettext("Quota"),
                gettext("On track"),
            ],
            [10, 28, 14, 12, 9, 10],
            landscape=False,
        )
        yes, no = gettext("yes"), gettext("no")
        for line in figures.quota_lines:
            sheet.append(
                [
                    line.code,
                    line.name,
                    line.done,
                    round(line.due_by_now, 1),
                    figures.quota,
                    yes if line.on_track else no,
                ]
            )


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
}


def _outcome(row: dict[str, Any]) -> str:
    if row["status"] == MeetingStatus.CANCELLED:
        return N_("cancelled")
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
        (gettext("Members present (exempted left out)"), lambda m: m.quality.attendance_rate, True),
        *ratings,
        (gettext("Proposals raised"), lambda m: m.proposals_new, False),
    ]


def _text(value: Any) -> str:
    return str(value or "")[:32000]  # Excel's limit for one cell


def _joined(values: Iterable[Any] | None) -> str:
    return _text("; ".join(str(v) for v in values or [] if v))
