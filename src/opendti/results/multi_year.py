"""Each ranking group's average across the years (issue 16, part 1: "a multi-year chart of
averages per group"): the period, the one it names as `previous`, that one's previous, and so on,
as far as the reader may see (a year they may not see ends the series, as in results.years).

The reading is the caller's (`read`: the period's results as this reader may read them, or None),
so the portal, the open data and the report each read as they must. Groups are the current
period's, by code; a year without a group has no value there (a gap, not a zero)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from opendti.periods.models import Period
from opendti.periods.names import group_names
from opendti.scoring.model import PeriodResult

MAX_YEARS = 20  # a chain longer than this is a loop in `previous`, or more than a chart can show

Read = Callable[[Period], PeriodResult | None]


@dataclass(frozen=True)
class Years:
    labels: tuple[str, ...]  # the periods, oldest first
    codes: tuple[str, ...]
    groups: tuple[tuple[str, str], ...]  # (code, name) of the current period's groups; ("", …)
    averages: dict[str, tuple[Decimal | None, ...]]  # group code -> average per period


def label_of(period: Period) -> str:
    return period.label or str(period.year)


def chain(period: Period, result: PeriodResult, read: Read) -> list[tuple[Period, PeriodResult]]:
    """The period and its predecessors through `previous`, oldest first, while readable."""
    found = [(period, result)]
    seen = {period.pk}
    current = period
    while current.previous_id is not None and len(found) < MAX_YEARS:
        if current.previous_id in seen:
            break
        previous = Period.objects.select_related("framework__level").get(pk=current.previous_id)
        earlier = read(previous)
        if earlier is None:
            break
        found.append((previous, earlier))
        seen.add(previous.pk)
        current = previous
    return found[::-1]


def group_averages(period: Period, result: PeriodResult, read: Read) -> Years:
    years = chain(period, result, read)
    present = sorted({u.group for u in result.units if u.group})
    names = group_names(period, present)
    groups = tuple((code, names[code]) for code in present) or (("", ""),)
    averages: dict[str, tuple[Decimal | None, ...]] = {}
    for code, _name in groups:
        values = []
        for _period, found in years:
            if code:
                group = found.group_averages.get(code)
                values.append(group.total if group is not None else None)
            else:
                values.append(found.averages.total)
        averages[code] = tuple(values)
    return Years(
        labels=tuple(label_of(p) for p, _r in years),
        codes=tuple(p.code for p, _r in years),
        groups=groups,
        averages=averages,
    )
