"""The coordinator's dashboard in a real browser: a search typed without accents finds the unit,
the filtered table downloads as Excel, a reminder says who has no e-mail address."""

from __future__ import annotations

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from .conftest import PERIOD, UNIT, login, shot

DASHBOARD = f"/ky/{PERIOD}/tien-do/"


def test_searching_hoa_binh_finds_hoa_binh_and_exports_it(page: Page, tmp_path) -> None:
    login(page, "dieuphoi", then=DASHBOARD)
    rows = page.locator("#progress-table tbody tr[data-unit]")
    expect(rows).to_have_count(7)
    page.locator("#progress-search").fill("hoa binh")
    page.locator("#progress-filter-button").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-unit", UNIT)
    expect(rows.first).to_contain_text("UBND xã Hòa Bình")
    shot(page, "dashboard-search")

    with page.expect_download() as download:
        page.locator("#progress-export").click()
    path = tmp_path / "tien-do.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    assert [row[0].value for row in sheet.iter_rows(min_row=3)] == [UNIT]

    # A reminder reaches the unit's people in the site; the coordinator learns who has no e-mail.
    rows.first.get_by_role("button", name="Nhắc nhở").click()
    expect(page.locator("ul.messages li.success")).to_contain_text("nhận thông báo trong hệ thống")
    expect(page.locator("ul.messages li.warning")).to_contain_text("Chưa có địa chỉ e-mail")
