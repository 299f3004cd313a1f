"""The coordinator's results pages in the browser, at desktop and phone widths: the ranking
(sorting, filtering, views by pillar and main index), a unit's scorecard and the what-if
simulator; keyboard use; screenshots of each page at both widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opendti.core.vietnamese import sort_key

from .conftest import login, shot

# A canvas that Chart.js has drawn on: some pixels are not transparent.
PAINTED = """selector => {
  const canvas = document.querySelector(selector);
  if (!canvas || !window.Chart || !Chart.getChart(canvas)) return false;
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
  return false;
}"""
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
RANKING = "/ky/2023-districts/ket-qua/"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_ranking_pages_at_each_width(page: Page, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    page.emulate_media(reduced_motion="reduce")  # charts drawn at once: screenshots show them whole
    login(page, "dieuphoi", then=RANKING)
    table = page.locator("#ranking")
    expect(table.locator("tbody tr").first).to_contain_text("UBND huyện Đắk Song")
    expect(table.locator("tbody tr").first).to_contain_text("685,21")
    for chart in ("chart-ranking", "chart-bands", "chart-mains"):
        expect(page.locator(f"#{chart} canvas")).to_be_visible()
        page.wait_for_function(PAINTED, arg=f"#{chart} canvas")
    shot(page, f"results-ranking-{width}")
    # Nothing of the page is wider than the screen but the table, which scrolls in its box.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.get_by_role("link", name="Chính quyền số").first.click()
    expect(page.locator("#ranking-title")).to_contain_text("Chính quyền số")
    expect(table.locator("tbody tr").first).to_contain_text("471,64")
    shot(page, f"results-pillar-{width}")
    page.goto("/ky/2025-communes/ket-qua/don-vi/xa-hoa-binh/")
    expect(page.locator("#unit-summary")).to_be_visible()
    page.wait_for_function(PAINTED, arg="#chart-profile canvas")
    shot(page, f"results-scorecard-{width}")


def test_sorting_and_filtering_in_the_browser(page: Page) -> None:
    login(page, "dieuphoi", then=RANKING)
    page.get_by_role("link", name=re.compile("Cơ quan, đơn vị")).click()
    names = page.locator("#ranking tbody tr:not(.average) th").all_inner_texts()
    assert names == sorted(names, key=sort_key)  # Vietnamese order: Đắk after Cư, before Krông
    header = page.locator("th[aria-sort]")
    expect(header).to_have_attribute("aria-sort", "ascending")
    page.get_by_label("Tìm đơn vị").fill("Krông")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("#ranking tbody tr:not(.average)")).to_have_count(1)
    expect(page.locator("#ranking tbody tr").first).to_contain_text("UBND huyện Krông Nô")


def test_the_what_if_simulator_by_keyboard(page: Page) -> None:
    login(page, "dieuphoi", then="/ky/2025-communes/ket-qua/don-vi/xa-hoa-binh/")
    before = page.locator("#unit-total").inner_text().split(" /")[0]
    field = page.locator("input[name='v-1.2-']")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("6")
    expect(page.locator("#what-if-total")).to_be_visible()
    after = page.locator("#what-if-total").inner_text()
    to_number = lambda text: float(text.replace(".", "").replace(",", "."))  # noqa: E731
    assert to_number(after) - to_number(before) == pytest.approx(25)
    shot(page, "results-what-if-desktop")
    # Tab reaches the simulate button after the inputs: the whole form works without a mouse.
    page.locator("#mo-phong button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#what-if-outcome")).to_contain_text("không có số liệu nào được lưu")
