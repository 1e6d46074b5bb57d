from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from brygga.audit.events import AuditEventType
from brygga.core.actor import Actor
from brygga.directory.models import Commission

from .session import AUTH_AT_KEY, COMMISSION_KEY, LAST_SEEN_KEY, end_session

LAST_SEEN_RESOLUTION = 60  # seconds


class SessionLifetimeMiddleware:
    """Logs out after SESSION_IDLE_TIMEOUT without requests, or SESSION_ABSOLUTE_LIFETIME in all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            auth_at = request.session.get(AUTH_AT_KEY, 0)
            last_seen = request.session.get(LAST_SEEN_KEY, 0)
            if (
                now - auth_at > settings.SESSION_ABSOLUTE_LIFETIME
                or now - last_seen > settings.SESSION_IDLE_TIMEOUT
            ):
                end_session(request, event=AuditEventType.SESSION_EXPIRED)
                messages.info(request, _("Du har loggats ut eftersom sessionen gick ut."))
                return redirect("accounts:login")
            if now - last_seen >= LAST_SEEN_RESOLUTION:
                # Written at most once a minute: a page view that changes nothing else in the
                # session then costs no session write. The idle clock may so run up to a
                # minute ahead (a session ends early, never late).
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class ActorMiddleware:
    """Sets request.actor: the person and the commission they act for, checked on every request.

    Anonymous requests are turned away by Django's LoginRequiredMiddleware-style check here;
    views that need no login are marked with django.contrib.auth.decorators.login_not_required,
    views that need a login but no commission with commission_not_required.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            commission_id = request.session.get(COMMISSION_KEY)
            if commission_id is not None:
                commission = (
                    Commission.objects.select_related("person", "unit", "unit__organisation")
                    .filter(pk=commission_id, person=request.user)
                    .first()
                )
                if commission is not None and commission.is_valid(timezone.localdate()):
                    request.actor = Actor(person=request.user, commission=commission)  # type: ignore[attr-defined,arg-type]
                else:
                    del request.session[COMMISSION_KEY]
                    messages.warning(
                        request, _("Ditt uppdrag gäller inte längre. Välj ett annat uppdrag.")
                    )
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(view_func, "commission_not_required", False):
            return None
        if request.actor is None:  # type: ignore[attr-defined]
            return redirect("accounts:choose_commission")
        return None
