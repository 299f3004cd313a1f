"""Where administrators may work from (QĐ 742/QĐ-BTTTT): the admin site, and any login or
session of an administrator account, only from the networks in OPENDTI_ADMIN_NETWORKS (addresses
or CIDR ranges, comma-separated; empty: from anywhere). The address is the client's as
`opendti.core.network.client_ip` reads it behind OPENDTI_TRUSTED_PROXIES."""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

from opendti.core.network import client_ip

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(text: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in text if item.strip())


def admin_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.OPENDTI_ADMIN_NETWORKS))


def address_allowed(address: str | None) -> bool:
    """Whether an administrator may work from `address`."""
    networks = admin_networks()
    if not networks:
        return True
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def admin_address_allowed(request: HttpRequest) -> bool:
    return address_allowed(client_ip(request))


def is_admin_path(path: str) -> bool:
    """The admin site's addresses, in every language prefix."""
    parts = path.lstrip("/").split("/", 2)
    if parts and parts[0] in {code for code, _name in settings.LANGUAGES}:
        parts = parts[1:]
    return bool(parts) and parts[0] == "admin"
