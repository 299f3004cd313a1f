from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from opendti.accounts.models import User
from opendti.api.models import IntegratorToken
from opendti.frameworks.models import Node
from opendti.periods.models import Participation, Period
from opendti.results.demo import OPEN_PERIOD, demo_load
from tests.login import login

API = "/api/v1/"


@pytest.fixture
def world(db):
    demo_load()
    return Period.objects.select_related("framework").get(code=OPEN_PERIOD)


@pytest.fixture
def make_token(world):
    def make(
        *,
        units=("xa-hoa-binh",),
        indicators=("6.1",),
        period=OPEN_PERIOD,
        expires_in=datetime.timedelta(days=30),
        revoked=False,
        username="tichhop",
    ) -> str:
        period_obj = Period.objects.get(code=period)
        token = IntegratorToken(
            user=User.objects.get(username=username),
            period=period_obj,
            expires_at=timezone.now() + expires_in,
            revoked=revoked,
        )
        secret = token.set_secret()
        token.save()
        token.participations.set(
            Participation.objects.filter(period=period_obj, unit__code__in=units)
        )
        token.nodes.set(Node.objects.filter(framework=period_obj.framework, code__in=indicators))
        return secret

    return make


def client_for(username: str | None = None, secret: str | None = None) -> Client:
    client = Client()
    if username:
        login(client, User.objects.get(username=username))
    if secret:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {secret}"
    return client
