"""EK administration pages: parse input, ask access, call an action, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from brygga.core.actor import Actor
from brygga.core.form_actions import save_form

from . import access, actions, rules
from .forms import (
    CommissionFilterForm,
    CommissionForm,
    OrganisationFilterForm,
    OrganisationForm,
    PersonFilterForm,
    PersonForm,
    UnitFilterForm,
    UnitForm,
)
from .history import history_for

PAGE_SIZE = 50
PAGE_PARAM = "sida"


def _admin(request: HttpRequest) -> Actor:
    """The acting administrator; everyone else gets 403."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    access.require_directory_admin(actor)
    return actor


def _post_data(request: HttpRequest) -> Any:
    """The submitted data for a bound form, or None on GET (an empty POST is still bound)."""
    return request.POST if request.method == "POST" else None


def _page(request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(PAGE_PARAM))


def _save_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: str,
) -> Any:
    """Call the action with the form's data; None (and errors on the form) if it refused."""
    return save_form(
        request, form, save, success=success, refusals=(actions.DirectoryPermissionError,)
    )


def index(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    today = timezone.localdate()
    commissions = access.manageable_commissions(actor)
    organisation = access.managed_organisation(actor)
    context = {
        "organisation": organisation,
        "is_central": access.is_central_admin(actor),
        "may_manage": access.is_central_admin(actor) or organisation is not None,
        "may_create_organisation": access.may_create_organisation(actor),
        "organisation_count": access.manageable_organisations(actor).count(),
        "unit_count": access.manageable_units(actor).count(),
        "person_count": access.manageable_persons(actor).count(),
        "commission_count": CommissionFilterForm({"state": "current"})
        .apply(commissions, today=today)
        .count(),
    }
    return render(request, "directory/index.html", context)


# Organisations.


def organisation_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = OrganisationFilterForm(request.GET)
    organisations = form.apply(access.manageable_organisations(actor))
    return render(
        request,
        "directory/organisation_list.html",
        {
            "form": form,
            "page": _page(request, organisations),
            "may_create": access.may_create_organisation(actor),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    if not access.may_create_organisation(actor):
        raise actions.DirectoryPermissionError(
            _("Bara central förvaltning kan lägga upp nya organisationer.")
        )
    form = OrganisationForm(_post_data(request), actor=actor)
    saved = _save_form(
        request,
        form,
        lambda data: actions.create_organisation(actor=actor, **data),
        success=_("Organisationen har lagts upp."),
    )
    if saved is not None:
        return redirect("directory:organisation_detail", pk=saved.pk)
    return render(
        request,
        "directory/organisation_form.html",
        {"form": form, "organisation": None, "identity_locked": False},
    )


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    organisation = access.access_organisation(actor, pk)
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "unit_count": access.manageable_units(actor).filter(organisation=organisation).count(),
            "history": history_for(organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    organisation = access.access_organisation(actor, pk)
    form = OrganisationForm(_post_data(request), instance=organisation, actor=actor)
    saved = _save_form(
        request,
        form,
        lambda data: actions.update_organisation(actor=actor, organisation=organisation, **data),
        success=_("Ändringarna har sparats."),
    )
    if saved is not None:
        return redirect("directory:organisation_detail", pk=saved.pk)
    organisation.refresh_from_db()  # the form may have changed the instance in memory
    return render(
        request,
        "directory/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "identity_locked": not access.may_change_organisation_identity(actor),
        },
    )


# Units.


def unit_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = UnitFilterForm(request.GET, actor=actor)
    units = form.apply(access.manageable_units(actor).select_related("organisation"))
    return render(
        request, "directory/unit_list.html", {"form": form, "page": _page(request, units)}
    )


@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = UnitForm(_post_data(request), actor=actor)
    saved = _save_form(
        request,
        form,
        lambda data: actions.create_unit(actor=actor, **data),
        success=_("Enheten har lagts upp."),
    )
    if saved is not None:
        return redirect("directory:unit_detail", pk=saved.pk)
    return render(request, "directory/unit_form.html", {"form": form, "unit": None})


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    unit = access.access_unit(actor, pk)
    commissions = list(
        access.manageable_commissions(actor)
        .filter(unit=unit)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "role")
    )
    return render(
        request,
        "directory/unit_detail.html",
        {
            "unit": unit,
            "children": access.manageable_units(actor).filter(parent=unit),
            "commissions": _commission_rows(actor, commissions),
            "history": history_for(unit),
        },
    )


@require_http_methods(["GET", "POST"])
def unit_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    unit = access.access_unit(actor, pk)
    form = UnitForm(_post_data(request), instance=unit, actor=actor)
    saved = _save_form(
        request,
        form,
        lambda data: actions.update_unit(actor=actor, unit=unit, **data),
        success=_("Ändringarna har sparats."),
    )
    if saved is not None:
        return redirect("directory:unit_detail", pk=saved.pk)
    unit.refresh_from_db()
    return render(request, "directory/unit_form.html", {"form": form, "unit": unit})


# Persons.


def person_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = PersonFilterForm(request.GET)
    persons = form.apply(access.manageable_persons(actor))
    return render(
        request, "directory/person_list.html", {"form": form, "page": _page(request, persons)}
    )


@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = PersonForm(_post_data(request), actor=actor)
    saved = _save_form(
        request,
        form,
        lambda data: actions.create_person(actor=actor, **data),
        success=_("Personen har lagts upp."),
    )
    if saved is not None:
        return redirect("directory:person_detail", pk=saved.pk)
    return render(request, "directory/person_form.html", {"form": form, "person": None})


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    person = access.access_person(actor, pk)
    commissions = list(
        access.manageable_commissions(actor)
        .filter(person=person)
        .select_related("unit")
        .order_by("-valid_from", "unit__name")
    )
    return render(
        request,
        "directory/person_detail.html",
        {
            "person": person,
            "commissions": _commission_rows(actor, commissions),
            "history": history_for(person),
        },
    )


@require_http_methods(["GET", "POST"])
def person_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    person = access.access_person(actor, pk)
    form = PersonForm(_post_data(request), instance=person, actor=actor)
    saved = _save_form(
        request,
        form,
        lambda data: actions.update_person(actor=actor, person=person, **data),
        success=_("Ändringarna har sparats."),
    )
    if saved is not None:
        return redirect("directory:person_detail", pk=saved.pk)
    person.refresh_from_db()
    return render(request, "directory/person_form.html", {"form": form, "person": person})


# Commissions.


def _commission_rows(actor: Actor, commissions: list[Any]) -> list[dict[str, Any]]:
    """Commissions with their state as text and whether the actor may open the person."""
    today = timezone.localdate()
    openable = access.manageable_person_ids(actor, {c.person_id for c in commissions})
    return [
        {
            "commission": c,
            "state": rules.commission_state(c, today),
            "person_link": c.person_id in openable,
        }
        for c in commissions
    ]


def commission_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = CommissionFilterForm(request.GET)
    commissions = form.apply(
        access.manageable_commissions(actor).select_related("person", "unit"),
        today=timezone.localdate(),
    )
    page = _page(request, commissions)
    return render(
        request,
        "directory/commission_list.html",
        {"form": form, "page": page, "rows": _commission_rows(actor, list(page.object_list))},
    )


@require_http_methods(["GET", "POST"])
def commission_create(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    # ?person=… or ?enhet=… preselect a choice; the form's querysets decide what is allowed.
    initial = {"person": request.GET.get("person"), "unit": request.GET.get("enhet")}
    form = CommissionForm(
        _post_data(request), actor=actor, initial={k: v for k, v in initial.items() if v}
    )
    saved = _save_form(
        request,
        form,
        lambda data: actions.create_commission(actor=actor, **data),
        success=_("Uppdraget har lagts upp."),
    )
    if saved is not None:
        return redirect("directory:commission_detail", pk=saved.pk)
    return render(request, "directory/commission_form.html", {"form": form, "commission": None})


def commission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    commission = access.access_commission(actor, pk)
    state = rules.commission_state(commission, timezone.localdate())
    return render(
        request,
        "directory/commission_detail.html",
        {
            "commission": commission,
            "state": state,
            "person_link": access.may_manage_person(actor, commission.person),
            # One's own acting commission is changed by another administrator.
            "may_edit": commission != actor.commission,
            "may_end": state != "ended" and commission != actor.commission,
            "history": history_for(commission),
        },
    )


@require_http_methods(["GET", "POST"])
def commission_update(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    commission = access.access_commission(actor, pk)
    form = CommissionForm(_post_data(request), instance=commission, actor=actor)
    saved = _save_form(
        request,
        form,
        lambda data: actions.update_commission(actor=actor, commission=commission, **data),
        success=_("Ändringarna har sparats."),
    )
    if saved is not None:
        return redirect("directory:commission_detail", pk=saved.pk)
    commission.refresh_from_db()
    return render(
        request, "directory/commission_form.html", {"form": form, "commission": commission}
    )


@require_http_methods(["GET", "POST"])
def commission_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then end the commission now (a plain POST form, no JavaScript needed)."""
    actor = _admin(request)
    commission = access.access_commission(actor, pk)
    error = ""
    if request.method == "POST":
        try:
            actions.end_commission(actor=actor, commission=commission)
        except (ValidationError, actions.DirectoryPermissionError) as refusal:
            error = " ".join(
                refusal.messages if isinstance(refusal, ValidationError) else [str(refusal.message)]
            )
        else:
            messages.success(request, _("Uppdraget har avslutats."))
            return redirect("directory:commission_detail", pk=commission.pk)
    return render(
        request,
        "directory/commission_end.html",
        {"commission": commission, "error": error, "today": timezone.localdate()},
    )
