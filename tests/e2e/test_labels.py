"""Labels and names in the browser (issue 12, part 2): the workspace names each input by its
Vietnamese label, never its code, and the public ranking of a period whose units have different
applicable maxima says it ranks by share of the maximum, and shows that maximum."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opendti.publication.demo import demo_load_all

from .conftest import WORKSPACE, login, shot

CODES = re.compile(
    r"(?<![\w-])(numerator|denominator|approved|systems|cashless|total|phuong|xa|communes)(?![\w-])"
)


@pytest.fixture
def published(demo: str) -> str:
    """The demo with its earlier periods published (the e2e `demo` loads the base data only)."""
    demo_load_all()
    return demo


def test_the_workspace_names_inputs_by_their_labels(page: Page) -> None:
    login(page, "daumoi", then=WORKSPACE)
    ratio = page.locator("article.indicator", has=page.locator("span.code", has_text="2.2"))
    expect(ratio.get_by_label("Số nhiệm vụ đã hoàn thành")).to_be_visible()
    expect(ratio.get_by_label("Tổng số nhiệm vụ của kế hoạch")).to_be_visible()
    formula = page.locator("article.indicator", has=page.locator("span.code", has_text="7.2"))
    expect(formula.get_by_label("Số giao dịch không dùng tiền mặt")).to_be_visible()
    expect(formula.get_by_label("Tổng số giao dịch")).to_be_visible()
    assert CODES.findall(page.locator("main").inner_text()) == []
    shot(page, "labels-workspace")


def test_the_public_ranking_says_it_ranks_by_share_of_the_maximum(
    published: str, page: Page
) -> None:
    page.goto("/ky/2024-communes/ket-qua/")
    expect(page.locator("#ranking-title")).to_have_text(
        "Xếp hạng theo tỷ lệ điểm đạt (Tổng điểm / điểm tối đa áp dụng)"
    )
    headers = page.locator("#ranking thead th").all_inner_texts()
    names = [h.strip() for h in headers]
    share = next(i for i, h in enumerate(names) if h.startswith("Tỷ lệ điểm đạt"))
    assert names.index("Điểm tối đa áp dụng") == share + 2
    expect(page.locator("#ranking-basis")).to_be_visible()
    expect(page.locator("#chart-ranking")).to_contain_text("tỷ lệ điểm đạt")
    page.locator("select[name=nhom]").select_option(label="Phường")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("#ranking-title")).to_contain_text("nhóm Phường")
    assert CODES.findall(page.locator("main").inner_text()) == []
    shot(page, "labels-ranking-by-share")
    page.goto("/ky/2023-districts/ket-qua/")
    expect(page.locator("#ranking-title")).to_have_text("Xếp hạng theo Tổng điểm")
