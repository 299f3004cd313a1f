"""The quarters of a year side by side with the year (Bắc Kạn, decision 1294: each quarter is
assessed and published by the Department; the year is approved by the province).

A period's year series: the quarterly periods of its year and assessed level, Q1 to Q4, then the
annual period(s) of that year and level. Each column is read as the asking person may see it (a
higher layer passes `read`, which returns None for a period they may not see; that column is
left out). Every number is the engine's: a unit's total, % of its applicable max, band, and each
main index's score where the column's framework has that main index with the same maximum
(otherwise the cell says it is not comparable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from opendti.periods.models import Period
from opendti.scoring.model import PeriodResult, UnitResult
from opendti.workbook.parse import ParsedWorkbook

Read = Callable[[Period], "tuple[ParsedWorkbook, PeriodResult] | None"]


@dataclass(frozen=True)
class QuarterColumn:
    period: str  # the period's code
    label: str  # "Quý 1", …, "Cả năm"
    quarter: int | None  # None: the year


@dataclass(frozen=True)
class QuarterCell:
    value: Decimal | None
    comparable: bool = True


@dataclass(frozen=True)
class QuarterRow:
    code: str  # "total", "percent", "band" or a main index's code
    name: str
    cells: tuple[QuarterCell, ...]
    texts: tuple[str, ...] = ()  # the band row: labels instead of numbers


@dataclass(frozen=True)
class UnitQuarters:
    unit: str
    columns: tuple[QuarterColumn, ...]
    rows: tuple[QuarterRow, ...]


@dataclass(frozen=True)
class RankingQuarters:
    columns: tuple[QuarterColumn, ...]
    totals: dict[str, tuple[Decimal | None, ...]]  # unit code -> total per column
    bands: dict[str, tuple[str, ...]]  # unit code -> band per column ("" when none)


def year_series(period: Period) -> list[Period]:
    """The quarters of the period's year and level (Q1..Q4), then its annual period(s); empty
    when the year has no quarterly period (nothing to compare)."""
    same = list(
        Period.objects.filter(year=period.year, framework__level_id=period.framework.level_id)
        .select_related("framework__level")
        .order_by("code")
    )
    quarters = sorted(
        (p for p in same if p.cadence == Period.Cadence.QUARTERLY and p.quarter),
        key=lambda p: (p.quarter, p.code),
    )
    if not quarters:
        return []
    return quarters + [p for p in same if p.cadence == Period.Cadence.ANNUAL]


def _column(period: Period) -> QuarterColumn:
    if period.quarter:
        return QuarterColumn(period.code, _("Quý %(n)d") % {"n": period.quarter}, period.quarter)
    return QuarterColumn(period.code, _("Cả năm"), None)


def _read_series(period: Period, read: Read) -> list[tuple[Period, ParsedWorkbook, PeriodResult]]:
    found = []
    for member in year_series(period):
        loaded = read(member)
        if loaded is not None:
            found.append((member, *loaded))
    return found


def unit_quarters(*, period: Period, unit_code: str, read: Read) -> UnitQuarters | None:
    """The unit's total, % of max, band and main indices in each quarter and the year; None
    when there is nothing to compare (no quarter, or a single column)."""
    loaded = _read_series(period, read)
    if len(loaded) < 2:
        return None
    here = next((parsed for p, parsed, _r in loaded if p.pk == period.pk), loaded[-1][1])
    mains = [n for n in here.assessment.framework.nodes if n.kind == "main"]
    columns = tuple(_column(p) for p, _parsed, _r in loaded)
    units: list[UnitResult | None] = []
    maxima = []
    for _p, parsed, result in loaded:
        try:
            units.append(result.unit(unit_code))
        except KeyError:
            units.append(None)
        maxima.append({n.code: n.max_points for n in parsed.assessment.framework.nodes})
    rows = [
        QuarterRow(
            "total", _("Tổng điểm"), tuple(QuarterCell(u.total if u else None) for u in units)
        ),
        QuarterRow(
            "percent",
            _("% điểm tối đa"),
            tuple(QuarterCell(u.percent if u else None) for u in units),
        ),
        QuarterRow(
            "band",
            _("Mức xếp loại"),
            tuple(QuarterCell(None) for _u in units),
            tuple((u.band or "") if u else "" for u in units),
        ),
    ]
    for node in mains:
        cells = []
        for unit, maximum in zip(units, maxima, strict=True):
            if maximum.get(node.code) != node.max_points:
                cells.append(QuarterCell(None, comparable=False))
            else:
                cells.append(QuarterCell(unit.nodes.get(node.code) if unit else None))
        rows.append(QuarterRow(node.code, node.name, tuple(cells)))
    return UnitQuarters(unit=unit_code, columns=columns, rows=tuple(rows))


def ranking_quarters(*, period: Period, read: Read) -> RankingQuarters | None:
    """Every unit's total and band in each quarter and the year; None when there is nothing to
    compare."""
    loaded = _read_series(period, read)
    if len(loaded) < 2:
        return None
    by_column = [{u.code: u for u in result.units} for _p, _parsed, result in loaded]
    codes = {code for units in by_column for code in units}
    totals = {
        code: tuple(units[code].total if code in units else None for units in by_column)
        for code in codes
    }
    bands = {
        code: tuple((units[code].band or "") if code in units else "" for units in by_column)
        for code in codes
    }
    return RankingQuarters(
        columns=tuple(_column(p) for p, _parsed, _r in loaded), totals=totals, bands=bands
    )
