"""A period's framework from a framework template in a real browser (docs/console.md): the
coordinator chooses Bắc Kạn's commune template, leaves a value out and reads its name in the
refusal, supplies it, reads the difference from last year's framework, confirms."""

from __future__ import annotations

from playwright.sync_api import expect

from opendti.accounts.models import User
from opendti.periods.models import Period
from opendti.periods.services import period_create

from .conftest import PERIOD, login, shot

NEW = "2027-communes"
SLUG = "bac-kan-1294-communes"
FOUNDATION = ["Nhận thức số", "Thể chế số", "Hạ tầng số", "Nhân lực số"]


def test_the_coordinator_starts_a_period_from_a_template(new_context, demo) -> None:
    last = Period.objects.select_related("framework").get(code=PERIOD)
    # A 2027 period with no calendar yet (it has not opened), last year's as its previous.
    period_create(
        actor=User.objects.get(username="dieuphoi"),
        settings={
            "code": NEW,
            "title": "DTI cấp xã 2027",
            "framework": last.framework,
            "year": 2027,
            "previous": last,
        },
        phases=[],
    )
    page = new_context().new_page()
    login(page, "dieuphoi", then=f"/ky/{NEW}/thiet-lap/")
    page.locator("#period-menu").get_by_role("link", name="Bộ chỉ số mẫu").click()
    row = page.locator(f'tr[data-template="{SLUG}"]')
    expect(row).to_contain_text("1294/QĐ-UBND, 14/07/2022, UBND tỉnh Bắc Kạn")
    row.get_by_role("link", name="Chọn").click()

    form = page.locator("#template-supplements")
    form.get_by_label("tên của chỉ số chính nen_tang_5").fill("Chỉ số nền tảng thử A")
    for name in FOUNDATION:
        form.get_by_label(f"điểm tối đa của chỉ số “{name}”").fill("60")
    for code in ("nen_tang_5", "nen_tang_6"):
        form.get_by_label(f"điểm tối đa của chỉ số chính {code} (chưa có tên)").fill("60")
    form.get_by_label("điểm tối đa của chỉ số “Hoạt động chính quyền số”").fill("240")
    form.get_by_label("điểm tối đa của chỉ số “Hoạt động kinh tế số”").fill("240")
    form.get_by_label("điểm tối đa của chỉ số “Hoạt động xã hội số”").fill("340")
    form.get_by_role("button", name="Xem khác biệt").click()
    # One name left out: the page names it, and nothing can be confirmed.
    expect(page.locator("#template-errors")).to_contain_text(
        "nen_tang_6.name: tên của chỉ số chính nen_tang_6"
    )
    expect(page.locator("#template-confirm")).to_have_count(0)

    page.locator("#template-supplements").get_by_label("tên của chỉ số chính nen_tang_6").fill(
        "Chỉ số nền tảng thử B"
    )
    page.locator("#template-supplements").get_by_role("button", name="Xem khác biệt").click()
    diff = page.locator("#framework-diff")
    expect(diff.locator('li[data-kind="added"][data-code="nen_tang_5"]')).to_have_count(1)
    expect(page.locator("#template-preview")).to_contain_text(
        f"phiên bản {last.framework.version}:"
    )
    shot(page, "64-console-framework-template")
    page.locator("#template-confirm").get_by_role("button").click()

    expect(page.get_by_role("status")).to_contain_text("Đã nhập bộ chỉ số mẫu")
    period = Period.objects.select_related("framework").get(code=NEW)
    assert (period.framework.code, period.framework.decision_number) == (
        "bac-kan-xa",
        "1294/QĐ-UBND",
    )
    assert period.framework.nodes.get(code="nen_tang_6").name == "Chỉ số nền tảng thử B"
