"""The only writers of the FHIR app's rows: API clients and the EHRs' stay identifiers.

Cases, notices and patients are written by their own apps' actions; the API calls them
with an Actor for the client acting for its unit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_application_model

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.cases import actions as case_actions
from brygga.cases.models import Case
from brygga.core.actor import Actor
from brygga.directory.models import Unit
from brygga.patients.models import Patient

from .models import ALL_SCOPES, SCOPE_READ, SCOPE_WRITE, ApiClient, EncounterIdentifier


def client_key(client: ApiClient, *parts: str) -> str:
    """An idempotency key private to one client: two EHRs never collide on their own ids."""
    text = "\n".join((client.client_id, *parts))
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def register_api_client(
    *,
    actor: Actor,
    name: str,
    units: list[Unit],
    scopes: tuple[str, ...] = (SCOPE_READ, SCOPE_WRITE),
    client_id: str = "",
) -> tuple[ApiClient, str]:
    """Register a system client; returns it and its secret, which is shown this once only
    (django-oauth-toolkit keeps only a hash)."""
    unknown = set(scopes) - set(ALL_SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    if not units:
        raise ValueError("a client acts for at least one unit")
    application_model = get_application_model()
    secret = secrets.token_urlsafe(48)
    application = application_model(
        name=name,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
    )
    if client_id:
        application.client_id = client_id
    application.save()
    client = ApiClient.objects.create(
        application=application, name=name, allowed_scopes=" ".join(sorted(scopes))
    )
    client.units.set(units)
    record(
        actor,
        AuditEventType.API_CLIENT_REGISTERED,
        obj=client,
        details={
            "client_id": client.client_id,
            "units": sorted(u.hsa_id for u in units),
            "scopes": sorted(scopes),
        },
    )
    return client, secret


@transaction.atomic
def deactivate_api_client(*, actor: Actor, client: ApiClient) -> None:
    """Stop a client at once: no new tokens, and its current tokens stop working."""
    from oauth2_provider.models import get_access_token_model

    ApiClient.objects.filter(pk=client.pk).update(active=False)
    get_access_token_model().objects.filter(application=client.application).delete()
    record(actor, AuditEventType.API_CLIENT_UPDATED, obj=client, details={"active": False})


@transaction.atomic
def open_stay(
    *,
    actor: Actor,
    client: ApiClient,
    patient: Patient,
    care_kind: str,
    compulsory_care: bool,
    admitted_at: dt.datetime,
    assessed_at: dt.datetime | None,
    recipients: list[Unit],
    identifier: tuple[str, str] | None,
    now: dt.datetime | None = None,
) -> Case:
    """Open a case for a stay the EHR identifies; a retry with the same identifier returns
    the case the first call opened."""
    now = now or timezone.now()
    key = client_key(client, "Encounter", *identifier) if identifier else ""
    case = case_actions.open_case(
        actor=actor,
        patient=patient,
        care_kind=care_kind,
        compulsory_care=compulsory_care,
        admitted_at=admitted_at,
        assessed_at=assessed_at,
        recipients=recipients,
        idempotency_key=key,
        now=now,
    )
    if identifier is not None:
        system, value = identifier
        _, created = EncounterIdentifier.objects.get_or_create(
            system=system,
            value=value,
            defaults={"case": case, "client": client, "created_at": now},
        )
        if created:
            record(
                actor,
                AuditEventType.API_STAY_IDENTIFIED,
                patient=patient,
                obj=case,
                details={"system": system, "value": value},
            )
    return case
