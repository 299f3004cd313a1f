"""The report's section on targets and component levels (reports/targets.py): the same numbers
as the pages' services, in the DOCX and the PDF as in the content."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document

from opendti.periods.models import Period
from opendti.publication.demo import demo_load_all
from opendti.reports.build import report_content
from opendti.reports.docx_report import report_docx
from opendti.reports.pdf import report_pdf
from opendti.results.levels import classify, period_thresholds, thresholds_set
from opendti.results.targets import target_set
from tests.results.fresh import period_scores

pytestmark = pytest.mark.django_db

HEADING = "Mục tiêu và phân loại chỉ số thành phần"


def test_the_section_states_targets_and_levels() -> None:
    demo_load_all()
    period = Period.objects.get(code="2025-communes")
    scores = period_scores(period=period)
    unit = scores.result.unit("xa-hoa-binh")
    reason = "Kế hoạch chuyển đổi số năm 2025"
    target_set(period=period, actor=None, scope="unit", subject=unit.code, node="",
               measure="points", value=unit.total + Decimal("10.5"), reason=reason)  # fmt: skip
    target_set(period=period, actor=None, scope="group", subject="phuong", node="",
               measure="rank", value=Decimal(2), reason=reason)  # fmt: skip
    thresholds_set(period=period, actor=None, good=Decimal(75), fair=Decimal(40), reason=reason)
    content = report_content(period)
    (section,) = [s for s in content.sections if s.heading.endswith(HEADING)]
    # After the two groups, the change section and the averages across the years.
    assert section.heading.startswith("V. ")
    targets, units, groups = section.tables
    row = next(r for r in targets.rows if r[0] == unit.name)
    assert row[2:] == (
        f"đạt từ {str((unit.total + Decimal('10.5')).normalize()).replace('.', ',')} điểm",
        str(unit.total).replace(".", ","),
        "Chưa đạt",
        "10,5 điểm",
    )
    phuong = [u for u in scores.result.units if u.group == "phuong"]
    reached = sum(1 for u in phuong if u.group_rank is not None and u.group_rank <= 2)
    ranked = sum(1 for u in phuong if u.group_rank is not None)
    assert f"{reached}/{ranked} đơn vị được xếp hạng đạt." in " ".join(section.paragraphs)
    assert "khá: từ 75% điểm tối đa" in " ".join(section.paragraphs)
    # The counts are the service's (checked by hand in tests/results/test_levels.py).
    found = classify(scores.assessment, scores.result, period_thresholds(period))
    assert units.header[1:] == ("Tối đa", "Khá", "Trung bình", "Thấp", "Chưa có điểm", "Số chỉ số")
    hoa_binh = next(r for r in units.rows if r[0] == unit.name)
    assert hoa_binh[1:] == ("4", "3", "2", "4", "4", "17")
    assert groups.rows[-1][0] == "Tất cả đơn vị"
    assert groups.rows[-1][-1] == str(found.overall.total)
    # Numbered after the tables before it, and printed in both formats.
    numbers = [t.number for t in content.tables()]
    assert numbers == list(range(1, len(numbers) + 1))
    document = Document(io.BytesIO(report_docx(content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert HEADING in text
    assert any(
        [c.text for c in table.rows[0].cells][:3] == ["Cơ quan, đơn vị", "Chỉ số", "Mục tiêu"]
        for table in document.tables
    )
    assert report_pdf(content).startswith(b"%PDF")


def test_no_section_without_targets_or_component_indicators() -> None:
    demo_load_all()
    content = report_content(Period.objects.get(code="2023-districts"))
    assert not any(s.heading.endswith(HEADING) for s in content.sections)


def test_the_averages_across_the_years_are_the_results_averages() -> None:
    demo_load_all()
    period = Period.objects.get(code="2025-communes")
    content = report_content(period)
    (section,) = [s for s in content.sections if s.heading.endswith("Điểm trung bình qua các năm")]
    assert section.heading.startswith("IV. ")
    (table,) = section.tables
    assert table.header == ("Nhóm", "2024", "2025")
    current = period_scores(period=period).result
    previous = period_scores(period=Period.objects.get(code="2024-communes")).result
    rows = {row[0]: row[1:] for row in table.rows}
    for code, name in (("xa", "Xã"), ("phuong", "Phường")):
        assert rows[name] == (
            str(previous.group_averages[code].total).replace(".", ","),
            str(current.group_averages[code].total).replace(".", ","),
        )
    assert section.charts[0].png.startswith(b"\x89PNG")
