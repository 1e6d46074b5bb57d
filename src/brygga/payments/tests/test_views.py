"""The invoicing basis, its exports, disputes, agreements and amounts, on the demo region.

In the demo (Region Stockholm 2020 agreement) Jonas Falk (Solna, compulsory psychiatric
care) has been utskrivningsklar since 10:00 six days ago: day 0 is that day, five calendar
days pass, so yesterday is his first paid day. Gudrun Mattsson (Österåker, somatic) has been
utskrivningsklar since 11:55 six days ago: paid from three days ago.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.payments.models import Agreement, DailyAmount, Dispute, DisputeStatus
from brygga.testing import pdf_text

pytestmark = pytest.mark.django_db

SOLNA, OSTERAKER = "0184", "0117"


def yesterdays_month() -> str:
    return f"{timezone.localdate() - dt.timedelta(days=1):%Y-%m}"


def basis_url(**query: str) -> str:
    query.setdefault("manad", yesterdays_month())
    return reverse("payments:basis") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def row_for(response: Any, patient_key: str, demo: Any) -> Any:
    patient = demo.patient(patient_key)
    rows = [row for row in response.context["basis"].rows if row.patient == patient]
    assert len(rows) == 1, f"{patient} not in the basis"
    return rows[0]


# --- The municipality's own basis ------------------------------------------------------------


def test_the_municipality_sees_its_basis_with_days_amount_and_reasons(
    login_as: Any, demo: Any
) -> None:
    response = login_as("karin").get(basis_url())
    assert response.status_code == 200
    basis = response.context["basis"]
    assert basis.code == SOLNA and basis.name == "Solna stad"
    jonas = row_for(response, "jonas", demo)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert jonas.result.payable_days[-1] == yesterday
    assert jonas.charged_amount == Decimal(9300) * jonas.charged_days
    assert any("psykiatrisk tvångsvård" in reason for reason in jonas.result.reasons)
    body = response.content.decode()
    assert "Jonas Falk" in body and "Faktureringsunderlag Solna stad" in body
    # Patients of other municipalities are never in it.
    assert all(row.record.municipality_code == SOLNA for row in basis.rows)
    assert "Gudrun" not in body


def test_a_municipal_user_cannot_choose_another_municipality(login_as: Any, demo: Any) -> None:
    karin = login_as("karin")
    response = karin.get(basis_url(kommun=OSTERAKER))
    assert response.context["basis"].code == SOLNA
    gudrun = demo.case("gudrun")
    page = karin.get(reverse("payments:case", args=[gudrun.pk]), {"manad": yesterdays_month()})
    assert page.status_code == 404


def test_every_view_of_the_basis_is_in_the_access_log(login_as: Any, demo: Any) -> None:
    login_as("karin").get(basis_url())
    karin = demo.person("karin")
    listed = AuditEntry.objects.filter(actor_person=karin, event_type=AuditEventType.PATIENT_LISTED)
    assert listed.filter(patient=demo.patient("jonas")).exists()
    viewed = AuditEntry.objects.get(
        actor_person=karin, event_type=AuditEventType.INVOICING_BASIS_VIEWED
    )
    assert viewed.details["municipality"] == SOLNA


def test_ward_staff_and_central_administration_see_no_basis(login_as: Any) -> None:
    assert login_as("anna").get(basis_url()).status_code == 403
    assert login_as("eva").get(basis_url()).status_code == 403


# --- The region's invoicing role ---------------------------------------------------------------


def test_invoicing_sees_every_municipality_then_one(login_as: Any, demo: Any) -> None:
    olle = login_as("olle")
    overview = olle.get(basis_url())
    assert overview.status_code == 200
    by_code = {b.code: b for b in overview.context["overview"]}
    assert len(by_code) == 26
    assert by_code[OSTERAKER].days >= 1 and by_code[SOLNA].days >= 1
    response = olle.get(basis_url(kommun=OSTERAKER))
    gudrun = row_for(response, "gudrun", demo)
    assert gudrun.result.first_payable_day == timezone.localdate() - dt.timedelta(days=3)
    assert olle.get(basis_url(kommun="9999")).status_code == 404


def test_a_year_without_an_amount_is_an_error_never_a_guess(login_as: Any, demo: Any) -> None:
    DailyAmount.objects.filter(year=(timezone.localdate() - dt.timedelta(days=1)).year).delete()
    response = login_as("karin").get(basis_url())
    basis = response.context["basis"]
    assert basis.amount is None and basis.missing_years
    assert "Belopp per dag saknas" in response.content.decode()
    assert row_for(response, "jonas", demo).charged_amount is None


# --- Exports -----------------------------------------------------------------------------------


def test_csv_export_for_swedish_excel_is_logged(login_as: Any, demo: Any) -> None:
    response = login_as("karin").get(
        reverse("payments:export", args=["csv"]), {"manad": yesterdays_month()}
    )
    assert response.status_code == 200
    assert f"faktureringsunderlag-{SOLNA}-" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffÄrende;Patient;Identitetsnummer")
    jonas = demo.patient("jonas")
    line = next(line for line in text.splitlines() if "Jonas Falk" in line)
    assert jonas.identity.display() in line and ",00;" in line
    assert AuditEntry.objects.filter(
        actor_person=demo.person("karin"), event_type=AuditEventType.INVOICING_BASIS_EXPORTED
    ).exists()


def test_xlsx_export_has_the_rows_and_a_summary(login_as: Any, demo: Any) -> None:
    from openpyxl import load_workbook

    response = login_as("karin").get(
        reverse("payments:export", args=["xlsx"]), {"manad": yesterdays_month()}
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Underlag"]
    rows: list[Any] = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Ärende", "Patient", "Identitetsnummer")
    jonas = next(row for row in rows[1:] if row[1] == "Jonas Falk")
    assert jonas[12] == pytest.approx(9300 * jonas[9])
    summary: dict[Any, Any] = {
        row[0]: row[1] for row in workbook["Sammanfattning"].iter_rows(values_only=True)
    }
    assert summary["Kommun"] == "Solna stad (0184)"


def test_pdf_export_is_tagged_pdf_ua_with_the_text(login_as: Any, demo: Any) -> None:
    from pypdf import PdfReader

    response = login_as("karin").get(
        reverse("payments:export", args=["pdf"]), {"manad": yesterdays_month()}
    )
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(pdf_text(response.content).split())
    assert "Faktureringsunderlag Solna stad" in text
    assert "Jonas Falk" in text and demo.patient("jonas").identity.display() in text
    root: Any = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert root["/Lang"] == "sv"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert reader.metadata is not None
    assert (reader.metadata.title or "").startswith("Faktureringsunderlag Solna stad")
    metadata = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in metadata  # declares PDF/UA-1

    def tags(node: Any) -> list[str]:
        node = node.get_object()
        found = [str(node["/S"])] if "/S" in node else []
        kids = node.get("/K")
        if isinstance(kids, list):
            for kid in kids:
                if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                    found += tags(kid)
        elif kids is not None and hasattr(kids, "get_object") and hasattr(kids.get_object(), "get"):
            found += tags(kids)
        return found

    structure = tags(root["/StructTreeRoot"])
    for tag in ("/H1", "/H2", "/Table", "/TH", "/TD", "/Caption"):
        assert tag in structure


def test_an_unknown_export_format_is_not_found(login_as: Any) -> None:
    assert login_as("karin").get(reverse("payments:export", args=["doc"])).status_code == 404


# --- Disputes ----------------------------------------------------------------------------------


def test_the_municipality_disputes_and_the_region_resolves(login_as: Any, demo: Any) -> None:
    jonas = demo.case("jonas")
    month = yesterdays_month()
    karin = login_as("karin")
    page = karin.get(reverse("payments:case", args=[jonas.pk]), {"manad": month})
    assert page.status_code == 200 and "Bestrid raden" in page.content.decode()
    empty = karin.post(reverse("payments:dispute", args=[jonas.pk]), {"manad": month})
    assert empty.status_code == 400 and not Dispute.objects.exists()
    karin.post(
        reverse("payments:dispute", args=[jonas.pk]),
        {"manad": month, "comment": "Patienten tackade nej till korttidsboende."},
    )
    dispute = Dispute.objects.get()
    assert dispute.status == DisputeStatus.OPEN and dispute.municipality_code == SOLNA
    again = karin.post(
        reverse("payments:dispute", args=[jonas.pk]), {"manad": month, "comment": "Igen."}
    )
    assert again.status_code in (400, 404) and Dispute.objects.count() == 1
    # The municipality cannot decide its own dispute.
    decision = {"decision": "accept", "resolution": "Godtas."}
    assert karin.post(reverse("payments:resolve", args=[dispute.pk]), decision).status_code == 403

    olle = login_as("olle")
    listing = olle.get(reverse("payments:disputes"))
    assert "Jonas Falk" in listing.content.decode()
    olle.post(reverse("payments:resolve", args=[dispute.pk]), decision)
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.ACCEPTED and dispute.resolved_by_name == "Olle Strand"
    after = karin.get(basis_url())
    row = row_for(after, "jonas", demo)
    assert row.credited and row.charged_amount == 0
    types = set(AuditEntry.objects.values_list("event_type", flat=True))
    assert {AuditEventType.DISPUTE_OPENED, AuditEventType.DISPUTE_RESOLVED} <= types


def test_a_refusal_of_support_makes_the_stay_free(login_as: Any, demo: Any) -> None:
    jonas = demo.case("jonas")
    karin = login_as("karin")
    url = reverse("payments:support_refusal", args=[jonas.pk])
    assert karin.get(url).status_code == 200
    refused_at = timezone.localtime(jonas.ready_at) + dt.timedelta(hours=1)
    karin.post(
        url,
        {
            "refused_at": f"{refused_at:%Y-%m-%dT%H:%M}",
            "note": "Patienten avböjde hemtjänst vid samtal med handläggaren.",
        },
    )
    row = row_for(karin.get(basis_url()), "jonas", demo)
    assert row.charged_amount == 0
    assert any("avböjt kommunens stöd" in text for text in row.result.failed_text)


# --- Agreements and amounts ----------------------------------------------------------------


def test_central_administration_makes_a_new_version_of_an_agreement(
    login_as: Any, demo: Any
) -> None:
    eva = login_as("eva")
    listing = eva.get(reverse("payments:agreements"))
    assert "Region Stockholm 2020" in listing.content.decode()
    current = Agreement.objects.get(code="rs-2020")
    form = eva.get(reverse("payments:agreement_create"), {"fran": current.pk})
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data |= {
        "valid_from": "2027-01-01",
        "somatic_model": "average",
        "somatic_average_level": "",
        "day_zero_cutoff": "12:00",
        "require_admission_notice": "on",
        "require_ready_notice": "on",
        "require_sip_call": "on",
        "require_no_refusal": "on",
    }
    data.pop("eves_are_holidays", None)
    refused = eva.post(reverse("payments:agreement_create"), data)
    assert refused.status_code == 400
    assert "behöver en avtalad nivå" in refused.content.decode()
    data["somatic_average_level"] = "3.5"
    eva.post(reverse("payments:agreement_create"), data)
    new = Agreement.objects.get(code="rs-2020", version=2)
    assert new.somatic_model == "average" and new.somatic_average_level == Decimal("3.5")
    assert Agreement.objects.get(code="rs-2020", version=1).valid_to is None  # never changed
    assert AuditEntry.objects.filter(event_type=AuditEventType.AGREEMENT_CREATED).exists()
    detail = eva.get(reverse("payments:agreement_detail", args=[new.pk]))
    assert "nivå 3,50 dagar" in detail.content.decode()


def test_amounts_page_shows_missing_years_and_sets_one(login_as: Any, demo: Any) -> None:
    this_year = timezone.localdate().year
    DailyAmount.objects.filter(year=this_year).delete()
    olle = login_as("olle")
    page = olle.get(reverse("payments:amounts"))
    assert this_year in page.context["status"].missing
    assert "Belopp per dag saknas" in page.content.decode()
    olle.post(
        reverse("payments:amounts"),
        {"year": this_year, "amount": "9 900", "confirmed": "on", "source": "Beslut"},
    )
    row = DailyAmount.objects.get(year=this_year)
    assert row.amount == Decimal(9900) and row.confirmed
    assert this_year not in olle.get(reverse("payments:amounts")).context["status"].missing


def test_municipal_and_ward_users_cannot_manage_agreements(login_as: Any) -> None:
    for name in ("karin", "anna"):
        assert login_as(name).get(reverse("payments:agreements")).status_code == 403
        assert login_as(name).get(reverse("payments:amounts")).status_code == 403


def test_the_whole_region_costs_a_fixed_number_of_queries(
    demo: Any, django_assert_max_num_queries: Any
) -> None:
    from brygga.payments.basis import compute_basis

    month = (timezone.localdate() - dt.timedelta(days=1)).replace(day=1)
    with django_assert_max_num_queries(12):
        bases = compute_basis(month, None, now=timezone.now())
    assert sum(len(b.rows) for b in bases.values()) >= 2
