"""The appraisal workflow through the API: every refusal of the process answers with the
service's message and changes nothing; the whole way from the start of the appraisal to
publication runs through the API; and the endpoints conform to their OpenAPI schema."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from opendti.accounts.models import User
from opendti.api.models import IntegratorToken
from opendti.appraisal.models import Decision, Round, SignOff
from opendti.appraisal.services import accept_rest, reviewer_assign, round_current
from opendti.assessments.evidence import evidence_add_link
from opendti.assessments.models import AppraisedScore, Change, Submission
from opendti.frameworks.models import Node
from opendti.periods.models import Participation, Period, PeriodTransition
from opendti.publication.models import Publication, Snapshot
from tests.appraisal.conftest import OPEN, OTHER_UNIT, UNIT, appraisal, before_appraisal, demo
from tests.login import login

from .conftest import API, client_for
from .test_schemathesis import _check, wsgi_app

__all__ = ["appraisal", "before_appraisal", "demo", "wsgi_app"]  # fixtures, used by name

P = "periods/2026-communes/"
OURS = f"{P}units/{UNIT}/"
THEIRS = f"{P}units/{OTHER_UNIT}/"


def post(client, url: str, body: dict[str, Any] | None = None):
    return client.post(API + url, body or {}, content_type="application/json")


def week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def state(period: Period) -> tuple:
    """Everything a refused step must leave as it was."""
    return (
        Period.objects.get(pk=period.pk).status,
        list(PeriodTransition.objects.filter(period=period).values_list("pk", flat=True)),
        list(Round.objects.filter(period=period).values_list("pk", "closed_at")),
        list(SignOff.objects.values_list("pk", flat=True)),
        list(Decision.objects.values_list("pk", "state")),
        list(AppraisedScore.objects.values_list("pk", "score")),
        list(Snapshot.objects.values_list("pk", flat=True)),
        list(Publication.objects.values_list("pk", flat=True)),
        # Reading a scope creates empty draft rows (as opening a workspace does): not a change.
        list(Submission.objects.exclude(status="draft").values_list("pk", "status")),
        Change.objects.count(),
    )


def token_secret(period: Period) -> str:
    """An integrator token covering every unit and auto-measured indicator of the period."""
    token = IntegratorToken(
        user=User.objects.get(username="tichhop"),
        period=period,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    secret = token.set_secret()
    token.save()
    token.participations.set(Participation.objects.filter(period=period))
    token.nodes.set(Node.objects.filter(framework=period.framework, source=Node.Source.AUTO))
    return secret


# --- refusals of the process ------------------------------------------------------------------


def test_submitting_after_the_lock_is_refused(demo, appraisal):
    # A draft, so that the refusal is the lock and not "already submitted".
    Submission.objects.filter(pk=appraisal.ours.pk).update(status=Submission.Status.DRAFT)
    before = state(appraisal.period)
    response = post(client_for("lanhdao"), f"{OURS}submission/submit/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Đã hết hạn tự đánh giá: phiếu đã khóa."}
    assert state(appraisal.period) == before


def test_submitting_is_the_leaders_and_counts_the_blocking_checks(demo, before_appraisal):
    period, ours = before_appraisal.period, before_appraisal.ours
    Submission.objects.filter(pk=ours.pk).update(status=Submission.Status.DRAFT)
    ours.status = Submission.Status.DRAFT
    # The fixture ended the phase yesterday: open it again until tomorrow.
    period.phases.filter(kind="self_assessment").update(
        ends_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    url = f"{OURS}submission/submit/"
    response = post(client_for("daumoi"), url)
    assert response.status_code == 403
    assert response.json() == {"detail": "Bạn không có quyền thực hiện thao tác này."}
    assert post(client_for("daumoi2"), url).status_code == 404
    # The same checks as the workspace: 1.1 requires evidence, and has none.
    response = post(client_for("lanhdao"), url)
    assert response.status_code == 400
    assert response.json() == {"detail": "Còn 1 lỗi phải sửa trước khi gửi."}
    assert Submission.objects.get(pk=ours.pk).status == "draft"
    evidence_add_link(
        submission=ours,
        url="https://example.gov.vn/qd-1",
        title="QĐ",
        nodes=[before_appraisal.node("1.1")],
        actor=demo.daumoi,
    )
    response = post(client_for("lanhdao"), url)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted" and response.json()["unit"] == UNIT
    assert Submission.objects.get(pk=ours.pk).status == "submitted"


def test_approving_with_a_round_open_is_refused(demo, appraisal):
    before = state(appraisal.period)
    response = post(
        client_for("pheduyet"),
        f"{P}transitions/",
        {
            "to": "approved",
            "decision_number": "15/QĐ-UBND",
            "decision_date": timezone.localdate().isoformat(),
            "signer": "Chủ tịch UBND tỉnh",
        },
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "Còn lần thẩm định chưa kết thúc."}
    assert state(appraisal.period) == before


def test_publishing_before_approval_is_refused(demo, appraisal):
    before = state(appraisal.period)
    response = post(client_for("dieuphoi"), f"{P}transitions/", {"to": "published"})
    assert response.status_code == 409
    assert response.json() == {"detail": "Không thể chuyển kỳ từ “thẩm định” sang “đã công bố”."}
    assert state(appraisal.period) == before


@pytest.mark.parametrize(
    ("username", "body", "code", "message"),
    [
        ("pheduyet", {"to": "published"}, 403, "Chỉ cán bộ điều phối"),
        ("pheduyet", {"to": "reply"}, 403, "Chỉ cán bộ điều phối"),
        ("thamdinh", {"to": "reply"}, 403, "Bạn không có quyền"),
        (
            "dieuphoi",
            {
                "to": "approved",
                "decision_number": "1",
                "decision_date": "2026-01-01",
                "signer": "A",
            },
            403,
            "Chỉ lãnh đạo phê duyệt",
        ),
        ("dieuphoi", {"to": "reply"}, 409, "Còn lần thẩm định chưa kết thúc."),
        ("dieuphoi", {"to": "next_round"}, 409, "chưa kết thúc"),
        ("dieuphoi", {"to": "appraisal"}, 409, "Không thể chuyển kỳ"),
        ("dieuphoi", {"to": "approved"}, 400, "Nhập số quyết định"),
        ("dieuphoi", {"to": "somewhere"}, 400, ""),
        ("dieuphoi", {}, 400, ""),
    ],
)
def test_transition_refusals(demo, appraisal, username, body, code, message):
    before = state(appraisal.period)
    response = post(client_for(username), f"{P}transitions/", body)
    assert response.status_code == code, response.json()
    assert message in response.json()["detail"]
    assert state(appraisal.period) == before


def test_a_reviewer_deciding_on_a_unit_not_assigned(demo, appraisal):
    second = client_for("thamdinh2")  # assigned to xa-hoa-binh only
    body = {"indicator": "2.1", "kind": "accept"}
    before = state(appraisal.period)
    assert post(second, f"{THEIRS}decisions/", body).status_code == 404
    assert second.get(API + f"{THEIRS}decisions/").status_code == 404
    # Assigned to the other unit's main index 1 only: the unit is visible, indicator 2.1 is not
    # theirs to decide.
    reviewer_assign(
        period=appraisal.period,
        reviewer=appraisal.second,
        actor=demo.dieuphoi,
        unit_code=OTHER_UNIT,
        node_code="1",
    )
    before = state(appraisal.period)
    response = post(second, f"{THEIRS}decisions/", body)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Bạn không được phân công thẩm định chỉ số này của đơn vị này."
    }
    assert state(appraisal.period) == before


def test_only_reviewers_decide_and_sign(demo, appraisal):
    before = state(appraisal.period)
    body = {"indicator": "2.1", "kind": "accept"}
    response = post(client_for("dieuphoi"), f"{OURS}decisions/", body)
    assert response.status_code == 403
    assert response.json() == {"detail": "Chỉ thành viên Tổ thẩm định được thẩm định."}
    assert post(client_for("daumoi"), f"{OURS}decisions/", body).status_code == 403
    assert post(client_for("pheduyet"), f"{OURS}decisions/", body).status_code == 404
    response = post(client_for("dieuphoi"), f"{P}sign-off/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Bạn không được phân công thẩm định trong kỳ này."}
    # A reviewer with indicators left cannot sign yet.
    response = post(client_for("thamdinh"), f"{P}sign-off/")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Còn ")
    assert state(appraisal.period) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"indicator": "2.1", "kind": "adjust", "score": 45.5, "reason": "x"}, "chuỗi số"),
        ({"indicator": "2.1", "kind": "adjust", "score": "4.5e1", "reason": "x"}, "chuỗi số"),
        ({"indicator": "2.1", "kind": "adjust", "score": "45.5"}, "lý do"),
        ({"indicator": "2.1", "kind": "adjust", "score": "50.5", "reason": "x"}, "từ 0 đến 50"),
        ({"indicator": "2.1", "kind": "adjust", "score": "45.555", "reason": "x"}, "2 chữ số"),
        ({"indicator": "2.1", "kind": "adjust", "reason": "x"}, "Nhập điểm"),
        ({"indicator": "2.1", "kind": "request", "reason": "x"}, "Hạn giải trình"),
        ({"indicator": "2", "kind": "accept"}, "không có chỉ số 2 được chấm điểm"),
        ({"indicator": "9.9", "kind": "accept"}, "không có chỉ số 9.9"),
        ({"indicator": "2.1", "kind": "maybe"}, ""),
    ],
)
def test_decision_validation(demo, appraisal, body, message):
    before = state(appraisal.period)
    response = post(client_for("thamdinh"), f"{OURS}decisions/", body)
    assert response.status_code == 400, response.json()
    assert message in response.json()["detail"]
    assert state(appraisal.period) == before


ENDPOINTS = [
    ("GET", f"{P}workflow/"),
    ("POST", f"{P}transitions/"),
    ("POST", f"{P}sign-off/"),
    ("GET", f"{OURS}decisions/"),
    ("POST", f"{OURS}decisions/"),
    ("POST", f"{OURS}submission/submit/"),
]


def test_an_integrator_token_cannot_touch_the_workflow(demo, appraisal):
    client = client_for(secret=token_secret(appraisal.period))
    assert client.get(API + f"{P}").status_code == 200  # the token itself works
    before = state(appraisal.period)
    bodies = {
        f"{P}transitions/": {"to": "reply"},
        f"{OURS}decisions/": {"indicator": "2.1", "kind": "accept"},
    }
    for method, url in ENDPOINTS:
        get = method == "GET"
        response = client.get(API + url) if get else post(client, url, bodies.get(url))
        assert response.status_code in (403, 404), (url, response.status_code)
    assert state(appraisal.period) == before


# Who sees what, appraisal started: (username, code per ENDPOINTS for empty bodies).
WHO = {
    "anonymous": (None, "401 401 401 401 401 401"),
    "focal": ("daumoi", "404 404 404 200 403 403"),
    "leader": ("lanhdao", "404 404 404 200 403 403"),
    "other_unit": ("daumoi2", "404 404 404 404 404 404"),
    "coordinator": ("dieuphoi", "200 400 403 200 403 403"),
    "reviewer": ("thamdinh", "200 403 400 200 400 403"),
    "approver": ("pheduyet", "200 400 403 404 404 404"),
    "integrator": ("tichhop", "404 404 404 404 404 404"),
    # A superuser holds every role, the reviewer's too: the body is read (400).
    "admin": ("quantri", "200 400 403 200 400 403"),
}


@pytest.mark.parametrize("role", list(WHO))
def test_who_reaches_what(demo, appraisal, role):
    username, codes = WHO[role]
    client = client_for(username)
    got = [
        (client.get(API + url) if method == "GET" else post(client, url, {"x": 1})).status_code
        for method, url in ENDPOINTS
    ]
    assert got == [int(c) for c in codes.split()]


# --- the whole way through the API ----------------------------------------------------------


def test_from_appraisal_to_publication(demo, before_appraisal):
    period, ours = before_appraisal.period, before_appraisal.ours
    coordinator, approver = client_for("dieuphoi"), client_for("pheduyet")
    first, second = client_for("thamdinh"), client_for("thamdinh2")

    response = post(coordinator, f"{P}transitions/", {"to": "appraisal", "reason": "Hết hạn"})
    assert response.status_code == 200, response.json()
    flow = response.json()
    assert flow["status"] == "appraisal" and flow["adjustment_threshold"] == "10"
    (round_1,) = flow["rounds"]
    assert round_1["number"] == 1 and round_1["open"] and round_1["signed"] == []
    assert [p["username"] for p in round_1["pending"]] == ["thamdinh", "thamdinh2"]
    assert [s["to"] for s in flow["next_steps"]] == ["next_round", "reply"]

    # Round 1: an adjustment within the threshold (a decimal string), and a request.
    response = post(
        first,
        f"{OURS}decisions/",
        {"indicator": "2.1", "kind": "adjust", "score": "45.5", "reason": "Thiếu văn bản"},
    )
    assert response.status_code == 201, response.json()
    adjusted = response.json()
    assert adjusted["score"] == "45.5" and adjusted["self_score"] == "50"
    assert adjusted["state"] == "effective" and adjusted["round"] == 1
    assert AppraisedScore.objects.get(submission=ours, node__code="2.1").score == Decimal("45.5")
    response = post(
        first,
        f"{OURS}decisions/",
        {"indicator": "2.2", "kind": "request", "reason": "Bổ sung số liệu", "due_on": week()},
    )
    assert response.status_code == 201 and response.json()["state"] == "open"
    # The unit's people see the decisions on their unit; another unit's do not.
    listed = client_for("daumoi").get(API + f"{OURS}decisions/").json()
    assert [(d["indicator"], d["kind"]) for d in listed["results"]] == [
        ("2.1", "adjust"),
        ("2.2", "request"),
    ]
    assert client_for("daumoi2").get(API + f"{OURS}decisions/").status_code == 404
    assert [
        d["indicator"] for d in first.get(API + f"{OURS}decisions/?kind=request").json()["results"]
    ] == ["2.2"]

    # Everything else accepted (the web's "accept the rest"); both reviewers sign off.
    current = round_current(period)
    accept_rest(appraisal_round=current, reviewer=demo.thamdinh)
    accept_rest(appraisal_round=current, reviewer=before_appraisal.second)
    response = post(first, f"{P}sign-off/")
    assert response.status_code == 200, response.json()
    assert response.json()["closed"] is False
    assert [p["username"] for p in response.json()["round"]["pending"]] == ["thamdinh2"]
    response = post(first, f"{P}sign-off/")
    assert response.status_code == 400
    assert response.json() == {"detail": "Bạn đã xác nhận lần thẩm định này."}
    response = post(second, f"{P}sign-off/")
    assert response.status_code == 200 and response.json()["closed"] is True

    # Round 2 covers what was asked.
    response = post(coordinator, f"{P}transitions/", {"to": "next_round"})
    assert response.status_code == 200, response.json()
    assert [r["open"] for r in response.json()["rounds"]] == [False, True]
    assert "next_round" not in [s["to"] for s in response.json()["next_steps"]]
    response = post(first, f"{OURS}decisions/", {"indicator": "2.1", "kind": "accept"})
    assert response.status_code == 400 and "chỉ xem xét" in response.json()["detail"]
    response = post(first, f"{OURS}decisions/", {"indicator": "2.2", "kind": "accept"})
    assert response.status_code == 201 and response.json()["round"] == 2
    assert post(first, f"{P}sign-off/").json()["closed"] is False
    assert post(second, f"{P}sign-off/").json()["closed"] is True

    # Right of reply, approval (returned once), approval again, publication.
    for step in ("reply", "approval"):
        response = post(coordinator, f"{P}transitions/", {"to": step})
        assert response.status_code == 200, response.json()
    # From approval, "reply" is the approver's return: never the coordinator's, always with a
    # reason.
    response = post(coordinator, f"{P}transitions/", {"to": "reply"})
    assert response.status_code == 403
    response = post(approver, f"{P}transitions/", {"to": "reply"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Ghi rõ nội dung cần chỉnh sửa."}
    response = post(approver, f"{P}transitions/", {"to": "reply", "reason": "Xem lại 2.1"})
    assert response.status_code == 200 and response.json()["status"] == "reply"
    post(coordinator, f"{P}transitions/", {"to": "approval", "reason": "Đã xem lại"})
    response = post(
        approver,
        f"{P}transitions/",
        {
            "to": "approved",
            "decision_number": "15/QĐ-UBND",
            "decision_date": "2026-12-01",
            "signer": "Chủ tịch UBND tỉnh",
        },
    )
    assert response.status_code == 200, response.json()
    approval = response.json()["approval"]
    assert approval["decision_number"] == "15/QĐ-UBND" and approval["published_at"] is None
    assert approval["rows_sha256"] == Snapshot.objects.get(period=period).rows_sha256
    response = post(coordinator, f"{P}transitions/", {"to": "published"})
    assert response.status_code == 200, response.json()
    assert Period.objects.get(pk=period.pk).status == Period.Status.PUBLISHED
    assert Publication.objects.filter(snapshot__period=period).exists()

    flow = client_for("thamdinh").get(API + f"{P}workflow/").json()
    assert flow["status"] == "published" and flow["next_steps"] == []
    assert flow["approval"]["published_at"] is not None
    assert [(h["before"], h["after"], h["actor"]) for h in flow["history"]] == [
        ("self_assessment", "appraisal", "dieuphoi"),
        ("appraisal", "reply", "dieuphoi"),
        ("reply", "approval", "dieuphoi"),
        ("approval", "reply", "pheduyet"),
        ("reply", "approval", "dieuphoi"),
        ("approval", "approved", "pheduyet"),
        ("approved", "published", "dieuphoi"),
    ]
    assert flow["history"][0]["reason"] == "Hết hạn"
    assert flow["history"][3]["reason"] == "Xem lại 2.1"
    assert flow["history"][5]["reason"].startswith("Quyết định số 15/QĐ-UBND")
    assert [
        (r["number"], r["open"], sorted(s["reviewer"] for s in r["signed"])) for r in flow["rounds"]
    ] == [(1, False, ["thamdinh", "thamdinh2"]), (2, False, ["thamdinh", "thamdinh2"])]
    assert client_for("daumoi").get(API + f"{P}workflow/").status_code == 404


# --- the schema -----------------------------------------------------------------------------

WORKFLOW_PATHS = ("/workflow/", "/transitions/", "/sign-off/", "/decisions/", "/submit/")


@pytest.mark.slow
def test_the_workflow_endpoints_conform_to_their_schema(demo, appraisal, wsgi_app):
    """tests/api/test_schemathesis.py covers every operation (writes with an integrator token,
    refused here); this runs the workflow's writes as people in their session, with the CSRF
    token, during an open round, so that generated bodies reach the services."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if any(part in result.ok().path for part in WORKFLOW_PATHS)
    ]
    assert len(operations) == 6
    csrf = get_random_string(32)
    for username in ("thamdinh", "dieuphoi", "pheduyet", "lanhdao"):
        client = Client()
        login(client, User.objects.get(username=username))
        cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
        for operation in operations:
            fixed = {
                p.name: {"period": OPEN, "unit": UNIT}[p.name] for p in operation.path_parameters
            }
            _check(
                operation.as_strategy(
                    path_parameters=fixed, cookies=cookies, headers={"X-CSRFToken": csrf}
                )
            )
    # Generated bodies were refused or changed nothing the process depends on.
    assert Period.objects.get(pk=appraisal.period.pk).status == Period.Status.APPRAISAL
    assert not Snapshot.objects.exists()
