"""The reports' charts, drawn on the server as SVG from a `ChartData` (no JavaScript, no CDN,
nothing inline that the Content-Security-Policy refuses: presentation attributes, no `style`).

Readable without colour: each series has its own fill pattern (bars) or marker and dash
(lines), a legend inside the picture, values written next to the bars and points when they
fit, a `<title>` tooltip on every bar and point, and a `<desc>` that says every value for
screen readers. The reference marks (e.g. a step's configured duration) are dashed lines with
their value. Numbers read in the user's language, like the table under the chart
(`format_value`, `format_unit`)."""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from core.numbers import format_decimal
from forecasting.reports.base import ChartData

WIDTH = 760
LEFT = 72
RIGHT = 18
LEGEND_TOP = 8
LEGEND_ROW = 20
PLOT_HEIGHT = 210
BOTTOM = 52
CHAR_WIDTH = 6.6  # an average character at the chart's 12px, to lay out text
NBSP = "\u00a0"

# One look per series, distinguishable in grey: colour (colour-blind safe), bar pattern, line
# marker and dash.
STYLES = [
    {"colour": "#4f46e5", "pattern": "solid", "marker": "circle", "dash": ""},
    {"colour": "#0e7490", "pattern": "hatch", "marker": "square", "dash": "7 4"},
    {"colour": "#b45309", "pattern": "dots", "marker": "triangle", "dash": "2 3"},
    {"colour": "#be185d", "pattern": "cross", "marker": "diamond", "dash": "10 3 2 3"},
    {"colour": "#15803d", "pattern": "vertical", "marker": "cross", "dash": "4 2"},
    {"colour": "#57534e", "pattern": "grid", "marker": "bar", "dash": "1 2"},
]
REFERENCE_COLOUR = "#1d2433"


# Values in the user's language ------------------------------------------------------------


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_number(value, places: int) -> str:
    """`value` rounded to `places` decimals, always that many, thousands grouped."""
    quantum = Decimal(1).scaleb(-places)
    rounded = _decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, places, use_l10n=True, force_grouping=True)


def format_value(value, kind: str) -> str:
    """A table cell as the page shows it: int "1 234", days "7,5 j", percent "45,3 %", money
    "12 150 €" (the `number` filter's format, whole euros), text as is; None is "—"."""
    if value is None or value == "":
        return "—"
    if kind == "int":
        return format_number(value, 0)
    if kind == "days":
        return gettext("%(days)s d") % {"days": format_number(value, 1)}
    if kind == "percent":
        return f"{format_number(value, 1)}{NBSP}%"
    if kind == "money":
        whole = _decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{format_decimal(whole, decimal_places=0)}{NBSP}€"
    return str(value)


UNIT_KINDS = {"days": "days", "%": "percent", "€": "money"}


def format_unit(value, unit: str, round_days: bool = False) -> str:
    """A chart value with its unit ("days", "%", "€" or "" for counts); `round_days` for an
    axis tick or a configured duration: "10 d" rather than "10.0 d"."""
    if value is None:
        return "—"
    number = _decimal(value)
    whole = number == number.to_integral_value()
    if unit == "days" and whole and round_days:
        return gettext("%(days)s d") % {"days": format_number(number, 0)}
    kind = UNIT_KINDS.get(unit)
    if kind:
        return format_value(value, kind)
    return format_number(number, 0 if whole else 1)


