"""Change against a previous period, following units through lineage (merged from / split into).

A unit present in both periods is compared with itself. A unit merged from several predecessors
is compared with the mean of their totals, as the national DTI 2024 compared merged provinces; a
unit split from a predecessor is compared with that predecessor. The method is stated per unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .model import PeriodResult
from .rounding import quantize


@dataclass(frozen=True)
class UnitChange:
    unit: str
    previous_total: Decimal | None
    total: Decimal
    change: Decimal | None
    previous_percent: Decimal | None
    percent_change: Decimal | None
    via: str  # "same", "lineage" (mean of predecessors) or "none"
    predecessors: tuple[str, ...]


@dataclass(frozen=True)
class PeriodChange:
    units: tuple[UnitChange, ...]
    average_change: Decimal | None
    most_improved: tuple[str, ...]


def compare_periods(
    current: PeriodResult,
    previous: PeriodResult,
    predecessors: Mapping[str, Sequence[str]] | None = None,
    decimals: int = 2,
) -> PeriodChange:
    before = {unit.code: unit for unit in previous.units}
    lineage = predecessors or {}
    changes: list[UnitChange] = []
    for unit in current.units:
        if unit.code in before:
            sources: tuple[str, ...] = (unit.code,)
            via = "same"
        else:
            sources = tuple(code for code in lineage.get(unit.code, ()) if code in before)
            via = "lineage" if sources else "none"
        if sources:
            prev_total = quantize(
                sum((before[c].total for c in sources), Decimal(0)) / len(sources), decimals
            )
            prev_percent = quantize(
                sum((before[c].percent for c in sources), Decimal(0)) / len(sources), decimals
            )
            changes.append(
                UnitChange(
                    unit.code,
                    prev_total,
                    unit.total,
                    unit.total - prev_total,
                    prev_percent,
                    unit.percent - prev_percent,
                    via,
                    sources,
                )
            )
        else:
            changes.append(UnitChange(unit.code, None, unit.total, None, None, None, via, ()))
    average_change = None
    if current.averages.total is not None and previous.averages.total is not None:
        average_change = current.averages.total - previous.averages.total
    compared = [c for c in changes if c.change is not None]
    best = max((c.change for c in compared if c.change is not None), default=None)
    most_improved = tuple(c.unit for c in compared if best is not None and c.change == best)
    return PeriodChange(tuple(changes), average_change, most_improved)
