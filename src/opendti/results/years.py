"""A unit's results across years, comparing only what is comparable.

Walks `Period.previous` back from a period. Each earlier year shows the unit's total — its own,
or, for a unit that did not exist yet, the mean of its predecessors' totals (the unit's lineage
as the later period states it), said so — and, for each main index and component indicator of
the current framework, the value of its counterpart that year, followed through the framework
versions one year at a time (`frameworks.mapping.node_correspondence`). A link that is not
comparable ends the comparison of that node, with the reason. Every number is the engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from opendti.frameworks.mapping import node_correspondence
from opendti.periods.models import Period
from opendti.scoring.model import PeriodResult
from opendti.scoring.rounding import quantize
from opendti.workbook.parse import ParsedWorkbook

from . import source

ROW_KINDS = ("main", "component")
YearRead = Callable[[Period], "tuple[ParsedWorkbook, PeriodResult] | None"]


@dataclass(frozen=True)
class YearColumn:
    period: str  # the period's code
    label: str
    year: int
    total: Decimal | None
    via: str  # "same" (the unit itself), "lineage" (mean of predecessors) or "none"
    units: tuple[str, ...]  # the units whose results the column shows
    names: tuple[str, ...]

    @property
    def joined_names(self) -> str:
        """The units' names as a sentence: "A và B", "A, B và C"."""
        return str(get_text_list(list(self.names), _("và")))


@dataclass(frozen=True)
class YearCell:
    value: Decimal | None
    comparable: bool
    reason: str  # why not comparable; for a comparable cell, a mapping's note (or "")
    sources: tuple[str, ...]  # the node code(s) that year


@dataclass(frozen=True)
class YearRow:
    code: str
    name: str
    kind: str
    cells: tuple[YearCell, ...]  # one per column


@dataclass(frozen=True)
class UnitYears:
    unit: str
    name: str
    columns: tuple[YearColumn, ...]  # oldest first; the period asked for is the last
    rows: tuple[YearRow, ...]

    @property
    def lineage(self) -> tuple[YearColumn, ...]:
        return tuple(c for c in self.columns if c.via == "lineage")


def _chain(period: Period, depth: int) -> list[Period]:
    """The period and up to `depth` periods before it, newest first (a cycle ends the walk)."""
    chain = [period]
    seen = {period.pk}
    while len(chain) <= depth and chain[-1].previous_id and chain[-1].previous_id not in seen:
        earlier = Period.objects.select_related("framework__level").get(pk=chain[-1].previous_id)
        chain.append(earlier)
        seen.add(earlier.pk)
    return chain


def _follow(
    tracked: Sequence[str], result: PeriodResult, predecessors: Mapping[str, Sequence[str]]
) -> list[str]:
    """The units of an earlier year that stand for `tracked` (the later year's units)."""
    present = {u.code for u in result.units}
    found: list[str] = []
    for code in tracked:
        if code in present:
            found.append(code)
        else:
            found += [p for p in predecessors.get(code, ()) if p in present and p not in found]
    return found


def _mean(values: list[Decimal], decimals: int) -> Decimal | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return quantize(sum(values, Decimal(0)) / len(values), decimals)


def _live(period: Period) -> tuple[ParsedWorkbook, PeriodResult]:
    computed = source.settled(period)
    return computed.parsed, computed.result


def unit_years(
    *, period: Period, unit_code: str, depth: int = 4, read: YearRead | None = None
) -> UnitYears:
    """The unit's total and comparable node values in `period` and up to `depth` years before.

    `read` gives a year's parsed input and result (default: computed from the live tables); a
    higher layer passes one that reads approved snapshots, and returns None for a year the user
    may not see, which ends the comparison there. Raises KeyError when the unit is not in
    `period`. Queries: a fixed number per period.
    """
    read = read or _live
    chain = _chain(period, depth)
    loaded = []
    for year in chain:
        found = read(year)
        if found is None:
            break
        loaded.append(found)
    chain = chain[: len(loaded)]
    parsed = [p for p, _ in loaded]
    results = [r for _, r in loaded]
    unit = results[0].unit(unit_code)
    nodes = [n for n in parsed[0].assessment.framework.nodes if n.kind in ROW_KINDS]

    # Per node: its code(s) in the year being built, or the reason the chain broke.
    codes: dict[str, tuple[str, ...]] = {n.code: (n.code,) for n in nodes}
    broken: dict[str, str] = {}
    notes: dict[str, str] = {}
    tracked = [unit_code]
    columns: list[YearColumn] = []
    cells: dict[str, list[YearCell]] = {n.code: [] for n in nodes}
    for k, (year, result) in enumerate(zip(chain, results, strict=True)):
        if k > 0:
            tracked = _follow(tracked, result, parsed[k - 1].predecessors)
            correspondence = node_correspondence(year.framework, chain[k - 1].framework)
            for node in nodes:
                if node.code in broken:
                    continue
                links = [correspondence[c] for c in codes[node.code]]
                failed = [link for link in links if not link.comparable]
                if failed:
                    broken[node.code] = "; ".join(link.reason for link in failed)
                    continue
                codes[node.code] = tuple(s for link in links for s in link.sources)
                notes[node.code] = "; ".join(
                    filter(None, [notes.get(node.code, "")] + [link.reason for link in links])
                )
        units = [result.unit(c) for c in tracked]
        via = "none" if not units else "same" if tracked == [unit_code] else "lineage"
        columns.append(
            YearColumn(
                period=year.code,
                label=year.label or str(year.year),
                year=year.year,
                total=_mean([u.total for u in units], year.decimals),
                via=via,
                units=tuple(tracked),
                names=tuple(u.name for u in units),
            )
        )
        for node in nodes:
            if node.code in broken:
                cells[node.code].append(YearCell(None, False, broken[node.code], ()))
                continue
            sources = codes[node.code]
            values = []
            for u in units:
                parts = [u.nodes.get(s) for s in sources]
                if parts and all(p is not None for p in parts):
                    values.append(sum((p for p in parts if p is not None), Decimal(0)))
            cells[node.code].append(
                YearCell(_mean(values, year.decimals), True, notes.get(node.code, ""), sources)
            )
    order = slice(None, None, -1)  # oldest first
    return UnitYears(
        unit=unit.code,
        name=unit.name,
        columns=tuple(columns[order]),
        rows=tuple(YearRow(n.code, n.name, n.kind, tuple(cells[n.code][order])) for n in nodes),
    )
