"""Thin FHIR views: authenticate, find the resource type, read/search/write, respond."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from oauth2_provider.views import TokenView

from . import writes
from .api import ClientRequest, etag, fhir_endpoint, public_endpoint, respond, searchset
from .capability import capability_statement, smart_configuration
from .errors import ApiError
from .resources.base import ResourceType
from .resources.registry import RESOURCE_TYPES
from .validation import checked


def _type(name: str) -> ResourceType:
    resource_type = RESOURCE_TYPES.get(name)
    if resource_type is None:
        raise ApiError(404, "unknown-type", "not-supported", {"type": name[:40]})
    return resource_type


@public_endpoint
@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    return respond(checked(capability_statement(request)))


@public_endpoint
@require_GET
def smart_config(request: HttpRequest) -> HttpResponse:
    return JsonResponse(smart_configuration(request))


token = public_endpoint(TokenView.as_view())


@fhir_endpoint
def type_endpoint(request: HttpRequest, client: ClientRequest, resource_type: str) -> HttpResponse:
    """GET: search. POST: create (Encounter, Task, Communication)."""
    kind = _type(resource_type)
    if request.method == "GET":
        client.require(kind.read_scope)
        rows = kind.search(client, request)
        bundle, page = searchset(request, rows, lambda row: checked(kind.to_fhir(row)))
        kind.log_read(client, page, search=True)
        return respond(bundle)
    if request.method == "POST" and kind.creatable:
        create = {
            "Encounter": writes.create_encounter,
            "Task": writes.create_task,
            "Communication": writes.create_communication,
        }[kind.name]
        written = create(client, request)
        row = kind.visible(client).get(pk=written.row.pk)
        resource = checked(kind.to_fhir(row))
        headers = {
            "ETag": etag(kind.version(row)),
            "Location": request.build_absolute_uri(f"{request.path.rstrip('/')}/{row.pk}"),
        }
        if written.created:
            return respond(resource, status=201, headers=headers)
        # A conditional create (or a retry) that found what the first request made.
        return respond(resource, status=200, headers=headers)
    raise ApiError(405, "method", "not-supported", headers={"Allow": _allowed(kind, False)})


@fhir_endpoint
def instance_endpoint(
    request: HttpRequest, client: ClientRequest, resource_type: str, resource_id: str
) -> HttpResponse:
    """GET: read. PUT: versioned update (Encounter)."""
    kind = _type(resource_type)
    if request.method == "GET":
        client.require(kind.read_scope)
        row = kind.get(client, resource_id)
        resource = checked(kind.to_fhir(row))
        kind.log_read(client, [row], search=False)
        return respond(resource, headers={"ETag": etag(kind.version(row))})
    if request.method == "PUT" and kind.name == "Encounter":
        case = kind.get(client, resource_id)
        writes.update_encounter(client, request, case)
        row = kind.get(client, resource_id)
        return respond(checked(kind.to_fhir(row)), headers={"ETag": etag(kind.version(row))})
    raise ApiError(405, "method", "not-supported", headers={"Allow": _allowed(kind, True)})


def _allowed(kind: ResourceType, instance: bool) -> str:
    if instance:
        return "GET, PUT" if kind.name == "Encounter" else "GET"
    return "GET, POST" if kind.creatable else "GET"
