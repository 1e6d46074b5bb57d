from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403, "kind": "forbidden"}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404, "kind": "not_found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request context: it must not depend on the database.
    return render(request, "core/error_500.html", status=500)
