"""Year-on-year statistics as provinces publish them (issue 16, part 1).

From a period's results, its previous period's results and the change between them as
`scoring.compare.compare_periods` states it (the one way of following units into the previous
period: the same code, else the lineage's predecessors), per ranking group: the average this year
and last with its change in points and in percent, the band counts of both years and the moves
from band to band, the most and least improved units (ties listed), the units that changed band;
then the sentences a province writes from those numbers ("Điểm trung bình của nhóm … tăng … điểm
so với năm trước (tăng …%)", "từ 9/20 đơn vị đạt loại Khá lên 19/20", "… tăng nhiều nhất …").

Pure: no queries. Exact Decimal: a change is the difference of the two stated averages, so the
previous average plus the change is the current average, and the transition counts of a group add
up to its units (new units and units gone are counted apart, not left out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.scoring.compare import PeriodChange, UnitChange
from opendti.scoring.model import Averages, PeriodResult

PERCENT_DECIMALS = 1  # provinces write the percent change with one decimal ("tăng 10,2%")


@dataclass(frozen=True)
class UnitMove:
    unit: str
    name: str
    previous_total: Decimal | None
    total: Decimal
    change: Decimal | None
    previous_band: str | None
    band: str | None
    via: str  # as UnitChange.via: "same", "lineage" or "none"


@dataclass(frozen=True)
class GroupYearOnYear:
    group: str  # "" for a period without ranking groups
    name: str
    previous_average: Decimal | None
    average: Decimal | None
    change: Decimal | None
    percent_change: Decimal | None  # of the previous average, one decimal; None from a zero
    units: int
    previous_units: int
    band_counts: tuple[tuple[str, int], ...]  # (band, count) this year, highest band first
    previous_band_counts: tuple[tuple[str, int], ...]
    transitions: tuple[tuple[str, str, int], ...]  # (from band, to band, count), units in both
    new_units: tuple[str, ...]  # names: no unit of the same code last year (lineage or none)
    gone_units: tuple[str, ...]  # names: last year's units not in this year's group
    most_improved: tuple[str, ...]  # names, ties listed
    most_change: Decimal | None
    least_improved: tuple[str, ...]
    least_change: Decimal | None
    band_changes: tuple[UnitMove, ...]  # units present both years whose band changed
    moves: tuple[UnitMove, ...]  # every unit of the group, in the current period's order


@dataclass(frozen=True)
class YearOnYear:
    groups: tuple[GroupYearOnYear, ...]


def _percent(change: Decimal, previous: Decimal) -> Decimal | None:
    if previous == 0:
        return None
    step = Decimal(1).scaleb(-PERCENT_DECIMALS)
    return (change * 100 / previous).quantize(step, rounding=ROUND_HALF_UP)


def _average(result: PeriodResult, group: str) -> Averages:
    return result.group_averages.get(group, result.averages) if group else result.averages


def _counts(bands: Sequence[str], found: Sequence[str | None]) -> tuple[tuple[str, int], ...]:
    order = list(bands) + sorted({b for b in found if b is not None and b not in bands})
    return tuple((band, sum(1 for b in found if b == band)) for band in order)


def year_on_year(
    current: PeriodResult,
    previous: PeriodResult,
    change: PeriodChange,
    *,
    bands: Sequence[str] = (),
    group_names: Mapping[str, str] | None = None,
) -> YearOnYear:
    """The statistics per ranking group. `bands`: the total band labels, highest first;
    `group_names`: code -> name (a group without one is named by its code)."""
    names = group_names or {}
    before = {u.code: u for u in previous.units}
    changes: dict[str, UnitChange] = {c.unit: c for c in change.units}
    codes = list(dict.fromkeys(u.group for u in current.units))
    groups = []
    for code in codes:
        members = [u for u in current.units if u.group == code]
        last = [u for u in previous.units if u.group == code]
        now_avg, last_avg = _average(current, code).total, _average(previous, code).total
        diff = now_avg - last_avg if now_avg is not None and last_avg is not None else None
        moves = []
        for unit in members:
            c = changes.get(unit.code)
            same = before.get(unit.code)
            moves.append(
                UnitMove(
                    unit=unit.code,
                    name=unit.name,
                    previous_total=c.previous_total if c else None,
                    total=unit.total,
                    change=c.change if c else None,
                    previous_band=same.band if same is not None else None,
                    band=unit.band,
                    via=c.via if c else "none",
                )
            )
        both = [m for m in moves if m.unit in before]
        pairs: dict[tuple[str, str], int] = {}
        for m in both:
            key = (m.previous_band or "", m.band or "")
            pairs[key] = pairs.get(key, 0) + 1
        rank = {b: i for i, b in enumerate(bands)}
        transitions = tuple(
            (a, b, n)
            for (a, b), n in sorted(
                pairs.items(), key=lambda p: (rank.get(p[0][0], 99), rank.get(p[0][1], 99), p[0])
            )
        )
        compared = [m for m in moves if m.change is not None]
        best = max((m.change for m in compared if m.change is not None), default=None)
        worst = min((m.change for m in compared if m.change is not None), default=None)
        present = {u.code for u in members}
        groups.append(
            GroupYearOnYear(
                group=code,
                name=names.get(code) or code,
                previous_average=last_avg,
                average=now_avg,
                change=diff,
                percent_change=_percent(diff, last_avg)
                if diff is not None and last_avg is not None
                else None,
                units=len(members),
                previous_units=len(last),
                band_counts=_counts(bands, [u.band for u in members]),
                previous_band_counts=_counts(bands, [u.band for u in last]),
                transitions=transitions,
                new_units=tuple(m.name for m in moves if m.unit not in before),
                gone_units=tuple(u.name for u in last if u.code not in present),
                most_improved=tuple(m.name for m in compared if m.change == best),
                most_change=best,
                least_improved=tuple(m.name for m in compared if m.change == worst),
                least_change=worst,
                band_changes=tuple(m for m in both if m.previous_band != m.band),
                moves=tuple(moves),
            )
        )
    return YearOnYear(tuple(groups))


def _points(value: Decimal) -> str:
    return numbers.vi(abs(value))


def _names(names: Sequence[str]) -> str:
    return str(get_text_list(list(names), _("và")))


def group_sentences(group: GroupYearOnYear) -> list[str]:
    """The sentences a province writes about one group's change, from the numbers above."""
    sentences = []
    who = _("nhóm %(name)s") % {"name": group.name} if group.group else _("các đơn vị")
    if group.change is not None and group.average is not None:
        values = {
            "who": who,
            "points": _points(group.change),
            "previous": numbers.vi(group.previous_average),
            "average": numbers.vi(group.average),
            "percent": numbers.vi(
                abs(group.percent_change) if group.percent_change is not None else None
            ),
        }
        if group.change == 0:
            text = _(
                "Điểm trung bình của %(who)s không thay đổi so với năm trước (%(average)s điểm)."
            )
        elif group.change > 0:
            text = (
                _(
                    "Điểm trung bình của %(who)s tăng %(points)s điểm so với năm trước "
                    "(tăng %(percent)s%%), từ %(previous)s điểm lên %(average)s điểm."
                )
                if group.percent_change is not None
                else _(
                    "Điểm trung bình của %(who)s tăng %(points)s điểm so với năm trước, "
                    "từ %(previous)s điểm lên %(average)s điểm."
                )
            )
        else:
            text = (
                _(
                    "Điểm trung bình của %(who)s giảm %(points)s điểm so với năm trước "
                    "(giảm %(percent)s%%), từ %(previous)s điểm xuống %(average)s điểm."
                )
                if group.percent_change is not None
                else _(
                    "Điểm trung bình của %(who)s giảm %(points)s điểm so với năm trước, "
                    "từ %(previous)s điểm xuống %(average)s điểm."
                )
            )
        sentences.append(text % values)
    last = dict(group.previous_band_counts)
    for band, count in group.band_counts:
        before = last.get(band, 0)
        if count == before:
            continue
        values = {
            "before": numbers.vi(before),
            "previous_units": numbers.vi(group.previous_units),
            "count": numbers.vi(count),
            "units": numbers.vi(group.units),
            "band": band,
            "who": who,
        }
        text = (
            _(
                "Số đơn vị của %(who)s đạt loại %(band)s tăng: từ %(before)s/%(previous_units)s "
                "đơn vị đạt loại %(band)s lên %(count)s/%(units)s."
            )
            if count > before
            else _(
                "Số đơn vị của %(who)s đạt loại %(band)s giảm: từ %(before)s/%(previous_units)s "
                "đơn vị đạt loại %(band)s xuống %(count)s/%(units)s."
            )
        )
        sentences.append(text % values)
    if group.most_change is not None and group.least_change is not None:
        values = {
            "most": _names(group.most_improved),
            "most_points": _points(group.most_change),
            "least": _names(group.least_improved),
            "least_points": _points(group.least_change),
        }
        if group.most_change >= 0:
            sentences.append(_("%(most)s tăng nhiều nhất (tăng %(most_points)s điểm).") % values)
        else:
            sentences.append(_("%(most)s giảm ít nhất (giảm %(most_points)s điểm).") % values)
        if group.least_improved != group.most_improved:
            if group.least_change >= 0:
                sentences.append(_("%(least)s tăng ít nhất (tăng %(least_points)s điểm).") % values)
            else:
                sentences.append(
                    _("%(least)s giảm nhiều nhất (giảm %(least_points)s điểm).") % values
                )
    return sentences


def sentences(statistics: YearOnYear) -> list[str]:
    """Every group's sentences, groups in the order of the period's units."""
    return [s for group in statistics.groups for s in group_sentences(group)]
