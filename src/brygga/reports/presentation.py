"""What the statistics pages and the CSV show: figures in Swedish, hidden cells, charts."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .charts import Bar, BarChart, LineChart, Point, Series
from .queries import Counts, FollowUp, Month

NBSP = "\u00a0"


def decimal(value: float | None, digits: int = 1) -> str:
    """2.75 -> '2,8' (Swedish decimal comma); None -> '–'."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def integer(value: int) -> str:
    """76822 -> '76 822' with a non-breaking space, as Swedish texts write thousands."""
    return f"{value:,}".replace(",", NBSP)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{decimal(value * 100)}{NBSP}%"


def hidden_text(min_count: int) -> str:
    return _("färre än %(n)s") % {"n": min_count}


@dataclass(frozen=True)
class Row:
    """One row of a table: a group, a month or the total."""

    label: str
    counts: Counts
    hidden: bool
    current: bool = False  # the month is not over yet
    total: bool = False
    month: Month | None = None


def _group_rows(fu: FollowUp, measure: str) -> list[Row]:
    return [
        Row(fu.label(g), fu.group_total(g), fu.is_hidden(measure, "groups", g)) for g in fu.groups
    ]


def _month_rows(fu: FollowUp, measure: str) -> list[Row]:
    return [
        Row(
            m.label,
            fu.month_total(m),
            fu.is_hidden(measure, "months", m),
            current=fu.is_current(m),
            month=m,
        )
        for m in fu.months
    ]


def _total_row(fu: FollowUp, measure: str) -> Row:
    total = fu.total
    base = (
        total.indicator_base if measure == "indicators" else getattr(total, f"{measure}_measured")
    )
    return Row(_("Totalt"), total, 0 < base < fu.min_count, total=True)


def _axis(fu: FollowUp) -> tuple[list[str], list[tuple[str, str]]]:
    labels = [m.label for m in fu.months]
    axis = [
        (m.short_label.split(" ")[0], str(m.year) if i == 0 or m.month == 1 else "")
        for i, m in enumerate(fu.months)
    ]
    return labels, axis


# --- Days as utskrivningsklar -----------------------------------------------------------------


@dataclass
class IndicatorPage:
    groups: list[Row]
    months: list[Row]
    total: Row
    group_chart: BarChart
    month_chart: LineChart


def days_text(mean: float | None) -> str:
    return _("%(days)s dagar") % {"days": decimal(mean)}


def indicator_page(fu: FollowUp, grouping_label: str) -> IndicatorPage:
    groups = _group_rows(fu, "indicators")
    months = _month_rows(fu, "indicators")
    hidden = hidden_text(fu.min_count)
    bars = []
    for row in groups:
        if row.hidden:
            bars.append(Bar(row.label, None, hidden, muted=True))
        elif row.counts.mean_days is None:
            bars.append(Bar(row.label, None, _("inga utskrivningsklara"), muted=True))
        else:
            bars.append(Bar(row.label, row.counts.mean_days, days_text(row.counts.mean_days)))
    group_chart = BarChart.build(
        title=_("Medelantal dagar som utskrivningsklar per %(grouping)s, %(period)s")
        % {"grouping": grouping_label.lower(), "period": fu.period.label},
        description=_describe_bars(bars),
        bars=bars,
    )
    labels, axis = _axis(fu)
    points = [
        Point(
            row.label,
            None if row.hidden else row.counts.mean_days,
            hidden if row.hidden else decimal(row.counts.mean_days),
        )
        for row in months
    ]
    month_chart = LineChart.build(
        title=_("Medelantal dagar som utskrivningsklar per månad, %(period)s")
        % {"period": fu.period.label},
        description=_describe_points(points),
        labels=labels,
        axis_labels=axis,
        series=[Series(_("Medelantal dagar"), "series-1", points)],
        y_label=_("dagar"),
    )
    return IndicatorPage(groups, months, _total_row(fu, "indicators"), group_chart, month_chart)


# --- Deadlines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRow:
    label: str
    counts: Counts
    d1_hidden: bool
    d2_hidden: bool
    current: bool = False
    total: bool = False


