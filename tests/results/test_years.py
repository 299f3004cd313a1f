"""unit_years: a unit's results across years, through framework versions and lineage."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from opendti.periods.models import Period
from opendti.results.demo import OPEN_PERIOD, demo_load
from opendti.results.years import unit_years
from opendti.scoring.rounding import quantize
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    demo_load()


def engine(code: str):
    return period_score(period=Period.objects.get(code=code))[1]


def cells(years, code: str) -> dict[str, object]:
    row = next(r for r in years.rows if r.code == code)
    return {c.label: cell for c, cell in zip(years.columns, row.cells, strict=True)}


def test_a_merged_commune_is_compared_with_the_mean_of_its_predecessors(demo) -> None:
    years = unit_years(period=Period.objects.get(code="2025-communes"), unit_code="xa-tan-lap")
    before, now = engine("2024-communes"), engine("2025-communes")
    assert [c.label for c in years.columns] == ["2024", "2025"]
    old, new = years.columns
    parts = [before.unit("xa-tan-tien").total, before.unit("xa-lap-thanh").total]
    assert old.total == quantize(sum(parts, Decimal(0)) / 2, 2)
    assert old.via == "lineage" and old.units == ("xa-tan-tien", "xa-lap-thanh")
    assert old.names == ("UBND xã Tân Tiến", "UBND xã Lập Thành")
    assert new.total == now.unit("xa-tan-lap").total and new.via == "same"
    assert years.lineage == (old,)
    # Node values are the predecessors' mean too.
    first = [before.unit(c).nodes["1"] for c in ("xa-tan-tien", "xa-lap-thanh")]
    assert cells(years, "1")["2024"].value == quantize(sum(first, Decimal(0)) / 2, 2)


def test_an_unchanged_unit_is_compared_with_itself(demo) -> None:
    years = unit_years(period=Period.objects.get(code="2025-communes"), unit_code="xa-hoa-binh")
    before, now = engine("2024-communes"), engine("2025-communes")
    old, new = years.columns
    assert old.via == "same" and old.units == ("xa-hoa-binh",) and years.lineage == ()
    assert old.total == before.unit("xa-hoa-binh").total
    assert new.total == now.unit("xa-hoa-binh").total
    assert old.total != new.total
    assert [r.code for r in years.rows][:4] == ["1", "1.1", "1.2", "1.3"]
    for code in ("1", "1.1", "2.2", "4", "5.1", "8"):
        row = cells(years, code)
        assert row["2024"].comparable and row["2024"].reason == ""
        assert row["2024"].value == before.unit("xa-hoa-binh").nodes[code]
        assert row["2025"].value == now.unit("xa-hoa-binh").nodes[code]


def test_what_changed_is_not_compared_and_says_why(demo) -> None:
    years = unit_years(period=Period.objects.get(code="2025-communes"), unit_code="xa-hoa-binh")
    changed = cells(years, "3.2")
    assert changed["2024"].value is None and not changed["2024"].comparable
    assert changed["2024"].reason == "đổi cách tính"
    assert changed["2025"].comparable and changed["2025"].value is not None
    assert cells(years, "3")["2024"].reason == ("có chỉ số thành phần không so sánh được: 3.2")
    new = cells(years, "6.4")["2024"]
    assert new.value is None and new.reason == "chỉ số mới"
    assert "đổi điểm tối đa (180 → 200)" in cells(years, "6")["2024"].reason


def test_a_renamed_indicator_is_compared_through_the_mapping(demo) -> None:
    years = unit_years(period=Period.objects.get(code="2025-communes"), unit_code="xa-dak-ha")
    before = engine("2024-communes").unit("xa-dak-ha")
    renamed = cells(years, "7.2")["2024"]
    assert renamed.comparable and renamed.sources == ("7.3",)
    assert renamed.value == before.nodes["7.3"]
    assert renamed.reason.startswith("Đổi mã 7.3 (năm 2024) thành 7.2")
    main = cells(years, "7")["2024"]
    assert main.comparable and main.value == before.nodes["7"]


def test_the_chain_goes_back_year_by_year_up_to_the_depth(demo) -> None:
    period = Period.objects.get(code=OPEN_PERIOD)
    years = unit_years(period=period, unit_code="xa-tan-lap")
    assert [c.period for c in years.columns] == ["2024-communes", "2025-communes", OPEN_PERIOD]
    assert [c.via for c in years.columns] == ["lineage", "same", "same"]
    # 2026 uses the 2025 framework: 7.2 is followed to 7.3 two years back; 3.2 stops at 2025.
    assert cells(years, "7.2")["2024"].sources == ("7.3",)
    assert cells(years, "3.2")["2025"].comparable
    assert not cells(years, "3.2")["2024"].comparable
    short = unit_years(period=period, unit_code="xa-tan-lap", depth=1)
    assert [c.period for c in short.columns] == ["2025-communes", OPEN_PERIOD]


def test_a_unit_not_in_the_period_is_a_key_error(demo) -> None:
    with pytest.raises(KeyError):
        unit_years(period=Period.objects.get(code="2025-communes"), unit_code="xa-tan-tien")


def test_the_number_of_queries_does_not_depend_on_the_unit_or_the_nodes(demo) -> None:
    periods = Period.objects.select_related("framework__level")
    # Once computed, every year's results are read from the store: both reads below are warm.
    unit_years(period=periods.get(code="2025-communes"), unit_code="xa-hoa-binh")
    with CaptureQueriesContext(connection) as same:
        unit_years(period=periods.get(code="2025-communes"), unit_code="xa-hoa-binh")
    with CaptureQueriesContext(connection) as merged:
        unit_years(period=periods.get(code="2025-communes"), unit_code="xa-tan-lap")
    assert len(same.captured_queries) == len(merged.captured_queries) < 40


def test_the_partial_shows_what_is_not_comparable_and_the_lineage(demo) -> None:
    years = unit_years(period=Period.objects.get(code="2025-communes"), unit_code="xa-tan-lap")
    html = render_to_string("portal/scorecard_years.html", {"years": years})
    assert "So sánh qua các năm" in html and "Tổng điểm" in html
    assert '<abbr class="not-comparable" title="đổi cách tính">không so sánh được</abbr>' in html
    assert (
        "UBND xã Tân Lập năm 2024: trung bình của UBND xã Tân Tiến và UBND xã Lập Thành"
        " (trước sáp nhập)"
    ) in html
    total = html.split('data-node="total"', 1)[1].split("</tr>", 1)[0]
    assert str(years.columns[0].total).replace(".", ",") in total


def test_the_partial_without_an_earlier_year_says_so(demo) -> None:
    years = unit_years(period=Period.objects.get(code="2023-districts"), unit_code="dak-song")
    html = render_to_string("portal/scorecard_years.html", {"years": years})
    assert "Chưa có kỳ đánh giá trước để so sánh." in html and "<table" not in html
