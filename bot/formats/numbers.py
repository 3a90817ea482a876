"""Numbers as the reader writes them: 1.050 and 88,4% in Vietnamese, 1,050 and 88.4% in
English."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent


def count(value: int, lang: str) -> str:
    return format_decimal(value, locale=lang)


def percent(part: float, whole: float, lang: str, decimals: int = 1) -> str:
    """part/whole as a percentage with one decimal (or as asked); a dash when there is nothing
    to divide."""
    if not whole:
        return "–"
    pattern = "#,##0." + "0" * decimals + "%" if decimals else "#,##0%"
    return format_percent(part / whole, format=pattern, locale=lang)


def share(rate: float | None, lang: str) -> str:
    if rate is None:
        return "–"
    return format_percent(rate, format="#,##0.0%", locale=lang)


def points(delta: float, lang: str) -> str:
    """A change in percentage points, signed: +3,2 / −1,0."""
    sign = "+" if delta >= 0 else "−"
    return sign + format_decimal(abs(delta) * 100, format="#,##0.0", locale=lang)


def decimal(value: float, lang: str) -> str:
    """At most one decimal: 4 / 4,5."""
    return format_decimal(value, format="#,##0.#", locale=lang)
