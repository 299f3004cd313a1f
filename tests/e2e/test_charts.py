"""The chart partials in a real browser: every kind is drawn by the vendored Chart.js from our own
static files, nothing is fetched from another host, motion is off when asked, and the numbers'
table opens from the keyboard.

The page is the partials rendered by Django's template engine into a file, with STATIC_URL
pointing at the package's static folder, so no URL of the site is needed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template
from playwright.sync_api import Browser, BrowserContext, Page, expect

from opendti.results.charts import (
    band_distribution_chart,
    main_index_chart,
    ranking_chart,
    trend_chart,
    unit_profile_chart,
)
from opendti.scoring import score_period
from opendti.scoring.model import Assessment, PeriodResult
from opendti.workbook.parse import parse_workbook
from opendti.workbook.sheets import read_workbook

from .conftest import ROOT, TIMEOUT_MS, shot

WORKBOOKS = ROOT / "src/opendti/demo/workbooks"
STATIC = ROOT / "src/opendti/static"

PAGE = Template(
    """{% load i18n %}<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Biểu đồ</title>
<style>body { font-family: system-ui, sans-serif; margin: 1rem; max-width: 60rem; }</style>
</head><body><main>
{% include "portal/charts/chart.html" with chart=ranking chart_id="ranking" kind="bar" %}
{% include "portal/charts/chart.html" with chart=many chart_id="ranking-many" kind="bar" %}
{% include "portal/charts/chart.html" with chart=indices chart_id="indices" kind="bar" %}
{% include "portal/charts/chart.html" with chart=profile chart_id="profile" kind="radar" %}
{% include "portal/charts/chart.html" with chart=profile chart_id="profile-bars" kind="hbar" %}
{% include "portal/charts/chart.html" with chart=trend chart_id="trend" kind="line" %}
{% include "portal/charts/chart.html" with chart=bands chart_id="bands" kind="doughnut" %}
{% include "portal/charts/chart.html" with chart=bands chart_id="bands-bars" kind="bar" %}
</main>
{% include "portal/charts/scripts.html" %}
</body></html>"""
)
KINDS = {
    "ranking": "bar",
    "ranking-many": "bar",
    "indices": "bar",
    "profile": "radar",
    "profile-bars": "bar",
    "trend": "line",
    "bands": "doughnut",
    "bands-bars": "bar",
}

# Painted pixels of a canvas (alpha > 0), counted in the page.
PAINTED = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}"""


def _scored(name: str) -> tuple[Assessment, PeriodResult, list[str]]:
    assessment = parse_workbook(read_workbook(WORKBOOKS / name)).assessment
    scheme = assessment.framework.total_bands
    bands = [b.label for b in scheme.bands] if scheme else []
    return assessment, score_period(assessment), bands


@pytest.fixture(scope="module")
def charts_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from django.test import override_settings

    districts, result, bands = _scored("daknong-2023-districts")
    _departments, many, many_bands = _scored("daknong-2023-departments")
    without = dataclasses.replace(
        result, units=tuple(u for u in result.units if u.code != "gia-nghia")
    )
    context = {
        "ranking": ranking_chart(result, bands=bands),
        "many": ranking_chart(many, bands=many_bands),
        "indices": main_index_chart(districts, result),
        "profile": unit_profile_chart(districts, result, "gia-nghia"),
        "trend": trend_chart([("2021", result), ("2022", without), ("2023", result)], "gia-nghia"),
        "bands": band_distribution_chart(result, bands),
    }
    # An absolute path as STATIC_URL: in a file:// page, {% static %} then names the files
    # themselves (Django would prefix a "file://" URL as if it were relative).
    with override_settings(STATIC_URL=f"{STATIC.as_posix()}/"):
        html = PAGE.render(Context(context))
    path = tmp_path_factory.mktemp("charts") / "charts.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture
