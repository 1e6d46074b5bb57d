"""Case views: thin — parse, check access, call an action, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_patient_read, log_search
from brygga.core.actor import Actor
from brygga.patients.actions import register_patient
from brygga.patients.forms import IdentityForm, PatientForm
from brygga.patients.identity import PatientIdentity
from brygga.patients.models import Patient

from . import actions
from .access import CARE_ROLES, access_case, access_event
from .forms import (
    EVENT_BY_SLUG,
    EVENT_FORMS,
    EVENT_SLUGS,
    OpenCaseForm,
    RetractForm,
)
from .models import Case, CaseEvent
from .models import CaseEventType as E
from .presentation import LABELS, case_deadlines, days_waited, payload_rows, timeline
from .routing import propose_recipients
from .rules import allowed_events, check_allowed
from .search import PARAMETER, PatientSearchForm, search_cases
from .worklist import Worklist


def _care_actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not actor.has_role(*CARE_ROLES):
        raise PermissionDenied
    return actor


def worklist(request: HttpRequest) -> HttpResponse:
    actor = _care_actor(request)
    worklist = Worklist.for_actor(
        actor,
        state=request.GET.get("status", ""),
        sort=request.GET.get("sortera", ""),
        view=request.GET.get("visa", ""),
        page=request.GET.get("sida", 1),
        now=timezone.now(),
    )
    log_patient_read(actor, AuditEventType.PATIENT_LISTED, worklist.patients(), what="arbetslista")
    # The navigation's count is known already: the context processor need not ask again.
    return render(
        request,
        "cases/worklist.html",
        {
            "worklist": worklist,
            "unacknowledged_count": worklist.unacknowledged_total,
            "search_form": PatientSearchForm(),
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    """Search by identity number: the patient's cases that the unit may see, open and closed."""
    actor = _care_actor(request)
    form = PatientSearchForm(request.GET if PARAMETER in request.GET else None)
    result = None
    if form.is_valid():
        result = search_cases(actor, form.cleaned_data[PARAMETER])
        # Logged even when nothing is shown; one row per patient shown.
        log_search(
            actor, query_kind="sök i arbetslistan", hits=[result.patient] if result.patient else []
        )
    return render(request, "cases/search.html", {"search_form": form, "result": result})


def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = _care_actor(request)
    case = access_case(actor, case_id)
    log_patient_read(actor, AuditEventType.CASE_VIEWED, [case.patient], what="ärende", obj=case)
    now = timezone.now()
    entries = timeline(case, actor.unit)
    expected_date_events = [e.event for e in entries if e.event.type == E.EXPECTED_DATE_CHANGED]
    role = actions.party_role_of(case, actor.unit)
    possible = allowed_events(actions.facts_of(case), role)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "parties": case.parties.select_related("unit").order_by("-active", "role", "joined_at"),
            "timeline": entries,
            "deadlines": case_deadlines(case, expected_date_events, now=now),
            "days_waited": days_waited(case, now=now),
            "actions": [(EVENT_SLUGS[e], EVENT_FORMS[e].title) for e in possible],
            "pending": sum(1 for e in entries if e.mine_to_acknowledge),
            "is_party": role is not None,
        },
    )


def _submitted_key(request: HttpRequest, form: forms.Form) -> str:
    """The idempotency key a POST carries, when the form's own field accepts it (the form
    says what is wrong otherwise): used to spot a second click before validating the rest."""
    if request.method != "POST":
        return ""
    try:
        return str(form.fields["idempotency_key"].clean(request.POST.get("idempotency_key")))
    except ValidationError:
        return ""


