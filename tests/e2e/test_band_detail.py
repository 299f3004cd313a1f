"""A unit on a band's bound in the browser (issue 11): the public ranking and scorecard show the
percent with the decimals that explain its band, marked, and the note under the table, at desktop
and phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opendti.results.band_detail import note

from ..publication.test_band_detail import CODE, publish_on_a_bound
from .conftest import shot
from .test_phone import WIDER
from .test_results_pages import WIDTHS


@pytest.fixture
def on_a_bound(demo: str) -> str:
    publish_on_a_bound()
    return demo


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_public_sees_why_a_unit_is_in_its_band(on_a_bound: str, page: Page, width: str) -> None:
    page.set_viewport_size(WIDTHS[width])
    page.emulate_media(reduced_motion="reduce")  # charts drawn at once for the screenshots
    page.goto(f"/ky/{CODE}/ket-qua/")  # anonymous: the period is published
    row = page.locator("#ranking tr[data-unit='dv-a']")
    expect(row.locator("td.percent")).to_have_text("75,001*")
    expect(row.locator(".badge")).to_have_text("Dẫn dắt")
    expect(page.locator("#ranking tr[data-unit='dv-b'] td.percent")).to_have_text("50,00")
    expect(page.locator("#percent-note")).to_be_visible()
    expect(page.locator("#percent-note")).to_have_text(note())
    assert page.evaluate(WIDER) == []
    shot(page, f"band-detail-ranking-{width}")
    row.get_by_role("link", name="UBND huyện A").click()
    expect(page.locator("#unit-percent")).to_have_text("75,001*")
    expect(page.locator("#unit-band")).to_have_text("Dẫn dắt")
    expect(page.locator("#percent-note")).to_be_visible()
    shot(page, f"band-detail-scorecard-{width}")
