"""Two full review rounds in a real browser, through to approval, publication and the public
ranking: a reviewer adjusts one indicator and asks for more on another; the unit explains and
adds evidence; round 2 accepts; every reviewer signs off; the approver approves; the coordinator
publishes; the public ranking shows the final score and the indicator's history every step."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from playwright.sync_api import Locator, Page, expect

from opendti.accounts.models import User
from opendti.periods.models import Period, PeriodTransition
from opendti.publication.models import Snapshot
from opendti.results.demo import DEMO_PASSWORD
from tests.appraisal.conftest import prepare_appraisal
from tests.results.fresh import period_score

from .conftest import PERIOD, UNIT, WORKSPACE, confirm, login, shot
from .test_self_assessment import MINIMAL_PDF, field, indicator, save

OTHER_UNIT = "xa-tan-lap"
REVIEW = f"/ky/{PERIOD}/tham-dinh/"
ADJUSTED, ASKED = "2.1", "2.2"


@pytest.fixture
def ready(demo) -> SimpleNamespace:
    """Both units submitted, reviewers assigned, the self-assessment phase over (not started)."""
    users = SimpleNamespace(**{u.username: u for u in User.objects.all()})
    prepared = prepare_appraisal(users, start=False)
    prepared.second.set_password(DEMO_PASSWORD)
    prepared.second.save()
    return prepared


def review_card(page: Page, code: str) -> Locator:
    return page.locator(f'article.indicator[data-code="{code}"]')


def decide_form(card: Locator, kind: str) -> Locator:
    return card.locator(f"form:has(input[name=kind][value={kind}])")


def total_of(page: Page, unit: str) -> Decimal:
    text = page.locator(f"tr[data-unit={unit}] td.score").inner_text().strip()
    return Decimal(text.replace(".", "").replace(",", ".") if "," in text else text)


def sign_off(page: Page) -> None:
    page.goto(REVIEW)
    page.locator("#sign-off-form button").click()
    confirm(page, "không sửa được quyết định")
    expect(page.locator("ul.messages li.success")).to_be_visible()


def test_two_rounds_approval_publication_and_the_public_ranking(new_context, ready) -> None:
    # The coordinator ends self-assessment and opens round 1.
    coordinator = new_context().new_page()
    login(coordinator, "dieuphoi", then=REVIEW)
    coordinator.get_by_role("button", name=re.compile("bắt đầu thẩm định")).click()
    confirm(coordinator)
    expect(coordinator.locator("ul.messages li.success")).to_be_visible()
    assert Period.objects.get(code=PERIOD).status == "appraisal"
    shot(coordinator, "10-appraisal-coordinator")

    # Reviewer 1 adjusts 2.1 (50 → 45, within the threshold), asks for more on 2.2, accepts the
    # rest of both units, and signs off.
    reviewer = new_context().new_page()
    login(reviewer, "thamdinh", then=f"{REVIEW}{UNIT}/")
    card = review_card(reviewer, ADJUSTED)
    card.locator("summary", has_text="Điều chỉnh điểm").click()
    form = decide_form(card, "adjust")
    form.locator("input[name=score]").fill("45")
    form.locator("textarea[name=reason]").fill("Kế hoạch ban hành chậm so với quy định.")
    form.get_by_role("button", name="Ghi điều chỉnh").click()
    card = review_card(reviewer, ADJUSTED)
    expect(card.locator("td.own")).to_contain_text("50")
    expect(card.locator("td.final")).to_contain_text("45")
    card = review_card(reviewer, ASKED)
    card.locator("summary", has_text="Yêu cầu bổ sung").click()
    form = decide_form(card, "request")
    form.locator("textarea[name=reason]").fill("Bổ sung báo cáo kết quả thực hiện kế hoạch.")
    form.get_by_role("button", name="Gửi yêu cầu").click()
    expect(review_card(reviewer, ASKED).locator("td.decision")).to_have_attribute(
        "data-kind", "request"
    )
    shot(reviewer, "11-appraisal-reviewer-unit")
    reviewer.locator("#accept-rest-form button").click()
    confirm(reviewer, "Không hoàn tác được")  # waits for the page the accepting loads
    expect(reviewer.locator("ul.messages li.success")).to_contain_text("Đã chấp nhận")
    reviewer.goto(f"{REVIEW}{OTHER_UNIT}/")
    reviewer.locator("#accept-rest-form button").click()
    confirm(reviewer, "Không hoàn tác được")  # waits for the page the accepting loads
    expect(reviewer.locator("ul.messages li.success")).to_contain_text("Đã chấp nhận")
    sign_off(reviewer)

    # Reviewer 2 (Hòa Bình too) has nothing left to decide and signs off: round 1 closes.
    second = new_context().new_page()
    login(second, "thamdinh2")
    sign_off(second)
    assert not Period.objects.get(code=PERIOD).rounds.get(number=1).is_open

    # The unit sees the request, corrects 2.2, adds evidence and explains; 2.1 stays locked.
    focal = new_context().new_page()
    login(focal, "daumoi", then=WORKSPACE)
    expect(focal.locator(".appraisal-banner, #appraisal-banner").first).to_be_visible()
    expect(indicator(focal, ADJUSTED).get_by_role("button", name="Lưu", exact=True)).to_have_count(
        0
    )
    field(focal, ASKED, "numerator").fill("40")
    field(focal, ASKED, "denominator").fill("42")
    save(focal, ASKED)
    form = focal.locator("#evidence-form")
    form.locator("#evidence-kind").select_option("file")
    form.locator("input[name=title]").fill("Báo cáo kết quả thực hiện kế hoạch 2026")
    form.locator("#evidence-file").set_input_files(
        {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    form.locator("#evidence-nodes").select_option(ASKED)
    form.get_by_role("button", name="Thêm tài liệu").click()
    expect(focal.locator("ul.messages li.success")).to_contain_text("Đã thêm tài liệu")
    explain = indicator(focal, ASKED).locator("form.explain")
    explain.locator("textarea[name=text]").fill(
        "Đã bổ sung báo cáo và cập nhật số nhiệm vụ hoàn thành."
    )
    explain.get_by_role("button", name="Gửi giải trình").click()
    expect(indicator(focal, ASKED).locator("tr.decision.state-answered")).to_have_count(1)
    shot(focal, "12-appraisal-unit-explained")

    # Round 2: the coordinator opens it, reviewer 1 accepts 2.2, both sign off.
    coordinator.goto(REVIEW)
    coordinator.get_by_role("button", name="Mở lần thẩm định tiếp theo").click()
    confirm(coordinator)
    expect(coordinator.locator("ul.messages li.success")).to_be_visible()
    reviewer.goto(f"{REVIEW}{UNIT}/")
    review_card(reviewer, ASKED).get_by_role("button", name="Chấp nhận", exact=True).click()
    expect(review_card(reviewer, ASKED).locator("td.decision")).to_have_attribute(
        "data-kind", "accept"
    )
    sign_off(reviewer)
    sign_off(second)
    assert not Period.objects.get(code=PERIOD).rounds.get(number=2).is_open

    # Reply window, then approval.
    coordinator.goto(REVIEW)
    coordinator.get_by_role("button", name=re.compile("Kết thúc thẩm định")).click()
    confirm(coordinator)
    expect(coordinator.locator("ul.messages li.success")).to_be_visible()
    coordinator.goto(REVIEW)
    coordinator.get_by_role("button", name="Trình lãnh đạo phê duyệt").click()
    confirm(coordinator)
    expect(coordinator.locator("ul.messages li.success")).to_be_visible()

    approver = new_context().new_page()
    login(approver, "pheduyet", then=f"/ky/{PERIOD}/phe-duyet/")
    form = approver.locator("#approve-form")
    form.locator("input[name=decision_number]").fill("88/QĐ-UBND")
    form.locator("input[name=signer]").fill("Chủ tịch UBND tỉnh")
    form.get_by_role("button", name=re.compile("Phê duyệt")).click()
    confirm(approver, "không thay đổi được nữa")
    expect(approver.locator("ul.messages li.success")).to_be_visible()
    shot(approver, "13-approval-approved")
    snapshot = Snapshot.objects.get(period__code=PERIOD)
    assert snapshot.decision_number == "88/QĐ-UBND"

    coordinator.goto(f"/ky/{PERIOD}/phe-duyet/")
    coordinator.locator("#publish-form button").click()
    confirm(coordinator, "trang công khai")
    expect(coordinator.locator("ul.messages li.success")).to_be_visible()
    assert Period.objects.get(code=PERIOD).status == "published"

    # The public ranking (no login) shows the final score: the unit's own minus the 5 points.
    period = Period.objects.get(code=PERIOD)
    _, final = period_score(period=period)
    _, own = period_score(period=period, appraised=False)
    final_total = next(u.total for u in final.units if u.code == UNIT)
    own_total = next(u.total for u in own.units if u.code == UNIT)
    assert final_total == own_total - 5
    public = new_context().new_page()
    public.goto(f"/ky/{PERIOD}/ket-qua/")
    expect(public.locator("#result-status")).to_contain_text("88/QĐ-UBND")
    assert total_of(public, UNIT) == final_total
    shot(public, "14-public-ranking-published")

    # The indicator's history shows every step with who and when.
    focal.goto(WORKSPACE)
    for code, expected in (
        (ADJUSTED, ["Phạm Thị Thẩm Định", "45"]),
        (ASKED, ["Phạm Thị Thẩm Định", "Trần Thị Đầu Mối", "Giải trình", "40"]),
    ):
        history = indicator(focal, code).locator("details.history")
        history.locator("summary").click()
        body = history.locator(".history-body")
        for text in expected:
            expect(body).to_contain_text(text)
        expect(body.locator("tr")).not_to_have_count(0)
    shot(focal, "15-history-after-publication")
    steps = list(
        PeriodTransition.objects.filter(period=period).values_list("after", "actor__username")
    )
    assert steps == [
        ("appraisal", "dieuphoi"),
        ("reply", "dieuphoi"),
        ("approval", "dieuphoi"),
        ("approved", "pheduyet"),
        ("published", "dieuphoi"),
    ]
