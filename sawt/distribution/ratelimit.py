"""The public form's rate limit: what bots and token guessers do, counted per client address.

Counted (by the form's pages): a request with an unknown or expired link, a filled honeypot,
and every post to a survey's anonymous link. Never counted: anyone opening, saving or sending
through their own valid link — a ministry's whole office may share one address.

`SAWT_FORM_RATE_LIMIT` is `N/S`: at most N counted requests from one address in a window of S
seconds (default `30/600`, 30 per 10 minutes); the next ones get 429 until the window ends.
`off` turns the limit off. Windows are fixed (aligned on multiples of S), so a burst across a
window's edge may reach 2N: a bound on what guessing costs, not a precise meter.

The counts live in the database (`FormRateCount`), one row per address and window, raised by
one atomic upsert (`INSERT … ON CONFLICT DO UPDATE … RETURNING`, the same statement on
SQLite ≥ 3.35 and PostgreSQL): every gunicorn process and every machine behind the proxy
shares them, which a per-process cache (Django's default) would not. An IPv6 client is
counted by its /64 network, since one host may hold a whole /64.
"""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.db import connection

from sawt.distribution.models import FormRateCount

_TABLE = FormRateCount._meta.db_table


def rate_key(address: str | None) -> str:
    """What one client is counted under: its IPv4 address, or its IPv6 /64 network."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


def rate_hit(address: str | None, *, now: float | None = None) -> bool:
    """Count one request from `address`; True when it goes past the limit (answer 429)."""
    limit = settings.SAWT_FORM_RATE_LIMIT
    if limit is None:
        return False
    most, seconds = limit
    moment = time.time() if now is None else now
    window = int(moment) // seconds * seconds
    table = connection.ops.quote_name(_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (address, window_start, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT (address, window_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [rate_key(address), window],
        )
        hits = int(cursor.fetchone()[0])
        if hits == 1:
            # The first hit of a new window sweeps the windows that have ended (every address's):
            # the table holds at most two windows' worth of addresses.
            cursor.execute(f"DELETE FROM {table} WHERE window_start < %s", [window - seconds])
    return hits > most
