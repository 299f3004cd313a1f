"""Report files in a real browser: the coordinator asks for the results workbook of the approved
2023 districts, watches its progress (the row polls by itself), downloads it and opens it."""

from __future__ import annotations

import io
import threading

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from opendti.publication.demo import demo_load_all
from opendti.reports import services
from opendti.reports.models import ReportFile

from .conftest import login, shot

PERIOD = "2023-districts"
REPORTS = f"/ky/{PERIOD}/bao-cao/"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def published(demo) -> str:
    """The demo with its approved and published periods."""
    demo_load_all()
    return demo


@pytest.fixture
def gate(monkeypatch) -> threading.Event:
    """Hold the real XLSX generator half-way until the test has seen the progress bar (it is
    otherwise done in a blink); set the event to let it finish."""
    release = threading.Event()
    real = services.GENERATORS[ReportFile.Kind.RESULTS_XLSX]

    def make(period, progress) -> bytes:
        progress(1, 2)
        assert release.wait(20), "the test never released the generator"
        data = real.make(period, lambda done, total: None)
        progress(2, 2)
        return data

    held = services.Generator(real.extension, real.content_type, real.filename, make)
    monkeypatch.setitem(services.GENERATORS, ReportFile.Kind.RESULTS_XLSX, held)
    yield release
    release.set()  # a failed test never leaves the thread waiting


def test_coordinator_makes_and_downloads_the_results_workbook(
    page: Page, published: str, gate: threading.Event
) -> None:
    login(page, "dieuphoi", then=REPORTS)
    expect(page.locator("h1")).to_contain_text("Báo cáo")
    expect(page.locator("#report-files")).to_contain_text("Chưa có tệp nào")
    page.locator("#tao-results_xlsx").get_by_role("button", name="Tạo").click()

    row = page.locator("#report-files tr[data-kind=results_xlsx]").first
    expect(row.locator("progress")).to_be_visible()
    expect(row).to_contain_text("1/2")
    expect(row.get_by_role("link", name="Tải về")).to_have_count(0)
    shot(page, "30-reports-page-running")
    gate.set()
    link = row.get_by_role("link", name="Tải về")
    expect(link).to_be_visible()  # the row polled by itself: no reload
    expect(row.locator("progress")).to_have_count(0)
    expect(row).to_contain_text("đã phê duyệt")

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith(f"{PERIOD}-bang-ket-qua-")
    assert download.suggested_filename.endswith(".xlsx")
    path = download.path()
    assert path is not None
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert "Xếp hạng" in book.sheetnames
    info_values = [c for line in book["Thông tin"].iter_rows(values_only=True) for c in line]
    assert "401/QĐ-UBND" in info_values

    if ReportFile.Kind.SCORECARDS_PDF in services.GENERATORS:
        page.locator("#tao-scorecards_pdf").get_by_role("button", name="Tạo").click()
        cards = page.locator("#report-files tr[data-kind=scorecards_pdf]").first
        expect(cards.get_by_role("link", name="Tải về")).to_be_visible(timeout=60_000)
        with page.expect_download() as info:
            cards.get_by_role("link", name="Tải về").click()
        pdf = info.value.path()
        assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")

    shot(page, "30-reports-page")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#report-files")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # only the table scrolls, inside its box
    shot(page, "30-reports-page-phone")


def test_a_unit_focal_point_does_not_find_the_page(page: Page, published: str) -> None:
    login(page, "daumoi")
    response = page.goto(REPORTS)
    assert response is not None and response.status == 404
