"""Server-rendered SVG charts: the geometry here, the markup in templates/reports/includes/.

No JavaScript and no inline styles (the CSP forbids both): shapes carry classes that
brygga.css colours, and every bar and point has its value written out in text, so colour
is never the only signal. Each chart has a title and a text alternative, and the page
puts the full data table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Bar", "BarChart", "LineChart", "Point", "Series", "nice_ceiling"]

WIDTH = 640


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above value (the axis maximum)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no bar (hidden or nothing to show)
    text: str  # the value as shown, e.g. "2,8 dagar", "färre än 5", "inga"
    y: float = 0.0
    width: float = 0.0
    muted: bool = False  # hidden or empty: the text in a quieter style


@dataclass
class BarChart:
    """Horizontal bars, one per group, largest first, the value written at each bar's end."""

    title: str
    description: str
    bars: list[Bar]
    label_width: float = 250.0
    row_height: float = 26.0
    bar_height: float = 18.0
    top: float = 8.0
    axis_height: float = 28.0
    ticks: list[Tick] = field(default_factory=list)
    max_value: float = 1.0
    left_out: int = 0  # groups not drawn (the table has them all)

    @classmethod
    def build(
        cls,
        *,
        title: str,
        description: str,
        bars: Sequence[Bar],
        unit_format: str = "{:g}",
        limit: int = 25,
        max_value: float | None = None,
    ) -> BarChart:
        drawn = sorted(
            bars, key=lambda b: (b.value is None, -(b.value or 0.0), b.label.casefold())
        )[:limit]
        chart = cls(title=title, description=description, bars=[], left_out=len(bars) - len(drawn))
        top_value = max((b.value for b in drawn if b.value is not None), default=0.0)
        chart.max_value = max_value if max_value is not None else nice_ceiling(top_value)
        span = chart.bar_area
        for index, bar in enumerate(drawn):
            width = 0.0 if bar.value is None else span * bar.value / chart.max_value
            chart.bars.append(
                Bar(
                    label=bar.label,
                    value=bar.value,
                    text=bar.text,
                    y=chart.top + index * chart.row_height,
                    width=round(width, 1),
                    muted=bar.muted or bar.value is None,
                )
            )
        chart.ticks = [
            Tick(
                x=round(chart.bar_left + span * i / 4, 1),
                y=chart.axis_y,
                label=unit_format.format(chart.max_value * i / 4).replace(".", ","),
            )
            for i in range(5)
        ]
        return chart

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def bar_left(self) -> float:
        return self.label_width + 8

    @property
    def bar_area(self) -> float:
        return WIDTH - self.bar_left - 96  # room for the value text

    @property
    def axis_y(self) -> float:
        return self.top + len(self.bars) * self.row_height + 4

    @property
    def height(self) -> float:
        return self.axis_y + self.axis_height

    @property
    def label_x(self) -> float:
        return self.label_width

    @property
    def rows(self) -> list[tuple[Bar, float, float, float]]:
        """(bar, label/value baseline y, bar top y, value x) for the template."""
        return [
            (
                bar,
                bar.y + self.bar_height - 3,
                bar.y,
                self.bar_left + bar.width + 6,
            )
            for bar in self.bars
        ]


@dataclass(frozen=True)
class Point:
    label: str  # x label, e.g. "jan 2025"
    value: float | None  # None: a gap (hidden or nothing measured)
    text: str  # the value as shown


@dataclass
class Series:
    name: str
    css: str  # "series-1" (solid line, circles) or "series-2" (dashed line, squares)
    points: list[Point]
    coords: list[tuple[float, float] | None] = field(default_factory=list)

    @property
    def segments(self) -> list[str]:
        """SVG path data for each unbroken run of points ("M x y L x y …")."""
        runs: list[list[tuple[float, float]]] = [[]]
        for coord in self.coords:
            if coord is None:
                runs.append([])
            else:
                runs[-1].append(coord)
        return [
            "M " + " L ".join(f"{x:.1f} {y:.1f}" for x, y in run) for run in runs if len(run) > 1
        ]

    @property
    def markers(self) -> list[tuple[float, float, Point]]:
        return [
            (coord[0], coord[1], point)
            for coord, point in zip(self.coords, self.points, strict=True)
            if coord is not None
        ]


@dataclass
class LineChart:
    """Values by month: one or two series told apart by line style, marker shape and name."""

    title: str
    description: str
    series: list[Series]
    labels: list[str]
    height: float = 280.0
    left: float = 56.0
    right: float = 24.0
    top: float = 40.0
    bottom: float = 48.0
    max_value: float = 1.0
    ticks: list[Tick] = field(default_factory=list)
    x_labels: list[Tick] = field(default_factory=list)
    x_years: list[Tick] = field(default_factory=list)
    show_values: bool = True
    y_label: str = ""  # the unit, written above the y axis

    @classmethod
    def build(
        cls,
        *,
        title: str,
        description: str,
        labels: list[str],
        axis_labels: list[tuple[str, str]],
        series: list[Series],
        unit_format: str = "{:g}",
        max_value: float | None = None,
        y_label: str = "",
    ) -> LineChart:
        """labels: the full x labels ("januari 2025"); axis_labels: (short month, year or "")
        written under the axis, the year only where it starts or changes."""
        chart = cls(
            title=title, description=description, series=series, labels=labels, y_label=y_label
        )
        top_value = max(
            (p.value for s in series for p in s.points if p.value is not None), default=0.0
        )
        chart.max_value = max_value if max_value is not None else nice_ceiling(top_value)
        chart.show_values = len(labels) <= 13
        for s in series:
            s.coords = [
                None if p.value is None else (chart.x(i), chart.y(p.value))
                for i, p in enumerate(s.points)
            ]
        chart.ticks = [
            Tick(
                x=chart.left - 8,
                y=round(chart.y(chart.max_value * i / 4), 1),
                label=unit_format.format(chart.max_value * i / 4).replace(".", ","),
            )
            for i in range(5)
        ]
        every = max(1, math.ceil(len(labels) / 12))
        chart.x_labels = [
            Tick(x=chart.x(i), y=chart.plot_bottom + 18, label=month)
            for i, (month, _year) in enumerate(axis_labels)
            if i % every == 0
        ]
        chart.x_years = [
            Tick(x=chart.x(i), y=chart.plot_bottom + 34, label=year)
            for i, (_month, year) in enumerate(axis_labels)
            if year
        ]
        return chart

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def plot_width(self) -> float:
        return WIDTH - self.left - self.right

    @property
    def plot_right(self) -> float:
        return WIDTH - self.right

    @property
    def legend_second_x(self) -> float:
        return self.left + 140

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom

    def x(self, index: int) -> float:
        if len(self.labels) <= 1:
            return round(self.left + self.plot_width / 2, 1)
        return round(self.left + self.plot_width * index / (len(self.labels) - 1), 1)

    def y(self, value: float) -> float:
        share = value / self.max_value if self.max_value else 0.0
        return round(self.plot_bottom - (self.plot_bottom - self.top) * share, 1)
