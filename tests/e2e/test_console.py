"""The coordinator's console in a real browser (docs/console.md): the coordinator logs in through
the second factor, creates the 2027 commune period with its phases, takes last year's units and
groups as proposed, imports a new framework version from XLSX, reads the difference, confirms."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from opendti.assessments.models import Submission
from opendti.periods.models import Participation, Period, PeriodChange

from ..portal.test_console import changed, framework_file
from .conftest import PERIOD, login, shot

NEW = "2027-communes"


def test_the_coordinator_sets_up_a_period(new_context, demo, tmp_path: Path) -> None:
    last = Period.objects.select_related("framework").get(code=PERIOD)
    today = timezone.localdate()
    page = new_context().new_page()
    login(page, "dieuphoi", then="/")
    page.locator("#period-new-link").click()
    expect(page.get_by_role("heading", name="Tạo kỳ đánh giá mới")).to_be_visible()

    # The settings and the calendar.
    form = page.locator("#period-form")
    form.get_by_label("Mã kỳ").fill(NEW)
    form.get_by_label("Tên kỳ").fill("DTI cấp xã 2027")
    form.get_by_label("Cấp đánh giá").select_option(str(last.framework.level_id))
    form.get_by_label("Bộ chỉ số (phiên bản)").select_option(str(last.framework_id))
    form.get_by_label("Năm", exact=True).fill("2027")
    form.get_by_label("Kỳ trước").select_option(str(last.pk))
    rows = form.locator("tr.phase-row")
    plan = [("self_assessment", "", 30, 44), ("appraisal", "1", 50, 59)]
    for n, (kind, round_number, start, end) in enumerate(plan):
        row = rows.nth(n)
        row.locator("select").select_option(kind)
        row.locator("input[name$=round_number]").fill(round_number)
        row.locator("input[name$=starts_on]").fill((today + datetime.timedelta(start)).isoformat())
        row.locator("input[name$=ends_on]").fill((today + datetime.timedelta(end)).isoformat())
    # A mistake first: the appraisal ends before it starts; the page says so, in Vietnamese.
    rows.nth(1).locator("input[name$=ends_on]").fill(today.isoformat())
    page.locator("#period-save").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("tr.phase-row").nth(1)).to_contain_text(
        "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."
    )
    assert not Period.objects.filter(code=NEW).exists()
    page.locator("tr.phase-row").nth(1).locator("input[name$=ends_on]").fill(
        (today + datetime.timedelta(59)).isoformat()
    )
    shot(page, "60-console-new-period")
    page.locator("#period-save").click()

    # The units: last year's, ticked, with their groups.
    expect(page).to_have_url(f"{demo}/ky/{NEW}/don-vi-tham-gia/")
    expect(page.locator("ul.messages li.success")).to_contain_text("Đã tạo kỳ DTI cấp xã 2027")
    expect(page.locator("#proposal-source")).to_contain_text(last.title)
    units = list(
        Participation.objects.filter(period=last)
        .order_by("order")
        .values_list("unit__code", "group__code")
    )
    for code, group in units:
        expect(page.locator(f"#unit-{code}")).to_be_checked()
        expect(page.locator(f"input[name=group-{code}]")).to_have_value(group or "")
    shot(page, "61-console-participants")
    page.locator("#participants-save").click()
    expect(page.locator("ul.messages li.success")).to_contain_text(f"thêm {len(units)}")
    period = Period.objects.get(code=NEW)
    assert Submission.objects.filter(participation__period=period).count() == len(units)

    # A new framework version from XLSX: the difference first, then the confirmation.
    page.locator("#period-menu").get_by_role("link", name="Bộ chỉ số", exact=True).click()
    path = tmp_path / "bo-chi-so-2027.xlsx"
    path.write_bytes(framework_file(last.framework, tmp_path, changed))
    page.locator("#framework-file").set_input_files(str(path))
    page.get_by_role("button", name="Tải lên và xem khác biệt").click()
    diff = page.locator("#framework-diff")
    expect(diff.locator('li[data-kind="added"][data-code="1.4"]')).to_contain_text("Chỉ số thêm")
    expect(diff.locator('li[data-kind="changed"][data-code="1.1"]')).to_contain_text("40 → 35")
    expect(diff.locator('li[data-kind="renamed"][data-code="1.2"]')).to_be_visible()
    shot(page, "62-console-framework-diff")
    page.locator("#framework-confirm button").click()
    expect(page.locator("ul.messages li.success")).to_contain_text(
        f"phiên bản {last.framework.version + 1}"
    )
    period.refresh_from_db()
    assert period.framework.version == last.framework.version + 1
    kinds = list(
        PeriodChange.objects.filter(period=period).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["created", "participants", "framework"]
    expect(page.locator("#period-history")).to_contain_text("nhập bộ chỉ số")
