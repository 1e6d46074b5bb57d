"""The CapabilityStatement at /fhir/metadata: what the API offers, from the registry."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from . import systems
from .resources.registry import RESOURCE_TYPES

RELEASED = "2026-01-01"


def capability_statement(request: HttpRequest) -> dict[str, Any]:
    token_url = request.build_absolute_uri(reverse("fhir:token"))
    resources = []
    for name, resource_type in RESOURCE_TYPES.items():
        interactions = [{"code": "read"}, {"code": "search-type"}]
        if resource_type.creatable:
            interactions.append({"code": "create"})
        if name == "Encounter":
            interactions.append({"code": "update"})
        entry: dict[str, Any] = {
            "type": name,
            "interaction": interactions,
            "versioning": "versioned" if name == "Encounter" else "no-version",
            "readHistory": False,
            "updateCreate": False,
            "conditionalCreate": resource_type.creatable,
            "searchParam": [
                {"name": param, "type": kind}
                for param, kind in {"_id": "token", **resource_type.search_params}.items()
            ],
        }
        if name == "Encounter":
            entry["conditionalUpdate"] = False
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": RELEASED,
        "publisher": "Brygga",
        "kind": "instance",
        "software": {"name": "Brygga"},
        "implementation": {
            "description": "Brygga – samverkan vid utskrivning (LUS)",
            "url": request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata"),
        },
        "fhirVersion": systems.FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Se docs/fhir.md. System clients authenticate with OAuth 2.0 "
                "client credentials and act for one of their units (header X-Brygga-Unit).",
                "security": {
                    "extension": [
                        {
                            "url": systems.OAUTH_URIS,
                            "extension": [{"url": "token", "valueUri": token_url}],
                        }
                    ],
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {"system": systems.RESTFUL_SECURITY, "code": "OAuth"},
                                {"system": systems.RESTFUL_SECURITY, "code": "SMART-on-FHIR"},
                            ]
                        }
                    ],
                },
                "resource": resources,
            }
        ],
    }


def smart_configuration(request: HttpRequest) -> dict[str, Any]:
    return {
        "token_endpoint": request.build_absolute_uri(reverse("fhir:token")),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["system/*.read", "system/*.write", "system/AuditEvent.read"],
        "capabilities": ["client-confidential-symmetric"],
    }
