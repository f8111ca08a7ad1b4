"""The address a login comes from, as the lockout counts it (django-axes calls `client_ip`).

Failed logins are counted per username and address. Behind a reverse proxy every request
arrives from the proxy's own address, so one guesser would lock a username out for everyone;
there the client's address is the one the proxies recorded in `X-Forwarded-For`. That header
is written by whoever sends the request, so it is read only when `SAWT_BEHIND_PROXY` says a
proxy sets it, and then only the entry our own proxies appended: each proxy adds the address
it received the request from, so with `SAWT_PROXY_COUNT` proxies in front of sawt the client is
that many entries from the right. Whatever a client wrote further left is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: from our proxies' X-Forwarded-For entry, else the socket's."""
    remote = request.META.get("REMOTE_ADDR")
    if not getattr(settings, "SAWT_BEHIND_PROXY", False):
        return remote
    hops = max(1, int(getattr(settings, "SAWT_PROXY_COUNT", 1)))
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    return _address(forwarded[-hops]) or remote
