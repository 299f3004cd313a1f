"""The unit scorecard and the what-if simulator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendti.assessments.models import Change, InputValue
from opendti.periods.models import Period
from opendti.results.scorecard import unit_scorecard
from opendti.scoring.bands import classify
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db

CARD = "/ky/2025-communes/ket-qua/don-vi/xa-hoa-binh/"


def test_the_scorecard_holds_the_engine_numbers(coordinator) -> None:
    assessment, result = period_score(period=Period.objects.get(code="2025-communes"))
    card = unit_scorecard(assessment, result, "xa-hoa-binh")
    unit = result.unit("xa-hoa-binh")
    html = coordinator.get(CARD).content.decode()
    assert f"{unit.total}".replace(".", ",") in html.split('id="unit-total">', 1)[1][:40]
    for line in card.lines:
        row = html.split(f'data-node="{line.code}"', 1)[1].split("</tr>", 1)[0]
        if line.score is not None:
            assert f"<td>{line.score}</td>".replace(".", ",") in row, line.code
        scores = [
            u.nodes[line.code] for u in result.units if u.ranked and u.nodes[line.code] is not None
        ]
        assert line.best == (max(scores) if scores else None)
        assert line.average == result.averages.nodes[line.code]


def test_next_band_and_the_cheapest_points(coordinator) -> None:
    assessment, result = period_score(period=Period.objects.get(code="2025-communes"))
    card = unit_scorecard(assessment, result, "xa-hoa-binh")
    unit = result.unit("xa-hoa-binh")
    assert card.next_band is not None
    scheme = assessment.framework.total_bands
    labels = [b.label for b in scheme.bands]
    target = scheme.bands[labels.index(unit.band) - 1]
    assert card.next_band.band == target.label
    assert card.next_band.threshold == target.lower * unit.max_points / 100
    # The fewest points, in the period's steps, that the engine would classify in the band.
    missing, step = card.next_band.missing, Decimal("0.01")
    assert missing > 0 and missing % step == 0
    assert missing >= card.next_band.threshold - unit.total
    assert classify(unit.total + missing, unit.max_points, scheme) == target.label
    assert classify(unit.total + missing - step, unit.max_points, scheme) == unit.band
    # Ranked cheapest first, and the running sum is the sum of what is listed above it.
    reached = [o.reached_by_best for o in card.opportunities]
    assert reached == sorted(reached, reverse=True)
    running = Decimal(0)
    for item in card.opportunities:
        running += item.reached_by_best
        assert item.cumulative == running and item.missing == item.max_points - item.score
    # Strengths are above the average, weaknesses below it.
    assert all(line.percent > line.average_percent for line in card.strengths)
    assert all(line.percent < line.average_percent for line in card.weaknesses)


def test_what_if_shows_the_new_score_band_and_rank_and_writes_nothing(coordinator) -> None:
    values_before = list(InputValue.objects.order_by("pk").values_list("pk", "value"))
    with CaptureQueriesContext(connection) as queries:
        response = coordinator.post(
            CARD + "mo-phong/", {"v-1.1-": "yes", "v-1.2-": "6", "v-1.3-": "Đầy đủ"}
        )
    html = response.content.decode()
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]  # the idle timer is renewed on every request
        and "results_storedresult" not in q["sql"]  # results kept for the revision (a cache)
    ]
    assert writes == []
    assert list(InputValue.objects.order_by("pk").values_list("pk", "value")) == values_before
    assert not Change.objects.exists()
    # 1.1 no -> yes (+40), 1.2 one session -> six (+25), 1.3 none -> full (+30): +95 points.
    period = Period.objects.get(code="2025-communes")
    _, result = period_score(period=period)
    before = result.unit("xa-hoa-binh").total
    after = Decimal(html.split('id="what-if-total">', 1)[1].split("<", 1)[0].replace(",", "."))
    assert after - before == Decimal("95")
    assert "1.2 Giá trị: 1 → 6" in html


def test_what_if_reports_an_invalid_value_and_keeps_the_stored_one(coordinator) -> None:
    html = coordinator.post(CARD + "mo-phong/", {"v-1.2-": "sáu"}).content.decode()
    assert "1.2:" in html and "không phải là số" in html


def test_the_scorecard_compares_across_years_through_lineage(coordinator) -> None:
    from opendti.results.years import unit_years

    html = coordinator.get("/ky/2025-communes/ket-qua/don-vi/xa-tan-lap/").content.decode()
    years = unit_years(period=Period.objects.get(code="2025-communes"), unit_code="xa-tan-lap")
    before, now = years.columns
    assert now.via == "same" and now.units == ("xa-tan-lap",)
    assert before.via == "lineage" and set(before.units) == {"xa-tan-tien", "xa-lap-thanh"}
    assert 'id="scorecard-years"' in html
    assert "trung bình của UBND xã Tân Tiến và UBND xã Lập Thành (trước sáp nhập)" in html or (
        "trung bình của UBND xã Lập Thành và UBND xã Tân Tiến (trước sáp nhập)" in html
    )
    assert "không so sánh được" in html  # 3.2 changed its tiers between the versions
    # The trend chart follows the merged commune back through its predecessors' mean.
    assert 'id="chart-trend"' in html
    assert f'"{before.total}"' in html.split('id="chart-trend-data"', 1)[1][:2000]
