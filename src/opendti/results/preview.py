"""Scores of one unit's submission as it stands, or as it would stand with unsaved values: the
live preview of the workspace. Nothing is written; the unit is scored among all the period's
units, so relative rules and ranks are the real ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from opendti.periods.models import Period
from opendti.scoring.model import Assessment, PeriodResult
from opendti.workbook.validate import TypedWorkbook, ValueRow

from . import source
from .overrides import Overrides, engine_changes
from .selectors import Rows, period_typed, typed_parsed

__all__ = ["Overrides", "edited_preview", "rows_with_overrides", "typed_with_overrides"]


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
    """The period's results with one unit's unsaved inputs in place of its saved ones.

    The keystroke path: the settled results of the current revision are read from the store
    (computed once for every reader), and only what the edit changes is scored again
    (scoring.incremental: the unit's leaves and parents, a relative rule's column, ranks and
    averages), which equals scoring the whole period again. Overrides the engine's input cannot
    take as they are (an input the rule does not read, a value its type refuses) go the full way,
    so the workbook's checks name what is wrong exactly as before."""
    base = source.settled(period)
    return edited_preview(
        base.assessment,
        base.result,
        unit_code,
        overrides or {},
        full=lambda: source.score_parsed(
            typed_parsed(typed_with_overrides(period_typed(period), unit_code, overrides or {}))
        ),
    )


def edited_preview(
    assessment: Assessment,
    result: PeriodResult,
    unit_code: str,
    overrides: Overrides,
    *,
    full: Callable[[], tuple[Assessment, PeriodResult]],
) -> tuple[Assessment, PeriodResult]:
    """`result` (of `assessment`) with the unit's overrides in place: edited incrementally, or
    `full()` where the overrides cannot be read as the engine's values as they are."""
    if not overrides:
        return assessment, result
    changes = engine_changes(assessment, overrides)
    if changes is None or not any(u.code == unit_code for u in assessment.units):
        return full()
    return source.edit(assessment, result, unit_code, changes)
