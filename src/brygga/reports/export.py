"""CSV export of the follow-up figures, for Swedish Excel.

The choices, made for the spreadsheet most users open it in (Excel with Swedish settings):
semicolon as the separator and decimal comma (what Swedish Excel expects: a file with
commas opens as one column and 2.8 becomes a date), UTF-8 with a byte-order mark (so å, ä
and ö survive a double-click), CRLF line ends, Swedish headers, no thousands separators.

Rows: each group and month, then each group for the whole period, then all groups per
month, then the grand total — the same figures as the page, with the same small numbers
hidden (empty cells and a note in the last column).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.utils.translation import gettext as _

from brygga.cases.models import CareKind

from .presentation import decimal
from .queries import Counts, FollowUp, Grouping, GroupKey, Month

BOM = "\ufeff"


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else decimal(value, digits)


def _lines(fu: FollowUp, measure: str) -> list[tuple[str, str, str, Counts, bool]]:
    """(month or 'Hela perioden', group name, group identifier, counts, hidden)."""
    whole = _("Hela perioden")
    everyone = _("Alla")
    rows: list[tuple[str, str, str, Counts, bool]] = []
    groups: list[GroupKey] = fu.groups
    months: list[Month] = fu.months
    for g in groups:
        for m in months:
            counts = fu.cells.get((g, m), Counts())
            rows.append(
                (m.iso, fu.label(g), fu.identifier(g), counts, fu.is_hidden(measure, "cells", g, m))
            )
    for g in groups:
        rows.append(
            (
                whole,
                fu.label(g),
                fu.identifier(g),
                fu.group_total(g),
                fu.is_hidden(measure, "groups", g),
            )
        )
    for m in months:
        rows.append((m.iso, everyone, "", fu.month_total(m), fu.is_hidden(measure, "months", m)))
    total = fu.total
    base = (
        total.indicator_base if measure == "indicators" else getattr(total, f"{measure}_measured")
    )
    rows.append((whole, everyone, "", total, 0 < base < fu.min_count))
    return rows


Values = Callable[[Counts], list[str]]


def _write(
    fu: FollowUp,
    header: list[str],
    measures: list[tuple[str, list[str], Values]],
    *,
    prefix_header: tuple[str, ...] = (),
) -> str:
    """measures: (measure for the hidden cells, values before the figures, the figures)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    common = [_("Månad"), _("Vårdform"), _("Redovisas per"), _("Grupp"), _("Kod eller HSA-id")]
    writer.writerow([*common, *prefix_header, *header, _("Anmärkning")])
    hidden_note = _("Färre än %(n)s vårdtillfällen: visas inte") % {"n": fu.min_count}
    care_kind = str(CareKind(fu.care_kind).label)
    grouping = str(Grouping.LABELS[fu.grouping])
    current = Month.of(fu.today).iso
    for measure, prefix, values in measures:
        for month, name, identifier, counts, hidden in _lines(fu, measure):
            shown = ["" for _h in header] if hidden else values(counts)
            note = hidden_note if hidden else (_("Månaden pågår") if month == current else "")
            writer.writerow([month, care_kind, grouping, name, identifier, *prefix, *shown, note])
    return BOM + out.getvalue()


def indicators_csv(fu: FollowUp) -> str:
    header = [
        _("Avslutade vårdtillfällen"),
        _("Utskrivningsklara minst en dag (antal)"),
        _("Summa dagar som utskrivningsklar"),
        _("Medelantal dagar som utskrivningsklar"),
    ]

    def values(c: Counts) -> list[str]:
        return [
            str(c.discharged),
            str(c.ready_stays),
            str(c.ready_days),
            _number(c.mean_days, 2),
        ]

    return _write(fu, header, [("indicators", [], values)])


def deadlines_csv(fu: FollowUp) -> str:
    """One row per deadline (D1, D2), so each row's hidden cells and note are its own."""
    header = [_("Mätta vårdtillfällen"), _("I tid (antal)"), _("I tid (andel, %)")]

    def figures(which: str) -> Values:
        def values(c: Counts) -> list[str]:
            rate = getattr(c, f"{which}_rate")
            return [
                str(getattr(c, f"{which}_measured")),
                str(getattr(c, f"{which}_met")),
                _number(None if rate is None else rate * 100),
            ]

        return values

    return _write(
        fu,
        header,
        [("d1", ["D1"], figures("d1")), ("d2", ["D2"], figures("d2"))],
        prefix_header=(_("Tidsfrist"),),
    )