# Geometry ---------------------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 5, whole: bool = False) -> list[float]:
    """Round tick values from at most `low` to at least `high` (0 included), about `count`."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + (1 if whole else 1.0)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1, math.ceil(step))
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _join(parts) -> SafeString:
    """Parts (SafeStrings from `_tag`, or text, escaped) one after the other."""
    return format_html_join("", "{}", ((part,) for part in parts if part))


def _tag(name: str, content="", **attrs) -> SafeString:
    """An SVG element: `content` (text is escaped) and attributes (`class_` → class,
    `stroke_width` → stroke-width; floats with one decimal; None and "" left out)."""
    pairs = []
    for key, value in attrs.items():
        if value is None or value == "":
            continue
        pairs.append(
            (
                key.rstrip("_").replace("_", "-"),
                f"{value:.1f}" if isinstance(value, float) else value,
            )
        )
    attributes = format_html_join("", ' {}="{}"', pairs)
    if content == "":
        return format_html("<{}{}/>", name, attributes)
    return format_html("<{}{}>{}</{}>", name, attributes, content, name)


def _title(text: str) -> SafeString:
    return format_html("<title>{}</title>", text)


def _text(text, x: float, y: float, cls: str, anchor: str = "", **attrs) -> SafeString:
    return _tag("text", text, x=x, y=y, text_anchor=anchor, class_=cls, **attrs)


def _hline(x1: float, x2: float, y: float, content="", **attrs) -> SafeString:
    return _tag("line", content, x1=x1, x2=x2, y1=y, y2=y, **attrs)


def _fits(text: str, width: float) -> str:
    """`text` cut with "…" to about `width` pixels."""
    room = max(3, int(width / CHAR_WIDTH))
    return text if len(text) <= room else text[: room - 1] + "…"


# The fill patterns' drawing in an 8 × 8 tile (dots are filled, the others stroked), and the
# line markers' paths around the point (x, y).
PATTERNS = {
    "hatch": "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4",
    "dots": "M0.4,2 a1.6,1.6 0 1,0 3.2,0 a1.6,1.6 0 1,0 -3.2,0 "
    "M4.4,6 a1.6,1.6 0 1,0 3.2,0 a1.6,1.6 0 1,0 -3.2,0",
    "cross": "M0,0 L8,8 M8,0 L0,8",
    "vertical": "M2,0 V8 M6,0 V8",
    "grid": "M0,4 H8 M4,0 V8",
}
MARKERS = {
    "circle": "M{x},{y} m-4.5,0 a4.5,4.5 0 1,0 9,0 a4.5,4.5 0 1,0 -9,0",
    "square": "M{x},{y} m-4,-4 h8 v8 h-8 z",
    "triangle": "M{x},{y} m0,-5.5 l5,9 h-10 z",
    "diamond": "M{x},{y} m0,-5.5 l5,5.5 l-5,5.5 l-5,-5.5 z",
    "cross": "M{x},{y} m-4,-4 l8,8 m0,-8 l-8,8",
    "bar": "M{x},{y} m-1.5,-6 h3 v12 h-3 z",
}


def _patterns(prefix: str, count: int) -> str:
    defs = []
    for index in range(count):
        style = STYLES[index % len(STYLES)]
        colour, kind = style["colour"], style["pattern"]
        if kind == "solid":
            continue
        paint = {"fill": colour} if kind == "dots" else {"stroke": colour, "stroke_width": 1.8}
        tile = _join(
            [
                _tag("rect", width=8, height=8, fill="#ffffff"),
                _tag("path", d=PATTERNS[kind], **paint),
            ]
        )
        pattern = {"id": f"{prefix}-p{index}", "patternUnits": "userSpaceOnUse"}
        defs.append(_tag("pattern", tile, width=8, height=8, **pattern))
    return _tag("defs", _join(defs)) if defs else ""


def _fill(prefix: str, index: int) -> str:
    style = STYLES[index % len(STYLES)]
    return style["colour"] if style["pattern"] == "solid" else f"url(#{prefix}-p{index})"


def _marker(kind: str, x: float, y: float, colour: str, tooltip: str) -> str:
    path = MARKERS[kind].format(x=f"{x:.1f}", y=f"{y:.1f}")
    paint = {"fill": "#ffffff", "stroke": colour, "stroke_width": 2}
    return _tag("path", _title(tooltip), d=path, class_="point", **paint)


def _legend(chart: ChartData, prefix: str, bars: bool) -> tuple[str, int]:
    """The legend's items, laid out left to right in rows; answers the SVG and its height."""
    items = [(index, series.label) for index, series in enumerate(chart.series)]
    if chart.reference and any(v is not None for v in chart.reference):
        items.append((None, chart.reference_label or gettext("Reference")))
    parts, x, row = [], float(LEFT), 0
    for index, label in items:
        width = 26 + len(label) * CHAR_WIDTH + 18
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, row = float(LEFT), row + 1
        y = LEGEND_TOP + row * LEGEND_ROW
        style = STYLES[(index or 0) % len(STYLES)]
        if index is None:
            dashed = {"stroke": REFERENCE_COLOUR, "stroke_dasharray": "5 3"}
            sample = _hline(x, x + 20, y + 7, stroke_width=2, **dashed)
        elif bars:
            paint = {"fill": _fill(prefix, index), "stroke": style["colour"]}
            sample = _tag("rect", x=x, y=y, width=20, height=14, rx=2, stroke_width=1.5, **paint)
        else:
            line = {"stroke": style["colour"], "stroke_dasharray": style["dash"]}
            sample = _hline(x, x + 20, y + 7, stroke_width=2, **line)
            sample += _marker(style["marker"], x + 10, y + 7, style["colour"], label)
        text = _text(label, x + 26, y + 11, "legend-label")
        parts.append(_tag("g", sample + text, class_="legend-item"))
        x += width
    return _tag("g", _join(parts), class_="legend"), (row + 1) * LEGEND_ROW


