"""The whole report in a real browser: the coordinator writes Part III's text for the 2023
departments, asks for one report covering the districts too, watches it finish and opens the
DOCX: the text as written, both periods' results, Part I's participation counts."""

from __future__ import annotations

import io

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from opendti.publication.demo import demo_load_all

from .conftest import login, shot

PERIOD = "2023-departments"
ASSESSMENT = "Các Sở, ban, ngành đều tăng điểm nhưng chỉ tăng nhẹ."
TASKS = "Rà soát Bộ chỉ số cho phù hợp với thực tiễn.\nTăng cường hướng dẫn các đơn vị xếp loại trung bình."


@pytest.fixture
def published(demo) -> str:
    demo_load_all()
    return demo


def test_coordinator_writes_part_three_and_downloads_the_report(page: Page, published: str) -> None:
    login(page, "dieuphoi", then=f"/ky/{PERIOD}/bao-cao/")
    page.locator("#report-text-link").get_by_role("link", name="Soạn nội dung Phần III").click()
    expect(page.locator("h1")).to_contain_text("Nội dung báo cáo")
    page.get_by_label("Đánh giá chung").fill(ASSESSMENT)
    page.get_by_label("Nhiệm vụ trong thời gian tới").fill(TASKS)
    page.locator("#report-text-save").click()
    expect(page.locator("ul.messages")).to_contain_text("Đã lưu nội dung báo cáo")
    expect(page.locator("#report-text-history")).to_contain_text("Đánh giá chung")
    shot(page, "31-report-text")

    page.get_by_role("link", name="Về trang Báo cáo").click()
    form = page.locator("#tao-report_docx")
    form.get_by_label("DTI Đắk Nông 2023 — cấp huyện").check()
    form.get_by_role("button", name="Tạo").click()
    row = page.locator("#report-files tr[data-kind=report_docx]").first
    expect(row).to_contain_text("gộp với: DTI Đắk Nông 2023 — cấp huyện")
    link = row.get_by_role("link", name="Tải về")
    expect(link).to_be_visible(timeout=90_000)  # the row polls by itself until the file is made
    shot(page, "31-report-with-districts")
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    assert path is not None
    paragraphs = [p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs]
    assert ASSESSMENT in paragraphs
    for line in TASKS.splitlines():
        assert line in paragraphs
    assert "II. Kết quả, xếp hạng: DTI Đắk Nông 2023 — cấp huyện" in paragraphs
    assert any("19/19 đơn vị thuộc Sở, ban, ngành, 08/08 đơn vị cấp huyện" in p for p in paragraphs)
