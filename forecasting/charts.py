"""A server-rendered SVG bar chart (no JavaScript, no CDN): pairs of bars per month.

Months are labelled with the month names of the reports' charts (Django's "N", through
`core.dates`: "juin", "juil."; "June", "July"), never the three-letter "M" whose French
abbreviations ("jui") do not tell June from July; the year goes on a second line under the
first month and under each January, so that twelve months fit side by side."""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from core.dates import month_abbreviation

WIDTH = 760
HEIGHT = 260
LEFT = 64
RIGHT = 12
TOP = 14
BOTTOM = 34
GRIDLINES = 5


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: Decimal
    series: str


@dataclass
class Group:
    month: dt.date
    x: float
    centre: float
    bars: list[Bar]
    first: bool = False

    @property
    def label(self) -> str:
        return month_abbreviation(self.month)

    @property
    def year(self) -> str:
        return str(self.month.year) if self.first or self.month.month == 1 else ""


@dataclass
class Tick:
    y: float
    value: Decimal


def nice_ceiling(value: Decimal) -> Decimal:
    """A round scale maximum: 1, 2, 2.5 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return Decimal(200)
    magnitude = Decimal(10) ** max(len(str(int(value))) - 1, 0)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= magnitude * step:
            return magnitude * step
    return magnitude * 10


def bar_chart(points: list[tuple[dt.date, dict[str, Decimal]]], series: list[str]) -> dict:
    """Geometry for `templates/forecasting/_bar_chart.html`: one group of bars per month, one
    bar per series, and up to five round gridlines."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    highest = max((v for _, values in points for v in values.values()), default=Decimal(0))
    step = nice_ceiling(highest / GRIDLINES)
    lines = max(1, math.ceil(highest / step)) if highest > 0 else GRIDLINES
    top_value = step * lines
    slot = plot_width / max(len(points), 1)
    bar_width = min(28.0, slot * 0.8 / max(len(series), 1))
    groups = []
    for index, (month, values) in enumerate(points):
        x = LEFT + index * slot
        first_bar = x + (slot - bar_width * len(series)) / 2
        bars = []
        for position, name in enumerate(series):
            value = values.get(name) or Decimal(0)
            height = float(value / top_value) * plot_height if value > 0 else 0.0
            bars.append(
                Bar(
                    x=round(first_bar + position * bar_width, 1),
                    y=round(TOP + plot_height - height, 1),
                    width=round(bar_width - 2, 1),
                    height=round(height, 1),
                    value=value,
                    series=name,
                )
            )
        groups.append(
            Group(
                month=month,
                x=round(x, 1),
                centre=round(x + slot / 2, 1),
                bars=bars,
                first=index == 0,
            )
        )
    ticks = [
        Tick(y=round(TOP + plot_height - plot_height * i / lines, 1), value=step * i)
        for i in range(lines + 1)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_height,
        "label_y": HEIGHT - 20,
        "groups": groups,
        "ticks": ticks,
    }
