"""The digest's chart: one portrait PNG, legible on a phone (1080 x 1920 pixels).

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state), so it can
be made in a worker thread while the bot goes on answering people.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from bot.render import texts
from bot.render.digest import rating_name
from bot.services.digest import DigestFigures, MonthFigures, UnitFigures
from bot.services.report_flow import RATING_CODES

UNITS_SHOWN = 15
BLUE, GREEN, ORANGE, GREY = "#1f5fa8", "#2e8b57", "#e07b00", "#9a9a9a"


def chart_png(figures: DigestFigures, lang: str) -> bytes:
    t = texts(lang)
    figure = Figure(figsize=(7.2, 12.8), dpi=150)
    FigureCanvasAgg(figure)
    # Fixed margins for this one layout: the constrained layout engine would draw the figure
    # twice to find them, for half the time the whole chart takes.
    figure.subplots_adjust(left=0.27, right=0.96, top=0.9, bottom=0.05, hspace=0.45)
    figure.suptitle(
        t.gettext("{org} · month {month}").format(org=figures.org_name, month=figures.month.label),
        fontsize=15,
        fontweight="bold",
    )
    units_axes, ratings_axes, trend_axes = figure.subplots(
        3, 1, gridspec_kw={"height_ratios": [5, 2.2, 3.4]}
    )
    _units(units_axes, figures.units, lang)
    _ratings(ratings_axes, figures, lang)
    _trend(trend_axes, figures.trend, lang)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _units(axes, units: list[UnitFigures], lang: str) -> None:
    t = texts(lang)
    shown = [u for u in units if u.attendance.slots or u.reporting.expected]
    title = t.gettext("Committee member present and reports received, by unit")
    if len(shown) > UNITS_SHOWN:
        shown.sort(key=lambda u: (_rate(u.attendance.covered, u.attendance.slots), u.code))
        shown = shown[:UNITS_SHOWN]
        title += "\n" + t.gettext("the {n} lowest of {all} units").format(
            n=UNITS_SHOWN, all=len(units)
        )
    axes.set_title(title, fontsize=12)
    if not shown:
        _nothing(axes, lang)
        return
    shown = list(reversed(shown))  # the first at the top
    positions = range(len(shown))
    present = [_rate(u.attendance.covered, u.attendance.slots) for u in shown]
    reported = [_rate(u.reporting.received, u.reporting.expected) for u in shown]
    height = 0.38
    for offset, values, colour, label in (
        (height / 2, present, BLUE, t.gettext("committee member present")),
        (-height / 2, reported, GREEN, t.gettext("report received")),
    ):
        bars = axes.barh(
            [p + offset for p in positions], values, height=height, color=colour, label=label
        )
        axes.bar_label(bars, labels=[f"{v:.0%}" for v in values], padding=3, fontsize=9)
    axes.set_yticks(list(positions), [_short(u.name) for u in shown], fontsize=10)
    axes.set_ylim(-0.7, len(shown) - 0.3)
    axes.set_xlim(0, 1.12)
    axes.set_xticks([0, 0.25, 0.5, 0.75, 1])
    axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=9)
    axes.grid(axis="x", alpha=0.3)


def _ratings(axes, figures: DigestFigures, lang: str) -> None:
    t = texts(lang)
    quality = figures.current.quality
    axes.set_title(
        t.gettext("Ratings of the meetings ({n} reports)").format(n=quality.held), fontsize=12
    )
    counts = [quality.ratings.get(code, 0) for code in RATING_CODES]
    bars = axes.bar(
        [rating_name(code, lang) for code in RATING_CODES],
        counts,
        color=[GREEN, BLUE, ORANGE, GREY],
    )
    axes.bar_label(bars, fontsize=11)
    axes.tick_params(axis="x", labelsize=11)
    axes.set_ylim(0, max([*counts, 1]) * 1.25)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", alpha=0.3)


def _trend(axes, trend: list[MonthFigures], lang: str) -> None:
    t = texts(lang)
    axes.set_title(t.gettext("The last twelve months"), fontsize=12)
    labels = [f"{m.month.first:%m/%y}" for m in trend]
    series = (
        (
            t.gettext("committee member present"),
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
    for label, colour, values in series:
        axes.plot(
            labels,
            [v if v is not None else float("nan") for v in values],
            marker="o",
            color=colour,
            label=label,
            linewidth=2,
        )
    axes.set_ylim(0, 1.05)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.tick_params(axis="x", labelsize=9, rotation=45)
    axes.legend(loc="lower left", fontsize=9)
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
        fontsize=12,
        transform=axes.transAxes,
    )
    axes.set_axis_off()


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
