"""What provinces publish, in the browser: the ranking page's year-on-year section (sentences
from the numbers, band transitions, the two years' chart and the averages across the years)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import login, shot
from .test_results_pages import PAINTED

RANKING = "/ky/2025-communes/ket-qua/"  # 2025 follows 2024 (lineage and a renumbered indicator)


def test_the_year_on_year_section_reads_as_provinces_write_it(page: Page) -> None:
    page.emulate_media(reduced_motion="reduce")
    login(page, "dieuphoi", then=RANKING)
    section = page.locator("#so-voi-nam-truoc")
    expect(section).to_be_visible()
    expect(section.locator("h2")).to_have_text("So với năm trước")
    sentences = section.locator(".year-on-year-sentences li").all_inner_texts()
    assert sentences and any("so với năm trước" in s for s in sentences), sentences
    # Averages in Vietnamese notation, the change signed.
    averages = section.locator(".year-on-year-averages tbody tr").first
    expect(averages.locator("td").nth(2)).to_have_text(re.compile(r"^[+−-]?\d+(,\d+)?$"))
    expect(section.locator(".year-on-year-transitions").first).to_be_visible()
    for chart in ("chart-year-on-year", "chart-multi-year"):
        expect(page.locator(f"#{chart} canvas")).to_be_visible()
        page.wait_for_function(PAINTED, arg=f"#{chart} canvas")
    multi = page.locator("#chart-multi-year")
    multi.locator("summary").click()  # the chart's numbers as a table
    expect(multi.locator("table")).to_contain_text("2024")
    expect(multi.locator("table")).to_contain_text("2025")
    shot(page, "90-year-on-year")
