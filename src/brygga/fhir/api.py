"""Request plumbing of the FHIR API: bearer tokens, the unit a client acts for, responses.

Every FHIR request runs with the request context's channel set to "api", so each access-log
row it writes says it came through the API, under the client's identity
(`client:<client_id>`) and the unit it acted for.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.oauth2_backends import get_oauthlib_core

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.core.actor import Actor
from brygga.core.context import RequestContext, current_context, reset_context, set_context
from brygga.directory.models import Unit

from . import validation
from .errors import ApiError, outcome
from .models import SCOPE_READ, ApiClient
from .oauth import api_client_of

logger = logging.getLogger(__name__)
FHIR_JSON = "application/fhir+json; charset=utf-8"
UNIT_HEADER = "X-Brygga-Unit"
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class ClientRequest:
    """An authenticated request: the client, its token's scopes and the actor it acts as."""

    client: ApiClient
    scopes: frozenset[str]
    actor: Actor

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise ApiError(
                403,
                "insufficient-scope",
                "forbidden",
                {"scope": scope},
                {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            )


def _bearer_error(code: str) -> ApiError:
    header = 'Bearer realm="brygga"'
    if code == "invalid-token":
        header += ', error="invalid_token"'
    return ApiError(401, code, "login", headers={"WWW-Authenticate": header})


def authenticate(request: HttpRequest) -> ClientRequest:
    """The client behind the bearer token and the unit it acts for, or ApiError."""
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        raise _bearer_error("no-token")
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        raise _bearer_error("invalid-token")
    token = oauth_request.access_token
    client = api_client_of(token.application)
    if client is None:
        raise _bearer_error("invalid-token")
    unit = _chosen_unit(request, client)
    actor = Actor.for_client(client.client_id, client.name, unit)
    return ClientRequest(client=client, scopes=frozenset(token.scope.split()), actor=actor)


def _chosen_unit(request: HttpRequest, client: ApiClient) -> Unit:
    usable = client.units.usable(timezone.localdate()).select_related("organisation")
    wanted = request.headers.get(UNIT_HEADER, "").strip()
    if wanted:
        unit = usable.filter(hsa_id=wanted).first()
        if unit is None:
            record(
                Actor.for_client(client.client_id, client.name, None),
                AuditEventType.API_UNIT_REFUSED,
                obj=client,
                details={"unit": wanted[:31]},
            )
            raise ApiError(403, "unit-refused", "forbidden", {"unit": wanted[:31]})
        return unit
    units = list(usable[:2])
    if len(units) == 1:
        return units[0]
    if not units:
        raise ApiError(403, "unit-refused", "forbidden", {"unit": "-"})
    raise ApiError(400, "unit-required", "required")


def language() -> str:
    return get_language() or "sv"


def respond(
    resource: dict[str, Any] | None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = b"" if resource is None else json.dumps(resource, ensure_ascii=False).encode()
    response = HttpResponse(body, status=status, content_type=FHIR_JSON)
    # Patient data must not be kept by caches between the EHR and Brygga.
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: ApiError) -> HttpResponse:
    return respond(
        validation.checked(outcome(error, language=language())),
        status=error.status,
        headers=error.headers,
    )


def read_json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "bad-json", "structure") from error


View = Callable[..., HttpResponse]


def fhir_endpoint(view: View) -> View:
    """An API view: no session, no CSRF (bearer tokens only), channel "api", errors as
    OperationOutcome. The view receives the authenticated ClientRequest."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = _api_context()
        try:
            client = authenticate(request)
            return view(request, client, *args, **kwargs)
        except ApiError as error:
            return error_response(error)
        except Exception:
            # An EHR gets an OperationOutcome, never an HTML error page; the traceback goes
            # to the log under the request id the response carries.
            logger.exception("FHIR request failed")
            return error_response(
                ApiError(
                    500, "server-error", "exception", {"request_id": current_context().request_id}
                )
            )
        finally:
            reset_context(token)

    return login_not_required(csrf_exempt(wrapper))


def public_endpoint(view: View) -> View:
    """An API view anyone may call (the CapabilityStatement, SMART configuration)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = _api_context()
        try:
            return view(request, *args, **kwargs)
        except ApiError as error:
            return error_response(error)
        finally:
            reset_context(token)

    return login_not_required(csrf_exempt(wrapper))


def _api_context() -> object:
    web = current_context()
    return set_context(
        RequestContext(request_id=web.request_id, client_address=web.client_address, channel="api")
    )


# --- ETags ----------------------------------------------------------------------------------

_ETAG = re.compile(r'^(?:W/)?"(\d+)"$')


def etag(version: int | str) -> str:
    return f'W/"{version}"'


def if_match_version(request: HttpRequest) -> int | None:
    value = request.headers.get("If-Match", "").strip()
    if not value:
        return None
    match = _ETAG.match(value)
    if match is None:
        raise ApiError(400, "bad-if-match", "invalid")
    return int(match.group(1))


# --- Search results -------------------------------------------------------------------------


def page_size(request: HttpRequest) -> int:
    raw = request.GET.get("_count", "")
    if not raw:
        return int(getattr(settings, "FHIR_PAGE_SIZE", 50))
    if not raw.isdigit():
        raise ApiError(400, "bad-search", "invalid", {"param": "_count"})
    return max(0, min(int(raw), MAX_PAGE_SIZE))


def offset(request: HttpRequest) -> int:
    raw = request.GET.get("_offset", "0")
    if not raw.isdigit():
        raise ApiError(400, "bad-search", "invalid", {"param": "_offset"})
    return int(raw)


def searchset(
    request: HttpRequest,
    rows: QuerySet[Any],
    to_resource: Callable[[Any], dict[str, Any]],
) -> tuple[dict[str, Any], list[Any]]:
    """One page of a search as a Bundle searchset, with self/first/next/previous links.

    Returns the bundle and the rows on the page (for the access log)."""
    size, start = page_size(request), offset(request)
    total = rows.count()
    page = list(rows[start : start + size]) if size else []
    base = request.build_absolute_uri(request.path)
    params = {k: v for k, v in request.GET.items() if k not in {"_offset", "_count"}}

    def link(relation: str, at: int) -> dict[str, str]:
        query = urlencode({**params, "_count": size, "_offset": at})
        return {"relation": relation, "url": f"{base}?{query}"}

    links = [link("self", start), link("first", 0)]
    if size and start + size < total:
        links.append(link("next", start + size))
    if size and start > 0:
        links.append(link("previous", max(0, start - size)))
    entries = []
    for row in page:
        resource = to_resource(row)
        entries.append(
            {
                "fullUrl": request.build_absolute_uri(
                    f"{request.path.rstrip('/')}/{resource['id']}"
                ),
                "resource": resource,
                "search": {"mode": "match"},
            }
        )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
    }
    if entries:
        bundle["entry"] = entries
    return bundle, page


def require_read(client: ClientRequest) -> None:
    client.require(SCOPE_READ)
