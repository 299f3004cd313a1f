"""Who is asking and from where, for the events recorded while a request is served.

Events recorded by model signals (a membership saved, a period's step) have no request at hand;
the middleware keeps the request's address and user here for the time of the request, so every
event says from where it came. Outside a request (a command, a background job) both are empty.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from opendti.core.network import client_ip


@dataclass(frozen=True)
class Origin:
    address: str | None
    user: Any  # the request's user (possibly anonymous), resolved lazily by Django
    path: str


_current: ContextVar[Origin | None] = ContextVar("opendti_audit_origin", default=None)


def current() -> Origin | None:
    return _current.get()


def origin_of(request: HttpRequest) -> Origin:
    return Origin(client_ip(request), getattr(request, "user", None), request.path)


class AuditContextMiddleware:
    """Keep the request's origin for the events recorded while it is served, and record every
    refusal (403: a role without the right, a CSRF failure) that nothing recorded already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(origin_of(request))
        try:
            response = self.get_response(request)
            if response.status_code == 403 and not getattr(request, "opendti_audited", False):
                from .services import Kind, audit_record

                audit_record(
                    Kind.ACCESS_DENIED,
                    request=request,
                    detail={"method": request.method, "path": request.path[:200]},
                )
            return response
        finally:
            _current.reset(token)
