"""Chart geometry for the dashboard, drawn by the templates as inline SVG.

No charting library and no script: the pages work offline and under a strict
Content-Security-Policy, and the numbers in the SVG are the numbers in the database.
Only geometry is computed here; colours come from CSS classes named after each series.
"""

from dataclasses import dataclass

COLUMN_WIDTH, COLUMN_HEIGHT, AXIS = 720, 200, 28
ROW_HEIGHT, LABEL_WIDTH, BAR_WIDTH = 22, 240, 380


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
class ColumnChart:
    width: int
    height: int
    rects: list[Rect]
    ticks: list[Tick]
    peak: float
    series: list[str]

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
    series: list[str]


def _tick_every(count: int) -> int:
    return max(1, round(count / 10))


def columns(*, labels: list[str], series: dict[str, list[float]], stacked: bool = True) -> ColumnChart:
    """One column per label; series stacked on each other, or side by side when not."""
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
            rects.append(Rect(x, top, width, height, name, f"{label} · {name}: {value:g}"))
            if stacked:
                base = top
    step = _tick_every(len(labels))
    ticks = [Tick(slot * i + slot / 2, label) for i, label in enumerate(labels) if i % step == 0]
    return ColumnChart(COLUMN_WIDTH, COLUMN_HEIGHT, rects, ticks, peak, names)


def bars(*, rows: list[tuple[str, dict[str, float]]], unit: str = "") -> BarChart:
    """Horizontal bars, one row per label, one bar per series inside a row."""
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
                f"{label} · {name}: {value:g}{unit}",
            )
            for n, (name, value) in enumerate(values.items())
        ]
        longest = max((rect.width for rect in rects), default=0)
        text = " / ".join(f"{v:g}" for v in values.values()) + unit
        chart_rows.append(BarRow(top, label, rects, LABEL_WIDTH + longest + 6, text))
    width = LABEL_WIDTH + BAR_WIDTH + 140
    return BarChart(width, max(len(rows), 1) * ROW_HEIGHT, chart_rows, LABEL_WIDTH, names)
