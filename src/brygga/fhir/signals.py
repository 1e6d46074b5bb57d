"""Every token issued to a system client goes into the access log."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from oauth2_provider.signals import app_authorized

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.core.actor import Actor

from .oauth import api_client_of


@receiver(app_authorized)
def log_token_issued(sender: Any, request: Any, token: Any, **kwargs: Any) -> None:
    client = api_client_of(token.application)
    if client is None:
        return
    actor = Actor.for_client(client.client_id, client.name, unit=None)
    record(
        actor,
        AuditEventType.API_TOKEN_ISSUED,
        obj=client,
        details={"scope": token.scope, "expires": token.expires.isoformat()},
    )