def _description(chart: ChartData) -> str:
    lines = []
    for series in chart.series:
        values = "; ".join(
            f"{category}: {format_unit(value, chart.unit)}"
            for category, value in zip(chart.categories, series.values, strict=False)
        )
        lines.append(f"{series.label} — {values}.")
    if chart.reference:
        values = "; ".join(
            f"{category}: {format_unit(value, chart.unit)}"
            for category, value in zip(chart.categories, chart.reference, strict=False)
            if value is not None
        )
        lines.append(f"{chart.reference_label or gettext('Reference')} — {values}.")
    return " ".join(lines)


def chart_svg(chart: ChartData, *, title: str, prefix: str = "chart") -> SafeString:
    """The chart as an inline `<svg>` element; `prefix` makes its ids unique in the page."""
    bars = chart.kind != "lines"
    numbers = [float(v) for s in chart.series for v in s.values if v is not None]
    references = [float(v) for v in (chart.reference or []) if v is not None]
    legend, legend_height = _legend(chart, prefix, bars)
    top = LEGEND_TOP + legend_height + 14
    plot_width = WIDTH - LEFT - RIGHT
    count = max(len(chart.categories), 1)
    slot = plot_width / count
    every, slanted = _x_layout(chart.categories, slot)
    height = top + PLOT_HEIGHT + BOTTOM + (44 if slanted else 0)
    baseline_y = top + PLOT_HEIGHT
    whole = chart.unit == "" and all(float(v).is_integer() for v in numbers)
    ticks = nice_ticks(
        min(numbers + references, default=0.0), max(numbers + references, default=0.0), whole=whole
    )
    low, high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return top + PLOT_HEIGHT - (value - low) / (high - low) * PLOT_HEIGHT

    parts = [
        _title(title),
        format_html("<desc>{}</desc>", _description(chart)),
        _patterns(prefix, len(chart.series)),
        legend,
    ]
    axis = []
    for tick in ticks:
        y = y_of(tick)
        axis.append(_hline(float(LEFT), float(WIDTH - RIGHT), y, class_="grid-line"))
        label = format_unit(tick, chart.unit, round_days=True)
        axis.append(_text(label, float(LEFT - 8), y + 4, "axis-label", "end"))
    parts.append(_tag("g", _join(axis), class_="axis-y"))

    labels_fit = bars and len(chart.series) * count <= 40
    marks = []
    series_count = max(len(chart.series), 1)
    bar_width = min(36.0, slot * 0.78 / series_count)
    zero_y = y_of(0.0)
    for s_index, series in enumerate(chart.series):
        style = STYLES[s_index % len(STYLES)]
        points = []
        for c_index, value in enumerate(series.values[:count]):
            category = chart.categories[c_index] if c_index < len(chart.categories) else ""
            tooltip = f"{category} — {series.label}: {format_unit(value, chart.unit)}"
            if bars:
                x = LEFT + c_index * slot + (slot - bar_width * series_count) / 2
                x += s_index * bar_width
                if value is None:  # no bar (the table says "—")
                    continue
                y = y_of(float(value))
                top_y, bottom_y = min(y, zero_y), max(y, zero_y)
                size = {"width": max(bar_width - 2, 1.0), "height": max(bottom_y - top_y, 0.5)}
                paint = {"fill": _fill(prefix, s_index), "stroke": style["colour"]}
                marks.append(
                    _tag(
                        "rect",
                        _title(tooltip),
                        x=x + 1,
                        y=top_y,
                        stroke_width=1.5,
                        class_="bar",
                        **size,
                        **paint,
                    )
                )
                if labels_fit and bar_width >= 16:
                    label_y = top_y - 4 if float(value) >= 0 else bottom_y + 12
                    label = format_unit(value, chart.unit)
                    marks.append(_text(label, x + bar_width / 2, label_y, "value-label", "middle"))
            else:
                x = LEFT + c_index * slot + slot / 2
                points.append(None if value is None else (x, y_of(float(value)), value, tooltip))
        if not bars:
            label = count * series_count <= 36
            marks.append(_line(points, style, chart.unit, label=label, every=every))
    parts.append(_tag("g", _join(marks), class_="marks"))

    if chart.reference:
        refs = []
        width = bar_width * series_count if bars else slot * 0.8
        for c_index, value in enumerate(chart.reference[:count]):
            if value is None:
                continue
            x = LEFT + c_index * slot + (slot - width) / 2
            y = y_of(float(value))
            text = f"{chart.reference_label}: {format_unit(value, chart.unit, round_days=True)}"
            dashed = {"stroke": REFERENCE_COLOUR, "stroke_dasharray": "5 3"}
            refs.append(
                _hline(
                    x - 4,
                    x + width + 4,
                    y,
                    _title(text),
                    stroke_width=2.5,
                    class_="reference",
                    **dashed,
                )
            )
            label = format_unit(value, chart.unit, round_days=True)
            refs.append(_text(label, x + width + 6, y + 4, "reference-label"))
        parts.append(_tag("g", _join(refs), class_="references"))

    parts.append(
        _tag("line", x1=float(LEFT), x2=float(WIDTH - RIGHT), y1=zero_y, y2=zero_y, class_="axis")
    )
    parts.append(_x_labels(chart.categories, slot, baseline_y, every, slanted))
    if not numbers:
        parts.append(
            _tag(
                "text",
                gettext("Nothing to show for this period."),
                x=LEFT + plot_width / 2,
                y=top + PLOT_HEIGHT / 2,
                text_anchor="middle",
                class_="empty-label",
            )
        )
    return _tag(
        "svg",
        _join(parts),
        viewBox=f"0 0 {WIDTH} {height:.0f}",
        role="img",
        aria_label=title,
        class_="report-chart-svg",
        xmlns="http://www.w3.org/2000/svg",
        preserveAspectRatio="xMidYMid meet",
    )


