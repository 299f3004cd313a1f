"""Password spraying: besides django-axes' lock of one username from one address, an address is
refused for a while after too many failures across all usernames (OPENDTI_LOGIN_ADDRESS_FAILURE_LIMIT
within the cool-off, a higher threshold than one account's so that one office behind one address
is not locked by one person's typos). The failures are counted from the audit log, which keeps
every one of them (django-axes forgets its attempts after the cool-off)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from opendti.audit.models import AuditEvent
from opendti.audit.services import Kind, audit_record, valid_address
from opendti.core.network import client_ip

COUNTED = (Kind.LOGIN_FAILED, Kind.MFA_FAILED)


def address_failures(address: str | None) -> int:
    if address is None:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AuditEvent.objects.filter(address=address, kind__in=COUNTED, at__gte=since).count()


def address_locked(request: HttpRequest) -> bool:
    limit = settings.OPENDTI_LOGIN_ADDRESS_FAILURE_LIMIT
    if limit <= 0:
        return False
    return address_failures(valid_address(client_ip(request))) >= limit


def address_locked_response(request: HttpRequest, username: str = "") -> HttpResponse:
    """The refusal, recorded (every attempt during the lock is kept, not counted again)."""
    audit_record(Kind.LOCKOUT, username=username, request=request, detail={"by": "address"})
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/address_locked.html", {"minutes": minutes}, status=429)
