"""Who reads what through the API: the same answers as the web pages (404 for what a user may not
see), 401 without credentials, and tokens refused when revoked, expired or orphaned."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group

from opendti.accounts.models import User
from opendti.accounts.roles import INTEGRATOR
from opendti.periods.models import Participation
from opendti.results.demo import OPEN_PERIOD
from tests.login import login

from .conftest import API, client_for

P = f"periods/{OPEN_PERIOD}/"
UNIT = f"{P}units/xa-hoa-binh/"
ENDPOINTS = {
    "frameworks": "frameworks/",
    "framework": "frameworks/{framework}/",
    "units": "units/",
    "unit": "units/xa-hoa-binh/",
    "periods": "periods/",
    "period": P,
    "submissions": f"{P}submissions/",
    "values": f"{UNIT}values/",
    "evidence": f"{UNIT}evidence/",
    "results": f"{P}results/",
    "year_on_year": f"{P}year-on-year/",
}
# Status per endpoint in the order of ENDPOINTS; "token" is a scoped integrator token.
ROLES = {
    "anonymous": (None, "401 401 401 401 401 401 401 401 401 401 401"),
    "focal": ("daumoi", "200 200 200 200 200 200 200 200 200 404 404"),
    "other_unit": ("daumoi2", "200 200 200 200 200 200 200 404 404 404 404"),
    "coordinator": ("dieuphoi", "200 200 200 200 200 200 200 200 200 200 200"),
    "approver": ("pheduyet", "200 200 200 200 200 200 200 404 404 200 200"),
    "integrator": ("tichhop", "200 200 200 200 200 200 200 404 404 404 404"),
    "token": ("<token>", "200 200 200 200 200 200 200 404 404 404 404"),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_read_access(role, world, make_token):
    username, codes = ROLES[role]
    client = client_for(secret=make_token()) if username == "<token>" else client_for(username)
    got = {
        name: client.get(API + url.format(framework=world.framework_id)).status_code
        for name, url in ENDPOINTS.items()
    }
    assert got == dict(zip(ENDPOINTS, map(int, codes.split()), strict=True))


def test_submissions_list_only_what_the_user_may_see(world):
    # Every unit of the period has its submission from the moment it joined (nothing is made by
    # a read): a unit's people see their own, the coordinator every unit's.
    def units(u):
        return [s["unit"] for s in client_for(u).get(API + f"{P}submissions/").json()["results"]]

    assert units("daumoi") == ["xa-hoa-binh"]
    assert units("daumoi2") == ["xa-tan-lap"]
    everyone = set(
        Participation.objects.filter(period__code=OPEN_PERIOD).values_list("unit__code", flat=True)
    )
    assert len(everyone) > 2 and set(units("dieuphoi")) == everyone


@pytest.mark.parametrize(
    "kwargs",
    [
        {"revoked": True},
        {"expires_in": -datetime.timedelta(minutes=1)},
    ],
    ids=["revoked", "expired"],
)
def test_a_dead_token_is_refused(world, make_token, kwargs):
    client = client_for(secret=make_token(**kwargs))
    assert client.get(API + "frameworks/").status_code == 401


def test_a_token_of_a_user_who_left_the_integrator_group_is_refused(world, make_token):
    secret = make_token()
    User.objects.get(username="tichhop").groups.remove(Group.objects.get(name=INTEGRATOR))
    assert client_for(secret=secret).get(API + "frameworks/").status_code == 401


def test_an_unknown_token_is_refused(world):
    assert client_for(secret="not-a-token").get(API + "frameworks/").status_code == 401


def test_the_token_is_stored_hashed_and_its_use_recorded(world, make_token):
    from opendti.api.models import IntegratorToken

    secret = make_token()
    token = IntegratorToken.objects.get()
    assert secret not in (token.key_hash, token.prefix) and len(token.key_hash) == 64
    assert token.last_used_at is None
    client_for(secret=secret).get(API + "units/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_session_writes_need_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, User.objects.get(username="dieuphoi"))
    response = client.post(
        API + f"{UNIT}values/", {"indicator": "6.1"}, content_type="application/json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_evidence_metadata_never_shows_the_stored_path(world):
    import io

    from opendti.assessments.access import access_submission
    from opendti.assessments.evidence import evidence_add_file
    from opendti.frameworks.models import Node

    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, OPEN_PERIOD, "xa-hoa-binh")
    node = Node.objects.get(framework=world.framework, code="1.1")
    evidence = evidence_add_file(
        submission=submission,
        file=io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
        name="qd.pdf",
        title="QĐ",
        nodes=[node],
        actor=focal,
    )
    body = client_for("daumoi").get(API + f"{UNIT}evidence/").json()
    (item,) = body["results"]
    assert item["id"] == evidence.pk and item["indicators"] == ["1.1"]
    assert "storage_path" not in item and evidence.storage_path not in str(body)


def test_lists_are_paginated_and_filtered(world):
    client = client_for("dieuphoi")
    body = client.get(API + "units/?page_size=5").json()
    assert len(body["results"]) == 5 and body["next"] and body["count"] > 5
    assert client.get(API + "units/?page=999").status_code == 404
    values = client.get(API + f"{UNIT}values/?source=auto").json()["results"]
    assert {v["source"] for v in values} == {"auto"} and values
    assert client.get(API + "periods/?year=abc").status_code == 400
    assert [p["code"] for p in client.get(API + "periods/?year=2026").json()["results"]] == [
        OPEN_PERIOD
    ]


def test_the_schema_and_docs_are_served_without_a_cdn(world):
    client = client_for()
    assert client.get(API + "schema/").status_code == 200
    page = client.get(API + "docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page and "cdn" not in page.lower()
