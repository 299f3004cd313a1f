"""The unit workspace and the coordinator's dashboard on a phone: nothing wider than the screen
but the tables (which scroll in their box), and the live preview works by touch-size layout."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import PERIOD, WORKSPACE, login, shot

PHONE = {"width": 390, "height": 844}


WIDER = """() => {
  const wider = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".table-wrap")) continue;  // tables scroll inside their box
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 1) wider.push(`${el.tagName}.${el.className}#${el.id}`);
  }
  return wider;
}"""


def _no_page_overflow(page: Page) -> None:
    assert page.evaluate(WIDER) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def test_the_workspace_on_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    login(page, "daumoi", then=WORKSPACE)
    card = page.locator("article.indicator", has=page.locator("input[name='v-1.2-']"))
    card.locator("input[name='v-1.2-']").fill("2")
    expect(card.locator(".score")).to_contain_text("10,00 / 30")
    expect(page.locator("#total-score")).to_contain_text("10,00")
    _no_page_overflow(page)
    shot(page, "workspace-phone")


def test_the_dashboard_on_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    login(page, "dieuphoi", then=f"/ky/{PERIOD}/tien-do/")
    expect(page.locator("#progress-table")).to_be_visible()
    _no_page_overflow(page)
    shot(page, "dashboard-phone")
