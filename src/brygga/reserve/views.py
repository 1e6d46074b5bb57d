"""The reserve routine: pages that answer when the database does not (the outage page and
health checks), and the units' contingency lists."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_patient_read, record
from brygga.cases.access import CARE_ROLES, access_case
from brygga.cases.actions import NotAllowed
from brygga.cases.models import Case, CaseEvent, CaseParty
from brygga.core.actor import Actor
from brygga.core.pdf import pdf_response, render_pdf
from brygga.patients.models import Patient

from .actions import add_external_recipient, record_external_dispatch
from .external import is_notice
from .forms import DispatchForm, ExternalRecipientForm
from .models import ContingencyList, ExternalRecipient
from .paper import FORMS, Contact, filled_form, notice_form

# The errors a lost database raises (and a few others, such as a deadlock, that don't mean
# an outage: database_reachable() tells them apart).
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def database_reachable() -> bool:
    """Whether the database answers a trivial query, on a fresh connection if need be."""
    try:
        _select_one()
    except DatabaseError:
        # The connection may be one the database dropped: try once more with a new one.
        connection.close()
        try:
            _select_one()
        except DatabaseError:
            connection.close()
            return False
    return True


def is_outage(error: BaseException | None) -> bool:
    return isinstance(error, CONNECTION_ERRORS) and not database_reachable()


def outage_response() -> HttpResponse:
    """The reserve-routine page, rendered without the request context (no database)."""
    response = HttpResponse(render_to_string("reserve/outage.html"), status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """Liveness: the application process answers. Never touches the database."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: the application can reach its database and may be sent traffic."""
    if not database_reachable():
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _unit_actor(request: HttpRequest) -> Actor:
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or actor.unit is None or not actor.has_role(*CARE_ROLES):
        raise PermissionDenied
    return actor


@require_GET
def contingency_lists(request: HttpRequest) -> HttpResponse:
    """The acting unit's latest contingency lists, to print before an outage."""
    actor = _unit_actor(request)
    lists = ContingencyList.objects.filter(unit=actor.unit).defer("document")
    return render(
        request,
        "reserve/contingency_lists.html",
        {
            "lists": lists,
            "interval": settings.CONTINGENCY_INTERVAL_MINUTES,
        },
    )


