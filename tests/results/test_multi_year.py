"""Each group's average across the years (results.multi_year): the `previous` chain, as far as
the reader may read, oldest first, with the results' own averages."""

from __future__ import annotations

import json

import pytest

from opendti.periods.models import Period
from opendti.results.charts import multi_year_chart
from opendti.results.demo import OPEN_PERIOD, demo_load
from opendti.results.multi_year import group_averages
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db


def _result(code: str):
    return period_score(period=Period.objects.get(code=code))[1]


def test_every_year_of_the_chain_oldest_first() -> None:
    demo_load()
    period = Period.objects.get(code=OPEN_PERIOD)  # 2026, after 2025, after 2024
    years = group_averages(period, _result(OPEN_PERIOD), lambda p: _result(p.code))
    assert years.codes == ("2024-communes", "2025-communes", OPEN_PERIOD)
    assert [code for code, _name in years.groups] == ["phuong", "xa"]
    for index, code in enumerate(years.codes):
        result = _result(code)
        for group, _name in years.groups:
            assert years.averages[group][index] == result.group_averages[group].total
    chart = multi_year_chart(years)
    assert chart["labels"] == list(years.labels)
    assert [d["label"] for d in chart["datasets"]] == ["Phường", "Xã"]
    json.dumps(chart)  # numbers travel as text


def test_a_year_the_reader_may_not_see_ends_the_series() -> None:
    demo_load()
    period = Period.objects.get(code=OPEN_PERIOD)

    def read(p):
        return None if p.code == "2024-communes" else _result(p.code)

    years = group_averages(period, _result(OPEN_PERIOD), read)
    assert years.codes == ("2025-communes", OPEN_PERIOD)
