"""Scores of one unit's submission as it stands, or as it would stand with unsaved values: the
live preview of the workspace. Nothing is written; the unit is scored among all the period's
units, so relative rules and ranks are the real ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from opendti.periods.models import Period
from opendti.scoring import score_period
from opendti.scoring.model import Assessment, PeriodResult
from opendti.workbook.validate import TypedWorkbook, ValueRow

from .selectors import Rows, period_typed, typed_parsed

# indicator code -> input name -> canonical value ('' = none)
Overrides = Mapping[str, Mapping[str, str]]


def rows_with_overrides(rows: Rows, unit_code: str, overrides: Overrides) -> Rows:
    """The rows with one unit's inputs of the given indicators replaced (the what-if)."""
    kept = [
        row
        for row in rows["values"]
        if not (row["unit"] == unit_code and row["indicator"] in overrides)
    ]
    for code, values in overrides.items():
        kept.extend(
            {"unit": unit_code, "indicator": code, "input": name, "value": value}
            for name, value in values.items()
            if value != ""
        )
    return {**rows, "values": kept}


def typed_with_overrides(
    typed: TypedWorkbook, unit_code: str, overrides: Overrides
) -> TypedWorkbook:
    """The typed rows with one unit's inputs of the given indicators replaced (as
    `rows_with_overrides` does to the text rows)."""
    kept: list[ValueRow] = [
        row for row in typed.values if not (row[0] == unit_code and row[1] in overrides)
    ]
    kept.extend(
        (unit_code, code, name, value)
        for code, values in overrides.items()
        for name, value in values.items()
        if value != ""
    )
    return replace(typed, values=kept)


def unit_preview(
    *, period: Period, unit_code: str, overrides: Overrides | None = None
) -> tuple[Assessment, PeriodResult]:
    typed = period_typed(period)
    if overrides:
        typed = typed_with_overrides(typed, unit_code, overrides)
    assessment = typed_parsed(typed).assessment
    return assessment, score_period(assessment)
