"""Payment responsibility: the invoicing basis, disputes, agreements and amounts. Thin views."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_patient_read, record
from brygga.cases.models import Case
from brygga.core.actor import Actor

from . import access, actions, exports
from .admin_status import amount_status
from .basis import MunicipalityBasis, basis_row, compute_basis, municipality_names
from .forms import (
    AgreementForm,
    DailyAmountForm,
    DisputeForm,
    ResolveForm,
    SupportRefusalForm,
    initial_from_terms,
    parse_month,
    recent_months,
)
from .models import Agreement, DailyAmount, Dispute, DisputeStatus, SupportRefusal
from .presets import PRESET_BY_KEY, PRESETS
from .terms import terms_of


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    current: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = _actor(request)
    context["payment_nav"] = {
        "basis": access.may_see_basis(actor),
        "admin": access.may_manage_agreements(actor),
        "current": current,
    }
    return render(request, template, context, status=status)


def _default_month(now: dt.datetime) -> dt.date:
    """The month of yesterday: the latest day that can have been charged."""
    return (timezone.localdate(now) - dt.timedelta(days=1)).replace(day=1)


def _month(request: HttpRequest, now: dt.datetime) -> dt.date:
    source = request.POST if request.method == "POST" else request.GET
    return parse_month(source.get("manad"), default=_default_month(now))


def _basis_url(month: dt.date, code: str | None, name: str = "payments:basis") -> str:
    query = {"manad": f"{month:%Y-%m}"}
    if code:
        query["kommun"] = code
    return f"{reverse(name)}?{urlencode(query)}"


def _chosen_municipality(request: HttpRequest, actor: Actor) -> str | None:
    """The municipality to show: the actor's own, or the one asked for by the region."""
    scope = access.basis_scope(actor)
    if scope is not access.ALL_MUNICIPALITIES:
        return scope
    code = (request.GET.get("kommun") or request.POST.get("kommun") or "").strip()
    if not code:
        return None
    if code not in municipality_names():
        raise Http404
    return code


def _log_basis(actor: Actor, basis: MunicipalityBasis, event: AuditEventType, *, what: str) -> None:
    patients = [row.patient for row in basis.rows if row.patient is not None]
    log_patient_read(
        actor,
        AuditEventType.PATIENT_LISTED,
        patients,
        what=f"{what} {basis.code} {basis.month:%Y-%m}",
    )
    record(
        actor,
        event,
        details={
            "what": what,
            "municipality": basis.code,
            "month": f"{basis.month:%Y-%m}",
            "rows": len(basis.rows),
        },
    )


# --- The invoicing basis -------------------------------------------------------------------


def basis(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    now = timezone.now()
    month = _month(request, now)
    code = _chosen_municipality(request, actor)
    context: dict[str, Any] = {
        "month": month,
        "months": recent_months(timezone.localdate(now)),
        "names": municipality_names(),
        "is_region": access.is_region_invoicing(actor),
        "may_dispute": access.may_dispute(actor),
    }
    if code is None:
        overview = compute_basis(month, None, now=now, with_patients=False)
        record(
            actor,
            AuditEventType.INVOICING_BASIS_VIEWED,
            details={"what": "översikt", "municipality": "alla", "month": f"{month:%Y-%m}"},
        )
        context["overview"] = [
            overview.get(c) or MunicipalityBasis(c, name, month)
            for c, name in sorted(context["names"].items(), key=lambda item: item[1])
        ]
        # Stays whose paying municipality is unknown (no municipal party, no municipality
        # of residence): shown so that they are not silently left out of every invoice.
        context["unassigned"] = [b for c, b in overview.items() if c not in context["names"]]
        context["overview_missing"] = sorted(
            {y for b in overview.values() for y in b.missing_years}
        )
        return _render(request, "payments/overview.html", context, current="basis")
    result = compute_basis(month, code, now=now)[code]
    _log_basis(actor, result, AuditEventType.INVOICING_BASIS_VIEWED, what="faktureringsunderlag")
    context |= {"basis": result, "code": code}
    return _render(request, "payments/basis.html", context, current="basis")


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx", "pdf"}:
        raise Http404
    actor = _actor(request)
    now = timezone.now()
    month = _month(request, now)
    code = _chosen_municipality(request, actor)
    if code is None:
        messages.error(request, _("Välj en kommun att exportera underlaget för."))
        return redirect(_basis_url(month, None))
    result = compute_basis(month, code, now=now)[code]
    _log_basis(actor, result, AuditEventType.INVOICING_BASIS_EXPORTED, what=f"export {fmt}")
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(result), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(result),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            exports.to_pdf(result, generated_at=now), content_type="application/pdf"
        )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(result, fmt)}"'
    return response


