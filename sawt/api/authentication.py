"""`Authorization: Bearer <token>`: the only way into the API (no session, so no CSRF to
forge: a browser never attaches a bearer token by itself)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from sawt.accounts.addresses import client_ip
from sawt.accounts.tokens import ApiClient, token_authenticate


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiClient, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        parts = header.split() if isinstance(header, str) else []
        if not parts or parts[0].lower() != "bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                _("The Authorization header must be “Bearer” followed by one token.")
            )
        raw = parts[1]
        if not raw.isascii():
            raise AuthenticationFailed(_("The token is unknown or revoked."))
        client = token_authenticate(raw, address=client_ip(request._request))
        if client is None:
            raise AuthenticationFailed(_("The token is unknown or revoked."))
        return client, None

    def authenticate_header(self, request: Request) -> str:
        # Makes an unauthenticated request a 401 (with this challenge), not a 403.
        return 'Bearer realm="sawt"'
