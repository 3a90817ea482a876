"""The digest's chart: one portrait PNG, legible on a phone (1080 x 1920 pixels).

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state), so it can
be made in a worker thread while the bot goes on answering people.
"""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from bot.domain.digest import DigestFigures, MonthFigures, UnitFigures
from bot.domain.quality import RATING_CODES
from bot.formats.numbers import count, percent
from bot.formats.wording import rating_name
from bot.i18n import translations as texts

# Eight units leave each bar taller than its value's label, at any scale; the spreadsheet
# has every unit.
UNITS_SHOWN = 8
BLUE, GREEN, ORANGE, RED = "#1f5fa8", "#2e8b57", "#e07b00", "#c0392b"
# At 150 dpi a point is 2.08 pixels: 14 pt is 29 px on the 1080 px wide picture, and still
# 19 px after Telegram shrinks a photo to 720 px.
TICK, LABEL, TITLE = 14, 12, 16
WIDTH_PX = 1080


def chart_png(figures: DigestFigures, lang: str) -> bytes:
    t = texts(lang)
    figure = Figure(figsize=(7.2, 12.8), dpi=150)
    canvas = FigureCanvasAgg(figure)
    figure.suptitle(
        t.gettext("{org} · month {month}").format(org=figures.org_name, month=figures.month.label),
        fontsize=18,
        fontweight="bold",
        y=0.985,
    )
    units = _units_shown(figures.units)
    names = [_short(u.name) for u in units]
    # The left margin fits the longest unit name, measured once (the constrained layout
    # engine would draw the whole figure twice to find it).
    left = _text_width(canvas, figure, names, TICK) / WIDTH_PX + 0.04
    figure.subplots_adjust(
        left=min(max(left, 0.1), 0.45), right=0.95, top=0.91, bottom=0.115, hspace=0.55
    )
    units_axes, ratings_axes, trend_axes = figure.subplots(
        3, 1, gridspec_kw={"height_ratios": [5.2, 2, 3]}
    )
    _units(units_axes, units, names, len(figures.units), lang)
    _ratings(ratings_axes, figures, lang)
    _trend(trend_axes, figures.trend, lang)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _text_width(canvas, figure, texts_: list[str], size: float) -> float:
    if not texts_:
        return 0.0
    renderer = canvas.get_renderer()
    longest = max(texts_, key=len)
    probe = figure.text(0, 0, longest, fontsize=size)
    width = probe.get_window_extent(renderer).width
    probe.remove()
    return width


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _units_shown(units: list[UnitFigures]) -> list[UnitFigures]:
    shown = [u for u in units if u.attendance.slots or u.reporting.expected]
    if len(shown) > UNITS_SHOWN:
        shown.sort(key=lambda u: (_rate(u.attendance.covered, u.attendance.slots), u.code))
        shown = shown[:UNITS_SHOWN]
    return shown


def _units(axes, shown: list[UnitFigures], names: list[str], total: int, lang: str) -> None:
    t = texts(lang)
    title = t.gettext("Committee member present and reports received, by unit")
    if total > UNITS_SHOWN and len(shown) == UNITS_SHOWN:
        title += "\n" + t.gettext("the {n} lowest of {all} units").format(
            n=UNITS_SHOWN, all=count(total, lang)
        )
    axes.set_title(title, fontsize=TITLE)
    if not shown:
        _nothing(axes, lang)
        return
    shown, names = list(reversed(shown)), list(reversed(names))  # the first at the top
    positions = range(len(shown))
    present = [_rate(u.attendance.covered, u.attendance.slots) for u in shown]
    reported = [_rate(u.reporting.received, u.reporting.expected) for u in shown]
    height = 0.4
    for offset, values, colour, label in (
        (height / 2, present, BLUE, t.gettext("assignments with a committee member present")),
        (-height / 2, reported, GREEN, t.gettext("report received")),
    ):
        bars = axes.barh(
            [p + offset for p in positions], values, height=height, color=colour, label=label
        )
        # Each value inside its own bar, in white (beside it, if the bar is too short): the
        # two bars of a unit never share a line, so their labels cannot overlap.
        for bar, value in zip(bars, values, strict=True):
            inside = value >= 0.22
            axes.text(
                value - 0.015 if inside else value + 0.015,
                bar.get_y() + bar.get_height() / 2,
                percent(value, 1, lang, decimals=0),
                ha="right" if inside else "left",
                va="center",
                fontsize=LABEL,
                color="white" if inside else "black",
                fontweight="bold",
            )
    axes.set_yticks(list(positions), names, fontsize=TICK)
    axes.set_ylim(-0.6, len(shown) - 0.4)
    axes.set_xlim(0, 1)
    axes.set_xticks([0, 0.5, 1], [percent(v, 1, lang, decimals=0) for v in (0, 0.5, 1)])
    axes.tick_params(axis="x", labelsize=TICK)
    axes.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=2, fontsize=TICK, frameon=False
    )
    axes.grid(axis="x", alpha=0.3)