@require_GET
def contingency_download(request: HttpRequest, list_id: int) -> HttpResponse:
    """One list as a file; every download is in the access log with each patient on it."""
    actor = _unit_actor(request)
    found = ContingencyList.objects.filter(unit=actor.unit, pk=list_id).first()
    if found is None:
        raise Http404
    with transaction.atomic():
        record(
            actor,
            AuditEventType.CONTINGENCY_LIST_DOWNLOADED,
            obj=found,
            details={"cases": found.case_count, "generated_at": found.generated_at.isoformat()},
        )
        log_patient_read(
            actor,
            AuditEventType.PATIENT_LISTED,
            Patient.objects.filter(pk__in=found.patient_ids),
            what="beredskapslista",
            obj=found,
        )
    response = HttpResponse(bytes(found.document), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    return response


def _recipient_choices(case: Case, actor: Actor) -> list[tuple[str, Contact]]:
    """The other active parties of the case, as (key, contact) for the recipient choice."""
    parties = (
        CaseParty.objects.filter(case=case, active=True)
        .exclude(unit=actor.unit)
        .select_related("unit")
        .order_by("role", "unit__name")
    )
    return [(f"enhet-{party.unit_id}", Contact.of(party.unit)) for party in parties]


@require_GET
def case_forms(request: HttpRequest, case_id: int) -> HttpResponse:
    """Choose a form and a recipient; the PDF comes filled in from the case."""
    actor = _unit_actor(request)
    case = access_case(actor, case_id)
    log_patient_read(actor, AuditEventType.CASE_VIEWED, [case.patient], what="blanketter", obj=case)
    return render(
        request,
        "reserve/case_forms.html",
        {
            "case": case,
            "forms": FORMS.values(),
            "recipients": _recipient_choices(case, actor),
        },
    )


@require_GET
def case_form_pdf(request: HttpRequest, case_id: int, slug: str) -> HttpResponse:
    actor = _unit_actor(request)
    case = access_case(actor, case_id)
    spec = FORMS.get(slug)
    recipients = dict(_recipient_choices(case, actor))
    recipient = recipients.get(request.GET.get("mottagare", ""))
    if spec is None or recipient is None or actor.unit is None:
        raise Http404
    event = (
        CaseEvent.objects.filter(case=case, type=spec.event_type, retracted_at__isnull=True)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    now = timezone.now()
    document = render_pdf(
        "reserve/paper_form.html",
        {
            "form": filled_form(
                slug,
                case=case,
                event=event,
                sender=Contact.of(actor.unit),
                recipient=recipient,
                now=now,
            )
        },
    )
    with transaction.atomic():
        record(
            actor,
            AuditEventType.FORM_PRINTED,
            patient=case.patient,
            obj=case,
            details={"form": slug, "recipient": recipient.name},
        )
        log_patient_read(actor, AuditEventType.CASE_VIEWED, [case.patient], what=slug, obj=case)
    return pdf_response(document, f"{slug}-{case.pk}-{now:%Y%m%d-%H%M}.pdf")


# --- External recipients -----------------------------------------------------------------------


def _external_of(
    actor: Actor, case: Case, recipient_id: int, event_id: int
) -> tuple[ExternalRecipient, Any]:
    """The recipient and a notice the acting unit sent in the case (it sends it on), or 404."""
    recipient = ExternalRecipient.objects.filter(case=case, pk=recipient_id).first()
    event = (
        CaseEvent.objects.filter(case=case, pk=event_id, retracted_at__isnull=True)
        .select_related("author_unit")
        .first()
    )
    if recipient is None or event is None or not is_notice(event):
        raise Http404
    if actor.unit is None or event.author_unit_id != actor.unit.pk:
        raise Http404
    return recipient, event


@require_http_methods(["GET", "POST"])
def external_add(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = _unit_actor(request)
    case = access_case(actor, case_id)
    form = ExternalRecipientForm(
        request.POST or None, initial={"municipality_code": case.patient.municipality_code}
    )
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            add_external_recipient(actor=actor, case=case, now=timezone.now(), **form.cleaned_data)
        except NotAllowed as error:
            refusal = error.message
        else:
            messages.success(request, _("Den externa mottagaren är tillagd i ärendet."))
            return redirect("cases:detail", case_id=case.pk)
    log_patient_read(actor, AuditEventType.CASE_VIEWED, [case.patient], what="extern", obj=case)
    return render(
        request,
        "reserve/form_page.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "title": _("Lägg till extern mottagare"),
            "intro": _(
                "För en mottagare som inte finns i Brygga, t.ex. socialtjänsten i en kommun "
                "utanför regionen. Meddelandena i ärendet skrivs då ut som faxblanketter med "
                "mottagarens uppgifter, och ni registrerar när och hur de skickades. "
                "Tidsfrister och betalningsansvar gäller som vanligt."
            ),
            "submit": _("Lägg till"),
        },
    )


@require_GET
def external_pdf(
    request: HttpRequest, case_id: int, recipient_id: int, event_id: int
) -> HttpResponse:
    actor = _unit_actor(request)
    case = access_case(actor, case_id)
    recipient, event = _external_of(actor, case, recipient_id, event_id)
    assert actor.unit is not None
    now = timezone.now()
    document = render_pdf(
        "reserve/paper_form.html",
        {
            "form": notice_form(
                case=case,
                event=event,
                sender=Contact.of(actor.unit),
                recipient=Contact(recipient.name, recipient.phone, recipient.fax),
                now=now,
            )
        },
    )
    with transaction.atomic():
        record(
            actor,
            AuditEventType.FORM_PRINTED,
            patient=case.patient,
            obj=case,
            details={"event": event.pk, "recipient": recipient.name, "external": True},
        )
        log_patient_read(actor, AuditEventType.CASE_VIEWED, [case.patient], what="fax", obj=case)
    return pdf_response(document, f"fax-{case.pk}-{event.pk}-{now:%Y%m%d-%H%M}.pdf")


@require_http_methods(["GET", "POST"])
def external_dispatch(
    request: HttpRequest, case_id: int, recipient_id: int, event_id: int
) -> HttpResponse:
    actor = _unit_actor(request)
    case = access_case(actor, case_id)
    recipient, event = _external_of(actor, case, recipient_id, event_id)
    form = DispatchForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            record_external_dispatch(
                actor=actor,
                recipient=recipient,
                event=event,
                now=timezone.now(),
                **form.cleaned_data,
            )
        except NotAllowed as error:
            refusal = error.message
        else:
            messages.success(request, _("Det är registrerat att meddelandet är skickat."))
            return redirect("cases:detail", case_id=case.pk)
    log_patient_read(actor, AuditEventType.CASE_VIEWED, [case.patient], what="extern", obj=case)
    return render(
        request,
        "reserve/form_page.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "title": _("Registrera att %(what)s är skickat till %(to)s")
            % {"what": event.get_type_display(), "to": recipient.name},
            "intro": _(
                "Registrera när och hur meddelandet skickades till den externa mottagaren, "
                "och vem som bekräftade att det kommit fram."
            ),
            "submit": _("Registrera"),
        },
    )
