"""Tokens and clients for the API's tests: `token(scope, agency)` makes one the way
`sawt token create` does and returns a DRF test client that sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from sawt.accounts.tokens import token_create
from sawt.catalog.models import Agency

MakeClient = Callable[..., APIClient]


@pytest.fixture
def token(db: Any) -> MakeClient:
    made = iter(range(1, 10_000))

    def make(scope: str = "read", agency: Agency | None = None, **extra: Any) -> APIClient:
        _token, raw = token_create(
            name=f"test-{next(made)}",
            scope=scope,
            agency_code=agency.code if agency else None,
            all_agencies=agency is None,
            actor=None,
        )
        client = APIClient(**extra)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.raw_token = raw  # type: ignore[attr-defined]
        client.token = _token  # type: ignore[attr-defined]
        return client

    return make
