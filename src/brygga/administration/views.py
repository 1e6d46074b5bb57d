"""Order pages: parse input, ask access, call an action, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from brygga.cases.models import Case
from brygga.cases.reorganisation import open_cases_at
from brygga.core.actor import Actor
from brygga.directory import rules as directory_rules
from brygga.directory.actions import DirectoryPermissionError, UnitHasOpenCases

from . import access, actions
from . import forms as order_forms
from .models import AccessOrder, AccessOrderKind, OrderStatus, UnitOrder, UnitOrderKind

PAGE_SIZE = 50
KIND_SLUGS: dict[str, UnitOrderKind] = {
    "ny-enhet": UnitOrderKind.NEW,
    "namnbyte": UnitOrderKind.RENAME,
    "sammanslagning": UnitOrderKind.MERGE,
    "delning": UnitOrderKind.SPLIT,
    "borttagning": UnitOrderKind.REMOVAL,
}
SLUG_BY_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
REFUSALS = (ValidationError, actions.OrderPermissionError, DirectoryPermissionError)


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def _page(request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("sida"))


def _add_refusal(form: forms.BaseForm, error: Exception) -> None:
    """Show an action's refusal on the form: on its field if the form has it, else on top."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        form.add_error(None, str(getattr(error, "message", error)))


def _case_rows(actor: Actor, cases: list[Case]) -> list[dict[str, Any]]:
    """Open cases a refusal lists: number, state and dates; a link only for a care role.

    No patient data: central administration does not take part in care (PDL); a manager at
    the unit reaches the patient through the case page, which logs the access.
    """
    linkable = actor.has_role("user", "manager")
    return [{"case": case, "link": linkable} for case in cases]


def _closed(request: HttpRequest, order: UnitOrder | AccessOrder, detail: str) -> HttpResponse:
    """A decided order cannot be handled again: back to it, saying why."""
    messages.info(
        request,
        _("Beställningen är redan %(status)s.") % {"status": order.get_status_display().lower()},
    )
    return redirect(detail, pk=order.pk)


def _submit(
    request: HttpRequest,
    form: forms.BaseForm,
    act: Callable[[dict[str, Any]], Any],
    *,
    success: str,
) -> tuple[Any, list[Case]]:
    """Call the action with the form's data; (result or None, open cases that refused it)."""
    if request.method != "POST" or not form.is_valid():
        return None, []
    try:
        result = act(form.cleaned_data)
    except UnitHasOpenCases as refusal:
        form.add_error(None, refusal.error_dict["status"])
        return None, refusal.cases
    except REFUSALS as refusal:
        _add_refusal(form, refusal)
        return None, []
    messages.success(request, success)
    return result, []


def _reject(
    request: HttpRequest, order: UnitOrder | AccessOrder, reject: Callable[[str], Any], detail: str
) -> HttpResponse:
    """Refuse an open order with a reason the orderer sees; ``reject(reason)`` is the action."""
    if not order.is_open:
        return _closed(request, order, detail)
    form = order_forms.ReasonForm(request.POST if request.method == "POST" else None)
    rejected, _cases = _submit(
        request,
        form,
        lambda data: reject(data["reason"]),
        success=_("Beställningen har avslagits."),
    )
    if rejected is not None:
        return redirect(detail, pk=order.pk)
    return render(
        request, "administration/order_reject.html", {"form": form, "order": order, "back": detail}
    )


def _cancel(
    request: HttpRequest, order: UnitOrder | AccessOrder, cancel: Callable[[], Any], detail: str
) -> HttpResponse:
    """The orderer withdraws an open order; ``cancel()`` is the action."""
    if not order.is_open:
        return _closed(request, order, detail)
    form = order_forms.NoteForm(request.POST if request.method == "POST" else None)
    cancelled, _cases = _submit(
        request, form, lambda _data: cancel(), success=_("Beställningen har återkallats.")
    )
    if cancelled is not None:
        return redirect(detail, pk=order.pk)
    return render(
        request, "administration/order_cancel.html", {"form": form, "order": order, "back": detail}
    )


