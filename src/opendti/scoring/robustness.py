"""Rank robustness: how stable each unit's rank is when the main indices' weights vary.

A Monte Carlo of weight perturbations, as in the uncertainty analysis of composite indicators:
in each draw every main index's weight is multiplied by its own random factor, uniformly in
[1 - spread, 1 + spread], the units are ranked again on the reweighted mean of their shares of
each main index's max, and each unit's ranks over the draws are summarised as an interval.
docs/robustness.md explains the method and its choices.

The arithmetic is exact integer fixed-point: factors are drawn as integers on a grid, scores and
maxima are scaled to integers by a power of ten, and units are compared as exact fractions. So a
seed gives the same intervals on every machine, and with no perturbation (spread 0) every draw
reproduces the engine's ranks, ties included.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import lcm
from operator import mul

from .model import Assessment, PeriodResult, UnitResult
from .ranking import competition_ranks
from .rounding import ratio
from .tree import IN, ZERO_SCORE, PreparedTree, node_status, prepare

ZERO = Decimal(0)
ONE = Decimal(1)

# A factor is 1 + spread * j / GRID for an integer j drawn uniformly in [-GRID, GRID]: 2001
# evenly spaced exact factors. j is drawn whatever the spread, so one seed moves every main index
# in the same direction at every spread, and intervals for different spreads are comparable
# (common random numbers).
GRID = 1000

# The interval runs from the 5th to the 95th percentile of a unit's ranks (nearest-rank method,
# so both ends are ranks that occurred); the median is the 50th percentile the same way.
LOW_PERCENT, MEDIAN_PERCENT, HIGH_PERCENT = 5, 50, 95
SHARE_DECIMALS = 4


@dataclass(frozen=True)
class RankInterval:
    """One unit's ranks over the draws; `low`..`high` is the 5th to 95th percentile interval.

    `rank` is the engine's rank (its rank in the ranking group when a group was asked for), and
    `share_same` the share of draws, 0..1 to four decimals, in which the unit had exactly that rank.
    """

    unit: str
    rank: int | None
    low: int
    high: int
    best: int
    worst: int
    median: int
    share_same: Decimal


def rank_robustness(
    assessment: Assessment,
    result: PeriodResult,
    *,
    draws: int = 1000,
    spread: Decimal = Decimal("0.2"),
    seed: int = 2024,
    group: str | None = None,
) -> tuple[RankInterval, ...]:
    """Rank intervals of the ranked units of `group` (None: of the whole period), by rank.

    `result` is `score_period(assessment)`. A unit's composite in a draw is the mean of its
    shares of each main index's max, weighted by its max points on that index times the draw's
    factor for the index; units are ranked on it highest first, equal composites sharing a rank.
    Units without a rank are left out. The same arguments always give the same intervals.
    """
    _check(draws, spread, seed)
    chosen = _ranked_units(result, group)
    if not chosen:
        return ()
    order, counted = _counted_mains(assessment, {u.group for u in chosen})
    rows, profile_of, profiles = _integer_rows(chosen, order, counted)

    # With spread = a / b exactly, the factor 1 + (a / b) * j / GRID is (GRID*b + a*j) / (GRID*b).
    # The common denominator scales every weight alike, which changes no rank: it is dropped.
    a, b = spread.as_integer_ratio()
    base = GRID * b
    rng = random.Random(seed)
    history: list[list[int]] = [[] for _ in chosen]
    for _ in range(draws):
        # A factor for every main index of the framework, in framework order, even those no chosen
        # unit counts: what a seed draws does not depend on the group asked for.
        weights = [base + a * rng.randint(-GRID, GRID) for _ in order]
        ranks = competition_ranks(enumerate(_keys(rows, profile_of, profiles, weights)))
        for position, rank in ranks.items():
            history[position].append(rank)

    intervals = [
        _interval(unit.code, unit.rank if group is None else unit.group_rank, ranks, draws)
        for unit, ranks in zip(chosen, history, strict=True)
    ]
    # Python's sort is stable: units that share a rank keep the result's order.
    return tuple(sorted(intervals, key=lambda interval: interval.rank or 0))


def _check(draws: int, spread: Decimal, seed: int) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be a whole number, at least 1, not {draws!r}")
    if not isinstance(spread, Decimal) or not spread.is_finite():
        raise ValueError(f"spread must be a Decimal such as Decimal('0.2'), not {spread!r}")
    if not ZERO <= spread < ONE:
        raise ValueError(f"spread must be at least 0 and below 1 (weights stay positive): {spread}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be a whole number, not {seed!r}")


def _ranked_units(result: PeriodResult, group: str | None) -> list[UnitResult]:
    """The units that have a rank (in `group`, when one is given), in the result's order."""
    if group is None:
        return [u for u in result.units if u.ranked and u.rank is not None]
    groups = {u.group for u in result.units}
    if group not in groups:
        known = ", ".join(repr(g) for g in sorted(groups))
        raise ValueError(f"no unit is in the ranking group {group!r}; the groups are {known}")
    return [u for u in result.units if u.group == group and u.ranked and u.group_rank is not None]


