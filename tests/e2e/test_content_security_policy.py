"""The Content-Security-Policy in a real browser (issue 14, hardened defaults): the key pages —
home, the public ranking with its charts, the open-data page and its embeddable chart, a unit's
workspace, the period's timeline, the API's Swagger UI — load under the policy with no inline
script or style, chromium reports no violation, and the pages still work: Chart.js draws, an
htmx save runs and swaps the card, the language switch submits its form.

A violation is caught twice: the page's `securitypolicyviolation` events (listened to from a
script Playwright adds before any of the page's own) and chromium's console message."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from opendti.publication.demo import demo_load_all

from .conftest import PERIOD, UNIT, WORKSPACE, login
from .test_results_pages import PAINTED
from .test_self_assessment import fill_valid, indicator, save

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class Watched:
    """One browser context whose pages report every policy violation."""

    def __init__(self, context: BrowserContext) -> None:
        self.console: list[str] = []
        context.add_init_script(LISTEN)
        self.page = context.new_page()
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        """What this page and the console reported so far (the page's list is per document)."""
        events = self.page.evaluate("window.__cspViolations || []")
        return [*events, *self.console]

    def visit(self, path: str) -> Page:
        response = self.page.goto(path)
        assert response is not None and response.ok, (path, response and response.status)
        policy = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, policy
        return self.page


@pytest.fixture
def watched(new_context: Callable[[], BrowserContext]) -> Callable[[], Watched]:
    return lambda: Watched(new_context())


@pytest.fixture
def published(demo: str) -> str:
    demo_load_all()
    return demo


def test_public_pages_and_charts_run_under_the_policy(published, watched) -> None:
    visitor = watched()
    page = visitor.visit("/")
    assert visitor.violations() == []
    page = visitor.visit("/ky/2023-districts/ket-qua/")
    for chart in ("chart-ranking", "chart-bands", "chart-mains"):
        page.wait_for_function(PAINTED, arg=f"#{chart} canvas")
    assert visitor.violations() == []
    visitor.visit("/du-lieu-mo/")
    assert visitor.violations() == []
    page = visitor.visit("/du-lieu-mo/2023-districts/nhung/")
    page.wait_for_function(PAINTED, arg="#embed-ranking canvas")
    assert visitor.violations() == []
    # The language switch: a <select> that submits its form from the site's own script.
    page = visitor.visit("/")
    page.locator("select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert visitor.violations() == []


def test_the_workspace_and_its_htmx_actions_run_under_the_policy(watched) -> None:
    focal = watched()
    login(focal.page, "daumoi")
    page = focal.visit(WORKSPACE)
    assert focal.violations() == []
    # An htmx save: the request is sent, the card swapped with the server's answer.
    fill_valid(page, "1.1")
    save(page, "1.1")
    expect(indicator(page, "1.1").locator(".save-state")).to_contain_text("Đã lưu")
    # The live preview (an htmx request on input) runs too.
    assert focal.violations() == []
    assert re.search(rf"{PERIOD}\|{UNIT}\|1.1", indicator(page, "1.1").get_attribute("data-key"))


def test_timeline_ranking_and_api_docs_run_under_the_policy(published, watched) -> None:
    coordinator = watched()
    login(coordinator.page, "dieuphoi")
    page = coordinator.visit(f"/ky/{PERIOD}/lich/")
    expect(page.locator("svg.gantt g.bar").first).to_be_visible()
    assert coordinator.violations() == []
    page = coordinator.visit("/ky/2025-communes/ket-qua/don-vi/xa-hoa-binh/")
    page.wait_for_function(PAINTED, arg="#chart-profile canvas")
    assert coordinator.violations() == []
    # Swagger UI from drf-spectacular-sidecar: its start-up script is a static file.
    page = coordinator.visit("/api/v1/docs/")
    # Swagger UI's bundle is 1.5 MB of script: give it time on a loaded machine.
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)
    assert coordinator.violations() == []