def index(request: HttpRequest) -> HttpResponse:
    """Each role's way in: managers to their unit's access, registrars to their queues."""
    actor = _actor(request)
    if access.is_manager(actor):
        return redirect("administration:access_review")
    if access.is_central(actor):
        return redirect("administration:unit_order_list")
    if access.is_registrar(actor):
        return redirect("administration:access_order_queue")
    raise PermissionDenied


# Unit orders.


def _unit_order(request: HttpRequest, pk: int) -> tuple[Actor, UnitOrder]:
    """The signed-in actor and the unit order they may see (404 otherwise)."""
    actor = _actor(request)
    access.require_unit_order_user(actor)
    return actor, access.access_unit_order(actor, pk)


def unit_order_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_unit_order_user(actor)
    orders = access.visible_unit_orders(actor).select_related("ordering_unit", "ordered_by")
    pending = orders.filter(status=OrderStatus.SUBMITTED).order_by("ordered_at", "pk")
    decided = orders.exclude(status=OrderStatus.SUBMITTED).order_by("-ordered_at", "-pk")
    return render(
        request,
        "administration/unit_order_list.html",
        {
            "pending": list(pending),
            "page": _page(request, decided),
            "is_manager": access.is_manager(actor),
            "is_central": access.is_central(actor),
            "kinds": [(slug, kind.label) for slug, kind in KIND_SLUGS.items()],
        },
    )


