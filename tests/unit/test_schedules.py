"""Schedules as clerks write them become recurrence rules with the right dates."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedules import ScheduleError, occurrences, parse_schedule

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def days(text: str, first: date = date(2026, 1, 1), last: date = date(2026, 12, 31)) -> list[str]:
    rule = parse_schedule(text).rrule
    return [m.strftime("%d/%m") for m in occurrences(rule, time(19, 30), ZONE, first, last)]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("ngày 5", "FREQ=MONTHLY;BYMONTHDAY=5"),
        ("Ngày 05 hằng tháng", "FREQ=MONTHLY;BYMONTHDAY=5"),
        ("mùng 5 hàng tháng", "FREQ=MONTHLY;BYMONTHDAY=5"),
        ("ngay 20", "FREQ=MONTHLY;BYMONTHDAY=20"),
        ("Chủ nhật tuần 1", "FREQ=MONTHLY;BYDAY=1SU"),
        ("chủ nhật đầu tháng", "FREQ=MONTHLY;BYDAY=1SU"),
        ("Chủ nhật thứ nhất của tháng", "FREQ=MONTHLY;BYDAY=1SU"),
        ("thứ Bảy tuần 2", "FREQ=MONTHLY;BYDAY=2SA"),
        ("thứ 7 tuần thứ hai", "FREQ=MONTHLY;BYDAY=2SA"),
        ("Thứ Bảy cuối tháng", "FREQ=MONTHLY;BYDAY=-1SA"),
        ("thứ bảy tuần cuối", "FREQ=MONTHLY;BYDAY=-1SA"),
        ("Thứ Năm thứ ba", "FREQ=MONTHLY;BYDAY=3TH"),
        ("T6 tuần 4", "FREQ=MONTHLY;BYDAY=4FR"),
        ("ngày cuối tháng", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("FREQ=MONTHLY;BYDAY=2TH", "FREQ=MONTHLY;BYDAY=2TH"),
    ],
)
def test_forms_a_clerk_writes(text: str, rule: str) -> None:
    assert parse_schedule(text).rrule == rule


@pytest.mark.parametrize(
    "text",
    [
        "",
        "thỉnh thoảng",
        "ngày 32",
        "ngày 0",
        "thứ Tám tuần 1",
        "Chủ nhật tuần 6",
        "FREQ=SOMETIMES",
    ],
)
def test_what_is_not_a_schedule(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_day_31_falls_on_the_last_day_of_shorter_months() -> None:
    assert days("ngày 31") == [
        "31/01",
        "28/02",
        "31/03",
        "30/04",
        "31/05",
        "30/06",
        "31/07",
        "31/08",
        "30/09",
        "31/10",
        "30/11",
        "31/12",
    ]


def test_day_30_and_29_in_february_of_a_leap_year() -> None:
    feb = (date(2028, 2, 1), date(2028, 3, 31))
    assert days("ngày 30", *feb) == ["29/02", "30/03"]
    assert days("ngày 29", *feb) == ["29/02", "29/03"]
    assert days("ngày 29", date(2027, 2, 1), date(2027, 2, 28)) == ["28/02"]


def test_first_sunday_and_last_saturday() -> None:
    autumn = (date(2026, 11, 1), date(2026, 12, 31))
    assert days("Chủ nhật tuần 1", *autumn) == ["01/11", "06/12"]
    assert days("thứ Bảy cuối tháng", *autumn) == ["28/11", "26/12"]


def test_occurrences_are_local_times() -> None:
    (first,) = occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=5", time(19, 30), ZONE, date(2026, 12, 1), date(2026, 12, 31)
    )
    assert first.isoformat() == "2026-12-05T19:30:00+07:00"
