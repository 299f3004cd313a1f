"""The open data's targets and component levels (publication/open_data.py): the same numbers as
the pages' services, for a published period."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opendti.periods.models import Period
from opendti.results.levels import classify
from opendti.results.models import LevelThresholds, Target
from tests.results.fresh import snapshot_scores

from .test_open_data import read_json, snapshot_of, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

CODE = "2024-communes"


def test_targets_and_levels_in_the_json(world) -> None:  # noqa: F811
    period = Period.objects.get(code=CODE)
    result = snapshot_scores(snapshot_of(CODE)).result
    unit = result.units[0]
    # Set before publication (the console refuses once published); made directly here.
    Target.objects.create(period=period, scope="unit", subject=unit.code, node="",
                          measure="points", value=unit.total + 1)  # fmt: skip
    LevelThresholds.objects.create(period=period, good=Decimal(75), fair=Decimal(40))
    document = read_json(world.public, CODE)
    (line,) = document["targets"]
    assert line["unit"] == unit.code and line["node"] is None and line["measure"] == "points"
    assert line["reached"] is False and Decimal(line["short"]) == 1
    assert Decimal(line["actual"]) == unit.total
    levels = document["component_levels"]
    assert levels["thresholds"] == {"good": "75", "fair": "40"}
    scores = snapshot_scores(snapshot_of(CODE))
    expected = classify(scores.assessment, scores.result, None)
    assert sum(levels["units"][unit.code].values()) == expected.units[unit.code].total
