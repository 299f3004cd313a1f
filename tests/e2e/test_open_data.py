"""Open data in the browser: the index of published periods and the embeddable ranking chart at
desktop and phone widths, and the chart drawn inside another page's iframe (while the ranking
page itself refuses to be framed)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Frame, Page, expect

from opendti.publication.demo import demo_load_all

from .conftest import shot
from .test_phone import WIDER
from .test_results_pages import PAINTED, WIDTHS

EMBED = "/du-lieu-mo/2023-districts/nhung/"


@pytest.fixture
def published(demo: str) -> str:
    """The demo with its earlier periods published (the e2e `demo` loads the base data only)."""
    demo_load_all()
    return demo


def _fits(page: Page) -> None:
    """Nothing wider than the screen but the tables, which scroll in their box."""
    assert page.evaluate(WIDER) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_open_data_index(published: str, page: Page, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    page.goto("/du-lieu-mo/")
    rows = page.locator("#open-data tbody tr")
    expect(rows).to_have_count(8)  # four years, and the four quarters of 2025
    row = page.locator("#open-data tr[data-period='2023-districts']")
    expect(row).to_contain_text("Quyết định số 401/QĐ-UBND ngày 05/04/2024")
    quarter = page.locator("#open-data tr[data-period='2025-q2-communes']")
    expect(quarter).to_contain_text("không cần quyết định phê duyệt")
    expect(row.get_by_role("link", name="CSV")).to_have_attribute(
        "href", "/du-lieu-mo/2023-districts.csv"
    )
    expect(page.locator(".snippet").first).to_contain_text(f'<iframe src="{published}/du-lieu-mo/')
    _fits(page)
    shot(page, "20-open-data-index" + ("" if width == "desktop" else "-phone"))
    row.get_by_role("link", name="Biểu đồ nhúng").click()
    expect(page).to_have_url(f"{published}{EMBED}")
    expect(page.locator("#embed-ranking canvas")).to_be_visible()


@pytest.mark.parametrize(
    ("width", "name"), [("desktop", "21-embed-desktop"), ("phone", "22-embed-phone")]
)
def test_the_embed_page(published: str, page: Page, width: str, name: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    page.emulate_media(reduced_motion="reduce")  # drawn at once: the screenshot shows it whole
    page.goto(EMBED)
    expect(page.locator("#embed-ranking canvas")).to_be_visible()
    page.wait_for_function(PAINTED, arg="#embed-ranking canvas")
    expect(page.locator("#embed-source")).to_contain_text("Quyết định số 401/QĐ-UBND")
    # The same numbers as a table, one click (or key press) away.
    page.get_by_text("Số liệu của biểu đồ").click()
    table = page.locator("#embed-ranking table.chart-table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first).to_contain_text("UBND huyện Đắk Song")
    expect(table.locator("tbody tr").first).to_contain_text("685,21")
    expect(table.locator("tbody tr")).to_have_count(8)
    _fits(page)
    shot(page, name)


def _frame(page: Page, selector: str) -> Frame:
    frame = page.locator(selector).element_handle().content_frame()
    assert frame is not None
    return frame


def test_another_site_can_frame_the_chart_only(published: str, page: Page) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.set_content(
        "<!doctype html><html lang='vi'><body><h1>Trang của một sở</h1>"
        f'<iframe id="embed" src="{published}{EMBED}?so-luong=5" title="Xếp hạng" '
        'width="100%" height="480"></iframe>'
        f'<iframe id="ranking" src="{published}/ky/2023-districts/ket-qua/" title="Kết quả" '
        'width="100%" height="200"></iframe></body></html>'
    )
    embed = page.frame_locator("#embed")
    expect(embed.locator("#embed-ranking canvas")).to_be_visible()
    frame = _frame(page, "#embed")
    frame.wait_for_function(PAINTED, arg="#embed-ranking canvas")
    rows = frame.locator("#embed-ranking table.chart-table tbody tr")
    expect(rows).to_have_count(5)
    # The ranking page keeps X-Frame-Options: DENY: the browser shows nothing of it in a frame.
    ranking = _frame(page, "#ranking")
    ranking.wait_for_load_state()
    assert ranking.locator("#ranking").count() == 0
    shot(page, "23-embed-in-iframe")
