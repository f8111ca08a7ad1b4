"""Per-token rate limit: `SAWT_API_RATE_LIMIT` is `N/S`, at most N requests from one token in a
window of S seconds (default `600/60`); `off` turns it off. Past it, 429 with `Retry-After`.

Windows are fixed (aligned on multiples of S), so a burst across a window's edge may reach 2N:
a bound on what one caller costs, not a precise meter. The counts live in the database
(`TokenRateCount`), raised by one atomic upsert (`sawt.core.db.window_hit`) that every
gunicorn process and every machine shares, which Django's per-process cache would not.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from sawt.accounts.tokens import ApiClient
from sawt.api.models import TokenRateCount
from sawt.core.db import window_hit


def token_hit(token_id: int, *, now: float | None = None) -> float | None:
    """Count one request of the token; the seconds until its window ends when it went past
    the limit, else None."""
    limit = settings.SAWT_API_RATE_LIMIT
    if limit is None:
        return None
    most, seconds = limit
    moment = time.time() if now is None else now
    if window_hit(TokenRateCount, "token_id", token_id, seconds=seconds, now=moment) <= most:
        return None
    return max(seconds - moment % seconds, 1.0)


class TokenRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._wait: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            # No valid token: authentication has already refused it (401).
            return True
        self._wait = token_hit(client.token_id)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
