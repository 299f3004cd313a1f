"""Quarterly periods (Bắc Kạn, decision 1294): a quarter is self-assessed, optionally appraised,
and published by the coordinator — frozen in a sealed snapshot like a year's, recorded, without an
approver or a decision — and the public reads it. Approval steps on a quarter are refused by the
services, the web and the API alike, and change nothing."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from opendti.accounts.models import User
from opendti.appraisal.services import (
    accept_rest,
    appraisal_start,
    reviewer_assign,
    round_current,
    round_sign_off,
)
from opendti.assessments.models import InputValue, Submission
from opendti.periods.models import Period, PeriodTransition
from opendti.periods.workflow import TransitionRefused
from opendti.publication.demo import demo_load_all
from opendti.publication.demo_quarters import demo_quarter_open
from opendti.publication.models import Publication, Snapshot
from opendti.publication.services import approval_request, approval_return, approve, publish
from opendti.publication.snapshots import snapshot_verify
from tests.login import login
from tests.results.fresh import snapshot_scores

from .conftest import forget_cached_results, number, people, ranking

__all__ = ["people"]

pytestmark = pytest.mark.django_db
REFUSED = "Kết quả hằng quý do cơ quan thường trực tổng hợp và công bố, không trình phê duyệt."


@pytest.fixture
def quarter(people) -> Period:
    """Quarter 2 of the 2025 communes: every unit's values entered and submitted."""
    return demo_quarter_open(2)


def client_as(username: str | None) -> Client:
    client = Client()
    if username:
        login(client, User.objects.get(username=username))
    return client


def state(period: Period) -> tuple:
    return (
        Period.objects.get(pk=period.pk).status,
        list(PeriodTransition.objects.filter(period=period).values_list("pk", flat=True)),
        Snapshot.objects.filter(period=period).count(),
        Publication.objects.filter(snapshot__period=period).count(),
    )


def test_published_by_the_coordinator_without_approver_and_read_by_the_public(people, quarter):
    assert client_as(None).get(f"/ky/{quarter.code}/ket-qua/").status_code == 404
    publication = publish(period=quarter, actor=people.dieuphoi)
    quarter.refresh_from_db()
    assert quarter.status == Period.Status.PUBLISHED
    steps = list(
        PeriodTransition.objects.filter(period=quarter).values_list(
            "before", "after", "actor__username"
        )
    )
    assert steps == [("self_assessment", "published", "dieuphoi")]
    snapshot = publication.snapshot
    assert (snapshot.decision_number, snapshot.decision_date, snapshot.signer) == ("", None, "")
    assert not snapshot.has_decision and snapshot.approved_by == people.dieuphoi
    assert snapshot_verify(snapshot) == []  # sealed and reproducible like a year's
    # The public reads it, with the numbers the engine froze.
    forget_cached_results()
    frozen = {u.code: u.total for u in snapshot_scores(snapshot).result.units}
    public = ranking(client_as(None), quarter.code)
    assert {unit: total for unit, (_rank, total, _band) in public.items()} == frozen
    html = client_as(None).get(f"/ky/{quarter.code}/ket-qua/").content.decode()
    assert "Kết quả quý do cơ quan chủ trì đánh giá công bố ngày" in html
    assert "không cần quyết định phê duyệt" in html
    document = json.loads(client_as(None).get(f"/du-lieu-mo/{quarter.code}.json").content)
    assert document["decision"] is None
    listed = json.loads(client_as(None).get("/du-lieu-mo/danh-sach.json").content)["periods"]
    assert [p["decision"] for p in listed if p["code"] == quarter.code] == [None]


