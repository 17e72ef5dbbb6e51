"""The address of the client behind the shipped reverse proxy.

Behind nginx (deploy/nginx/chibo.conf) every request reaches gunicorn from
the proxy, so ``REMOTE_ADDR`` is the proxy's address for everyone: a throttle
keyed on it is one global counter. nginx appends the address it saw to
``X-Forwarded-For``. That header is believed only when the request comes from
a proxy listed in ``CHIBO_TRUSTED_PROXIES`` (addresses or networks); the
client is then the rightmost address in the header that is not itself a
trusted proxy. Whatever a client writes into the header itself sits to the
left of what the proxies appended, so it is never taken for the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:  # settings.py imports this module: no django.http at import time
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["127.0.0.1", "10.0.0.0/8", "::1"]`` → networks; ValueError names a bad entry."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an IP address or network") from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    networks: tuple[Network, ...] = getattr(settings, "CHIBO_TRUSTED_PROXY_NETWORKS", ())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or from ``X-Forwarded-For`` via a trusted proxy."""
    remote: str = request.META.get("REMOTE_ADDR", "")
    peer = _address(remote)
    if peer is None or not _trusted(peer):
        return remote[:45]
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not an address: nothing left of it can be trusted; the last
            # trusted proxy's view (``client``) stands.
            break
        client = address
        if not _trusted(address):
            break
    return str(client)[:45]
