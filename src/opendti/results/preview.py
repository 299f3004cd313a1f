"""Scores of one unit's submission as it stands, or as it would stand with unsaved values: the
live preview of the workspace. Nothing is written; the unit is scored among all the period's
units, so relative rules and ranks are the real ones.
"""

from __future__ import annotations

from collections.abc import Mapping

from opendti.periods.models import Period
from opendti.scoring.model import Assessment, PeriodResult

from .selectors import Rows, period_rows
from .source import score_rows

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


def unit_preview(
    *, period: Period, unit_code: str, overrides: Overrides | None = None
) -> tuple[Assessment, PeriodResult]:
    rows = period_rows(period)
    if overrides:
        rows = rows_with_overrides(rows, unit_code, overrides)
    return score_rows(rows)
