"""The address a request comes from, for login throttling."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind OPENDTI_TRUSTED_PROXIES reverse proxies the address the nearest
    untrusted hop reported in X-Forwarded-For.

    Headers a client sends itself are never believed: only the entries the trusted proxies
    appended are read, counting from the right. Without this, behind a proxy every visitor
    would share the proxy's address and one person's mistakes would lock a username for all.
    """
    trusted = settings.OPENDTI_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR")
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < trusted:
        return remote  # not through the proxies we were told about
    return hops[-trusted]
