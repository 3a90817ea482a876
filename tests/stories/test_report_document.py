"""The digest's report document, as the office gets it from `chibo digest` on a town's data,
checked against HD 36-HD/VPTW: fonts, sizes and blocks from the document's XML, then the
positions of the blocks on page 1 of the PDF LibreOffice makes of it, and page 1 drawn."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
from docx.shared import Cm, Pt

from bot.cli import main as chibo
from bot.formats.letterhead import Letterhead, date_line
from tests.language import document_text, english_words, words_in

SETTINGS = {
    "CHIBO_PLACE": "Quảng Trị",
    "CHIBO_SUPERIOR_BODY": "Đảng bộ tỉnh Quảng Trị",
    "CHIBO_ISSUING_BODY": "Đảng ủy phường Quảng Trị",
    "CHIBO_DOCUMENT_SYMBOL": "đu",
    "CHIBO_SIGNER_NAME": "Nguyễn Văn An",
}
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def test_the_date_line_pads_days_and_only_january_and_february() -> None:
    head = Letterhead("", "", "ĐU", "Quảng Trị", "T/M ĐẢNG ỦY", "BÍ THƯ", "")
    assert date_line(head, date(2027, 3, 5), "vi") == "Quảng Trị, ngày 05 tháng 3 năm 2027"
    assert date_line(head, date(2027, 2, 1), "vi") == "Quảng Trị, ngày 01 tháng 02 năm 2027"
    assert date_line(head, date(2026, 12, 15), "vi") == "Quảng Trị, ngày 15 tháng 12 năm 2026"


def _runs(paragraph) -> list:
    return [run for run in paragraph.runs if run.text.strip()]


def _style(paragraph) -> tuple[float, bool, bool, bool]:
    """Size in points, bold, italic, underlined: the same for every run of the line."""
    runs = _runs(paragraph)
    assert runs, f"empty line {paragraph.text!r}"
    shapes = {(r.font.size.pt, bool(r.bold), bool(r.italic), bool(r.underline)) for r in runs}
    assert len(shapes) == 1, f"{paragraph.text!r} mixes {shapes}"
    return shapes.pop()


def _lines(cell) -> list:
    return [p for p in cell.paragraphs if p.text.strip()]


async def make_report(database_url: str, out: Path, monkeypatch) -> Path:
    monkeypatch.setenv("CHIBO_DATABASE_URL", database_url)
    for name, value in SETTINGS.items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(chibo, ["demo-data", "--scale", "town"]) == 0
    assert await asyncio.to_thread(chibo, ["digest", "--month", "11/2026", "--out", str(out)]) == 0
    return out / "bao-cao-db-2026-11.docx"


async def test_the_report_document_follows_hd_36(database_url, tmp_path, monkeypatch) -> None:
    path = await make_report(database_url, tmp_path, monkeypatch)
    document = docx.Document(str(path))

    # Paper, margins and the body's font.
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21, 29.7)
    assert (round(section.left_margin.cm, 1), round(section.right_margin.cm, 1)) == (3, 1.5)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)

    # The issuing block on the left, the Party's title and the date on the right.
    header, signature = document.tables
    (left, right), (number_cell, date_cell) = (row.cells for row in header.rows)
    superior, issuer, star = _lines(left)
    (number,) = _lines(number_cell)
    assert (superior.text, _style(superior)) == (
        "ĐẢNG BỘ TỈNH QUẢNG TRỊ",
        (14, False, False, False),
    )
    assert (issuer.text, _style(issuer)) == ("ĐẢNG ỦY PHƯỜNG QUẢNG TRỊ", (14, True, False, False))
    assert star.text == "*"
    assert re.fullmatch(r"Số +-BC/ĐU", number.text) and _style(number) == (14, False, False, False)
    (party,) = _lines(right)
    (dated,) = _lines(date_cell)
    assert (party.text, _style(party)) == ("ĐẢNG CỘNG SẢN VIỆT NAM", (15, True, False, True))
    assert re.fullmatch(r"Quảng Trị, ngày \d\d tháng (0[12]|[3-9]|1[0-2]) năm \d{4}", dated.text)
    assert _style(dated) == (14, False, True, False)

    # The title, the summary line, whole sentences in the body.
    body = [p for p in document.paragraphs if p.text.strip()]
    title, summary = body[0], body[1]
    assert (title.text, _style(title)[:2]) == ("BÁO CÁO", (16, True))
    assert summary.text == "kết quả cấp ủy viên dự sinh hoạt chi bộ tháng 11 năm 2026"
    text = "\n".join(p.text for p in body)
    assert "tỷ lệ đảng viên dự trên 85%: " in text
    assert not re.search(r"%\s+\d", text), "a label runs into a number"
    assert "\nTheo lĩnh vực:\n" in text and "\nKiến nghị khẩn:\n" in text
    # Proposals are counted by their own fields, not by the meeting topics.
    by_field = text.split("\nTheo lĩnh vực:\n")[1].split("\nKiến nghị khẩn:\n")[0]
    assert re.search(r"^- Hạ tầng giao thông, điện, nước: \d+", by_field, re.MULTILINE)
    assert "Chuyển đảng chính thức" not in by_field
    assert "Trong tháng, các chi bộ nêu " in text

    # "Nơi nhận:" and the signing block, with room to sign and the signer's name.
    recipients, signing = signature.rows[0].cells
    label, *places = _lines(recipients)
    assert (label.text, _style(label)) == ("Nơi nhận:", (14, False, False, True))
    assert places and all(_style(p)[0] == 12 for p in places)
    assert places[-1].text.endswith(".") and all(p.text.endswith(",") for p in places[:-1])
    on_behalf, title_line, name = _lines(signing)
    assert (on_behalf.text, _style(on_behalf)) == ("T/M ĐẢNG ỦY", (14, True, False, False))
    assert (title_line.text, name.text) == ("BÍ THƯ", "Nguyễn Văn An")
    blank = [p for p in signing.paragraphs if not p.text.strip()]
    assert len(blank) >= 3, "no room left for the signature and the seal"
    assert "ký, ghi rõ họ tên" not in path.read_bytes().decode("latin-1")
    assert signature.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:cantSplit")) is not None

    # Page numbers at the top centre from page 2: none on the first page.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml

    # Nothing of the text, the spreadsheet or the document is in English.
    for name in ("tong-hop-db-2026-11.txt", "tong-hop-db-2026-11.xlsx", path.name):
        words = words_in(document_text(name, (tmp_path / name).read_bytes()))
        assert words & english_words() == set(), name

    await asyncio.to_thread(check_rendered, path, tmp_path)


def check_rendered(path: Path, tmp_path: Path) -> None:
    """Rendered: the blocks sit where HD 36 puts them on page 1, and page 2 is numbered."""
    assert shutil.which("soffice") and shutil.which("pdftotext"), "run tools/install-office"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = path.with_suffix(".pdf")
    words = _words(pdf, page=1)
    width = 595.3  # A4 in points
    party_words = _find(words, "ĐẢNG CỘNG SẢN VIỆT NAM")
    issuer_words = _find(words, "ĐẢNG ỦY PHƯỜNG QUẢNG TRỊ")
    title_words = _find(words, "BÁO CÁO")
    left_edge, right_edge = Cm(3).pt, width - Cm(1.5).pt
    text_middle = (left_edge + right_edge) / 2
    # The left column is 7 cm wide: the issuer's block is centred in it, the Party's title in
    # the right one.
    party_middle = (party_words[0][0] + party_words[-1][2]) / 2
    assert party_middle > left_edge + Cm(7).pt + 60, "the Party's title is not on the right"
    issuer_middle = (issuer_words[0][0] + issuer_words[-1][2]) / 2
    assert issuer_middle < text_middle - 60, "the issuer is not on the left"
    assert max(w[2] for w in issuer_words) < min(w[0] for w in party_words)
    assert abs(party_words[0][1] - _find(words, "ĐẢNG BỘ TỈNH QUẢNG TRỊ")[0][1]) < 4
    assert title_words[0][1] > issuer_words[0][3], "the title is not below the header"
    number_words, date_words = _find(words, "Số"), _find(words, "Quảng Trị, ngày")
    assert abs(number_words[0][1] - date_words[0][1]) < 4, "the number and date are not level"
    assert number_words[0][1] > issuer_words[-1][3], "the number is not below the issuer"
    # Centred on the text area (3 cm left, 1.5 cm right).
    middle = (title_words[0][0] + title_words[-1][2]) / 2
    assert abs(middle - text_middle) < 12
    second = _words(pdf, page=2)
    top = min(second, key=lambda w: w[1])
    assert top[4] == "2" and abs((top[0] + top[2]) / 2 - middle) < 12

    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    png = (tmp_path / "page-1.png").read_bytes()
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20]) in (496, 497)  # 21 cm, 60 dpi


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    result = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return [
        (float(a), float(b), float(c), float(d), word)
        for a, b, c, d, word in WORD.findall(result.stdout)
    ]


def _find(words, phrase: str) -> list[tuple[float, float, float, float, str]]:
    """The words of a phrase, in order, on the page. pdftotext may split a word where a
    glyph with a diacritic comes from another font, so the pieces are joined without spaces."""
    wanted = phrase.replace(" ", "")
    for start in range(len(words)):
        joined, end = "", start
        while end < len(words) and len(joined) < len(wanted):
            joined += words[end][4]
            end += 1
        if joined == wanted:
            return words[start:end]
    texts = " ".join(w[4] for w in words)
    raise AssertionError(f"{phrase!r} is not on the page: {texts[:400]}")