def test_an_approver_action_on_a_quarter_is_refused_everywhere(people, quarter):
    before = state(quarter)
    with pytest.raises(TransitionRefused, match=REFUSED):
        approval_request(period=quarter, actor=people.dieuphoi)
    with pytest.raises(TransitionRefused, match=REFUSED):
        approve(
            period=quarter,
            actor=people.pheduyet,
            decision_number="1/QĐ-UBND",
            decision_date=quarter.phases.first().starts_on,
            signer="Chủ tịch",
        )
    with pytest.raises(TransitionRefused, match=REFUSED):
        approval_return(period=quarter, actor=people.pheduyet, reason="Xem lại")
    approver = client_as("pheduyet")
    page = approver.post(
        f"/ky/{quarter.code}/phe-duyet/duyet/",
        {"decision_number": "1/QĐ-UBND", "decision_date": "2025-07-20", "signer": "Chủ tịch"},
    )
    assert page.status_code == 409 and REFUSED in page.content.decode()
    api = approver.post(
        f"/api/v1/periods/{quarter.code}/transitions/",
        json.dumps(
            {
                "to": "approved",
                "decision_number": "1/QĐ-UBND",
                "decision_date": "2025-07-20",
                "signer": "Chủ tịch",
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 409 and api.json()["detail"] == REFUSED
    coordinator = client_as("dieuphoi").post(
        f"/api/v1/periods/{quarter.code}/transitions/",
        json.dumps({"to": "approval"}),
        content_type="application/json",
    )
    assert coordinator.status_code == 409 and coordinator.json()["detail"] == REFUSED
    assert state(quarter) == before
    # The approval page says why there is nothing to approve.
    html = approver.get(f"/ky/{quarter.code}/phe-duyet/").content.decode()
    assert 'id="quarterly-note"' in html


def test_an_annual_period_is_never_published_without_its_approval(people):
    year = Period.objects.get(code="2025-communes")
    before = state(year)
    with pytest.raises(TransitionRefused, match="Không thể chuyển kỳ"):
        publish(period=year, actor=people.dieuphoi)
    assert state(year) == before


def test_the_optional_appraisal_then_publication(people, quarter):
    reviewer_assign(
        period=quarter, reviewer=people.thamdinh, actor=people.dieuphoi, unit_code="xa-hoa-binh"
    )
    appraisal_start(period=quarter, actor=people.dieuphoi)
    workflow = client_as("dieuphoi").get(f"/api/v1/periods/{quarter.code}/workflow/").json()
    assert [(s["to"], s["role"]) for s in workflow["next_steps"]] == [
        ("next_round", "coordinator"),
        ("published", "coordinator"),
    ]
    before = state(quarter)
    with pytest.raises(TransitionRefused, match="Còn lần thẩm định chưa kết thúc"):
        publish(period=quarter, actor=people.dieuphoi)
    assert state(quarter) == before
    current = round_current(quarter)
    accept_rest(appraisal_round=current, reviewer=people.thamdinh)
    assert round_sign_off(appraisal_round=current, reviewer=people.thamdinh)
    # The coordinator publishes from the appraisal page, as for any step.
    overview = client_as("dieuphoi").get(f"/ky/{quarter.code}/tham-dinh/").content.decode()
    assert "Công bố kết quả quý (không cần phê duyệt)" in overview
    assert "Trình lãnh đạo phê duyệt" not in overview
    response = client_as("dieuphoi").post(
        f"/ky/{quarter.code}/tham-dinh/chuyen/", {"to": "published", "reason": ""}
    )
    assert response.status_code == 302
    assert list(PeriodTransition.objects.filter(period=quarter).values_list("before", "after")) == [
        ("self_assessment", "appraisal"),
        ("appraisal", "published"),
    ]
    assert Snapshot.objects.get(period=quarter).decision_number == ""


def test_quarters_and_the_year_side_by_side(people):
    """The four quarters published, the year provisional: each person sees the columns they may,
    with the engine's numbers."""
    demo_load_all()
    frozen = {
        q: {u.code: u for u in snapshot_scores(Snapshot.objects.get(period__code=q)).result.units}
        for q in ("2025-q1-communes", "2025-q2-communes", "2025-q3-communes", "2025-q4-communes")
    }
    public = client_as(None).get("/ky/2025-q2-communes/ket-qua/").content.decode()
    table = public.split('<table id="ranking-quarters"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'data-period="([\w-]+)"', table) == list(frozen)  # no year: not published
    row = re.search(r'<tr data-unit="xa-hoa-binh">(.*?)</tr>', table, re.S)[1]
    cells = [number(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
    assert cells == [frozen[q]["xa-hoa-binh"].total for q in frozen]
    assert cells == sorted(cells) and len(set(cells)) == 4  # growing through the year
    # The coordinator's scorecard of the year: Q1..Q4 and the provisional year beside them.
    card = client_as("dieuphoi").get("/ky/2025-communes/ket-qua/don-vi/xa-dak-ha/").content.decode()
    table = card.split('<table id="scorecard-quarters"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r">(Quý \d|Cả năm)<", table) == ["Quý 1", "Quý 2", "Quý 3", "Quý 4", "Cả năm"]
    total = re.search(r'<tr data-node="total" class="kind-total">(.*?)</tr>', table, re.S)[1]
    values = [number(c) for c in re.findall(r"<td>([^<]*)</td>", total)]
    assert values[:4] == [frozen[q]["xa-dak-ha"].total for q in frozen]
    main = re.search(r'<tr data-node="1" class="kind-main">(.*?)</tr>', table, re.S)[1]
    assert [number(c) for c in re.findall(r"<td>([^<]*)</td>", main)][:4] == [
        frozen[q]["xa-dak-ha"].nodes["1"] for q in frozen
    ]


def test_a_year_starts_from_the_last_quarters_values(people, quarter):
    """The carry-over copies from the period the year names as its source (here quarter 2),
    not from its previous year, which the comparisons still use."""
    year = Period.objects.get(code="2026-communes")
    Period.objects.filter(pk=year.pk).update(carry_over_from=quarter)
    focal = client_as("daumoi")
    workspace = f"/ky/{year.code}/don-vi/xa-hoa-binh/"
    html = focal.get(workspace).content.decode()
    assert f"Đơn vị đã có phiếu kỳ “{quarter.title}”" in html
    assert focal.post(workspace + "nhap-tiep/").status_code == 302

    def values(code: str) -> dict[tuple[str, str], str]:
        return {
            (node, name): value
            for node, name, value in InputValue.objects.filter(
                submission__participation__period__code=code,
                submission__participation__unit__code="xa-hoa-binh",
                node__source="self",  # the unit's own inputs: what a unit carries over
            ).values_list("node__code", "input_name", "value")
        }

    carried, source, previous = values(year.code), values(quarter.code), values("2025-communes")
    assert carried == source
    assert carried != previous  # the quarter's own values, not the year before's
    assert (
        Submission.objects.get(
            participation__period=year, participation__unit__code="xa-hoa-binh"
        ).carried_from.participation.period
        == quarter
    )
