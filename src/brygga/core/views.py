import sys

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from brygga.reserve.views import is_outage, outage_response


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403, "kind": "forbidden"}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404, "kind": "not_found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context: it must not depend on the database.
    if is_outage(sys.exc_info()[1]):
        return outage_response()
    return HttpResponse(render_to_string("core/error_500.html"), status=500)
