"""Targets in a real browser (docs/console.md, "Mục tiêu"): the coordinator sets a target for a
commune on its total, typed as people write numbers, with a reason; a mistyped number is named
first and nothing is saved; the commune's scorecard then shows the points it still lacks."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from opendti import numbers
from opendti.periods.models import Period
from opendti.results.models import Target, TargetChange
from tests.results.fresh import period_score

from .conftest import login, shot

PERIOD = "2025-communes"


def test_the_coordinator_sets_a_target_and_the_scorecard_shows_progress(page) -> None:
    _assessment, result = period_score(period=Period.objects.get(code=PERIOD))
    unit = result.unit("xa-hoa-binh")
    goal = unit.total + Decimal("12.5")
    login(page, "dieuphoi", then=f"/ky/{PERIOD}/muc-tieu/")
    expect(page.get_by_role("heading", name="Mục tiêu", exact=False).first).to_be_visible()
    form = page.locator("#target-form")
    form.get_by_label("Áp dụng cho").select_option("unit:xa-hoa-binh")
    form.get_by_label("Chỉ số").select_option("")
    form.get_by_label("Loại mục tiêu").select_option("points")
    form.get_by_label("Lý do thay đổi").fill("Kết luận Hội nghị đánh giá DTI")
    # A mistake first: a number written two ways at once.
    form.get_by_label("Giá trị mục tiêu").fill("1,2,3")
    page.locator("#target-save").click()
    expect(page.locator("#error-value")).to_contain_text("Giá trị mục tiêu")
    assert not Target.objects.exists()
    page.locator("#target-form").get_by_label("Giá trị mục tiêu").fill(numbers.vi(goal, trim=True))
    page.locator("#target-save").click()
    expect(page.locator("ul.messages")).to_contain_text("Đã lưu mục tiêu.")
    expect(page.locator("#targets-history")).to_contain_text("Kết luận Hội nghị đánh giá DTI")
    assert Target.objects.get().value == goal
    assert TargetChange.objects.get().actor.username == "dieuphoi"
    shot(page, "80-console-targets")

    page.goto(f"/ky/{PERIOD}/ket-qua/don-vi/xa-hoa-binh/")
    progress = page.locator("#unit-targets")
    expect(progress).to_contain_text("Chưa đạt")
    expect(progress).to_contain_text("12,5 điểm")
    expect(progress).to_contain_text(numbers.vi(unit.total))
    shot(page, "81-scorecard-targets")
