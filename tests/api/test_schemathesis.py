"""The OpenAPI schema against the running API, in process: generated requests for every
operation never cause a server error, and every answer conforms to the schema (status code,
content type, body). Reads run as the coordinator (session cookie); the write with a scoped
integrator token, so that its refusals and its acceptance are both exercised."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from opendti.accounts.models import User
from opendti.results.demo import OPEN_PERIOD
from tests.login import login

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _session_cookie(username: str) -> dict[str, str]:
    client = Client()
    login(client, User.objects.get(username=username))
    return {"sessionid": client.cookies["sessionid"].value}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, kept on the test's database connection (and transaction),
    as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
def test_the_api_conforms_to_its_schema(world, make_token, wsgi_app):
    app = wsgi_app
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", app)
    cookie = _session_cookie("dieuphoi")
    token = make_token(units=("xa-hoa-binh", "xa-tan-lap"), indicators=("6.1", "1.2"))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    known = {"period": OPEN_PERIOD, "unit": "xa-hoa-binh", "id": world.framework_id}
    for operation in operations:
        if operation.method.upper() == "POST":
            auth = {"headers": {"Authorization": f"Token {token}"}}
        else:
            auth = {"cookies": cookie}
        names = {p.name for p in operation.path_parameters}
        # Generated path values mostly name nothing (404); real ones reach the views' bodies.
        _check(operation.as_strategy(**auth))
        if names:
            fixed = {name: known[name] for name in names}
            _check(operation.as_strategy(path_parameters=fixed, **auth))


def _check(strategy) -> None:
    @given(case=strategy)
    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(checks=CHECKS)

    run()
