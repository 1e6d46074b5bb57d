"""One tiny view for the baseline of bench/load.py (see bench/minimal_settings.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path


@login_not_required
def minimal(request: HttpRequest) -> HttpResponse:
    """A few bytes of text, no template, no query of its own (the middleware may query:
    the session, the user and the commission of a logged-in request)."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("minimal/", minimal, name="minimal")]
