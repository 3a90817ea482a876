"""Who issues the committee's report and who signs it, as HD 36-HD/VPTW lays them out: the
superior body and the issuing committee at the top left, the document's symbol after its
number, the place and date, and the signing block. Plain values; the settings fill them in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.i18n import translations as texts


@dataclass(frozen=True)
class Letterhead:
    superior: str  # the body directly above, e.g. "ĐẢNG BỘ TỈNH QUẢNG TRỊ"
    issuer: str  # the committee that issues it, e.g. "ĐẢNG ỦY PHƯỜNG QUẢNG TRỊ"
    symbol: str  # after "-BC/": "ĐU" for a đảng ủy, "HU" for a huyện ủy…
    place: str  # before the date: "Quảng Trị"
    signing_for: str  # "T/M ĐẢNG ỦY" or "T/M BAN THƯỜNG VỤ"
    signer_title: str  # "BÍ THƯ"
    signer_name: str  # may be empty: the name is then written by hand


def issuer_from(org_name: str) -> str:
    """The committee of an organisation, when no setting names it: a đảng bộ issues its
    documents through its đảng ủy ("Đảng bộ phường Thành Cổ" → "ĐẢNG ỦY PHƯỜNG THÀNH CỔ")."""
    name = org_name.strip()
    head = "đảng bộ "
    if name.lower().startswith(head):
        name = "Đảng ủy " + name[len(head) :]
    return name.upper()


def date_line(letterhead: Letterhead, dated: date, lang: str) -> str:
    """ "Quảng Trị, ngày 05 tháng 3 năm 2027": days below 10 take a zero, and of the months
    only January and February do (HD 36 and Decree 30 write "tháng 01", "tháng 02" so that
    the date cannot be altered, and "tháng 3" to "tháng 12")."""
    month = f"{dated.month:02d}" if dated.month <= 2 else str(dated.month)
    return (
        texts(lang)
        .gettext("{place}, {day}/{month}/{year}")
        .format(
            place=letterhead.place or "……", day=f"{dated.day:02d}", month=month, year=dated.year
        )
    )


def number_line(letterhead: Letterhead, lang: str) -> str:
    """The number is left blank for the clerk to fill in when the report is registered."""
    return texts(lang).gettext("No.      -BC/{symbol}").format(symbol=letterhead.symbol)
