"""The report and the unit scorecards as PDF: the pages are rendered to PNG (kept as artifacts
under artifacts/reports/) and their text is read back with pdfium, so the tests check what a
reader of the file sees: the numbers of the results, the Vietnamese diacritics, the header block,
the draft mark."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import matplotlib
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from opendti.periods.models import Period
from opendti.publication.demo import demo_load_all
from opendti.publication.models import Snapshot
from opendti.reports.content import Chart, ReportContent, Section, Table, long_date
from opendti.reports.pdf import MOTTO, number, report_pdf
from opendti.reports.pdf_scorecards import scorecards_pdf
from tests.results.fresh import period_scores, snapshot_scores

matplotlib.use("Agg")

from matplotlib import pyplot as plt

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "reports"


def render(data: bytes, name: str, pages: list[int] | None = None) -> list[Path]:
    """Render pages (1-based; all by default) to PNG artifacts; each must show something."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(data)
    saved = []
    try:
        for number_ in pages or range(1, len(document) + 1):
            image = document[number_ - 1].render(scale=1.5).to_pil()
            path = ARTIFACTS / f"{name}-p{number_}.png"
            image.save(path)
            dark = sum(image.convert("L").histogram()[:128])
            assert dark > 2000, f"{path.name} looks blank ({dark} dark pixels)"
            saved.append(path)
    finally:
        document.close()
    return saved


