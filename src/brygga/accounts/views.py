from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.core.actor import Actor
from brygga.directory.models import Person, Role

from . import authentication, oidc, siths
from .authentication import IdentityAssertion, identify
from .decorators import commission_not_required
from .forms import CommissionChoiceForm, DemoLoginForm
from .session import METHOD_KEY, end_session, start_session, valid_commissions
from .session import choose_commission as set_commission

NEXT_KEY = "brygga_login_next"  # where to go after a login that leaves Brygga (OIDC)


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    # Only a path: redirect() would take any other word for a view name and fail (500).
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None


@login_not_required
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    methods = {"oidc": oidc.is_configured(), "siths": settings.SITHS_LOGIN}
    if not settings.DEMO_LOGIN:
        return render(request, "accounts/login.html", {"demo": False, **methods})
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
        {
            "demo": True,
            "form": form,
            "people": people,
            "featured": _featured_personas(),
            **methods,
        },
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


def _after_login(request: HttpRequest, person: Person, next_url: str | None = None) -> HttpResponse:
    commissions = valid_commissions(person)
    if not commissions:
        return redirect("accounts:no_commission")
    target = next_url or _safe_next(request)
    if len(commissions) == 1:
        set_commission(request, person, commissions[0])
        return redirect(target or "home")
    choice = reverse("accounts:choose_commission")
    # The choice page posts back to its own URL, so `next` rides along to after the choice.
    return redirect(f"{choice}?{urlencode({'next': target})}" if target else choice)


# What a refused login is told: (HTTP status, explanation). The heading is the same for all.
REFUSALS: dict[str, tuple[int, Any]] = {
    authentication.UNKNOWN_PERSON: (
        403,
        _(
            "Du finns inte som användare i katalogen (EK), eller så är din personpost inte "
            "aktiv. Be din chef att beställa behörighet till Brygga. Chefen lämnar "
            "beställningen till er EK-administratör, eller till central förvaltning om er "
            "vårdgivare saknar egen EK-administratör."
        ),
    ),
    authentication.IDENTITY_MISMATCH: (
        403,
        _(
            "Uppgifterna från inloggningstjänsten stämmer inte med katalogen (EK): HSA-id och "
            "personnummer hör till olika personer. Kontakta er EK-administratör."
        ),
    ),
    oidc.CANCELLED: (
        403,
        _("Inloggningen avbröts. Du kan logga in igen när du vill."),
    ),
    oidc.PROVIDER_UNAVAILABLE: (
        503,
        _(
            "Inloggningstjänsten svarar inte just nu. Försök igen om en stund. Om felet "
            "består, kontakta ert lokala verksamhetsstöd och använd reservrutinen."
        ),
    ),
    oidc.NO_IDENTITY: (
        403,
        _(
            "Inloggningstjänsten skickade varken HSA-id eller personnummer, så vi vet inte "
            "vem du är. Kontakta ert lokala verksamhetsstöd."
        ),
    ),
    siths.NO_CERTIFICATE: (
        403,
        _(
            "Inget SITHS-kort lästes. Kontrollera att kortet sitter i läsaren, starta om "
            "webbläsaren och försök igen."
        ),
    ),
    siths.INVALID_SUBJECT: (
        403,
        _(
            "Kortet har inget giltigt HSA-id. Kontakta ert lokala verksamhetsstöd eller "
            "korthandläggaren."
        ),
    ),
}
# Anything else (a wrong state, an ID token that does not verify, a header that did not
# come through our proxy) gets one message: details help an attacker, not the user.
GENERIC_REFUSAL = (
    403,
    _(
        "Inloggningen kunde inte slutföras. Börja om från inloggningssidan. Om felet "
        "består, kontakta ert lokala verksamhetsstöd och ange felkoden nedan."
    ),
)


