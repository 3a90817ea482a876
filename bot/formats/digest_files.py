"""The digest's three files, made from its figures: the chart (PNG), the spreadsheet (XLSX) and
the report document (DOCX), with their names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.digest import DigestFigures, SheetRows
from bot.formats.letterhead import Letterhead

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"


@dataclass(frozen=True)
class DigestFiles:
    chart: bytes
    sheet: bytes
    document: bytes
    names: dict[str, str]  # "chart", "sheet", "document", and "text" for the text as a file


def file_names(figures: DigestFigures) -> dict[str, str]:
    stem = f"{figures.org_code.lower()}-{figures.month.first:%Y-%m}"
    return {
        "chart": f"tong-hop-{stem}.png",
        "sheet": f"tong-hop-{stem}.xlsx",
        "document": f"bao-cao-{stem}.docx",
        "text": f"tong-hop-{stem}.txt",
    }


def make_files(
    figures: DigestFigures,
    rows: SheetRows,
    zone: ZoneInfo,
    lang: str,
    today: date,
    letterhead: Letterhead,
) -> DigestFiles:
    """CPU work, for a worker thread. matplotlib, XlsxWriter and python-docx are loaded when the
    first digest is made: at start they would double the bot's memory and start-up time for a
    monthly job."""
    from bot.formats.digest_chart import chart_png
    from bot.formats.digest_document import document_bytes
    from bot.formats.digest_workbook import workbook_bytes

    return DigestFiles(
        chart=chart_png(figures, lang),
        sheet=workbook_bytes(figures, rows, zone, lang),
        document=document_bytes(figures, today, letterhead, lang),
        names=file_names(figures),
    )
