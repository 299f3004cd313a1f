"""What the audit log records, through the real pages, commands and the admin: who, when, from
where, what. And the administrators' page: filters, export (audited too), nobody else."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from opendti.accounts.models import User
from opendti.api.models import IntegratorToken
from opendti.audit.models import AuditEvent
from opendti.audit.services import Kind, audit_record
from opendti.periods.models import Membership, Participation, Period
from opendti.results.demo import DEMO_PASSWORD, OPEN_PERIOD, demo_load
from tests.login import login
from tests.totp import fresh_code

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.44"


@pytest.fixture
def demo(db) -> None:
    demo_load()


def last(kind: str) -> AuditEvent:
    return AuditEvent.objects.filter(kind=kind).order_by("-pk").first()


def as_(username: str) -> Client:
    return login(Client(REMOTE_ADDR=ADDRESS), User.objects.get(username=username))


def test_logins_failures_and_logouts(demo) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post("/dang-nhap/", {"username": "daumoi", "password": "sai"})
    failed = last(Kind.LOGIN_FAILED)
    assert (failed.username, failed.address, failed.actor) == ("daumoi", ADDRESS, None)
    client.post("/dang-nhap/", {"username": "daumoi", "password": DEMO_PASSWORD})
    logged = last(Kind.LOGIN)
    assert (logged.username, logged.address, logged.actor.username) == ("daumoi", ADDRESS, "daumoi")
    client.post("/dang-xuat/")
    assert last(Kind.LOGOUT).username == "daumoi"


def test_a_period_step_says_who_from_where_and_why(demo) -> None:
    coordinator = as_("dieuphoi")
    response = coordinator.post("/ky/2025-communes/tham-dinh/chuyen/", {"to": "appraisal"})
    assert response.status_code in (200, 302)
    event = last(Kind.PERIOD_TRANSITION)
    assert (event.username, event.address, event.target) == (
        "dieuphoi",
        ADDRESS,
        "period:2025-communes",
    )
    assert event.detail["from"] == "self_assessment" and event.detail["to"] == "appraisal"


def test_role_and_membership_changes(demo) -> None:
    admin = as_("quantri")
    user = User.objects.get(username="daumoi2")
    # A role given in the admin: the group change and the admin's own record.
    response = admin.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": "daumoi2",
            "full_name": user.full_name,
            "is_active": "on",
            "groups": [Group.objects.get(name="coordinator").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    role = last(Kind.ROLE_CHANGED)
    assert (role.username, role.target, role.address) == ("quantri", "user:daumoi2", ADDRESS)
    assert role.detail["added"] == ["coordinator"]
    change = last(Kind.ADMIN_CHANGE)
    assert change.target == f"accounts.User:{user.pk}" and change.detail["action"] == "change"
    # A membership and a hand-over.
    participation = Participation.objects.get(period__code=OPEN_PERIOD, unit__code="xa-hoa-binh")
    Membership.objects.create(
        participation=participation, user=user, role=Membership.Role.CONTRIBUTOR
    )
    joined = last(Kind.MEMBERSHIP_CHANGED)
    assert joined.target == "user:daumoi2" and joined.detail["added"] == "membership"
    focal = as_("daumoi")
    focal.post(f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/phan-cong/", {"node": "1", "user": user.pk})
    handed = last(Kind.MEMBERSHIP_CHANGED)
    assert handed.detail == {
        "added": "main_index",
        "period": OPEN_PERIOD,
        "unit": "xa-hoa-binh",
        "main_index": "1",
    }
    assert handed.username == "daumoi"


def test_tokens_created_and_revoked(demo) -> None:
    call_command(
        "create_integrator_token",
        "tichhop",
        "--period",
        OPEN_PERIOD,
        "--units",
        "xa-hoa-binh",
        "--indicators",
        "6.1",
        stdout=io.StringIO(),
    )
    token = IntegratorToken.objects.get()
    created = last(Kind.TOKEN_CREATED)
    assert created.target == f"token:{token.prefix}" and created.detail["user"] == "tichhop"
    admin = as_("quantri")
    response = admin.get(f"/admin/api/integratortoken/{token.pk}/change/")
    assert response.status_code == 200
    token.revoked = True
    token.save()
    assert last(Kind.TOKEN_REVOKED).target == f"token:{token.prefix}"


def test_exports_and_evidence_downloads(demo, settings, tmp_path) -> None:
    settings.OPENDTI_EVIDENCE_ROOT = tmp_path
    focal = as_("daumoi")
    focal.get(f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/mau-excel/")
    export = last(Kind.EXPORT)
    assert export.detail["what"] == "excel_template" and export.username == "daumoi"
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    pdf.name = "qd.pdf"
    focal.post(
        f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/tai-lieu/",
        {"kind": "file", "title": "QĐ", "file": pdf, "nodes": "1.1"},
    )
    from opendti.assessments.models import Evidence

    item = Evidence.objects.get()
    assert focal.get(f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/tai-lieu/{item.pk}/").status_code == 200
    download = last(Kind.EVIDENCE_DOWNLOAD)
    assert (download.target, download.username, download.address) == (
        f"evidence:{item.pk}",
        "daumoi",
        ADDRESS,
    )


def test_the_audit_page_filters_and_exports_for_administrators_only(demo) -> None:
    audit_record(Kind.LOGIN_FAILED, username='=HYPERLINK("http://x","y")', detail={"n": 1})
    audit_record(Kind.LOGIN_FAILED, username="binh")
    admin = as_("quantri")
    page = admin.get("/quan-tri/nhat-ky/", {"kind": "login_failed", "username": "binh"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-kind="login_failed"') == 1 and ">binh<" in html
    bad = admin.get("/quan-tri/nhat-ky/", {"since": "31/12/2026", "address": "x"})
    assert bad.status_code == 422 and "không phải ngày" in bad.content.decode()
    response = admin.get("/quan-tri/nhat-ky/tai-ve.csv", {"kind": "login_failed"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
    assert {r["username"] for r in rows} == {"binh", '\'=HYPERLINK("http://x","y")'}
    exported = last(Kind.EXPORT)
    assert exported.target == "audit_log" and exported.detail == {
        "filters": {"kind": "login_failed"}
    }
    for username in ("dieuphoi", "daumoi", "pheduyet"):
        assert as_(username).get("/quan-tri/nhat-ky/").status_code == 404
        assert as_(username).get("/quan-tri/nhat-ky/tai-ve.csv").status_code == 404
    assert Client().get("/quan-tri/nhat-ky/")["Location"].startswith("/dang-nhap/")


def test_the_coordinator_logs_in_with_the_demo_code(demo) -> None:
    # The demo's documented second factor works through the real login steps.
    client = Client()
    client.post("/dang-nhap/", {"username": "dieuphoi", "password": DEMO_PASSWORD})
    device = User.objects.get(username="dieuphoi").totpdevice_set.get()
    client.post("/tai-khoan/xac-thuc/", {"code": fresh_code(device)})
    assert "_auth_user_id" in client.session
    assert Period.objects.filter(code=OPEN_PERIOD).exists()


def test_refusals_are_recorded(demo) -> None:
    leader = as_("lanhdao")
    response = leader.post(f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/nhac-nho/")
    assert response.status_code == 403
    refused = last(Kind.ACCESS_DENIED)
    assert (refused.username, refused.address) == ("lanhdao", ADDRESS)
    assert refused.detail == {
        "method": "POST",
        "path": f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/nhac-nho/",
    }
    # A request refused for its missing CSRF token too.
    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR=ADDRESS)
    assert strict.post("/dang-nhap/", {"username": "x", "password": "y"}).status_code == 403
    assert last(Kind.ACCESS_DENIED).detail["path"] == "/dang-nhap/"
