"""People for the notification tests: made directly, no demo data needed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from opendti.accounts.models import User
from tests.login import login


@pytest.fixture
def people(db) -> SimpleNamespace:
    """an and binh have e-mail addresses, chi has none, cu's account is disabled."""
    return SimpleNamespace(
        an=User.objects.create_user("an", "an@xa-hoa-binh.gov.vn", "x-not-used-1"),
        binh=User.objects.create_user("binh", "binh@xa-tan-lap.gov.vn", "x-not-used-2"),
        chi=User.objects.create_user("chi", "", "x-not-used-3"),
        cu=User.objects.create_user("cu", "cu@example.gov.vn", "x-not-used-4", is_active=False),
    )


@pytest.fixture
def client_as():
    """A client logged in as someone (django-axes is on: force_login, never login)."""

    def make(user: User) -> Client:
        client = Client()
        login(client, user)
        return client

    return make
