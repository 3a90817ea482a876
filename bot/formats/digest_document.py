"""The digest as a committee's report (.docx): the header of a Party document, the title,
sections with the figures and the proposals, recipients and a place to sign. The office
edits it in Word and signs it instead of typing it."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell

from bot.domain.digest import LIST_LIMIT, BranchLine, DigestFigures
from bot.domain.quality import RATING_CODES
from bot.formats.letterhead import Letterhead, date_line, number_line
from bot.formats.numbers import count, percent, share
from bot.formats.wording import (
    CRITERIA_SHORT,
    in_progress,
    loop_lines,
    older_proposals,
    rating_name,
)
from bot.i18n import translations as texts

FONT = "Times New Roman"


def document_bytes(figures: DigestFigures, dated: date, letterhead: Letterhead, lang: str) -> bytes:
    t = texts(lang)
    document = Document()
    _page(document)
    _page_numbers(document)
    _header(document, dated, letterhead, lang)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(18)
    _run(title, t.gettext("REPORT"), bold=True, size=16)
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(
        subtitle,
        t.gettext("Committee members at the meetings of Party branches, {month}/{year}").format(
            month=figures.month.first.month, year=figures.month.first.year
        ),
        bold=True,
    )
    rule = document.add_paragraph()
    rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(rule, "-----")
    for heading, paragraphs in _sections(figures, lang):
        _paragraph(document, heading, bold=True)
        for text in paragraphs:
            _paragraph(document, text, indent=True)
    _signature(document, letterhead, lang)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(6)


def _run(
    paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
) -> None:
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size is not None:
        run.font.size = Pt(size)


def _paragraph(document, text: str, *, bold: bool = False, indent: bool = False) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    _run(paragraph, text, bold=bold)


def _cell_lines(cell: _Cell, lines: list[tuple[str, dict]]) -> None:
    first = True
    for text, style in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        _run(paragraph, text, **style)


def _page_numbers(document) -> None:
    """HD 36: page numbers at the top centre, in 14 pt, from the second page on."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(14)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _widths(table, *widths) -> None:
    """Column widths that Word and LibreOffice both keep: the grid's and each cell's."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _header(document, dated: date, letterhead: Letterhead, lang: str) -> None:
    """The issuing block on the left (the body above in regular capitals, the committee in
    bold, a star), "ĐẢNG CỘNG SẢN VIỆT NAM" on the right; below them, on one line, the
    number on the left and the place and date on the right, however the names wrap."""
    t = texts(lang)
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, Cm(7), Cm(9.5))
    (issuing, party), (number, dated_cell) = (row.cells for row in table.rows)
    _cell_lines(
        issuing,
        [
            (letterhead.superior or "……………………", {"size": 14}),
            (letterhead.issuer, {"bold": True, "size": 14}),
            ("*", {"size": 14}),
        ],
    )
    _cell_lines(
        party,
        [
            (
                t.gettext("COMMUNIST PARTY OF VIETNAM"),
                {"bold": True, "underline": True, "size": 15},
            )
        ],
    )
    _cell_lines(number, [(number_line(letterhead, lang), {"size": 14})])
    _cell_lines(dated_cell, [(date_line(letterhead, dated, lang), {"italic": True, "size": 14})])


def _names(lines: list[BranchLine], lang: str, with_rate: bool = False) -> str:
    t = texts(lang)
    shown = [
        f"{line.name} ({share(line.rate, lang)})" if with_rate else line.name
        for line in lines[:LIST_LIMIT]
    ]
    text = ", ".join(shown)
    if len(lines) > LIST_LIMIT:
        text += t.gettext(" and {n} more (listed in the spreadsheet)").format(
            n=count(len(lines) - LIST_LIMIT, lang)
        )
    return text


def _sections(figures: DigestFigures, lang: str) -> list[tuple[str, list[str]]]:
    t = texts(lang)
    now = figures.current
    a, r, q = now.attendance, now.reporting, now.quality
    general = [
        t.gettext(
            "In month {month} the {branches} branches of {org} planned {planned} meetings"
            " ({cancelled} cancelled); {slots} times a committee member was assigned to attend."
        ).format(
            # As the title writes it: "tháng 11 năm 2026".
            month=t.gettext("{month} of {year}").format(
                month=figures.month.first.month, year=figures.month.first.year
            ),
            branches=count(now.branches, lang),
            org=figures.org_name,
            planned=count(now.planned, lang),
            cancelled=count(now.cancelled, lang),
            slots=count(a.slots, lang),
        )
    ]
    if figures.as_of is not None:
        general.append(in_progress(figures, lang))
    attendance = [
        t.gettext(
            "The assigned member attended {attended} times ({attended_rate}); a stand-in attended"
            " {stood_in} times ({stood_rate}); {excused} times the member was absent with a reason"
            " and {unexcused} times without one."
        ).format(
            attended=count(a.attended, lang),
            attended_rate=percent(a.attended, a.slots, lang),
            stood_in=count(a.stood_in, lang),
            stood_rate=percent(a.stood_in, a.slots, lang),
            excused=count(a.excused, lang),
            unexcused=count(a.unexcused, lang),
        )
    ]
    coverage = [
        t.gettext(
            "{covered} of {branches} branches ({rate}) met with a committee member present."
        ).format(
            covered=count(now.branches_covered, lang),
            branches=count(now.branches, lang),
            rate=percent(now.branches_covered, now.branches, lang),
        )
    ]
    if figures.uncovered:
        coverage.append(
            t.gettext("Met without a committee member: {names}.").format(
                names=_names(figures.uncovered, lang)
            )
        )
    if figures.not_met:
        coverage.append(
            t.gettext("Did not meet, or not known to have met: {names}.").format(
                names=_names(figures.not_met, lang)
            )
        )
    reports = [
        t.gettext(
            "Of {expected} reports expected, {on_time} came on time and {late} late; {missing}"
            " have not been received."
        ).format(
            expected=count(r.expected, lang),
            on_time=count(r.on_time, lang),
            late=count(r.late, lang),
            missing=count(r.missing, lang),
        )
    ]
    quality = [
        t.gettext(
            "From {held} reports on meetings held: members present {rate} of those expected;"
            " ratings: {ratings}."
        ).format(
            held=count(q.held, lang),
            rate=share(q.attendance_rate, lang),
            ratings=", ".join(
                f"{rating_name(code, lang)} {count(q.ratings.get(code, 0), lang)}"
                for code in RATING_CODES
            ),
        ),
        t.gettext("Criteria met (per the guideline): {criteria}.").format(
            criteria="; ".join(
                f"{t.gettext(label)}: {count(q.criteria.get(code, 0), lang)}"
                for code, label in CRITERIA_SHORT.items()
            )
        ),
    ]
    if figures.low_attendance:
        quality.append(
            t.gettext("Members' attendance below 85%: {names}.").format(
                names=_names(figures.low_attendance, lang, with_rate=True)
            )
        )
    topics = (
        [
            t.gettext("Most discussed: {topics}.").format(
                topics="; ".join(f"{name} ({count(n, lang)})" for name, n in figures.topics)
            )
        ]
        if figures.topics
        else [t.gettext("No topic was recorded.")]
    )
    proposals = [
        t.gettext("Proposals raised this month: {n}, of which urgent: {urgent}.").format(
            n=count(now.proposals_new, lang), urgent=count(figures.proposals_urgent, lang)
        )
    ]
    no_field = t.gettext("Other field")
    if figures.proposals_by_field:
        proposals.append(t.gettext("By field:"))
        for name, n in figures.proposals_by_field:
            proposals.append(f"- {name or no_field}: {count(n, lang)}")
    if figures.urgent:
        proposals.append(t.gettext("Urgent proposals:"))
        for item in figures.urgent:
            proposals.append(
                t.gettext("- {branch}: {text}").format(branch=item.branch, text=item.text)
            )
    proposals.append(older_proposals(figures, lang))
    proposals += loop_lines(figures, lang, escape=str)
    return [
        (t.gettext("I. OVERVIEW"), general),
        (t.gettext("II. RESULTS"), []),
        (t.gettext("1. Attendance of the assigned committee members"), attendance),
        (t.gettext("2. Branches with a committee member present"), coverage),
        (t.gettext("3. Reports after the meetings"), reports),
        (t.gettext("4. Quality of the meetings"), quality),
        (t.gettext("5. Content of the meetings"), topics),
        (t.gettext("III. PROPOSALS"), proposals),
        (
            t.gettext("IV. ASSESSMENT AND TASKS FOR NEXT MONTH"),
            [t.gettext("(For the office to complete.)")],
        ),
    ]


def _signature(document, letterhead: Letterhead, lang: str) -> None:
    """ "Nơi nhận:" and its lines on the left; on the right whom the signer signs for, the
    title, room for the signature and seal, and the name."""
    t = texts(lang)
    table = document.add_table(rows=1, cols=2)
    # The signing block stays on one page, with "Nơi nhận" beside it.
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    row_properties.append(OxmlElement("w:cantSplit"))
    left, right = table.rows[0].cells
    _widths(table, Cm(8), Cm(8.5))
    recipients = [
        (t.gettext("Recipients:"), True, 14),
        (t.gettext("- The standing committee,"), False, 12),
        (t.gettext("- The committee members,"), False, 12),
        (t.gettext("- Office files."), False, 12),
    ]
    first = True
    for text, underline, size in recipients:
        paragraph = left.paragraphs[0] if first else left.add_paragraph()
        first = False
        paragraph.paragraph_format.space_after = Pt(0)
        _run(paragraph, text, underline=underline, size=size)
    _cell_lines(
        right,
        [
            (letterhead.signing_for, {"bold": True, "size": 14}),
            (letterhead.signer_title, {"bold": True, "size": 14}),
            ("", {"size": 14}),
            ("", {"size": 14}),
            ("", {"size": 14}),
            ("", {"size": 14}),
            (letterhead.signer_name, {"bold": True, "size": 14}),
        ],
    )
