"""The token's scope: every endpoint needs a valid token; writing needs a write token. What a
token may see and change beyond that is the access policy's, asked through the services and
selectors (sawt/core/access.py), never decided here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from sawt.accounts.tokens import ApiClient


class ReadScope(BasePermission):
    message = _("A valid API token is required.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ApiClient)


class WriteScope(BasePermission):
    message = _("This token may only read: writing needs a token with the write scope.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, ApiClient) and request.user.can_write
