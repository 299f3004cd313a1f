"""The report of the Đắk Nông 2023 demo reproduces the province's Bảng 1 (departments) and Bảng 3
(districts), and Bảng 5–7 (districts per pillar), cell by cell as printed.

As in tests/portal/test_rankings_daknong.py: Cư Jút's published total and digital-government
pillar are 0.09 above the sum of their parts; the report prints the sum (so every total equals the
sum of its main indices as printed), and that one difference is expected. The province's average
rows follow no one rounding rule, so each printed average is within 0.01 of the published one.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from opendti.periods.models import Period
from opendti.publication.demo import demo_load_all
from opendti.publication.models import Snapshot
from opendti.reports.build import report_content, vn
from opendti.reports.content import ReportContent, Table

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
CU_JUT = "UBND huyện Cư Jút"


def printed(text: str) -> Decimal:
    """A number as the report prints it ("86,35"): a decimal comma, no thousands separator."""
    assert "." not in text, text
    return Decimal(text.replace(",", "."))


def published_rows(published: Path, name: str) -> list[dict[str, str]]:
    with (published / "daknong-2023" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def content_of(code: str) -> ReportContent:
    demo_load_all()
    return report_content(Period.objects.get(code=code))


def ranking(content: ReportContent) -> Table:
    return content.tables()[0]


def differences(table: Table, expected: list[dict[str, str]], columns: list[str]):
    """(unit, column, published − printed) for every unit cell that differs. Ranks, bands and
    names must all be equal; the average row must be within a cent."""
    header = list(table.header)
    rows = {row[1]: row for row in table.rows}
    found = []
    for line in expected:
        average = not line["rank"]  # the published average row has no rank
        name = "Trung bình" if average else line["unit"]
        row = rows[name]
        for column in columns:
            index = header.index(column)
            said, shown = Decimal(line[columns[column]]), printed(row[index])
            if average:
                assert abs(said - shown) <= CENT, (column, said, shown)
            elif said != shown:
                found.append((name, columns[column], said - shown))
        if not average:
            assert row[0] == line["rank"], name
            if "band" in line:
                assert row[header.index("Mức xếp loại")] == line["band"], name
    assert len(table.rows) == len(expected), "every unit and the average, nothing else"
    return found


def main_columns(table: Table, published_header: list[str]) -> dict[str, str]:
    """Report column → published column: the total, then the main indices in framework order."""
    mains = list(table.header[3:-1])  # after rank, name, total; before the band
    names = [c for c in published_header if c not in ("rank", "unit", "total", "band")]
    assert len(mains) == len(names)
    return {"Tổng điểm": "total", **dict(zip(mains, names, strict=True))}


def test_bang_1_departments(published) -> None:
    content = content_of("2023-departments")
    table = ranking(content)
    expected = published_rows(published, "table1_departments.csv")
    assert differences(table, expected, main_columns(table, list(expected[0]))) == []


def test_bang_3_districts(published) -> None:
    content = content_of("2023-districts")
    table = ranking(content)
    expected = published_rows(published, "table3_districts.csv")
    found = differences(table, expected, main_columns(table, list(expected[0])))
    assert found == [(CU_JUT, "total", Decimal("0.09"))]


@pytest.mark.parametrize(
    ("name", "pillar", "cu_jut_gap"),
    [
        ("table5_pillar_chinh_quyen_so.csv", "Chính quyền số", Decimal("0.09")),
        ("table6_pillar_kinh_te_so.csv", "Kinh tế số", None),
        ("table7_pillar_xa_hoi_so.csv", "Xã hội số", None),
    ],
)
def test_bang_5_6_7_pillars(published, name, pillar, cu_jut_gap) -> None:
    content = content_of("2023-districts")
    (table,) = [t for t in content.tables() if t.header[-1] == f"Trụ cột {pillar}"]
    found = differences(
        table, published_rows(published, name), {f"Trụ cột {pillar}": "pillar_score"}
    )
    assert found == ([] if cu_jut_gap is None else [(CU_JUT, "pillar_score", cu_jut_gap)])


@pytest.mark.parametrize("code", ["2023-departments", "2023-districts", "2025-communes"])
def test_every_total_is_the_sum_of_its_main_indices_as_printed(code) -> None:
    content = content_of(code)
    rankings = [
        t for t in content.tables() if t.header[:3] == ("Xếp hạng", "Cơ quan, đơn vị", "Tổng điểm")
    ]
    assert rankings
    for table in rankings:
        last = len(table.rows) - 1
        assert table.rows[last][1] == "Trung bình" and table.emphasised == frozenset({last})
        for row in table.rows[:last]:
            parts = [printed(cell) for cell in row[3:-1] if cell != "—"]
            assert printed(row[2]) == sum(parts, Decimal(0)), row


def test_the_published_report_names_its_decision() -> None:
    content = content_of("2023-districts")
    assert not content.provisional
    assert content.decision_number == "401/QĐ-UBND"
    assert content.date.isoformat() == "2024-04-05"
    intro = " ".join(content.sections[0].paragraphs)
    assert "Quyết định số 401/QĐ-UBND ngày 05 tháng 4 năm 2024" in intro
    assert "Có 08 đơn vị" in intro
    bands = " ".join(p for s in content.sections for p in s.paragraphs)
    assert "Có 02 đơn vị xếp loại mức Yếu: UBND huyện Tuy Đức, UBND huyện Cư Jút." in bands
    assert all(chart.png.startswith(b"\x89PNG") for s in content.sections for chart in s.charts)


def test_a_period_in_appraisal_is_a_draft_with_groups_and_the_change() -> None:
    content = content_of("2025-communes")
    assert content.provisional and content.decision_number == "" and content.signer == ""
    headings = [s.heading for s in content.sections]
    assert any("nhóm Xã" in h for h in headings) and any("nhóm Phường" in h for h in headings)
    (change,) = [t for t in content.tables() if t.header[-1] == "Thay đổi"]
    average = change.rows[-1]
    assert average[1] == "Trung bình"
    # Each change is this year's total minus last year's, as printed.
    for row in change.rows:
        if row[2] != "—":
            assert printed(row[4].rstrip("*").lstrip("+")) == printed(row[3]) - printed(row[2])


def test_numbers_print_with_a_decimal_comma_and_keep_their_decimals() -> None:
    assert vn(Decimal("86.35")) == "86,35"
    assert vn(Decimal("65.00")) == "65,00"
    assert vn(Decimal("1E+2")) == "100"
    assert vn(Decimal("-31.45"), signed=True) == "-31,45"
    assert vn(Decimal("38.61"), signed=True) == "+38,61"
    assert vn(None) == "—"


def test_a_published_quarter_says_it_needs_no_decision() -> None:
    content = content_of("2025-q2-communes")
    snapshot = Snapshot.objects.get(period__code="2025-q2-communes")
    assert not content.provisional and content.decision_number == ""
    assert content.date == snapshot.issued_on == timezone.localdate(snapshot.approved_at)
    intro = " ".join(content.sections[0].paragraphs)
    assert "Kết quả hằng quý do cơ quan chủ trì đánh giá công bố" in intro
    assert "không cần quyết định phê duyệt" in intro
    assert "Kết quả được phê duyệt tại Quyết định" not in intro


def test_the_change_section_states_the_year_on_year_sentences() -> None:
    """The report's text is the results page's (results.year_on_year), from the same numbers."""
    from opendti.results.services import year_on_year_groups
    from tests.results.fresh import period_scores

    content = content_of("2025-communes")
    period = Period.objects.get(code="2025-communes")
    groups = year_on_year_groups(period=period, scores=period_scores(period=period))
    assert groups
    (change,) = [s for s in content.sections if s.heading.endswith("Thay đổi so với kỳ trước")]
    for _group, sentences in groups:
        assert " ".join(sentences) in change.paragraphs
    assert any(p.startswith("Điểm trung bình của nhóm Xã ") for p in change.paragraphs)
