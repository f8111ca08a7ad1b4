"""The public form's rate limit: what bots and token guessers do, counted per client address.

Counted (by the form's pages): a request with an unknown or expired link, a filled honeypot,
and every post to a survey's anonymous link. Never counted: anyone opening, saving or sending
through their own valid link — a ministry's whole office may share one address.

`SAWT_FORM_RATE_LIMIT` is `N/S`: at most N counted requests from one address in a window of S
seconds (default `30/600`, 30 per 10 minutes); the next ones get 429 until the window ends.
`off` turns the limit off. Windows are fixed (aligned on multiples of S), so a burst across a
window's edge may reach 2N: a bound on what guessing costs, not a precise meter.

The counts live in the database (`FormRateCount`), one row per address and window, raised by
one atomic upsert (`sawt.core.db.window_hit`): every gunicorn process and every machine behind
the proxy shares them, which a per-process cache (Django's default) would not. An IPv6 client is
counted by its /64 network, since one host may hold a whole /64.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

from sawt.core.db import window_hit
from sawt.distribution.models import FormRateCount


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
    hits = window_hit(FormRateCount, "address", rate_key(address), seconds=seconds, now=now)
    return hits > most
