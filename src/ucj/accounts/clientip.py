"""The client's address: ``REMOTE_ADDR``, or behind a trusted reverse proxy the address it forwarded.

``X-Forwarded-For`` is believed only when the request comes from a proxy listed in ``UCJ_TRUSTED_PROXIES``
(addresses or networks). The header is then read from the right, skipping trusted proxies, and the first other
address is the client: values further left were written by the client itself and can be forged. Login
throttling (django-axes, ``AXES_CLIENT_IP_CALLABLE``) and the audit trail use this one function.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request`` (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(getattr(settings, "UCJ_TRUSTED_PROXIES", ())))
    if remote is None or not networks or not _trusted(remote, networks):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a damaged header: trust nothing in it
        if not _trusted(hop, networks):
            return hop
    return remote