def _line(points, style, unit: str, label: bool, every: int = 1) -> str:
    """One series as polylines (broken where a value is missing) with its markers: on every
    point, or on the labelled categories' only (`every`) when they are many."""
    parts, run = [], []
    for point in points + [None]:
        if point is not None:
            run.append(point)
            continue
        if len(run) > 1:
            parts.append(
                _tag(
                    "polyline",
                    points=" ".join(f"{x:.1f},{y:.1f}" for x, y, *_ in run),
                    fill="none",
                    stroke=style["colour"],
                    stroke_width=2.2,
                    stroke_dasharray=style["dash"],
                    class_="line",
                )
            )
        run = []
    for index, point in enumerate(points):
        if point is None or (index % every and index != len(points) - 1):
            continue
        x, y, value, tooltip = point
        parts.append(_marker(style["marker"], x, y, style["colour"], tooltip))
        if label:
            parts.append(
                _tag(
                    "text",
                    format_unit(value, unit),
                    x=x,
                    y=y - 9,
                    text_anchor="middle",
                    class_="value-label",
                )
            )
    return _tag("g", _join(parts), class_="series")


def _x_layout(categories: list[str], slot: float) -> tuple[int, bool]:
    """Which categories get a label (every k-th one when they are many) and whether the
    labels are slanted (they do not fit side by side)."""
    every = max(1, math.ceil(len(categories) / 16))
    return every, any(len(c) * CHAR_WIDTH > slot * every for c in categories)


def _x_labels(categories, slot: float, baseline_y: float, every: int, slanted: bool):
    """The categories under the axis, cut to their room; the full text in a tooltip."""
    parts = []
    for index, category in enumerate(categories):
        if index % every:
            continue
        x = LEFT + index * slot + slot / 2
        y = baseline_y + 16
        if slanted:
            text = _fits(category, 120)
            parts.append(
                _tag(
                    "text",
                    _join([text, _title(category)]),
                    x=x,
                    y=y,
                    text_anchor="end",
                    transform=f"rotate(-30 {x:.1f} {y:.1f})",
                    class_="axis-label",
                )
            )
        else:
            parts.append(
                _tag(
                    "text",
                    _join([_fits(category, slot * every), _title(category)]),
                    x=x,
                    y=y,
                    text_anchor="middle",
                    class_="axis-label",
                )
            )
    return _tag("g", _join(parts), class_="axis-x")