# --- the main indices, as integers -------------------------------------------------------------


def _counted_mains(
    assessment: Assessment, groups: set[str]
) -> tuple[tuple[str, ...], dict[str, frozenset[str]]]:
    """Every main index in framework order, and by ranking group the ones that count toward the
    total: scored for the group (or scored zero, when not deployed under the "zero" policy), and
    not inside another main index, whose score already holds theirs."""
    tree = prepare(assessment.framework)
    order = tuple(
        code
        for code, node in tree.nodes.items()
        if node.kind == "main" and not _inside_main(tree, code)
    )
    counted: dict[str, frozenset[str]] = {}
    for group in groups:
        status = node_status(tree, group, assessment.settings.not_deployed)
        counted[group] = frozenset(code for code in order if status[code] in (IN, ZERO_SCORE))
    return order, counted


def _inside_main(tree: PreparedTree, code: str) -> bool:
    parent = tree.nodes[code].parent
    while parent is not None:
        if tree.nodes[parent].kind == "main":
            return True
        parent = tree.nodes[parent].parent
    return False


def _integer_rows(
    units: Sequence[UnitResult], order: Sequence[str], counted: Mapping[str, frozenset[str]]
) -> tuple[list[tuple[int, ...]], list[int], list[tuple[int, ...]]]:
    """Each unit's main-index scores, and its profile of main-index maxima, as integers.

    A main index that does not count for the unit, or on which it has no score or no max (None),
    is not applicable: score and max 0, so it weighs nothing. Every score and max is multiplied
    by one power of ten, large enough to make each a whole number; that is exact, and scaling
    all of them alike changes no comparison. Units of one ranking group share a profile, and a
    draw works out each profile's sum of weights once.
    """
    cells: list[list[tuple[Decimal, Decimal] | None]] = []
    for unit in units:
        row: list[tuple[Decimal, Decimal] | None] = []
        for code in order:
            score, maximum = unit.nodes.get(code), unit.node_max.get(code)
            if code in counted[unit.group] and score is not None and maximum is not None:
                row.append((score, maximum))
            else:
                row.append(None)
        cells.append(row)
    places = max(
        (_places(value) for row in cells for cell in row if cell for value in cell), default=0
    )
    scale: int = 10**places  # (int ** int is typed Any: a negative power is a float)

    def whole(value: Decimal) -> int:
        numerator, denominator = value.as_integer_ratio()  # denominator divides 10**places
        return numerator * (scale // denominator)

    rows: list[tuple[int, ...]] = []
    profile_of: list[int] = []
    profiles: dict[tuple[int, ...], int] = {}
    for row in cells:
        rows.append(tuple(whole(cell[0]) if cell else 0 for cell in row))
        profile = tuple(whole(cell[1]) if cell else 0 for cell in row)
        profile_of.append(profiles.setdefault(profile, len(profiles)))
    return rows, profile_of, list(profiles)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # scores and maxima are finite
    return max(-exponent, 0)


# --- one draw ----------------------------------------------------------------------------------


def _keys(
    rows: Sequence[tuple[int, ...]],
    profile_of: Sequence[int],
    profiles: Sequence[tuple[int, ...]],
    weights: Sequence[int],
) -> list[int]:
    """Each unit's composite for the draw's weights, as integers that order and tie exactly as
    the composites do.

    With w = factor x max, the weighted mean of the shares score / max is
    sum(w * score / max) / sum(w) = sum(factor * score) / sum(factor * max): a numerator per unit
    and a denominator per profile. Over one common multiple of the denominators, the numerators
    compare as plain integers (a composite is 0 where the unit has no applicable max).
    """
    numerators = [sum(map(mul, row, weights)) for row in rows]
    if len(profiles) == 1:  # one denominator for every unit: the numerators order alike
        return numerators
    denominators = [sum(map(mul, profile, weights)) for profile in profiles]
    common = lcm(*(d for d in denominators if d))
    multipliers = [common // d if d else 0 for d in denominators]
    return [n * multipliers[p] for n, p in zip(numerators, profile_of, strict=True)]


# --- summary -----------------------------------------------------------------------------------


def _interval(code: str, rank: int | None, ranks: list[int], draws: int) -> RankInterval:
    ordered = sorted(ranks)
    same = ordered.count(rank) if rank is not None else 0
    return RankInterval(
        unit=code,
        rank=rank,
        low=_percentile(ordered, LOW_PERCENT),
        high=_percentile(ordered, HIGH_PERCENT),
        best=ordered[0],
        worst=ordered[-1],
        median=_percentile(ordered, MEDIAN_PERCENT),
        share_same=ratio(Decimal(same), Decimal(draws), SHARE_DECIMALS, scale=ONE),
    )


def _percentile(ordered: Sequence[int], percent: int) -> int:
    """The nearest-rank percentile: the smallest value with at least `percent`% of the values at
    or below it."""
    at = -(-percent * len(ordered) // 100)  # ceil(percent / 100 x n), in whole numbers
    return ordered[max(at, 1) - 1]