def _ratings(axes, figures: DigestFigures, lang: str) -> None:
    t = texts(lang)
    quality = figures.current.quality
    axes.set_title(
        t.gettext("Ratings of the meetings ({n} reports)").format(n=count(quality.held, lang)),
        fontsize=TITLE,
    )
    counts = [quality.ratings.get(code, 0) for code in RATING_CODES]
    # "Kém" in red: grey would read as "no data".
    bars = axes.bar(
        [rating_name(code, lang) for code in RATING_CODES],
        counts,
        color=[GREEN, BLUE, ORANGE, RED],
    )
    axes.bar_label(bars, labels=[count(n, lang) for n in counts], fontsize=TICK)
    axes.tick_params(axis="x", labelsize=TICK)
    axes.tick_params(axis="y", labelsize=TICK)
    axes.set_ylim(0, max([*counts, 1]) * 1.3)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: count(int(value), lang)))
    axes.grid(axis="y", alpha=0.3)


def _trend(axes, trend: list[MonthFigures], lang: str) -> None:
    t = texts(lang)
    axes.set_title(t.gettext("The last twelve months"), fontsize=TITLE)
    series = (
        (
            t.gettext("assignments with a committee member present"),
            BLUE,
            [_or_none(m.attendance.covered, m.attendance.slots) for m in trend],
        ),
        (
            t.gettext("reports received"),
            GREEN,
            [_or_none(m.reporting.received, m.reporting.expected) for m in trend],
        ),
        (
            t.gettext("branches met with a member"),
            ORANGE,
            [_or_none(m.branches_covered, m.branches) if m.has_data else None for m in trend],
        ),
    )
    positions = list(range(len(trend)))
    for label, colour, values in series:
        axes.plot(
            positions,
            [v if v is not None else float("nan") for v in values],
            marker="o",
            markersize=7,
            color=colour,
            label=label,
            linewidth=3,
        )
    # Every other month is named, ending with this one: "T12/2025" twelve times would not fit.
    axes.set_xticks(positions)
    axes.set_xticklabels(
        [
            t.gettext("M{month}/{year}").format(month=m.month.first.month, year=m.month.first.year)
            if (len(trend) - 1 - i) % 2 == 0
            else ""
            for i, m in enumerate(trend)
        ],
        fontsize=TICK,
    )
    # The axis fits the values: lines between 80% and 100% must not look flat.
    known = [v for _, _, values in series for v in values if v is not None]
    low = min(known, default=0.0)
    bottom = max(0.0, math.floor((low - 0.05) * 10) / 10)
    axes.set_ylim(bottom, 1.015)
    axes.yaxis.set_major_locator(MultipleLocator(0.05 if bottom >= 0.7 else 0.1))
    axes.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _: percent(value, 1, lang, decimals=0))
    )
    axes.tick_params(axis="y", labelsize=TICK)
    axes.legend(
        loc="upper center", bbox_to_anchor=(0.4, -0.12), ncol=1, fontsize=TICK, frameon=False
    )
    axes.grid(alpha=0.3)


def _or_none(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _nothing(axes, lang: str) -> None:
    axes.text(
        0.5,
        0.5,
        texts(lang).gettext("no data this month"),
        ha="center",
        va="center",
        fontsize=TICK,
        transform=axes.transAxes,
    )
    axes.set_axis_off()


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