def _rate_bars(rows: list[DeadlineRow], which: str, hidden: str) -> list[Bar]:
    bars = []
    for row in rows:
        measured = getattr(row.counts, f"{which}_measured")
        rate = getattr(row.counts, f"{which}_rate")
        if getattr(row, f"{which}_hidden"):
            bars.append(Bar(row.label, None, hidden, muted=True))
        elif not measured:
            bars.append(Bar(row.label, None, _("inga mätta"), muted=True))
        else:
            bars.append(Bar(row.label, rate * 100, percent(rate)))
    return bars


def deadline_rows(fu: FollowUp) -> tuple[list[DeadlineRow], list[DeadlineRow], DeadlineRow]:
    groups = [
        DeadlineRow(
            fu.label(g),
            fu.group_total(g),
            fu.is_hidden("d1", "groups", g),
            fu.is_hidden("d2", "groups", g),
        )
        for g in fu.groups
    ]
    months = [
        DeadlineRow(
            m.label,
            fu.month_total(m),
            fu.is_hidden("d1", "months", m),
            fu.is_hidden("d2", "months", m),
            current=fu.is_current(m),
        )
        for m in fu.months
    ]
    total = fu.total
    total_row = DeadlineRow(
        _("Totalt"),
        total,
        0 < total.d1_measured < fu.min_count,
        0 < total.d2_measured < fu.min_count,
        total=True,
    )
    return groups, months, total_row


@dataclass
class DeadlineCharts:
    groups: list[DeadlineRow]
    months: list[DeadlineRow]
    total: DeadlineRow
    d1_chart: BarChart
    d2_chart: BarChart
    month_chart: LineChart


def deadline_page(
    fu: FollowUp, grouping_label: str, d1_label: str, d2_label: str
) -> DeadlineCharts:
    groups, months, total = deadline_rows(fu)
    hidden = hidden_text(fu.min_count)
    charts = []
    for which, label in (("d1", d1_label), ("d2", d2_label)):
        bars = _rate_bars(groups, which, hidden)
        charts.append(
            BarChart.build(
                title=_("%(deadline)s: andel i tid per %(grouping)s, %(period)s")
                % {
                    "deadline": label,
                    "grouping": grouping_label.lower(),
                    "period": fu.period.label,
                },
                description=_describe_bars(bars),
                bars=bars,
                unit_format="{:g} %",
                max_value=100.0,
            )
        )
    labels, axis = _axis(fu)
    series = []
    for which, name, css in (("d1", "D1", "series-1"), ("d2", "D2", "series-2")):
        points = []
        for row in months:
            rate = getattr(row.counts, f"{which}_rate")
            if getattr(row, f"{which}_hidden"):
                points.append(Point(row.label, None, hidden))
            else:
                value = None if rate is None else rate * 100
                points.append(Point(row.label, value, decimal(value)))
        series.append(Series(name, css, points))
    month_chart = LineChart.build(
        title=_("Andel i tid per månad, D1 och D2, %(period)s") % {"period": fu.period.label},
        description="; ".join(f"{s.name}: {_describe_points(s.points)}" for s in series),
        labels=labels,
        axis_labels=axis,
        series=series,
        unit_format="{:g} %",
        max_value=100.0,
        y_label=_("% i tid"),
    )
    return DeadlineCharts(groups, months, total, charts[0], charts[1], month_chart)


# --- Text alternatives ---------------------------------------------------------------------------


def _describe_bars(bars: list[Bar]) -> str:
    shown = [b for b in bars if b.value is not None]
    if not shown:
        return _("Inga värden att visa för perioden.")
    top = max(shown, key=lambda b: b.value or 0.0)
    low = min(shown, key=lambda b: b.value or 0.0)
    return _(
        "%(count)s staplar. Högst: %(top)s, %(top_value)s. Lägst: %(low)s, %(low_value)s. "
        "Alla värden finns i tabellen."
    ) % {
        "count": len(shown),
        "top": top.label,
        "top_value": top.text,
        "low": low.label,
        "low_value": low.text,
    }


def _describe_points(points: list[Point]) -> str:
    shown = [p for p in points if p.value is not None]
    if not shown:
        return _("Inga värden att visa för perioden.")
    first, last = shown[0], shown[-1]
    if first is last:
        return _("%(label)s: %(value)s.") % {"label": first.label, "value": first.text}
    return _("Från %(first)s i %(first_label)s till %(last)s i %(last_label)s.") % {
        "first": first.text,
        "first_label": first.label,
        "last": last.text,
        "last_label": last.label,
    }
