"""Hardened defaults a browser relies on (issue 14, ASVS 5.0 V3): text a person typed is escaped
wherever it is shown, and every page carries the headers that keep it in its context —
Content-Security-Policy, nosniff, a referrer policy, no framing — with cookies out of scripts'
reach."""

from __future__ import annotations

import pytest
from django.test import Client

from opendti.accounts.models import User
from opendti.units.models import Unit
from tests.csp import problems as csp_problems

from .test_workspace import WORKSPACE, client_as, demo  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script>" onmouseover="alert(2)'


def test_a_hostile_unit_name_is_shown_as_text(demo) -> None:  # noqa: F811
    Unit.objects.filter(code="xa-hoa-binh").update(name=HOSTILE)
    for username, path in (("daumoi", WORKSPACE), ("dieuphoi", "/ky/2026-communes/tien-do/")):
        response = client_as(username).get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;alert(2)" in html
        assert "<script>alert(1)" not in html and '" onmouseover="alert(2)' not in html
        assert csp_problems(response) == []


def test_pages_carry_the_browser_security_headers_and_safe_cookies(demo) -> None:  # noqa: F811
    client = client_as("daumoi")
    response = client.get(WORKSPACE)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    assert "base-uri 'none'" in policy and "form-action 'self'" in policy
    session = client.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


def test_signed_in_pages_are_not_cached_and_trace_is_refused(demo) -> None:  # noqa: F811
    client = client_as("daumoi")
    private = client.get(WORKSPACE)
    assert "no-store" in private["Cache-Control"] and "private" in private["Cache-Control"]
    assert client.generic("TRACE", WORKSPACE).status_code == 405
    assert Client().generic("TRACE", "/").status_code == 405


def test_nothing_of_the_source_tree_and_no_listing_is_served(db) -> None:
    client = Client()
    for path in ("/.git/config", "/.git/HEAD", "/static/", "/static/opendti/", "/.env"):
        assert client.get(path).status_code == 404, path


def test_the_login_masks_the_password_and_takes_a_long_one(db) -> None:
    page = Client().get("/dang-nhap/").content.decode()
    assert 'type="password"' in page and "onpaste" not in page
    # 103 characters, typed exactly (no truncation).
    long = "P" * 40 + "a1!" + "x" * 60
    user = User.objects.create_user("dai", password=long)
    client = Client()
    assert client.post("/dang-nhap/", {"username": "dai", "password": long}).status_code == 302
    assert client.get("/").context["user"] == user
    again = Client().post("/dang-nhap/", {"username": "dai", "password": long[:-1]})
    assert again.status_code == 200  # one character short: refused


def test_the_login_never_sends_people_to_another_site(db) -> None:
    user = User.objects.create_user("di", password="Mat-khau-dai-2026")
    response = Client().post(
        "/dang-nhap/?next=https://evil.example/",
        {"username": "di", "password": "Mat-khau-dai-2026", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert user.pk


def test_every_signed_in_page_offers_logout(demo) -> None:  # noqa: F811
    page = client_as("daumoi").get(WORKSPACE).content.decode()
    assert 'action="/dang-xuat/"' in page
