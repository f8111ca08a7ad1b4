"""Per-token rate limit: `SAWT_API_RATE_LIMIT` is `N/S`, at most N requests from one token in a
window of S seconds (default `600/60`); `off` turns it off. Past it, 429 with `Retry-After`.

Windows are fixed (aligned on multiples of S), so a burst across a window's edge may reach 2N:
a bound on what one caller costs, not a precise meter. The counts live in the database
(`TokenRateCount`), raised by one atomic upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`,
the same statement on SQLite ≥ 3.35 and PostgreSQL) that every gunicorn process and every
machine shares, which Django's per-process cache would not.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from sawt.accounts.tokens import ApiClient
from sawt.api.models import TokenRateCount

_TABLE = TokenRateCount._meta.db_table


def token_hit(token_id: int, *, now: float | None = None) -> float | None:
    """Count one request of the token; the seconds until its window ends when it went past
    the limit, else None."""
    limit = settings.SAWT_API_RATE_LIMIT
    if limit is None:
        return None
    most, seconds = limit
    moment = time.time() if now is None else now
    window = int(moment) // seconds * seconds
    table = connection.ops.quote_name(_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token_id, window_start, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT (token_id, window_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [token_id, window],
        )
        hits = int(cursor.fetchone()[0])
        if hits == 1:
            # The first hit of a new window sweeps ended windows (every token's).
            cursor.execute(f"DELETE FROM {table} WHERE window_start < %s", [window - seconds])
    if hits <= most:
        return None
    return max(window + seconds - moment, 1.0)


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
