"""Chart geometry for the dashboard, drawn by the templates as inline SVG.

No charting library and no script: the pages work offline and under a strict
Content-Security-Policy, and the numbers in the SVG are the numbers in the database.
Only geometry is computed here; colours come from CSS classes named after each series.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingestion.text import CJK_WIDE

COLUMN_WIDTH, COLUMN_HEIGHT, AXIS = 720, 200, 28
ROW_HEIGHT, LABEL_WIDTH, BAR_WIDTH = 24, 260, 360
# Charts are drawn at their own size (never scaled down, so text stays this size on screen);
# text widths are estimated from it to keep labels and values inside the drawing.
FONT_PX = 12
_WIDE_CHAR = re.compile(f"[{CJK_WIDE}]")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: str
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Key:
    series: str  # the code, which names the CSS colour class
    text: str  # what the legend says


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    rects: list[Rect]
    ticks: list[Tick]
    peak: float
    series: list[Key]

    @property
    def empty(self) -> bool:
        return not any(rect.height for rect in self.rects)

    @property
    def baseline(self) -> int:
        return self.height - AXIS


@dataclass(frozen=True)
class BarRow:
    y: float
    label: str
    rects: list[Rect]
    text_x: float
    value_text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    rows: list[BarRow]
    label_width: int
    series: list[Key]

    @property
    def empty(self) -> bool:
        return not self.rows


def text_width(text: str) -> float:
    """Estimated drawn width: a CJK character is one em, anything else about half of one."""
    wide = len(_WIDE_CHAR.findall(text))
    return FONT_PX * (wide + 0.58 * (len(text) - wide))


def fit(text: str, width: float) -> str:
    """`text`, shortened with an ellipsis until it fits in `width` pixels."""
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _inside(x: float, text: str) -> float:
    """A centred label's x, moved in so that the first and last are not cut at the edges."""
    half = text_width(text) / 2 + 1
    return min(max(x, half), COLUMN_WIDTH - half)


def _keys(names: list[str], texts: Mapping[str, str]) -> list[Key]:
    return [Key(name, texts.get(name, name)) for name in names]


def _tick_every(count: int) -> int:
    return max(1, round(count / 10))


def columns(
    *,
    labels: list[str],
    series: dict[str, list[float]],
    stacked: bool = True,
    texts: Mapping[str, str] | None = None,
) -> ColumnChart:
    """One column per label; series stacked on each other, or side by side when not.
    `texts`: what the legend and tooltips call each series (default: its code)."""
    texts = texts or {}
    names = list(series)
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    per_value = [max(values, default=0) for values in series.values()]
    peak = max(totals if stacked else per_value, default=0) or 1
    plot = COLUMN_HEIGHT - AXIS
    slot = COLUMN_WIDTH / max(len(labels), 1)
    width = slot * 0.8 if stacked else slot * 0.8 / max(len(names), 1)
    rects = []
    for i, label in enumerate(labels):
        base = plot
        for n, name in enumerate(names):
            value = series[name][i]
            height = plot * value / peak
            x = slot * i + slot * 0.1 + (0 if stacked else n * width)
            top = base - height if stacked else plot - height
            rects.append(Rect(x, top, width, height, name, f"{label} · {texts.get(name, name)}: {value:g}"))
            if stacked:
                base = top
    step = _tick_every(len(labels))
    ticks = [
        Tick(_inside(slot * i + slot / 2, label), label) for i, label in enumerate(labels) if i % step == 0
    ]
    return ColumnChart(COLUMN_WIDTH, COLUMN_HEIGHT, rects, ticks, peak, _keys(names, texts))


def bars(
    *, rows: list[tuple[str, dict[str, float]]], unit: str = "", texts: Mapping[str, str] | None = None
) -> BarChart:
    """Horizontal bars, one row per label, one bar per series inside a row; labels too long
    for the label column are shortened (the tooltip has them whole), and the drawing is as
    wide as its longest value text needs."""
    texts = texts or {}
    names = list(rows[0][1]) if rows else []
    peak = max((v for _, values in rows for v in values.values()), default=0) or 1
    bar_height = (ROW_HEIGHT - 4) / max(len(names), 1)
    chart_rows = []
    for r, (label, values) in enumerate(rows):
        top = r * ROW_HEIGHT
        rects = [
            Rect(
                LABEL_WIDTH,
                top + 2 + n * bar_height,
                BAR_WIDTH * value / peak,
                bar_height,
                name,
                f"{label} · {texts.get(name, name)}: {value:g}{unit}",
            )
            for n, (name, value) in enumerate(values.items())
        ]
        longest = max((rect.width for rect in rects), default=0)
        text = " / ".join(f"{v:g}" for v in values.values()) + unit
        chart_rows.append(BarRow(top, fit(label, LABEL_WIDTH - 10), rects, LABEL_WIDTH + longest + 6, text))
    values_width = max((text_width(row.value_text) for row in chart_rows), default=0)
    width = round(LABEL_WIDTH + BAR_WIDTH + 6 + values_width + 8)
    return BarChart(width, max(len(rows), 1) * ROW_HEIGHT, chart_rows, LABEL_WIDTH, _keys(names, texts))
