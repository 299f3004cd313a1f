"""Logging a test client in as a person, the way the site would have them: a person whose role
needs a second factor gets a session verified by a real enrolled device (what the login's second
step records after a right code; tests/accounts/ and tests/e2e/ go through the real steps)."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from opendti.accounts.second_factor import confirmed_device, second_factor_required


def login(client: Client, user) -> Client:
    client.force_login(user)
    if second_factor_required(user):
        device = confirmed_device(user) or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
