"""Phone numbers as people write them, normalised to one form (+84...)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalise_phone(raw: str | int | None) -> str | None:
    """+84912345678 for 0912 345 678, 84912345678, +84 912.345.678; None if not a phone."""
    if raw is None:
        return None
    text = str(raw).strip()
    if isinstance(raw, float) or text.endswith(".0"):  # a number cell from a spreadsheet
        text = text.removesuffix(".0")
    text = _SEPARATORS.sub("", text)
    if not text:
        return None
    if text.startswith("+"):
        digits = text[1:]
        if not digits.isdigit() or not 8 <= len(digits) <= 15:
            return None
        return "+" + digits
    if not text.isdigit():
        return None
    if text.startswith("00"):
        return normalise_phone("+" + text[2:])
    if text.startswith("84") and len(text) in (11, 12):
        return "+" + text
    if text.startswith("0") and len(text) in (10, 11):
        return "+84" + text[1:]
    if len(text) == 9 and text[0] in "35789":  # a mobile number whose leading 0 was lost
        return "+84" + text
    return None


def display_phone(normalised: str | None) -> str:
    """0912 345 678, as Vietnamese write a domestic number."""
    if not normalised:
        return ""
    if normalised.startswith("+84"):
        national = "0" + normalised[3:]
        if len(national) == 10:  # mobile: 0912 345 678
            return f"{national[:4]} {national[4:7]} {national[7:]}"
        if len(national) == 11:  # landline with area code: 0235 3800 100
            return f"{national[:4]} {national[4:8]} {national[8:]}"
        return national
    return normalised
