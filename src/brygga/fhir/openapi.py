"""An OpenAPI 3 description of the FHIR API at /fhir/openapi.json, built from the
CapabilityStatement so that the two cannot drift apart.

It is meant for tooling (API explorers, client generators, the schemathesis fuzzing in
tests/test_fuzzing.py): every resource type with its read, search parameters and writes,
the bearer token, and the OperationOutcome every refusal carries. The CapabilityStatement
at /fhir/metadata remains the FHIR description of the API.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from .api import UNIT_HEADER, public_endpoint
from .capability import RELEASED, capability_statement

FHIR_JSON = "application/fhir+json"
OUTCOME_REF = {"$ref": "#/components/schemas/OperationOutcome"}

# FHIR search parameter type -> how its value travels in the query string.
SEARCH_VALUE: dict[str, dict[str, Any]] = {
    "token": {"type": "string", "description": "system|code or code"},
    "string": {"type": "string"},
    "reference": {"type": "string", "description": "Type/id or id"},
    "date": {
        "type": "string",
        "description": "A date or dateTime with zone, prefixed eq, ge, gt, le or lt",
        "example": "ge2026-03-01",
    },
}

# The refusals each kind of operation can give; every one is an OperationOutcome.
REFUSALS: dict[str, str] = {
    "400": "Felaktig begäran (fel format, okänd sökparameter, flera enheter utan X-Brygga-Unit)",
    "401": "Token saknas eller är ogiltig",
    "403": "Token saknar behörighet, eller klienten får inte agera för enheten",
    "404": "Resursen finns inte eller är inte synlig för klientens enhet",
    "405": "Metoden stöds inte för resursen",
}
WRITE_REFUSALS: dict[str, str] = {
    "409": "Identifieraren används redan för ett annat vårdtillfälle",
    "412": "Ärendet har ändrats sedan versionen i If-Match",
    "422": "Innehållet bryter mot reglerna (LUS) eller kan inte tolkas",
}


def _json(schema: dict[str, Any], media_type: str = FHIR_JSON) -> dict[str, Any]:
    return {media_type: {"schema": schema}}


def _refusals(codes: dict[str, str]) -> dict[str, Any]:
    return {
        code: {"description": text, "content": _json(OUTCOME_REF)} for code, text in codes.items()
    }


def _json_type(python_type: type) -> dict[str, Any]:
    for base, json_type in ((bool, "boolean"), (int, "integer"), (float, "number")):
        if issubclass(python_type, base):
            return {"type": json_type}
    if issubclass(python_type, str) or (
        python_type.__name__.startswith("FHIR")
        and ("Date" in python_type.__name__ or "Instant" in python_type.__name__)
    ):
        return {"type": "string"}
    return {"type": "object"}


def _required_elements(name: str) -> dict[str, dict[str, Any]]:
    """The elements FHIR R4 requires of a resource type, from the same fhirclient models
    that check every resource (choice elements such as value[x] left out)."""
    try:
        model = FHIRElementFactory.instantiate(name, None)
    except Exception:  # not an R4 resource type: nothing known to require
        return {}
    required = {}
    for _, json_name, python_type, is_list, of_many, not_optional in model.elementProperties():
        if not_optional and not of_many:
            element = _json_type(python_type)
            required[json_name] = (
                {"type": "array", "minItems": 1, "items": element} if is_list else element
            )
    return required


def _resource_schema(name: str) -> dict[str, Any]:
    required = _required_elements(name)
    return {
        "type": "object",
        "required": ["resourceType", *required],
        "properties": {
            "resourceType": {"type": "string", "enum": [name]},
            "id": {"type": "string"},
            "meta": {"type": "object"},
            **required,
        },
        "additionalProperties": True,
    }


def _schemas(names: list[str]) -> dict[str, Any]:
    schemas: dict[str, Any] = {name: _resource_schema(name) for name in names}
    schemas["OperationOutcome"] = {
        "type": "object",
        "required": ["resourceType", "issue"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
            "issue": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["severity", "code", "details"],
                    "properties": {
                        "severity": {"type": "string", "enum": ["fatal", "error", "warning"]},
                        "code": {"type": "string"},
                        "details": {
                            "type": "object",
                            "required": ["text"],
                            "properties": {"text": {"type": "string", "minLength": 1}},
                        },
                    },
                },
            },
        },
    }
    schemas["Bundle"] = {
        "type": "object",
        "required": ["resourceType", "type", "total", "link"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["Bundle"]},
            "type": {"type": "string", "enum": ["searchset"]},
            "total": {"type": "integer", "minimum": 0},
            "link": {"type": "array", "items": {"type": "object"}},
            "entry": {"type": "array", "items": {"type": "object"}},
        },
    }
    return schemas


UNIT_PARAMETER = {
    "name": UNIT_HEADER,
    "in": "header",
    "required": False,
    "description": "HSA-id of the unit the client acts for (needed when it has several)",
    "schema": {"type": "string"},
}


def _search(name: str, params: list[dict[str, str]]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {
            "name": param["name"],
            "in": "query",
            "required": False,
            "schema": SEARCH_VALUE.get(param["type"], {"type": "string"}),
        }
        for param in params
    ]
    parameters += [
        {"name": "_count", "in": "query", "required": False, "schema": {"type": "integer"}},
        {"name": "_offset", "in": "query", "required": False, "schema": {"type": "integer"}},
        UNIT_PARAMETER,
    ]
    return {
        "operationId": f"search{name}",
        "summary": f"Search {name}",
        "tags": [name],
        "parameters": parameters,
        "responses": {
            "200": {"description": "A searchset Bundle", "content": _json(_ref("Bundle"))},
            **_refusals(REFUSALS),
        },
    }


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _read(name: str) -> dict[str, Any]:
    return {
        "operationId": f"read{name}",
        "summary": f"Read {name}",
        "tags": [name],
        "parameters": [UNIT_PARAMETER],
        "responses": {
            "200": {
                "description": f"The {name}, with its version as ETag",
                "content": _json(_ref(name)),
            },
            **_refusals(REFUSALS),
        },
    }


def _write(name: str, verb: str, headers: list[str]) -> dict[str, Any]:
    responses = {
        "200": {
            "description": "Already written (conditional or retried)",
            "content": _json(_ref(name)),
        },
        **_refusals(REFUSALS | WRITE_REFUSALS),
    }
    if verb == "update":
        responses["428"] = {
            "description": "If-Match saknas: en ändring ska ange versionen den bygger på",
            "content": _json(OUTCOME_REF),
        }
    if verb == "create":
        responses["201"] = {"description": "Created", "content": _json(_ref(name))}
    else:
        responses["200"] = {"description": "Updated", "content": _json(_ref(name))}
    return {
        "operationId": f"{verb}{name}",
        "summary": f"{verb.capitalize()} {name}",
        "tags": [name],
        "parameters": [
            UNIT_PARAMETER,
            *(
                {"name": header, "in": "header", "required": False, "schema": {"type": "string"}}
                for header in headers
            ),
        ],
        "requestBody": {"required": True, "content": _json(_ref(name))},
        "responses": responses,
    }


def _id_parameter() -> dict[str, Any]:
    return {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def openapi_document(request: HttpRequest) -> dict[str, Any]:
    capability = capability_statement(request)
    base = capability["implementation"]["url"].rstrip("/")
    names: list[str] = []
    paths: dict[str, Any] = {
        "/metadata": {
            "get": {
                "operationId": "capabilities",
                "summary": "The CapabilityStatement",
                "security": [],
                "responses": {
                    "200": {
                        "description": "CapabilityStatement",
                        "content": _json(_resource_schema("CapabilityStatement")),
                    }
                },
            }
        },
        "/.well-known/smart-configuration": {
            "get": {
                "operationId": "smartConfiguration",
                "summary": "SMART configuration (names the token endpoint)",
                "security": [],
                "responses": {
                    "200": {
                        "description": "SMART configuration",
                        "content": _json(
                            {"type": "object", "required": ["token_endpoint"]}, "application/json"
                        ),
                    }
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3 document",
                        "content": _json({"type": "object"}, "application/json"),
                    }
                },
            }
        },
        "/auth/token": {
            "post": {
                "operationId": "token",
                "summary": "An access token by OAuth 2.0 client credentials",
                "security": [{"clientSecret": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["grant_type"],
                                "properties": {
                                    "grant_type": {
                                        "type": "string",
                                        "enum": ["client_credentials"],
                                    },
                                    "scope": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    code: {
                        "description": text,
                        "content": _json({"type": "object", "required": [key]}, "application/json"),
                    }
                    for code, text, key in (
                        ("200", "The token", "access_token"),
                        ("400", "OAuth 2.0 error (RFC 6749 §5.2)", "error"),
                        ("401", "Unknown client or wrong secret", "error"),
                    )
                },
            }
        },
    }
    for resource in capability["rest"][0]["resource"]:
        name = resource["type"]
        names.append(name)
        interactions = {i["code"] for i in resource["interaction"]}
        type_path: dict[str, Any] = {}
        if "search-type" in interactions:
            type_path["get"] = _search(name, resource["searchParam"])
        if "create" in interactions:
            type_path["post"] = _write(
                name, "create", ["If-None-Exist", "If-Match", "Idempotency-Key"]
            )
        instance_path: dict[str, Any] = {"parameters": [_id_parameter()]}
        if "read" in interactions:
            instance_path["get"] = _read(name)
        if "update" in interactions:
            instance_path["put"] = _write(name, "update", ["If-Match"])
        paths[f"/{name}"] = type_path
        paths[f"/{name}/{{id}}"] = instance_path
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Brygga FHIR R4 API",
            "version": f"{capability['fhirVersion']} ({RELEASED})",
            "description": capability["rest"][0]["documentation"],
        },
        "servers": [{"url": base}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token from POST "
                    + reverse("fhir:token")
                    + " (client credentials)",
                },
                "clientSecret": {"type": "http", "scheme": "basic"},
            },
            "schemas": _schemas(names),
        },
    }


@public_endpoint
@require_GET
def openapi_view(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi_document(request), json_dumps_params={"ensure_ascii": False})
