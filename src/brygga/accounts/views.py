from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.core.actor import Actor
from brygga.directory.models import Person, Role

from .decorators import commission_not_required
from .forms import CommissionChoiceForm, DemoLoginForm
from .session import choose_commission as set_commission
from .session import end_session, start_session, valid_commissions


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_not_required
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    if not settings.DEMO_LOGIN:
        return render(request, "accounts/login.html", {"demo": False})
    form = DemoLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person: Person = form.cleaned_data["person"]
        start_session(request, person, method="demo")
        return _after_login(request, person)
    if request.method == "POST":
        record(Actor.system("login"), AuditEventType.LOGIN_REFUSED, details={"method": "demo"})
    people = (
        Person.objects.filter(is_active=True, commissions__isnull=False)
        .prefetch_related("commissions__unit")
        .distinct()
        .order_by("family_name", "given_name")
    )
    return render(
        request,
        "accounts/login.html",
        {"demo": True, "form": form, "people": people, "featured": _featured_personas()},
    )


def _featured_personas() -> list[tuple[Person, str]]:
    """The demo region's named personas first, so a newcomer need not scroll 80 names."""
    from brygga.demo.world import PERSONA_DESCRIPTIONS, PERSONAS

    by_hsa_id = Person.objects.in_bulk(list(PERSONAS.values()), field_name="hsa_id")
    return [
        (by_hsa_id[hsa_id], PERSONA_DESCRIPTIONS.get(key, ""))
        for key, hsa_id in PERSONAS.items()
        if hsa_id in by_hsa_id
    ]


def _after_login(request: HttpRequest, person: Person) -> HttpResponse:
    commissions = valid_commissions(person)
    if not commissions:
        return redirect("accounts:no_commission")
    if len(commissions) == 1:
        set_commission(request, person, commissions[0])
        return redirect(_safe_next(request) or "home")
    return redirect("accounts:choose_commission")


@commission_not_required
@require_http_methods(["GET", "POST"])
def choose_commission_view(request: HttpRequest) -> HttpResponse:
    person: Person = request.user  # type: ignore[assignment]
    commissions = valid_commissions(person)
    if not commissions:
        return redirect("accounts:no_commission")
    current = request.actor.commission if request.actor else None  # type: ignore[attr-defined]
    form = CommissionChoiceForm(
        request.POST or None,
        commissions=commissions,
        initial={"commission": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        set_commission(request, person, form.cleaned_data["commission"])
        return redirect(_safe_next(request) or "home")
    return render(
        request, "accounts/choose_commission.html", {"form": form, "commissions": commissions}
    )


@commission_not_required
def no_commission_view(request: HttpRequest) -> HttpResponse:
    if valid_commissions(request.user):  # type: ignore[arg-type]
        return redirect("accounts:choose_commission")
    return render(request, "accounts/no_commission.html", status=403)


@login_not_required
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        end_session(request)
    return render(request, "accounts/logged_out.html")


def home(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if actor.has_role(Role.EK_ADMIN, Role.CENTRAL_ADMIN):
        return redirect("directory:index")
    if actor.has_role(Role.USER, Role.MANAGER):
        return redirect("cases:worklist")
    return render(request, "accounts/home.html")
