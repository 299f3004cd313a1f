"""Recording a security event: a row in the append-only table and a structured log line.

The log line goes to the `opendti.audit` logger with the event's fields as `extra` attributes
(`event`, `actor`, `address`, `target`, `detail`, `at`), so a JSON log formatter writes them as
fields; the row is what the administrators' page shows and exports.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.http import HttpRequest

from opendti.core.network import client_ip

from .context import current
from .models import AuditEvent

logger = logging.getLogger("opendti.audit")
Kind = AuditEvent.Kind


def valid_address(text: str | None) -> str | None:
    """A valid address or None: the column is an address type on PostgreSQL."""
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def audit_record(
    kind: str,
    *,
    actor: Any = None,
    username: str = "",
    request: HttpRequest | None = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event. `actor` is the user who acted (default: the request's user); `username`
    names the account concerned when there is no actor (a failed login: the name as typed)."""
    origin = current()
    raw_address = (
        client_ip(request) if request is not None else (origin.address if origin else None)
    )
    if actor is None:
        user = (
            getattr(request, "user", None)
            if request is not None
            else (origin.user if origin else None)
        )
        if user is not None and getattr(user, "is_authenticated", False):
            actor = user
    if actor is not None and not username:
        username = actor.get_username()
    detail = dict(detail or {})
    address = valid_address(raw_address)
    if raw_address and address is None:
        detail["address_text"] = str(raw_address)[:100]
    if request is not None:
        request.opendti_audited = True  # type: ignore[attr-defined]
    event = AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        username=username[:150],
        address=address,
        target=target[:300],
        detail=detail,
    )
    # The log line names people by id only: log stores are read more widely than this table
    # (the row's id leads back to the account name here, for those allowed to read it).
    logger.info(
        "%s %s",
        kind,
        target or "-",
        extra={
            "event": kind,
            "audit_id": event.pk,
            "actor_id": actor.pk if actor is not None else None,
            "address": address,
            "target": target,
            "detail": detail,
            "at": event.at.isoformat(),
        },
    )
    return event