def open_charts(browser: Browser, charts_page: Path) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def open_page(**options: Any) -> tuple[Page, list[str], list[str]]:
        context = browser.new_context(
            viewport={"width": 1100, "height": 900}, locale="vi-VN", **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(charts_page.as_uri())
        page.wait_for_function(
            "n => document.querySelectorAll('figure.chart-drawn').length === n", arg=len(KINDS)
        )
        return page, requests, errors

    yield open_page
    for context in contexts:
        context.close()


def _offsite(requests: list[str]) -> list[str]:
    local = {"localhost", "127.0.0.1", "[::1]", "::1"}
    return [
        url
        for url in requests
        if not url.startswith(("file://", "data:", "blob:")) and urlsplit(url).hostname not in local
    ]


def test_every_chart_kind_is_drawn_from_our_own_files(open_charts: Any) -> None:
    page, requests, errors = open_charts(reduced_motion="reduce")
    assert errors == []
    for chart_id, kind in KINDS.items():
        figure = page.locator(f"figure#{chart_id}")
        expect(figure).to_have_class("chart chart-drawn")
        canvas = figure.locator("canvas")
        expect(canvas).to_have_attribute("role", "img")
        assert canvas.get_attribute("aria-label") == figure.locator("figcaption").inner_text()
        assert canvas.evaluate(PAINTED) > 2000, chart_id
        assert figure.evaluate("f => f.chart.config.type") == kind
    # Many units: the bar chart turns horizontal and tall enough for every name.
    assert page.evaluate("document.getElementById('ranking').chart.options.indexAxis") == "x"
    many = page.locator("figure#ranking-many")
    assert many.evaluate("f => f.chart.options.indexAxis") == "y"
    assert many.locator("canvas").bounding_box()["height"] > 400  # type: ignore[index]
    assert page.evaluate("document.getElementById('profile-bars').chart.options.indexAxis") == "y"
    # Reduced motion: nothing animates.
    assert page.evaluate("document.getElementById('ranking').chart.options.animation") is False
    # Our files only: the page, Chart.js and charts.js, all from disk.
    assert _offsite(requests) == []
    assert any(url.endswith("/vendor/chartjs/chart.umd.min.js") for url in requests)
    assert any(url.endswith("/opendti/charts.js") for url in requests)
    shot(page, "charts-all-kinds")


def test_bars_take_their_band_colour_and_the_trend_keeps_a_gap(open_charts: Any) -> None:
    page, _requests, _errors = open_charts(reduced_motion="reduce")
    colors = page.evaluate(
        "document.getElementById('ranking').chart.data.datasets[0].backgroundColor"
    )
    data = page.evaluate("JSON.parse(document.getElementById('ranking-data').textContent)")
    assert colors == data["datasets"][0]["colors"]
    legend = page.evaluate(
        "document.getElementById('ranking').chart.legend.legendItems.map(i => i.text)"
    )
    assert legend == [item["label"] for item in data["legend"]]
    trend = page.evaluate("document.getElementById('trend').chart.data.datasets[0].data")
    assert trend[1] is None and trend[0] == trend[2] == 533.13
    ticks = page.evaluate(
        "document.getElementById('bands-bars').chart.scales.y.ticks.map(t => t.value)"
    )
    assert ticks and all(float(t).is_integer() for t in ticks)  # counts: whole ticks only
    tooltip_text = page.evaluate("document.getElementById('trend').chart.data.datasets[0].texts")
    assert tooltip_text == ["533,13", None, "533,13"]  # as the pages write numbers


def test_animates_unless_reduced_motion_is_asked(open_charts: Any) -> None:
    page, _requests, errors = open_charts(reduced_motion="no-preference")
    assert errors == []
    assert page.evaluate("document.getElementById('ranking').chart.options.animation") is not False
    canvas = page.locator("figure#ranking canvas")
    page.wait_for_function(f"({PAINTED})(document.querySelector('#ranking canvas')) > 2000")
    assert canvas.evaluate(PAINTED) > 2000


def test_keyboard_reaches_the_numbers_table(open_charts: Any) -> None:
    page, _requests, _errors = open_charts(reduced_motion="reduce")
    figure = page.locator("figure#ranking")
    table = figure.locator("table.chart-table")
    expect(table).to_be_hidden()
    page.keyboard.press("Tab")  # the first focusable element: the first chart's summary
    summary = figure.locator("summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_text("Số liệu của biểu đồ")
    page.keyboard.press("Enter")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first.locator("th")).to_have_text("UBND huyện Đắk Song")
    expect(table.locator("tbody tr").first.locator("td").nth(1)).to_have_text("685,21")
    shot(page, "charts-table-open")


def test_without_chart_js_the_table_is_shown(browser: Browser, charts_page: Path) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        # As if the library had not loaded: window.Chart never becomes defined.
        page.add_init_script("Object.defineProperty(window, 'Chart', {get() {}, set(value) {}})")
        page.goto(charts_page.as_uri())
        page.wait_for_function("document.querySelectorAll('figure.chart-failed').length === 8")
        expect(page.locator("figure#ranking table.chart-table")).to_be_visible()
    finally:
        context.close()
