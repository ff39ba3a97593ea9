"""Chart geometry as pure arithmetic: the templates draw SVG rectangles from these numbers (no scripts, so
the charts print and pass the CSP), and every chart also has its data table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

PLOT_HEIGHT: Final = 160
LABEL_WIDTH: Final = 96


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int


@dataclass(frozen=True)
class Column:
    label: str
    center: float
    bars: list[Bar]


@dataclass(frozen=True)
class GroupedBars:
    """Columns of bars side by side (a trend: one column per month, one bar per series)."""

    title: str
    series: list[str]
    columns: list[Column]
    width: float
    height: float
    plot_top: float
    plot_bottom: float
    ticks: list[tuple[float, int]]  # (y, value) of the horizontal grid lines
    rows: list[list[str]]  # the data table: label then one value per series


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^n at or above `value` (at least 1), so the grid lines are round."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def grouped_bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
                 column_width: float = 54) -> GroupedBars:
    top, left = 12.0, 40.0
    bottom = top + PLOT_HEIGHT
    ceiling = nice_ceiling(max((value for _, values in series for value in values), default=0))
    bar_width = (column_width - 10) / max(len(series), 1)
    columns = []
    for index, label in enumerate(labels):
        start = left + index * column_width + 5
        bars = []
        for number, (_, values) in enumerate(series):
            height = PLOT_HEIGHT * values[index] / ceiling
            bars.append(Bar(round(start + number * bar_width, 1), round(bottom - height, 1), round(bar_width - 1, 1),
                            round(height, 1), values[index], number))
        columns.append(Column(label, round(start + (column_width - 10) / 2, 1), bars))
    ticks = [(round(bottom - PLOT_HEIGHT * step / 4, 1), ceiling * step // 4) for step in range(5)]
    rows = [[label, *(str(values[index]) for _, values in series)] for index, label in enumerate(labels)]
    return GroupedBars(title, [name for name, _ in series], columns, left + len(labels) * column_width + 8,
                       bottom + 28, top, bottom, ticks, rows)


@dataclass(frozen=True)
class Share:
    label: str
    value: int
    percent: str
    y: float
    width: float


@dataclass(frozen=True)
class HorizontalBars:
    """One bar per category, longest first as given (a breakdown by type or by source)."""

    title: str
    shares: list[Share]
    width: float
    height: float
    label_width: float
    total: int


def horizontal_bars(title: str, items: Sequence[tuple[str, int]], plot_width: float = 300,
                    row_height: float = 22) -> HorizontalBars:
    total = sum(value for _, value in items)
    largest = max((value for _, value in items), default=0) or 1
    shares = [
        Share(label, value, f"{value * 100 / total:.1f}%" if total else "0.0%", round(index * row_height + 4, 1),
              round(plot_width * value / largest, 1))
        for index, (label, value) in enumerate(items)
    ]
    return HorizontalBars(title, shares, LABEL_WIDTH + plot_width + 90, len(items) * row_height + 8, LABEL_WIDTH,
                          total)