# --- One case's row, disputes ----------------------------------------------------------------


def _case_row_context(
    request: HttpRequest, actor: Actor, case_id: int, month: dt.date, now: dt.datetime
) -> dict[str, Any]:
    """The case's row in the basis the actor may see, or 404 (also for 'not yours')."""
    scope = access.basis_scope(actor)
    case = Case.objects.select_related("patient").filter(pk=case_id).first()
    if case is None:
        raise Http404
    row = None
    code = scope or ""
    if scope is access.ALL_MUNICIPALITIES:
        for found in compute_basis(month, None, now=now, only_case=case_id).values():
            if found.rows:
                row, code = found.rows[0], found.code
                break
    else:
        row = basis_row(case_id, month, scope, now=now)
    if row is None:
        raise Http404
    log_patient_read(
        actor, AuditEventType.PATIENT_VIEWED, [case.patient], what="betalningsansvar", obj=case
    )
    record(
        actor,
        AuditEventType.PAYMENT_CASE_VIEWED,
        patient=case.patient,
        obj=case,
        details={"month": f"{month:%Y-%m}", "municipality": code},
    )
    refusals = SupportRefusal.objects.filter(case=case)
    return {
        "case": case,
        "row": row,
        "month": month,
        "code": code,
        "name": municipality_names().get(code, code),
        "refusals": refusals,
        "may_dispute": access.may_dispute(actor) and row.dispute is None,
        "may_resolve": access.is_region_invoicing(actor)
        and row.dispute is not None
        and row.dispute.is_open,
        "back_url": _basis_url(month, code),
    }