@require_http_methods(["GET", "POST"])
def record_event(request: HttpRequest, case_id: int, slug: str) -> HttpResponse:
    actor = _care_actor(request)
    case = access_case(actor, case_id)
    event_type = EVENT_BY_SLUG.get(slug)
    if event_type is None:
        raise Http404
    form_class = EVENT_FORMS[event_type]
    extra: dict[str, Any] = (
        {"previous": case.expected_discharge_on} if event_type == E.EXPECTED_DATE_CHANGED else {}
    )
    # Efterregistrering after an outage: the same form with the original time added.
    back_registration = request.GET.get("efterregistrering") == "1"
    extra["back_registration"] = back_registration
    form = form_class(
        request.POST or None,
        actor_unit=actor.unit,
        initial={"version": case.version},
        **extra,  # type: ignore[arg-type]
    )
    key = _submitted_key(request, form)
    if key and CaseEvent.objects.filter(case=case, idempotency_key=key).exists():
        # A second click on the same form: the first one already recorded it.
        messages.info(request, _("Det här är redan registrerat."))
        return redirect("cases:detail", case_id=case.pk)
    reason = check_allowed(
        event_type, actions.facts_of(case), actions.party_role_of(case, actor.unit)
    )
    # When the event is not allowed, say why up front instead of offering a form.
    show_form = reason is None
    if show_form and request.method == "POST" and form.is_valid():
        try:
            actions.record_event(
                actor=actor,
                case=case,
                event_type=event_type,
                payload=form.to_payload(),
                text=form.cleaned_data.get("text", ""),
                expected_version=form.cleaned_data["version"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                effective_at=form.cleaned_data.get("original_at"),
                back_registered=back_registration,
            )
        except actions.Conflict as conflict:
            reason = conflict.message
            # Keep what the user wrote; let the next submit go against the new version.
            data = request.POST.copy()
            case.refresh_from_db()
            data["version"] = str(case.version)
            form = form_class(data, actor_unit=actor.unit, **extra)  # type: ignore[arg-type]
            form.is_valid()
        except actions.NotAllowed as refusal:
            reason = refusal.message
        else:
            messages.success(
                request, _("%(event)s har registrerats.") % {"event": E(event_type).label}
            )
            return redirect("cases:detail", case_id=case.pk)
    log_patient_read(actor, AuditEventType.CASE_VIEWED, [case.patient], what=slug, obj=case)
    return render(
        request,
        "cases/event_form.html",
        {
            "case": case,
            "form": form if show_form else None,
            "refusal": reason,
            "event_label": E(event_type).label,
            "back_registration": back_registration,
        },
        status=409 if reason else 200,
    )


@require_POST
def acknowledge(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = _care_actor(request)
    case = access_case(actor, case_id)
    event_id = request.POST.get("event")
    try:
        if event_id:
            actions.acknowledge(actor=actor, event=access_event(case, int(event_id)))
            messages.success(request, _("Meddelandet är kvitterat."))
        else:
            count = actions.acknowledge_all(actor=actor, case=case)
            messages.success(request, _("%(count)s meddelanden kvitterade.") % {"count": count})
    except (actions.NotAllowed, ValueError) as refusal:
        messages.error(request, getattr(refusal, "message", _("Meddelandet finns inte.")))
    return redirect("cases:detail", case_id=case.pk)


@require_http_methods(["GET", "POST"])
def retract(request: HttpRequest, case_id: int, event_id: int) -> HttpResponse:
    actor = _care_actor(request)
    case = access_case(actor, case_id)
    event: CaseEvent = access_event(case, event_id)
    form = RetractForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.retract(actor=actor, event=event, reason=form.cleaned_data["reason"])
        except actions.NotAllowed as error:
            refusal = error.message
        else:
            messages.success(
                request, _("Meddelandet är makulerat. Det syns kvar i händelseloggen.")
            )
            return redirect("cases:detail", case_id=case.pk)
    return render(
        request,
        "cases/retract.html",
        {"case": case, "event": event, "form": form, "refusal": refusal},
    )


def patient_information(request: HttpRequest, case_id: int) -> HttpResponse:
    """Written information for the patient at discharge (Patientlagen 3 kap. 2 b §)."""
    actor = _care_actor(request)
    case = access_case(actor, case_id)
    log_patient_read(
        actor, AuditEventType.CASE_VIEWED, [case.patient], what="patientinformation", obj=case
    )
    events = list(
        CaseEvent.objects.filter(
            case=case, retracted_at__isnull=True, type__in=[E.SIP_CALLED, E.SIP_HELD]
        ).order_by("recorded_at")
    )
    sip_called = [e for e in events if e.type == E.SIP_CALLED]
    plans = [e for e in events if e.type == E.SIP_HELD]
    return render(
        request,
        "cases/patient_information.html",
        {
            "case": case,
            "sip_meeting": [
                row
                for row in payload_rows(sip_called[-1])
                if row[0] in {str(LABELS["meeting_at"]), str(LABELS["mode"]), str(LABELS["place"])}
            ]
            if sip_called
            else None,
            "plans": plans,
            "parties": case.parties.filter(active=True).select_related("unit"),
        },
    )


@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest) -> HttpResponse:
    """Find the patient by identity number (or register them), then open the case.

    Three steps on one address: the identity number; for an unknown patient the
    registration; then the case with the recipients proposed from the patient's data.
    """
    actor = _care_actor(request)
    sip_only = request.resolver_match is not None and request.resolver_match.url_name == "open_sip"
    if sip_only == bool(actor.unit and actor.unit.is_inpatient):
        raise PermissionDenied
    posted = request.method == "POST"
    source = request.POST if posted else request.GET
    identity_form = IdentityForm(source if "identitet" in source else None)
    context: dict[str, object] = {"identity_form": identity_form, "sip_only": sip_only}
    if not identity_form.is_valid():
        return render(request, "cases/open_case.html", context)
    identity: PatientIdentity = identity_form.cleaned_data["identitet"]
    patient = Patient.objects.filter(identity_number=identity.value).first()
    if not posted:
        log_search(actor, query_kind="öppna ärende", hits=[patient] if patient else [])
    context["identity"] = identity
    if patient is None:
        patient_form = PatientForm(request.POST if posted else None)
        if posted and patient_form.is_valid():
            register_patient(actor=actor, identity=identity, **patient_form.cleaned_data)
            messages.success(request, _("Patienten är registrerad. Kontrollera mottagarna."))
            return redirect(f"{request.path}?{urlencode({'identitet': identity.value})}")
        context["patient_form"] = patient_form
        return render(request, "cases/open_case.html", context)

    proposed = propose_recipients(patient, on=timezone.localdate())
    case_form = OpenCaseForm(request.POST if posted else None, proposed=proposed, sip_only=sip_only)
    context |= {"patient": patient, "case_form": case_form}
    if posted and case_form.is_valid():
        try:
            case = _open(actor, patient, case_form, sip_only=sip_only)
        except actions.NotAllowed as refusal:
            context["refusal"] = refusal.message
        else:
            messages.success(request, _("Ärendet är öppnat."))
            return redirect("cases:detail", case_id=case.pk)
    log_patient_read(actor, AuditEventType.PATIENT_VIEWED, [patient], what="öppna ärende")
    return render(request, "cases/open_case.html", context)


def _open(actor: Actor, patient: Patient, case_form: OpenCaseForm, *, sip_only: bool) -> Case:
    data = case_form.cleaned_data
    if sip_only:
        return actions.open_sip_case(
            actor=actor,
            patient=patient,
            recipients=data["all_recipients"],
            idempotency_key=data["idempotency_key"],
        )
    return actions.open_case(
        actor=actor,
        patient=patient,
        care_kind=data["care_kind"],
        compulsory_care=data["compulsory_care"],
        admitted_at=data["admitted_at"],
        assessed_at=data["assessed_at"],
        recipients=data["all_recipients"],
        idempotency_key=data["idempotency_key"],
    )
