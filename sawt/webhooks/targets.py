"""Where a webhook may send: https only in production, and never to loopback, private,
link-local or otherwise non-public addresses unless SAWT_WEBHOOK_ALLOW_HOSTS names them.

The address is checked when the hook is registered (a clear refusal for the administrator) and
again at every delivery: the host is resolved then, every address it resolves to is checked,
and the request is made to one of the addresses just checked (`sending.py` connects to that
address itself), so a name that resolved to a public address at registration and to 127.0.0.1
later (DNS rebinding) reaches nothing inside.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from sawt.core.exceptions import ApplicationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(ApplicationError):
    """The URL or one of its host's addresses may not be sent to (not worth another try)."""


class Unresolvable(ApplicationError):
    """The host has no address now (DNS away, or no such name): worth another try later."""


@dataclass(frozen=True)
class Target:
    """A URL taken apart: what to connect to and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # with its query string


def url_parse(url: str) -> Target:
    """The URL's parts, refused if its scheme is not allowed here or it has no host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(_("This is not a valid URL.")) from exc
    scheme = parts.scheme.lower()
    allowed = ("https",) if settings.SAWT_PRODUCTION else ("https", "http")
    if scheme not in allowed:
        raise AddressRefused(
            _("Webhooks are sent over https only.")
            if settings.SAWT_PRODUCTION
            else _("A webhook's URL starts with https:// (or http:// outside production).")
        )
    if not parts.hostname:
        raise AddressRefused(_("The URL names no host."))
    if parts.username or parts.password:
        raise AddressRefused(_("The URL may not carry a user name or password."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80), path)


def _allowances() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names: set[str] = set()
    networks = []
    for entry in settings.SAWT_WEBHOOK_ALLOW_HOSTS:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def address_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local,
    shared (carrier NAT), reserved, unspecified or multicast (IPv4 inside IPv6 included)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def addresses_check(target: Target) -> list[str]:
    """Resolve the host now and check every address it has; the addresses, in resolver order.
    AddressRefused if any is not allowed, Unresolvable if there is none."""
    names, networks = _allowances()
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(
            _("The host “%(host)s” could not be resolved.") % {"host": target.host}
        ) from exc
    addresses: list[str] = []
    for info in found:
        text = str(info[4][0]).split("%", 1)[0]  # an IPv6 zone is not part of the address
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise Unresolvable(_("The host “%(host)s” has no address.") % {"host": target.host})
    if target.host.rstrip(".") in names:
        return addresses
    for text in addresses:
        address = ipaddress.ip_address(text)
        if address_public(address) or any(address in net for net in networks):
            continue
        raise AddressRefused(
            _(
                "“%(host)s” leads to %(address)s, a loopback, private or reserved address: "
                "webhooks are sent there only if SAWT_WEBHOOK_ALLOW_HOSTS allows it."
            )
            % {"host": target.host, "address": text}
        )
    return addresses


def url_check(url: str) -> Target:
    """The checks of registration: the URL's form, then its host's addresses now."""
    target = url_parse(url)
    addresses_check(target)
    return target
