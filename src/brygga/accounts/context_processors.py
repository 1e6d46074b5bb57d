from typing import Any

from django.http import HttpRequest


def actor(request: HttpRequest) -> dict[str, Any]:
    return {"actor": getattr(request, "actor", None)}
