"""The results page's "So với năm trước" section: the same statistics and sentences as
results.year_on_year gives for the period against its previous one (issue 16, part 1)."""

from __future__ import annotations

import html as html_lib
import json

import pytest

from opendti.periods.models import Period
from opendti.results.demo import OPEN_PERIOD
from opendti.results.services import year_on_year_groups
from tests.results.fresh import period_scores

pytestmark = pytest.mark.django_db


def test_results_page_states_the_change_against_the_previous_year(coordinator) -> None:
    period = Period.objects.get(code=OPEN_PERIOD)
    groups = year_on_year_groups(period=period, scores=period_scores(period=period))
    assert groups  # the demo's open period names the 2025 period as its previous one
    page = coordinator.get(f"/ky/{OPEN_PERIOD}/ket-qua/").content.decode()
    section = page.split('id="so-voi-nam-truoc"', 1)[1].split("</section>", 1)[0]
    assert "So với năm trước" in page
    for group, sentences in groups:
        assert sentences and sentences[0].startswith("Điểm trung bình của ")
        for sentence in sentences:
            assert html_lib.escape(sentence) in section
        assert sum(n for _, _, n in group.transitions) + len(group.new_units) == group.units
    # The two years' averages as a chart, its table holding the same numbers.
    assert 'id="chart-year-on-year"' in section
    data = page.split('id="chart-year-on-year-data" type="application/json">', 1)[1].split(
        "</script>", 1
    )[0]
    chart = json.loads(data)
    assert chart["datasets"][1]["values"] == [str(g.average) for g, _s in groups]
    assert chart["datasets"][0]["values"] == [str(g.previous_average) for g, _s in groups]


def test_a_period_without_a_previous_one_has_no_such_section(coordinator) -> None:
    period = Period.objects.filter(previous__isnull=True).order_by("code").first()
    assert period is not None
    assert year_on_year_groups(period=period, scores=period_scores(period=period)) is None
    page = coordinator.get(f"/ky/{period.code}/ket-qua/").content.decode()
    assert 'id="so-voi-nam-truoc"' not in page
