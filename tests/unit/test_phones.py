from __future__ import annotations

import pytest

from bot.domain.phones import display_phone, normalise_phone


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("912345678", "+84912345678"),
        ("912345678.0", "+84912345678"),
        (912345678, "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("0233 3861 234", "+842333861234"),
        ("+1 (415) 555-0100", "+14155550100"),
    ],
)
def test_phones_as_people_write_them(written: str, normalised: str) -> None:
    assert normalise_phone(written) == normalised


@pytest.mark.parametrize("written", ["", None, "12345", "không có", "09123456789012345", "+84abc"])
def test_not_phones(written: str | None) -> None:
    assert normalise_phone(written) is None


def test_display_as_vietnamese_write_it() -> None:
    assert display_phone("+84912345678") == "0912 345 678"
    assert display_phone(None) == ""
