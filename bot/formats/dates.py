"""Dates and times as Vietnamese write them: 19 giờ 30, thứ Năm, ngày 05/12/2026."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.i18n import N_, translations

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)

# On a day's button, where room is short.
WEEKDAYS_SHORT = (
    N_("Mon"),
    N_("Tue"),
    N_("Wed"),
    N_("Thu"),
    N_("Fri"),
    N_("Sat"),
    N_("Sun"),
)


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def weekday_date(value: date, lang: str) -> str:
    t = translations(lang)
    return t.gettext("{weekday}, {date}").format(
        weekday=t.gettext(WEEKDAYS[value.weekday()]), date=day(value)
    )


def time_of_day(value: time, lang: str) -> str:
    return (
        translations(lang)
        .gettext("{hour}:{minute:02d}")
        .format(hour=value.hour, minute=value.minute)
    )


def moment(value: datetime, lang: str) -> str:
    """A meeting's start in the zone `value` carries: '19 giờ 30, thứ Năm, ngày 05/12/2026'."""
    return (
        translations(lang)
        .gettext("{time}, {weekday_date}")
        .format(time=time_of_day(value.time(), lang), weekday_date=weekday_date(value.date(), lang))
    )


def period(start: date, end: date | None, lang: str) -> str:
    t = translations(lang)
    if end is None:
        return t.gettext("from {start}").format(start=day(start))
    return t.gettext("from {start} to {end}").format(start=day(start), end=day(end))