def page_texts(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def lines(page: str) -> list[str]:
    return [line.strip() for line in page.splitlines() if line.strip()]


def flat(page: str) -> str:
    return " ".join(page.split())


def _png() -> bytes:
    figure, axes = plt.subplots(figsize=(6, 3), dpi=100)
    axes.bar(["Xã Đắk Hà", "Xã Hòa Bình"], [70, 55], color="#1a5fb4")
    axes.set_title("Điểm trung bình")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


RANKING = Table(
    number=1,
    title="Kết quả xếp hạng các xã, phường",
    header=("Xếp hạng", "Cơ quan, đơn vị", "Tổng điểm", "Mức xếp loại"),
    rows=(
        ("1", "UBND xã Đắk Hà", "686,35", "Nâng cao"),
        ("2", "UBND xã Hòa Bình", "7,10", "Khởi động"),
        ("", "Trung bình", "346,73", ""),
    ),
    emphasised=frozenset({2}),
    note="Ghi chú: điểm tối đa 1.000.",
)
# Long enough to run onto a second page: its header row must be repeated there.
LONG = Table(
    number=2,
    title="Danh sách các xã",
    header=("STT", "Tên xã", "Điểm"),
    rows=tuple((str(i), f"Xã thử nghiệm số {i}", f"{i},5") for i in range(1, 91)),
)


def content(*, provisional: bool) -> ReportContent:
    return ReportContent(
        period_code="2024-communes",
        title="Báo cáo kết quả đánh giá, xếp hạng mức độ chuyển đổi số năm 2024",
        year=2024,
        issuer="ỦY BAN NHÂN DÂN TỈNH ĐẮK NÔNG",
        issuer_parent="",
        place="Đắk Nông",
        date=datetime.date(2025, 2, 7),
        decision_number="" if provisional else "120/QĐ-UBND",
        signer="" if provisional else "Nguyễn Văn Thử",
        provisional=provisional,
        sections=(
            Section(
                heading="I. Kết quả chung",
                paragraphs=(
                    "Các xã của tỉnh Đắk Nông đều tham gia đánh giá & xếp hạng <năm 2024>.",
                ),
                tables=(RANKING,),
                charts=(Chart("Điểm trung bình của các xã", _png()),),
            ),
            Section(heading="II. Danh sách", tables=(LONG,)),
        ),
        recipients=("Như Điều 3;", "Lưu: VT."),
    )


def _right_edge(textpage, needle: str) -> float:
    searcher = textpage.search(needle, match_case=True)
    found = searcher.get_next()
    assert found is not None, needle
    index, count = found
    return textpage.get_charbox(index + count - 1)[2]


def test_the_report_pdf_has_the_header_tables_chart_and_signer() -> None:
    data = report_pdf(content(provisional=False))
    render(data, "report-handmade")
    texts = page_texts(data)
    first = flat(texts[0])
    assert len(texts) >= 3
    assert "ỦY BAN NHÂN DÂN TỈNH ĐẮK NÔNG" in first
    assert MOTTO in first and "Độc lập - Tự do - Hạnh phúc" in first
    # Nghị định 30: days below 10 and months 1–2 take a leading zero.
    assert "Đắk Nông, ngày 07 tháng 02 năm 2025" in first
    assert "(Kèm theo Quyết định số 120/QĐ-UBND ngày 07 tháng 02 năm 2025)" in first
    assert "BÁO CÁO" in first and "mức độ chuyển đổi số năm 2024" in first
    # Paragraph text is escaped, not read as markup.
    assert "đánh giá & xếp hạng <năm 2024>" in first
    # Every row of Bảng 1, cell by cell in order; the caption and the note.
    for row in RANKING.rows:
        assert " ".join(c for c in row if c) in first, row
    assert "Bảng 1: Kết quả xếp hạng các xã, phường" in first
    assert "Ghi chú: điểm tối đa 1.000." in first
    everything = " ".join(flat(t) for t in texts)
    assert "Hình 1: Điểm trung bình của các xã" in everything
    # The long table runs over a page break and its header row is printed again there.
    starts = [i for i, t in enumerate(texts) if "Xã thử nghiệm số 1 1,5" in flat(t)]
    ends = [i for i, t in enumerate(texts) if "Xã thử nghiệm số 90 90,5" in flat(t)]
    assert starts and ends and ends[0] > starts[0]
    for i in range(starts[0], ends[0] + 1):
        assert "STT Tên xã Điểm" in flat(texts[i]), i
    # Page numbers from the second page, at the top.
    assert lines(texts[1])[0] == "2"
    # The signer block, on the last page; no draft mark on an approved report.
    last = flat(texts[-1])
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in last and "Nguyễn Văn Thử" in last
    assert "Nơi nhận: - Như Điều 3; - Lưu: VT." in last
    assert "DỰ THẢO" not in everything

    document = pdfium.PdfDocument(data)
    try:
        textpage = document[0].get_textpage()
        # Numbers are right-aligned: the last digits of a column line up.
        assert _right_edge(textpage, "686,35") == pytest.approx(_right_edge(textpage, "7,10"), 0.5)
        # The emphasised row (Trung bình) is bold, the others are not.
        bold = textpage.search("346,73").get_next()[0]
        plain = textpage.search("686,35").get_next()[0]
        assert pdfium_c.FPDFText_GetFontWeight(textpage.raw, bold) >= 700
        assert pdfium_c.FPDFText_GetFontWeight(textpage.raw, plain) < 700
        # The chart is an image on the page.
        images = [
            o
            for page in document
            for o in page.get_objects()
            if o.type == pdfium_c.FPDF_PAGEOBJ_IMAGE
        ]
        assert len(images) == 1
    finally:
        document.close()


def test_a_provisional_report_is_marked_as_a_draft_on_every_page() -> None:
    data = report_pdf(content(provisional=True))
    render(data, "report-handmade-draft", pages=[1])
    texts = page_texts(data)
    assert all("DỰ THẢO" in t for t in texts)
    first = flat(texts[0])
    # The number and the day are left blank, to be written when signed.
    assert "Đắk Nông, ngày tháng năm 2025" in first
    assert "Kèm theo Quyết định" not in first
    assert "UBND xã Đắk Hà" in first and "xã" in first


def test_numbers_are_printed_the_vietnamese_way() -> None:
    assert number(Decimal("86.35")) == "86,35"
    assert number(Decimal("800.1750")) == "800,1750"  # the period's decimals, kept
    assert number(Decimal("1E+2")) == "100"
    assert number(Decimal("905.00"), 2) == "905"
    assert number(Decimal("678.755"), 2) == "678,76"
    assert number(None) == "—"
    assert long_date(datetime.date(2024, 4, 5)) == "ngày 05 tháng 4 năm 2024"
    assert long_date(datetime.date(2025, 2, 7)) == "ngày 07 tháng 02 năm 2025"  # Nghị định 30


@pytest.mark.django_db
def test_the_scorecards_of_a_published_period(db) -> None:
    demo_load_all()
    period = Period.objects.get(code="2024-communes")
    result = snapshot_scores(Snapshot.objects.get(period=period)).result
    calls: list[tuple[int, int]] = []
    data = scorecards_pdf(period, progress=lambda done, total: calls.append((done, total)))
    units = result.units
    render(data, "scorecards-2024-communes", pages=[1, 2, len(units) + 1])
    texts = page_texts(data)
    assert len(texts) == 1 + len(units)
    assert calls == [(i, len(units)) for i in range(1, len(units) + 1)]

    summary = lines(texts[0])
    assert "DTI cấp xã 2024 (dữ liệu minh họa)" in summary
    assert f"Số đơn vị: {len(units)} (xếp hạng: {sum(u.ranked for u in units)})" in summary
    assert f"Điểm trung bình: {number(result.averages.total)}" in summary
    for band, count in result.band_counts.items():
        assert f"{band}: {count}" in flat(texts[0])
    for unit in units:
        row = [line for line in summary if unit.name in line]
        assert len(row) == 1, unit.name
        rank = str(unit.rank) if unit.rank is not None else "—"
        assert row[0].startswith(f"{rank} {unit.name} ") and row[0].endswith(
            f" {number(unit.total)} {unit.band}"
        ), row[0]

    pages = texts[1:]
    for unit in units:
        mine = [p for p in pages if unit.name in lines(p)]
        assert len(mine) == 1, unit.name
        total = str(unit.total).replace(".", ",")
        assert "." not in total.split(",")[0] and len(total.split(",")[1]) == 2
        figures = [line for line in lines(mine[0]) if line.startswith(f"{total} / ")]
        assert len(figures) == 1, unit.name
        assert unit.band in figures[0] and number(unit.percent) in figures[0]
        if unit.rank is not None:
            assert f" {unit.rank}/" in figures[0] and f" {unit.group_rank}/" in figures[0]
        else:
            assert figures[0].endswith(" — —") and "Đơn vị không tham gia xếp hạng." in mine[0]
        assert "DỰ THẢO" not in mine[0]
    # Vietnamese diacritics come back exactly from the embedded fonts.
    assert any("UBND xã Đắk Hà" in lines(p) for p in pages)
    assert any("UBND phường Quảng Thành" in lines(p) for p in pages)


@pytest.mark.django_db
def test_the_scorecards_of_a_period_in_appraisal_are_a_draft(db) -> None:
    demo_load_all()
    period = Period.objects.get(code="2025-communes")
    result = period_scores(period=period).result
    data = scorecards_pdf(period)
    render(data, "scorecards-2025-communes-draft", pages=[1, 2])
    texts = page_texts(data)
    assert len(texts) == 1 + len(result.units)
    assert all("DỰ THẢO" in t for t in texts)
    for unit in result.units:
        assert any(unit.name in lines(p) and f"{number(unit.total)} / " in p for p in texts[1:])


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["2023-districts", "2024-communes", "2025-communes"])
def test_the_report_of_a_period_prints_its_tables(db, code: str) -> None:
    from opendti.reports.build import report_content

    demo_load_all()
    report = report_content(Period.objects.get(code=code))
    data = report_pdf(report)
    render(data, f"report-{code}")
    texts = page_texts(data)
    everything = " ".join(flat(t) for t in texts)
    assert report.tables()
    for table in report.tables():
        assert f"Bảng {table.number}: {table.title}" in everything
        for row in table.rows:
            # Cell by cell in order (a wrapped name's lines stay together).
            assert " ".join(flat(c) for c in row if c.strip()) in everything, (table.number, row)
    assert report.issuer.upper() in flat(texts[0]) and MOTTO in flat(texts[0])
    assert ("DỰ THẢO" in everything) == report.provisional
    if not report.provisional:
        assert report.signer in flat(texts[-1])
        assert f"Kèm theo Quyết định số {report.decision_number}" in flat(texts[0])
