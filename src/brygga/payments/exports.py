"""The invoicing basis as CSV (for Excel in Swedish), XLSX (openpyxl) and tagged PDF/UA."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from brygga.core.pdf import render_pdf

from .basis import BasisRow, MunicipalityBasis
from .rules import STOCKHOLM


def header() -> list[str]:
    return [
        _("Ärende"),
        _("Patient"),
        _("Identitetsnummer"),
        _("Vårdform"),
        _("Överenskommelse"),
        _("Utskrivningsklar"),
        _("Dag 0"),
        _("Betalningsansvar från"),
        _("Utskriven"),
        _("Dagar i månaden"),
        _("Första debiterade dag"),
        _("Sista debiterade dag"),
        _("Belopp (kr)"),
        _("Ej uppfyllda villkor"),
        _("Bestridande"),
        _("Skäl"),
    ]


def care_label(row: BasisRow) -> str:
    if row.record.facts.compulsory_care:
        return _("Psykiatrisk tvångsvård (LPT/LRV)")
    return (
        _("Psykiatrisk vård") if row.record.facts.care_kind == "psychiatric" else _("Somatisk vård")
    )


def dispute_label(row: BasisRow) -> str:
    if row.dispute is None:
        return ""
    return str(row.dispute.get_status_display())


def _local(moment: dt.datetime | None) -> str:
    return f"{moment.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}" if moment else ""


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def row_values(row: BasisRow) -> list[Any]:
    """One row's cells; amounts as Decimal (None: a year's amount is missing)."""
    facts = row.record.facts
    result = row.result
    patient = row.patient
    days: Any = row.charged_days
    if row.is_average:
        days = result.days_as_ready if result.days_as_ready is not None else ""
    return [
        row.case_id,
        patient.full_name if patient else "",
        patient.identity.display() if patient else "",
        care_label(row),
        row.terms.title,
        _local(facts.ready_at),
        _day(result.day_zero),
        _day(result.first_payable_day) if not row.is_average else _("Genomsnittsmodell"),
        _local(facts.discharged_at),
        days,
        _day(row.first_day),
        _day(row.last_day),
        row.charged_amount,
        " ".join(result.failed_text),
        dispute_label(row),
        " ".join(result.reasons),
    ]


def _swedish_amount(value: Decimal | None) -> str:
    if value is None:
        return _("belopp saknas")
    return f"{value:.2f}".replace(".", ",")


def to_csv(basis: MunicipalityBasis) -> str:
    """Semicolon-separated with decimal commas and a byte-order mark, as Swedish Excel reads."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header())
    for row in basis.rows:
        values = row_values(row)
        values[12] = _swedish_amount(values[12])
        writer.writerow(values)
    writer.writerow([])
    for line in summary_lines(basis):
        writer.writerow(line)
    return out.getvalue()


def summary_lines(basis: MunicipalityBasis) -> list[list[str]]:
    lines = [
        [_("Kommun"), f"{basis.name} ({basis.code})"],
        [_("Månad"), f"{basis.month:%Y-%m}"],
        [_("Debiterade dagar"), str(basis.days)],
        [_("Summa (kr)"), _swedish_amount(basis.amount)],
    ]
    for group in basis.averages:
        lines.append([_("Genomsnittsmodell"), " ".join(group.result.reasons)])
        lines.append(
            [_("Belopp enligt genomsnittsmodellen (kr)"), _swedish_amount(group.result.amount)]
        )
    if basis.missing_years:
        lines.append(
            [
                _("Fel"),
                _("Belopp per dag saknas för %(years)s; summan kan inte räknas fram.")
                % {"years": ", ".join(map(str, basis.missing_years))},
            ]
        )
    if basis.unconfirmed_years:
        lines.append(
            [
                _("Obs"),
                _("Beloppet för %(years)s är inte bekräftat.")
                % {"years": ", ".join(map(str, basis.unconfirmed_years))},
            ]
        )
    lines.append([_("Utan debiterade dagar i månaden"), str(basis.within_grace)])
    return lines


def to_xlsx(basis: MunicipalityBasis) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Underlag")[:31]
    sheet.append(header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in basis.rows:
        values = row_values(row)
        amount = values[12]
        values[12] = float(amount) if amount is not None else _("belopp saknas")
        sheet.append(values)
        sheet.cell(row=sheet.max_row, column=13).number_format = "# ##0.00"
    sheet.freeze_panes = "A2"
    if basis.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header()))}{sheet.max_row}"
    widths = [8, 24, 16, 18, 26, 17, 11, 14, 17, 10, 12, 12, 14, 40, 22, 80]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    summary = workbook.create_sheet(_("Sammanfattning")[:31])
    for line in summary_lines(basis):
        summary.append(line)
    summary.column_dimensions["A"].width = 36
    summary.column_dimensions["B"].width = 100
    workbook.properties.title = _("Faktureringsunderlag %(name)s %(month)s") % {
        "name": basis.name,
        "month": f"{basis.month:%Y-%m}",
    }
    workbook.properties.language = "sv-SE"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_pdf(basis: MunicipalityBasis, *, generated_at: dt.datetime) -> bytes:
    return render_pdf(
        "payments/basis_pdf.html",
        {"basis": basis, "generated_at": generated_at, "summary": summary_lines(basis)},
    )


def filename(basis: MunicipalityBasis, extension: str) -> str:
    return f"faktureringsunderlag-{basis.code}-{basis.month:%Y-%m}.{extension}"
