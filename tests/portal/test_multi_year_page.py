"""The results page's chart of each group's average across the years (results.multi_year)."""

from __future__ import annotations

import json

import pytest

from opendti.periods.models import Period
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db


def test_the_ranking_page_draws_the_averages_across_the_years(coordinator) -> None:
    html = coordinator.get("/ky/2025-communes/ket-qua/").content.decode()
    figure = html.split('id="chart-multi-year"', 1)[1].split("</figure>", 1)[0]
    data = json.loads(figure.split('id="chart-multi-year-data" type="application/json">', 1)[1]
                      .split("</script>", 1)[0])  # fmt: skip
    assert data["labels"] == ["2024", "2025"]
    averages = {d["label"]: d["values"] for d in data["datasets"]}
    for code, name in (("xa", "Xã"), ("phuong", "Phường")):
        expected = [
            str(period_score(period=Period.objects.get(code=c))[1].group_averages[code].total)
            for c in ("2024-communes", "2025-communes")
        ]
        assert averages[name] == expected
