"""The appraised sheet: scores the appraisal settled for leaves replace the computed ones."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from opendti.scoring import score_period
from opendti.workbook import WorkbookError, parse_workbook, read_workbook

from .tiny import Sheets, tiny_sheets, write_sheets


def with_appraised(*rows: list[str]) -> Sheets:
    sheets = tiny_sheets()
    sheets["appraised"] = [["unit", "indicator", "score"], *rows]
    return sheets


def scored(tmp_path: Path, sheets: Sheets):
    parsed = parse_workbook(read_workbook(write_sheets(tmp_path / "book", sheets)))
    return parsed.assessment, score_period(parsed.assessment)


def test_an_appraised_score_replaces_the_leaf_and_the_parents_follow(tmp_path: Path) -> None:
    _, before = scored(tmp_path / "a", tiny_sheets())
    assessment, after = scored(tmp_path / "b", with_appraised(["u2", "A2", "7.5"]))
    assert assessment.appraised == {"A2": {"u2": Decimal("7.5")}}
    u2_before, u2_after = before.units[1], after.units[1]
    assert u2_before.nodes["A2"] == 0 and u2_after.nodes["A2"] == Decimal("7.5")
    assert u2_after.nodes["A"] == u2_before.nodes["A"] + Decimal("7.5")  # parents sum exactly
    assert u2_after.total == u2_before.total + Decimal("7.5")
    assert u2_after.total == sum(u2_after.nodes[c] for c in ("A", "B"))
    # Other units and leaves are untouched; ranks follow the new totals.
    assert after.units[0].nodes == before.units[0].nodes
    assert after.units[1].rank == 2


def test_an_appraised_manual_leaf_wins_over_the_given_value(tmp_path: Path) -> None:
    _, after = scored(tmp_path, with_appraised(["u1", "B", "3"]))
    assert after.units[0].nodes["B"] == Decimal(3)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["zz", "A2", "1"], "'zz' is not a unit"),
        (["u1", "A", "1"], "'A' is not a component indicator"),
        (["u1", "A2", "11"], "outside [0, 10]"),
        (["u1", "A2", "-1"], "outside [0, 10]"),
        (["u1", "A2", "1.005"], "more than 2 decimals"),
        (["u1", "A2", "abc"], "not a number"),
    ],
)
def test_bad_appraised_rows_are_refused_with_their_place(
    tmp_path: Path, row: list[str], message: str
) -> None:
    with pytest.raises(WorkbookError) as caught:
        scored(tmp_path, with_appraised(row))
    errors = [str(e) for e in caught.value.errors]
    assert any(e.startswith("appraised, row 2") and message in e for e in errors), errors


def test_a_score_given_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError) as caught:
        scored(tmp_path, with_appraised(["u1", "A2", "1"], ["u1", "A2", "2"]))
    assert any("given twice" in str(e) for e in caught.value.errors)