def case_row(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = _actor(request)
    now = timezone.now()
    month = _month(request, now)
    context = _case_row_context(request, actor, case_id, month, now)
    context["dispute_form"] = DisputeForm()
    context["resolve_form"] = ResolveForm()
    return _render(request, "payments/case_row.html", context, current="basis")


@require_POST
def dispute(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = _actor(request)
    if not access.may_dispute(actor):
        raise PermissionDenied
    now = timezone.now()
    month = _month(request, now)
    context = _case_row_context(request, actor, case_id, month, now)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            actions.open_dispute(
                actor=actor,
                case=context["case"],
                month=month,
                comment=form.cleaned_data["comment"],
                now=now,
            )
        except actions.NotAllowed as refusal:
            context["refusal"] = refusal.message
        else:
            messages.success(
                request, _("Raden är bestriden. Regionens fakturering har fått den för beslut.")
            )
            return redirect(f"{reverse('payments:case', args=[case_id])}?manad={month:%Y-%m}")
    context |= {"dispute_form": form, "resolve_form": ResolveForm()}
    return _render(request, "payments/case_row.html", context, current="basis", status=400)


@require_POST
def resolve(request: HttpRequest, dispute_id: int) -> HttpResponse:
    actor = _actor(request)
    if not access.is_region_invoicing(actor):
        raise PermissionDenied
    item = access.access_dispute(actor, dispute_id)
    now = timezone.now()
    form = ResolveForm(request.POST)
    refusal = None
    if form.is_valid():
        try:
            actions.resolve_dispute(
                actor=actor,
                dispute=item,
                accepted=form.cleaned_data["decision"] == "accept",
                resolution=form.cleaned_data["resolution"],
                now=now,
            )
        except actions.NotAllowed as error:
            refusal = error.message
        else:
            messages.success(request, _("Bestridandet är avgjort. Kommunen ser beslutet."))
            return redirect(
                f"{reverse('payments:case', args=[item.case_id])}?manad={item.month:%Y-%m}"
            )
    context = _case_row_context(request, actor, item.case_id, item.month, now)
    context |= {"resolve_form": form, "dispute_form": DisputeForm(), "refusal": refusal}
    return _render(request, "payments/case_row.html", context, current="basis", status=400)


def disputes(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    scope = access.basis_scope(actor)
    items = Dispute.objects.select_related("case__patient").order_by("-opened_at")
    if scope is not access.ALL_MUNICIPALITIES:
        items = items.filter(municipality_code=scope)
    status = request.GET.get("status", "open")
    if status in DisputeStatus.values:
        items = items.filter(status=status)
    shown = list(items[:500])
    log_patient_read(
        actor,
        AuditEventType.PATIENT_LISTED,
        [item.case.patient for item in shown],
        what="bestridanden",
    )
    return _render(
        request,
        "payments/disputes.html",
        {
            "disputes": shown,
            "status": status,
            "statuses": DisputeStatus.choices,
            "names": municipality_names(),
        },
        current="disputes",
    )


@require_http_methods(["GET", "POST"])
def support_refusal(request: HttpRequest, case_id: int) -> HttpResponse:
    """A party of the stay records that the patient refused the municipality's support."""
    from brygga.cases.access import access_case

    actor = _actor(request)
    if access.own_municipality(actor) is None:
        raise PermissionDenied
    case = access_case(actor, case_id)
    form = SupportRefusalForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_support_refusal(
                actor=actor,
                case=case,
                refused_at=form.cleaned_data["refused_at"],
                note=form.cleaned_data["note"],
            )
        except actions.NotAllowed as error:
            refusal = error.message
        else:
            messages.success(request, _("Registrerat: patienten har avböjt kommunens stöd."))
            return redirect(f"{reverse('payments:case', args=[case.pk])}?{request.GET.urlencode()}")
    log_patient_read(
        actor, AuditEventType.PATIENT_VIEWED, [case.patient], what="avböjt stöd", obj=case
    )
    return _render(
        request,
        "payments/support_refusal.html",
        {"case": case, "form": form, "refusal": refusal, "query": request.GET.urlencode()},
        current="basis",
    )


# --- Agreements and amounts ----------------------------------------------------------------


def agreements(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_agreement_admin(actor)
    rows = list(Agreement.objects.order_by("municipality_code", "code", "-version"))
    return _render(
        request,
        "payments/agreements.html",
        {
            "agreements": rows,
            "presets": PRESETS,
            "names": municipality_names(),
            "status": amount_status(today=timezone.localdate()),
        },
        current="agreements",
    )


def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = _actor(request)
    agreement = access.access_agreement(actor, agreement_id)
    versions = Agreement.objects.filter(code=agreement.code).order_by("-version")
    return _render(
        request,
        "payments/agreement_detail.html",
        {
            "agreement": agreement,
            "terms": terms_of(agreement),
            "versions": versions,
            "names": municipality_names(),
        },
        current="agreements",
    )


@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_agreement_admin(actor)
    today = timezone.localdate()
    base: Agreement | None = None
    preset_key = request.GET.get("mall", "")
    initial: dict[str, Any] = {}
    if request.GET.get("fran"):
        try:
            base = access.access_agreement(actor, int(request.GET["fran"]))
        except ValueError as error:
            raise Http404 from error
        initial = initial_from_terms(terms_of(base), code=base.code, today=today) | {
            "municipality_code": base.municipality_code,
            "valid_from": today.replace(month=1, day=1),
            "source": base.source,
        }
    elif preset_key in PRESET_BY_KEY:
        preset = PRESET_BY_KEY[preset_key]
        initial = initial_from_terms(preset.terms, code=preset.code, today=today)
    else:
        initial = initial_from_terms(PRESETS[0].terms, code="", today=today) | {"title": ""}
    form = AgreementForm(request.POST or None, initial=initial)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            agreement = actions.create_agreement(actor=actor, draft=form.to_draft())
        except actions.NotAllowed as error:
            refusal = error.message
        else:
            messages.success(
                request,
                _("Version %(version)d av %(title)s är sparad.")
                % {"version": agreement.version, "title": agreement.title},
            )
            return redirect("payments:agreement_detail", agreement_id=agreement.pk)
    return _render(
        request,
        "payments/agreement_form.html",
        {"form": form, "base": base, "refusal": refusal, "presets": PRESETS},
        status=400 if request.method == "POST" else 200,
        current="agreements",
    )


@require_http_methods(["GET", "POST"])
def amounts(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_agreement_admin(actor)
    year = request.GET.get("ar", "")
    existing = DailyAmount.objects.filter(year=int(year)).first() if year.isdigit() else None
    initial: dict[str, Any] = {"year": year} if year.isdigit() else {}
    if existing is not None:
        initial |= {
            "amount": existing.amount,
            "confirmed": existing.confirmed,
            "source": existing.source,
        }
    form = DailyAmountForm(request.POST or None, initial=initial)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_daily_amount(
                actor=actor,
                year=data["year"],
                amount=data["amount"],
                confirmed=data["confirmed"],
                source=data["source"],
            )
        except actions.NotAllowed as error:
            refusal = error.message
        else:
            messages.success(
                request, _("Beloppet för %(year)d är sparat.") % {"year": data["year"]}
            )
            return redirect("payments:amounts")
    return _render(
        request,
        "payments/amounts.html",
        {
            "form": form,
            "refusal": refusal,
            "rows": DailyAmount.objects.order_by("-year"),
            "status": amount_status(today=timezone.localdate()),
        },
        status=400 if request.method == "POST" else 200,
        current="amounts",
    )