def _refuse(
    request: HttpRequest, *, method: str, reason: str, details: Mapping[str, Any] | None = None
) -> HttpResponse:
    """Log the refusal (who was asserted, why) and tell the person, in Swedish."""
    record(
        Actor.system("login"),
        AuditEventType.LOGIN_REFUSED,
        details={"method": method, "reason": reason, **(details or {})},
    )
    status, explanation = REFUSALS.get(reason, GENERIC_REFUSAL)
    return render(
        request,
        "accounts/login_refused.html",
        {"explanation": explanation, "request_id": getattr(request, "request_id", "")},
        status=status,
    )


def _complete_login(
    request: HttpRequest,
    assertion: IdentityAssertion,
    *,
    details: Mapping[str, Any],
    next_url: str | None,
) -> HttpResponse:
    """The directory decides who the asserted identity is; then the commission choice."""
    identification = identify(assertion)
    if identification.person is None:
        return _refuse(
            request,
            method=assertion.method,
            reason=identification.refusal,
            details={**assertion.log_details(), **details},
        )
    start_session(request, identification.person, method=assertion.method, details=details)
    return _after_login(request, identification.person, next_url)


@login_not_required
@require_GET
def oidc_login_view(request: HttpRequest) -> HttpResponse:
    """Off to the region's identity provider."""
    if not oidc.is_configured():
        raise Http404
    if request.user.is_authenticated:
        return redirect("home")
    request.session[NEXT_KEY] = _safe_next(request) or ""
    callback = request.build_absolute_uri(reverse("accounts:oidc_callback"))
    try:
        return oidc.start(request, redirect_uri=callback)
    except oidc.LoginFailed as failure:
        return _refuse(request, method="oidc", reason=failure.reason, details=failure.details)


@login_not_required
@require_GET
def oidc_callback_view(request: HttpRequest) -> HttpResponse:
    """Back from the identity provider with a code (or an error)."""
    if not oidc.is_configured():
        raise Http404
    if request.user.is_authenticated:
        return redirect("home")
    next_url = request.session.pop(NEXT_KEY, "") or None
    try:
        verified = oidc.finish(request)
    except oidc.LoginFailed as failure:
        return _refuse(request, method="oidc", reason=failure.reason, details=failure.details)
    response = _complete_login(
        request, verified.assertion, details=verified.details, next_url=next_url
    )
    if request.user.is_authenticated:
        request.session[oidc.ID_TOKEN_KEY] = verified.id_token
    return response


@login_not_required
@require_POST
def siths_login_view(request: HttpRequest) -> HttpResponse:
    """Log in with the SITHS card the proxy verified (see accounts/siths.py)."""
    if not settings.SITHS_LOGIN:
        raise Http404
    if request.user.is_authenticated:
        return redirect("home")
    try:
        card = siths.read_card(request)
    except siths.CardRefused as refusal:
        return _refuse(request, method="siths", reason=refusal.reason, details=refusal.details)
    return _complete_login(request, card.assertion, details=card.details, next_url=None)


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
    method = request.session.get(METHOD_KEY)
    id_token = request.session.get(oidc.ID_TOKEN_KEY, "")
    if request.user.is_authenticated:
        end_session(request)
    if method == "oidc" and settings.OIDC_PROVIDER_LOGOUT and oidc.is_configured():
        # End the identity provider's session too, or the next person at a shared ward
        # computer would be logged straight back in as this one.
        provider_logout = oidc.logout_redirect(
            request,
            id_token=id_token,
            post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:logged_out")),
        )
        if provider_logout is not None:
            return provider_logout
    return render(request, "accounts/logged_out.html")


@login_not_required
@require_GET
def logged_out_view(request: HttpRequest) -> HttpResponse:
    """Where the identity provider sends the browser back after logging out there too."""
    if request.user.is_authenticated:
        return redirect("home")
    oidc.check_logout_return(request)  # clears the logout state; the page is the same
    return render(request, "accounts/logged_out.html")


def home(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if actor.has_role(Role.EK_ADMIN, Role.CENTRAL_ADMIN):
        return redirect("directory:index")
    if actor.has_role(Role.USER, Role.MANAGER):
        return redirect("cases:worklist")
    return render(request, "accounts/home.html")
