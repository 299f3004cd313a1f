"""The DOCX report and decision, opened with python-docx as a reader would get them: the decree's
page and header layout, the tables holding the report's numbers (and so the results'), the
charts as pictures, the signer block; a period not yet approved gives a draft (DỰ THẢO). The files
are kept under artifacts/reports/ for people to open."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from opendti.periods.models import Period
from opendti.publication.demo import demo_load_all
from opendti.reports.build import report_content, vn
from opendti.reports.content import ReportContent
from opendti.reports.docx_report import BLANK, MOTTO, MOTTO_LINE, decision_docx, report_docx
from opendti.results.rankings import ranking_table
from tests.results.fresh import period_scores

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "reports"


def keep(name: str, data: bytes) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_bytes(data)


def generate(code: str) -> tuple[ReportContent, bytes, bytes]:
    demo_load_all()
    content = report_content(Period.objects.get(code=code))
    report, decision = report_docx(content), decision_docx(content)
    keep(f"{code}-bao-cao.docx", report)
    keep(f"{code}-quyet-dinh.docx", decision)
    return content, report, decision


def text_of(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def cells(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def check_layout(document, content: ReportContent) -> None:
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # Margins are kept in twips (1/1440 inch): compared in whole millimetres.
    assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert 13 <= normal.font.size.pt <= 14
    header = cells(document.tables[0])
    left, right = header[0]
    assert content.issuer.upper() in left
    assert MOTTO in right and MOTTO_LINE in right
    # The motto and the issuer are bold, as the decree lays them out.
    right_cell = document.tables[0].cell(0, 1)
    assert all(run.bold for p in right_cell.paragraphs[:2] for run in p.runs)
    signer = cells(document.tables[-1])[0]
    assert signer[0].startswith("Nơi nhận:")
    assert "TM. ỦY BAN NHÂN DÂN" in signer[1] and "CHỦ TỊCH" in signer[1]
    assert content.signer in signer[1]


def test_the_published_report_holds_the_results_numbers() -> None:
    content, report, _ = generate("2023-districts")
    document = Document(io.BytesIO(report))
    check_layout(document, content)
    header = cells(document.tables[0])[0]
    assert "Số:" in header[0] and "/BC-UBND" in header[0]
    assert "Đắk Nông, ngày 05 tháng 4 năm 2024" in header[1]
    body = text_of(document)
    assert "DỰ THẢO" not in body
    assert "Kèm theo Quyết định số 401/QĐ-UBND" in body

    # Every content table is in the document, cell for cell, between header and signer.
    data_tables = document.tables[1:-1]
    assert [cells(t) for t in data_tables] == [
        [list(t.header), *(list(r) for r in t.rows)] for t in content.tables()
    ]
    # …and Bảng 1 holds the results as the web pages compute them.
    scores = period_scores(period=Period.objects.get(code="2023-districts"))
    web = ranking_table(scores.assessment, scores.result)
    printed = {row[1]: row for row in cells(data_tables[0])[1:]}
    for row in web.rows:
        assert printed[row.name][0] == str(row.rank)
        assert printed[row.name][2] == vn(row.score)
        assert printed[row.name][3:-1] == [vn(p) for p in row.parts]
        assert printed[row.name][-1] == row.band
    assert printed["Trung bình"][2] == vn(web.average.score)
    # The header row repeats on each page; the average row is bold.
    first = data_tables[0]
    assert first.rows[0]._tr.trPr.xpath("./w:tblHeader")
    assert all(run.bold for run in first.rows[-1].cells[1].paragraphs[0].runs)
    assert "Bảng 1: Bảng xếp hạng chuyển đổi số" in body
    assert len(document.inline_shapes) == sum(len(s.charts) for s in content.sections) >= 2
    assert "Hình 1:" in body


def test_the_decision_names_its_number_and_articles() -> None:
    content, _, decision = generate("2023-departments")
    document = Document(io.BytesIO(decision))
    check_layout(document, content)
    assert "Số: 401/QĐ-UBND" in cells(document.tables[0])[0][0]
    body = text_of(document)
    assert "QUYẾT ĐỊNH" in body and "QUYẾT ĐỊNH:" in body
    assert "Về việc công bố kết quả đánh giá, xếp hạng mức độ chuyển đổi số năm 2023" in body
    assert "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015" in body
    for number in (1, 2, 3):
        assert f"Điều {number}. " in body
    assert "(chi tiết tại Báo cáo kèm theo)" in body
    assert body.index("Điều 1.") < body.index("Điều 2.") < body.index("Điều 3.")
    assert "DỰ THẢO" not in body


def test_a_period_in_appraisal_gives_a_draft() -> None:
    content, report, decision = generate("2025-communes")
    assert content.provisional
    for data in (report, decision):
        document = Document(io.BytesIO(data))
        check_layout(document, content)
        assert document.paragraphs[0].text == "DỰ THẢO"
        header = cells(document.tables[0])[0]
        # The day and month are left blank for the signing; the year is the document's.
        assert f"ngày{BLANK}tháng{BLANK}năm {content.date.year}" in header[1]
    decision_header = cells(Document(io.BytesIO(decision)).tables[0])[0][0]
    assert "/QĐ-UBND" in decision_header and not any(ch.isdigit() for ch in decision_header)
    document = Document(io.BytesIO(report))
    body = text_of(document)
    assert "chưa được phê duyệt" in body and "Kèm theo Quyết định" not in body
    assert len(document.inline_shapes) >= 1
    # The ranking per group and the change against 2024 are in the document.
    tables = [cells(t) for t in document.tables[1:-1]]
    assert [t[0][-1] for t in tables].count("Thay đổi") == 1
