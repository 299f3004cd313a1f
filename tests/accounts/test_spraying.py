"""Password spraying: many usernames tried from one address. django-axes still locks a username
from an address; the address itself is refused past a higher threshold across usernames; every
failure stays in the audit log after django-axes forgets its attempts."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from opendti.accounts import throttle
from opendti.accounts.models import User
from opendti.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-dung-2026"


@pytest.fixture
def office() -> list[str]:
    names = [f"canbo{n:03d}" for n in range(40)]
    for name in names:
        User.objects.create_user(username=name, password=PASSWORD)
    return names


def attempt(address: str, username: str, password: str):
    return Client(REMOTE_ADDR=address).post(
        "/dang-nhap/", {"username": username, "password": password}
    )


def test_an_address_spraying_many_usernames_is_refused_past_the_limit(office, settings) -> None:
    settings.OPENDTI_LOGIN_ADDRESS_FAILURE_LIMIT = 30
    for name in office[:30]:  # one guess per account: never five for one username
        assert attempt("198.51.100.9", name, "Matkhau@123").status_code == 200
    client = Client(REMOTE_ADDR="198.51.100.9")
    refused = client.post("/dang-nhap/", {"username": office[35], "password": PASSWORD})
    assert refused.status_code == 429  # even a right password
    assert "_auth_user_id" not in client.session
    assert "với nhiều tài khoản khác nhau" in refused.content.decode()
    # Every failure is kept, with its username and address, and so is the refusal.
    failed = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED, address="198.51.100.9")
    assert sorted(failed.values_list("username", flat=True)) == sorted(office[:30])
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.LOCKOUT, address="198.51.100.9", username=office[35]
    ).exists()
    # Another address (another office) is not affected.
    ok = Client(REMOTE_ADDR="198.51.100.10")
    ok.post("/dang-nhap/", {"username": office[35], "password": PASSWORD})
    assert "_auth_user_id" in ok.session


def test_the_address_lock_lifts_after_the_cool_off(office, settings, monkeypatch) -> None:
    settings.OPENDTI_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    for name in office[:5]:
        attempt("198.51.100.9", name, "sai")
    assert attempt("198.51.100.9", office[6], PASSWORD).status_code == 429
    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1)
    monkeypatch.setattr(throttle.timezone, "now", lambda: later)
    client = Client(REMOTE_ADDR="198.51.100.9")
    client.post("/dang-nhap/", {"username": office[6], "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_one_person_behind_the_office_address_does_not_lock_the_office(office, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        attempt("198.51.100.9", office[0], "sai")
    assert attempt("198.51.100.9", office[0], PASSWORD).status_code == 429  # axes: that username
    client = Client(REMOTE_ADDR="198.51.100.9")
    client.post("/dang-nhap/", {"username": office[1], "password": PASSWORD})
    assert "_auth_user_id" in client.session  # a colleague at the same address


def test_failures_outlive_django_axes_attempts(office, settings) -> None:
    for _ in range(3):
        attempt("198.51.100.9", office[0], "sai")
    AccessAttempt.objects.all().delete()  # what django-axes does after the cool-off
    assert (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED, username=office[0]).count()
        == 3
    )