@require_http_methods(["GET", "POST"])
def unit_order_create(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _actor(request)
    access.require_manager(actor)
    order_kind = KIND_SLUGS.get(kind)
    if order_kind is None:
        raise Http404
    unit = actor.unit
    assert unit is not None
    data = request.POST if request.method == "POST" else None
    form: Any
    act: Callable[..., UnitOrder]
    if order_kind == UnitOrderKind.NEW:
        form, act = order_forms.NewUnitOrderForm(data), actions.submit_new_unit_order
    elif order_kind == UnitOrderKind.RENAME:
        form, act = order_forms.RenameOrderForm(data), actions.submit_rename_order
    elif order_kind == UnitOrderKind.MERGE:
        form = order_forms.MergeOrderForm(
            data, candidates=access.merge_candidates(actor), own_unit=unit
        )
        act = actions.submit_merge_order
    elif order_kind == UnitOrderKind.SPLIT:
        form, act = order_forms.SplitOrderForm(data), actions.submit_split_order
    else:
        form, act = order_forms.RemovalOrderForm(data), actions.submit_removal_order
    order, open_cases = _submit(
        request,
        form,
        lambda _data: act(actor=actor, **form.action_kwargs()),
        success=_("Beställningen har skickats till central förvaltning."),
    )
    if order is not None:
        return redirect("administration:unit_order_detail", pk=order.pk)
    return render(
        request,
        "administration/unit_order_form.html",
        {
            "form": form,
            "kind": order_kind,
            "unit": unit,
            "open_cases": _case_rows(actor, open_cases),
            "current_open_cases": (
                _case_rows(actor, list(open_cases_at(unit)))
                if order_kind == UnitOrderKind.REMOVAL and not open_cases
                else []
            ),
        },
    )


def _unit_order_context(actor: Actor, order: UnitOrder) -> dict[str, Any]:
    units = list(order.units.select_related("organisation").order_by("name"))
    return {
        "order": order,
        "units": units,
        "proposed": list(order.proposed_units.select_related("created_unit")),
        "steps": list(order.steps.all()),
        "may_decide": order.is_open and access.may_decide_unit_order(actor),
        "may_cancel": access.may_cancel_unit_order(actor, order),
        "open_case_counts": (
            [(unit, open_cases_at(unit).count()) for unit in units]
            if order.is_open and order.kind != UnitOrderKind.RENAME
            else []
        ),
    }


def unit_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor, order = _unit_order(request, pk)
    return render(
        request, "administration/unit_order_detail.html", _unit_order_context(actor, order)
    )


@require_http_methods(["GET", "POST"])
def unit_order_approve(request: HttpRequest, pk: int) -> HttpResponse:
    actor, order = _unit_order(request, pk)
    if not access.may_decide_unit_order(actor):
        raise PermissionDenied
    if not order.is_open:
        return _closed(request, order, "administration:unit_order_detail")
    form = order_forms.NoteForm(request.POST if request.method == "POST" else None)
    approved, open_cases = _submit(
        request,
        form,
        lambda data: actions.approve_unit_order(actor=actor, order=order, note=data["note"]),
        success=_("Beställningen är godkänd och genomförd."),
    )
    if approved is not None:
        return redirect("administration:unit_order_detail", pk=order.pk)
    context = _unit_order_context(actor, order)
    context |= {"form": form, "open_cases": _case_rows(actor, open_cases)}
    return render(request, "administration/unit_order_approve.html", context)


@require_http_methods(["GET", "POST"])
def unit_order_reject(request: HttpRequest, pk: int) -> HttpResponse:
    actor, order = _unit_order(request, pk)
    if not access.may_decide_unit_order(actor):
        raise PermissionDenied
    return _reject(
        request,
        order,
        lambda reason: actions.reject_unit_order(actor=actor, order=order, reason=reason),
        "administration:unit_order_detail",
    )


@require_http_methods(["GET", "POST"])
def unit_order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor, order = _unit_order(request, pk)
    if not access.is_manager(actor):
        raise PermissionDenied
    return _cancel(
        request,
        order,
        lambda: actions.cancel_unit_order(actor=actor, order=order),
        "administration:unit_order_detail",
    )


# Personal access.


def _access_order(request: HttpRequest, pk: int) -> tuple[Actor, AccessOrder]:
    """The signed-in actor and the access order they may see (404 otherwise)."""
    actor = _actor(request)
    access.require_access_order_user(actor)
    return actor, access.access_access_order(actor, pk)


def access_review(request: HttpRequest) -> HttpResponse:
    """The manager's review: who has access at my unit, since when, last used."""
    actor = _actor(request)
    access.require_manager(actor)
    today = timezone.localdate()
    show_ended = request.GET.get("visa") == "alla"
    commissions = list(
        access.unit_commissions(actor).order_by("person__family_name", "person__given_name", "role")
    )
    pending_revokes = set(
        AccessOrder.objects.filter(
            kind=AccessOrderKind.REVOKE,
            status=OrderStatus.SUBMITTED,
            commission__in=[c.pk for c in commissions],
        ).values_list("commission_id", flat=True)
    )
    rows = []
    for commission in commissions:
        state = directory_rules.commission_state(commission, today)
        if state == "ended" and not show_ended:
            continue
        rows.append(
            {
                "commission": commission,
                "state": state,
                "revoke_pending": commission.pk in pending_revokes,
                "is_self": commission.person_id == getattr(actor.person, "pk", None),
            }
        )
    orders = access.visible_access_orders(actor).select_related("ordered_by", "person")
    return render(
        request,
        "administration/access_review.html",
        {
            "rows": rows,
            "show_ended": show_ended,
            "ended_count": sum(
                1 for c in commissions if directory_rules.commission_state(c, today) == "ended"
            ),
            "pending": list(orders.filter(status=OrderStatus.SUBMITTED).order_by("ordered_at")),
            "page": _page(request, orders.exclude(status=OrderStatus.SUBMITTED)),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
def access_order_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_manager(actor)
    form = order_forms.AccessGrantForm(request.POST if request.method == "POST" else None)
    order, _cases = _submit(
        request,
        form,
        lambda data: actions.submit_access_grant(actor=actor, **data),
        success=_("Beställningen har skickats till EK-administratören."),
    )
    if order is not None:
        return redirect("administration:access_order_detail", pk=order.pk)
    return render(
        request,
        "administration/access_order_form.html",
        {"form": form, "commission": None, "registrar": _registrar_text(actor)},
    )


@require_http_methods(["GET", "POST"])
def access_order_revoke(request: HttpRequest, commission_pk: int) -> HttpResponse:
    actor = _actor(request)
    access.require_manager(actor)
    commission = access.access_unit_commission(actor, commission_pk)
    form = order_forms.AccessRevokeForm(request.POST if request.method == "POST" else None)
    order, _cases = _submit(
        request,
        form,
        lambda data: actions.submit_access_revoke(actor=actor, commission=commission, **data),
        success=_("Avbeställningen har skickats till EK-administratören."),
    )
    if order is not None:
        return redirect("administration:access_order_detail", pk=order.pk)
    return render(
        request,
        "administration/access_order_form.html",
        {"form": form, "commission": commission, "registrar": _registrar_text(actor)},
    )


def _registrar_text(actor: Actor) -> str:
    organisation = actor.organisation
    if organisation is not None and not organisation.has_own_ek_admin:
        return _(
            "%(organisation)s har ingen egen EK-administratör. Beställningen går till central "
            "förvaltning, som registrerar den."
        ) % {"organisation": organisation.name}
    return _("Beställningen går till EK-administratören i din organisation, som registrerar den.")


def access_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor, order = _access_order(request, pk)
    return render(
        request,
        "administration/access_order_detail.html",
        {
            "order": order,
            "steps": list(order.steps.all()),
            "may_register": access.may_register(actor, order),
            "may_cancel": access.may_cancel_access_order(actor, order),
            "routed_to_central": not order.organisation.has_own_ek_admin,
        },
    )


@require_http_methods(["GET", "POST"])
def access_order_register(request: HttpRequest, pk: int) -> HttpResponse:
    actor, order = _access_order(request, pk)
    if not access.is_registrar(actor):
        raise PermissionDenied
    if not order.is_open:
        return _closed(request, order, "administration:access_order_detail")
    grant = order.kind == AccessOrderKind.GRANT
    form: forms.Form
    if grant:
        form = order_forms.RegisterGrantForm(
            request.POST if request.method == "POST" else None,
            person_known=order.person is not None,
            initial={
                "hsa_id": order.hsa_id,
                "valid_from": order_forms.default_start(order.valid_from),
                "valid_to": order.valid_to,
            },
        )
    else:
        form = order_forms.NoteForm(request.POST if request.method == "POST" else None)
    registered, _cases = _submit(
        request,
        form,
        lambda data: actions.register_access_order(actor=actor, order=order, **data),
        success=_("Beställningen är registrerad i katalogen."),
    )
    if registered is not None:
        return redirect("administration:access_order_detail", pk=order.pk)
    return render(
        request,
        "administration/access_order_register.html",
        {"form": form, "order": order, "may_register": access.may_register(actor, order)},
    )


@require_http_methods(["GET", "POST"])
def access_order_reject(request: HttpRequest, pk: int) -> HttpResponse:
    actor, order = _access_order(request, pk)
    if not access.is_registrar(actor):
        raise PermissionDenied
    return _reject(
        request,
        order,
        lambda reason: actions.reject_access_order(actor=actor, order=order, reason=reason),
        "administration:access_order_detail",
    )


@require_http_methods(["GET", "POST"])
def access_order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor, order = _access_order(request, pk)
    if not access.is_manager(actor):
        raise PermissionDenied
    return _cancel(
        request,
        order,
        lambda: actions.cancel_access_order(actor=actor, order=order),
        "administration:access_order_detail",
    )


def access_order_queue(request: HttpRequest) -> HttpResponse:
    """Orders waiting for the EK administrator, or for central administration."""
    actor = _actor(request)
    access.require_registrar(actor)
    everything = access.is_central(actor) and request.GET.get("visa") == "alla"
    queue = (
        access.access_order_queue(actor, everything=everything)
        .select_related("ordering_unit", "ordered_by", "organisation", "person")
        .order_by("ordered_at", "pk")
    )
    handled = (
        access.visible_access_orders(actor)
        .exclude(status=OrderStatus.SUBMITTED)
        .select_related("ordering_unit", "decided_by", "person")
        .order_by("-decided_at", "-pk")
    )
    return render(
        request,
        "administration/access_order_queue.html",
        {
            "queue": list(queue),
            "page": _page(request, handled),
            "is_central": access.is_central(actor),
            "everything": everything,
            "registers_nothing": access.registrable_organisation_filter(actor) is None,
        },
    )
