"""OAuth 2.0 for system clients: the client-credentials grant only, scopes per client.

django-oauth-toolkit runs the token endpoint and checks bearer tokens; this validator adds
Brygga's rules: the application must belong to an active ApiClient, and a token may carry
only the scopes that client was registered with.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from .models import ApiClient


def api_client_of(application: Any) -> ApiClient | None:
    if application is None:
        return None
    return ApiClient.objects.filter(application=application, active=True).first()


class ClientCredentialsValidator(OAuth2Validator):
    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if grant_type != "client_credentials" or api_client_of(client) is None:
            return False
        return bool(super().validate_grant_type(client_id, grant_type, client, request))

    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        api_client = api_client_of(client)
        if api_client is None:
            return False
        return set(scopes) <= api_client.scopes and bool(
            super().validate_scopes(client_id, scopes, client, request)
        )

    def get_default_scopes(
        self, client_id: str, request: Any, *args: Any, **kwargs: Any
    ) -> list[str]:
        """Without a scope parameter the client gets everything it was registered for."""
        api_client = api_client_of(getattr(request, "client", None))
        return sorted(api_client.scopes) if api_client is not None else []
