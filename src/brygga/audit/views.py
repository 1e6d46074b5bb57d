from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from brygga.core.actor import Actor
from brygga.patients.access import access_patient, may_extract_access_log, visible_patients

from .events import AuditEventType
from .extract import entries_for_patient, labelled, to_csv
from .forms import IdentitySearchForm
from .log import log_search, record

PAGE_SIZE = 200


def _require_extract_right(actor: Actor) -> None:
    if not may_extract_access_log(actor):
        raise PermissionDenied


def access_log_search(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    _require_extract_right(actor)
    form = IdentitySearchForm(request.GET or None)
    patient = None
    searched = False
    if form.is_valid():
        searched = True
        identity = form.cleaned_data["identity"]
        patient = visible_patients(actor).filter(identity_number=identity.value).first()
        log_search(actor, query_kind="loggutdrag", hits=[patient] if patient else [])
    return render(
        request,
        "audit/access_log_search.html",
        {"form": form, "patient": patient, "searched": searched},
    )


def access_log_extract(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    _require_extract_right(actor)
    patient = access_patient(actor, patient_id)
    entries = entries_for_patient(patient.pk)
    if request.GET.get("format") == "csv":
        record(actor, AuditEventType.ACCESS_LOG_EXPORTED, patient=patient, details={"what": "csv"})
        response = HttpResponse(to_csv(entries), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="loggutdrag-{patient.pk}-{stamp}.csv"'
        )
        return response
    record(actor, AuditEventType.ACCESS_LOG_VIEWED, patient=patient, details={"what": "loggutdrag"})
    return render(
        request,
        "audit/access_log_extract.html",
        {"patient": patient, "entries": labelled(entries[:PAGE_SIZE]), "total": entries.count()},
    )
