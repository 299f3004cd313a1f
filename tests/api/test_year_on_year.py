"""Year on year through the API: the same statistics as the results page, the open data and the
report (results.services.scores_year_on_year), read as the results themselves are."""

from __future__ import annotations

import pytest

from opendti.periods.models import Period
from opendti.results.services import scores_year_on_year
from opendti.results.year_on_year import group_sentences
from tests.results.fresh import period_scores

from .conftest import API, client_for

pytestmark = pytest.mark.django_db


def test_the_statistics_match_the_service(world) -> None:
    period = Period.objects.get(code="2025-communes")
    expected = scores_year_on_year(period=period, scores=period_scores(period=period))
    assert expected is not None
    response = client_for("dieuphoi").get(f"{API}periods/2025-communes/year-on-year/")
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == "2025-communes" and body["previous_period"] == "2024-communes"
    assert [g["group"] for g in body["groups"]] == [g.group for g in expected.groups]
    for got, want in zip(body["groups"], expected.groups, strict=True):
        assert got["average"] == str(want.average)
        assert got["previous_average"] == str(want.previous_average)
        assert got["change"] == str(want.change)
        # Exact: the previous average plus the change is this year's average.
        assert want.previous_average + want.change == want.average
        assert got["units"] == want.units
        assert sum(t["count"] for t in got["transitions"]) == sum(
            n for _a, _b, n in want.transitions
        )
        assert got["band_counts"] == dict(want.band_counts)
        assert got["sentences"] == group_sentences(want)
    # The averages across the years: 2024 then 2025, each the results' own.
    assert [y["period"] for y in body["years"]] == ["2024-communes", "2025-communes"]
    current = period_scores(period=period).result
    assert body["years"][1]["averages"] == {
        code: str(current.group_averages[code].total) for code in ("phuong", "xa")
    }


def test_without_a_previous_period_the_groups_are_empty(world) -> None:
    response = client_for("dieuphoi").get(f"{API}periods/2024-communes/year-on-year/")
    assert response.status_code == 200
    body = response.json()
    assert (body["previous_period"], body["groups"]) == (None, [])
    assert [y["period"] for y in body["years"]] == ["2024-communes"]


def test_read_as_the_results_are(world) -> None:
    url = f"{API}periods/2025-communes/year-on-year/"
    assert client_for(None).get(url).status_code == 401  # not published: log in
    assert client_for("daumoi").get(url).status_code == 404  # a unit's focal point
    assert client_for("pheduyet").get(url).status_code == 200
