"""Results computed from the database equal the published tables and are stored verifiably."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from opendti.results.exchange import period_import_workbook
from opendti.results.services import period_recompute
from opendti.scoring import ENGINE_VERSION
from tests.results.fresh import period_score

pytestmark = pytest.mark.django_db


def test_departments_from_database_match_table_1(workbooks: Path, published: Path) -> None:
    period = period_import_workbook(path=workbooks / "daknong-2023-departments", code="dn-dep")
    _, result = period_score(period=period)
    rows = list(
        csv.DictReader(
            (published / "daknong-2023" / "table1_departments.csv").open(encoding="utf-8")
        )
    )
    by_name = {u.name: u for u in result.units}
    for row in rows[:-1]:
        unit = by_name[row["unit"]]
        assert (unit.total, unit.rank, unit.band) == (
            Decimal(row["total"]),
            int(row["rank"]),
            row["band"],
        )
    assert abs(result.averages.total - Decimal(rows[-1]["total"])) <= Decimal("0.01")
    assert result.findings == ()


def test_recompute_keeps_engine_version_and_input_hash(workbooks: Path) -> None:
    period = period_import_workbook(path=workbooks / "daknong-2023-districts", code="dn-dis")
    first = period_recompute(period=period)
    second = period_recompute(period=period)
    assert first.engine_version == ENGINE_VERSION
    assert len(first.inputs_hash) == 64 and first.inputs_hash == second.inputs_hash
    assert first.document["units"][0]["total"] == "685.21"
    score = period.participations.get(unit__code="dak-song").submission.given_scores.get(
        target="the_che_so"
    )
    score.score = Decimal("80")
    score.save()
    third = period_recompute(period=period)
    assert third.inputs_hash != first.inputs_hash
    assert third.document["units"][0]["total"] == "675.21"
