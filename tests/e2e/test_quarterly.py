"""A quarter in a real browser (Bắc Kạn, decision 1294): the unit starts from its last values and
its leader submits; the coordinator publishes the quarter without an approver; the approver finds
nothing to approve; an anonymous visitor reads the published quarter."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opendti.accounts.models import User
from opendti.periods.models import Membership, Participation, Period, PeriodTransition
from opendti.periods.services import period_open_next
from opendti.publication.models import Snapshot
from opendti.results.demo import DEMO_MEMBERSHIPS
from tests.results.fresh import snapshot_scores

from .conftest import UNIT, confirm, login, shot

QUARTER = "2026-q1-communes"


@pytest.fixture
def quarter(demo: str) -> str:
    """Quarter 1 of 2026 open for self-assessment, following the 2025 year (its values)."""
    today = timezone.localdate()
    period = period_open_next(
        previous=Period.objects.get(code="2025-communes"),
        code=QUARTER,
        title="DTI cấp xã quý 1/2026",
        year=2026,
        starts_on=today - datetime.timedelta(days=3),
        ends_on=today + datetime.timedelta(days=10),
        cadence=Period.Cadence.QUARTERLY,
        quarter=1,
        label="Q1-2026",
    )
    for username, unit, role in DEMO_MEMBERSHIPS:
        Membership.objects.create(
            participation=Participation.objects.get(period=period, unit__code=unit),
            user=User.objects.get(username=username),
            role=role,
        )
    return demo


def number(text: str) -> Decimal:
    return Decimal(text.strip().replace(".", "").replace(",", "."))


def test_a_quarter_self_assessed_published_without_approver_and_read_by_the_public(
    new_context, quarter
) -> None:
    workspace = f"/ky/{QUARTER}/don-vi/{UNIT}/"
    focal = new_context().new_page()
    login(focal, "daumoi", then=workspace)
    carry = focal.locator("#carry-over-form")
    expect(carry).to_contain_text("DTI cấp xã 2025")
    carry.get_by_role("button", name="Nhập tiếp từ kỳ trước").click()
    expect(focal.locator("ul.messages li.success")).to_be_visible()
    # Indicator 1.1 needs evidence (the year's data came without): a link to the document.
    form = focal.locator("#evidence-form")
    form.locator("#evidence-kind").select_option("link")
    form.locator("input[name=title]").fill("Quyết định phân công lãnh đạo phụ trách")
    form.locator("input[name=url]").fill("https://hoabinh.example.gov.vn/qd-phan-cong.pdf")
    form.locator("#evidence-nodes").select_option("1.1")
    form.get_by_role("button", name="Thêm tài liệu").click()
    expect(focal.locator("ul.messages li.success")).to_contain_text("Đã thêm tài liệu")

    leader = new_context().new_page()
    login(leader, "lanhdao", then=workspace)
    leader.locator("#submit-button").click()
    confirm(leader)
    expect(leader.locator("#status")).to_have_text("đã gửi")

    # The coordinator publishes the quarter from the appraisal page: no approval step offered.
    coordinator = new_context().new_page()
    login(coordinator, "dieuphoi", then=f"/ky/{QUARTER}/tham-dinh/")
    steps = coordinator.locator("#advance-form")
    expect(steps.get_by_role("button", name="Trình lãnh đạo phê duyệt")).to_have_count(0)
    steps.get_by_role("button", name="Công bố kết quả quý (không cần phê duyệt)").click()
    confirm(coordinator)
    expect(coordinator.locator("ul.messages li.success")).to_be_visible()
    expect(coordinator.locator("#period-status")).to_have_attribute("data-status", "published")
    shot(coordinator, "40-quarter-published-coordinator")
    transitions = PeriodTransition.objects.filter(period__code=QUARTER)
    assert [(t.before, t.after, t.actor.username) for t in transitions] == [
        ("self_assessment", "published", "dieuphoi")
    ]

    # The approver has nothing to approve.
    approver = new_context().new_page()
    login(approver, "pheduyet", then=f"/ky/{QUARTER}/phe-duyet/")
    expect(approver.locator("#quarterly-note")).to_be_visible()
    expect(approver.locator("#quarter-published")).to_contain_text("không cần quyết định phê duyệt")
    expect(approver.locator("#approve-form")).to_have_count(0)

    # An anonymous visitor reads the quarter, with the engine's frozen numbers.
    public = new_context().new_page()
    public.goto(f"/ky/{QUARTER}/ket-qua/")
    expect(public.locator("#result-status")).to_contain_text("không cần quyết định phê duyệt")
    frozen = snapshot_scores(Snapshot.objects.get(period__code=QUARTER)).result.unit(UNIT)
    shown = public.locator(f"#ranking tr[data-unit='{UNIT}'] td.score").inner_text()
    assert number(shown) == frozen.total
    shot(public, "41-quarter-public-ranking")
    public.goto(f"/ky/{QUARTER}/ket-qua/don-vi/{UNIT}/")
    expect(public.locator("#unit-total")).to_contain_text(re.sub(r"\.", ",", str(frozen.total)))
