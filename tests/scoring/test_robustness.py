"""rank_robustness: rank intervals under perturbed main-index weights (a Monte Carlo)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendti.scoring import score_period
from opendti.scoring.model import Assessment, PeriodResult
from opendti.scoring.ranking import competition_ranks
from opendti.scoring.robustness import RankInterval, rank_robustness
from opendti.workbook import parse_workbook, read_workbook

from .builders import D, assessment, node, unit

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def scored(case: Assessment) -> tuple[Assessment, PeriodResult]:
    return case, score_period(case)


def by_unit(intervals: Sequence[RankInterval]) -> dict[str, RankInterval]:
    return {interval.unit: interval for interval in intervals}


def three_mains(scores: Mapping[str, tuple[int, int, int]]) -> Assessment:
    """Rule-less main indices a (max 40), b (30), c (30) and each unit's score on them."""
    return assessment(
        [node("a", 40), node("b", 30), node("c", 30)],
        list(scores),
        scores={m: {u: s[i] for u, s in scores.items()} for i, m in enumerate("abc")},
    )


# Totals 60, 58, 59, 62, 57, 55: close, no ties, and each unit strong on a different index.
SPREAD_OUT = {
    "u1": (30, 20, 10),
    "u2": (20, 25, 13),
    "u3": (35, 10, 14),
    "u4": (10, 28, 24),
    "u5": (25, 15, 17),
    "u6": (15, 12, 28),
}


@pytest.fixture(scope="module")
def daknong() -> tuple[Assessment, PeriodResult]:
    folder = Path(__file__).resolve().parents[2] / "src/opendti/demo/workbooks"
    case = parse_workbook(read_workbook(folder / "daknong-2023-districts")).assessment
    return scored(case)


# --- spread 0, dominance, ties -----------------------------------------------------------------


def test_spread_zero_reproduces_the_engine_ranks() -> None:
    case, result = scored(three_mains(SPREAD_OUT))
    intervals = rank_robustness(case, result, draws=50, spread=D(0))
    assert [i.unit for i in intervals] == sorted(SPREAD_OUT, key=lambda u: result.unit(u).rank or 0)
    for interval in intervals:
        rank = result.unit(interval.unit).rank
        assert interval.rank == rank
        assert (interval.best, interval.low, interval.median) == (rank, rank, rank)
        assert (interval.high, interval.worst) == (rank, rank)
        assert interval.share_same == 1


def test_spread_zero_reproduces_ranks_on_shares_when_maxima_differ() -> None:
    # Group A has main index x as well; B does not, so the engine ranks on the share of the max.
    case = assessment(
        [node("x", 20, applies_to=["A"]), node("y", 30), node("z", 50)],
        [unit("a1", "A"), unit("a2", "A"), unit("b1", "B"), unit("b2", "B"), unit("b3", "B")],
        scores={
            "x": {"a1": 20, "a2": 5},
            "y": {"a1": 10, "a2": 30, "b1": 12, "b2": 30, "b3": 0},
            "z": {"a1": 30, "a2": 40, "b1": 40, "b2": 10, "b3": 45},
        },
    )
    case, result = scored(case)
    for interval in rank_robustness(case, result, draws=20, spread=D(0)):
        assert interval.low == interval.high == interval.rank == result.unit(interval.unit).rank


def test_a_unit_best_on_every_main_index_always_ranks_first() -> None:
    scores = dict(SPREAD_OUT, top=(36, 29, 29))
    case, result = scored(three_mains(scores))
    top = by_unit(rank_robustness(case, result, draws=300, spread=D("0.9")))["top"]
    assert (top.rank, top.best, top.worst, top.share_same) == (1, 1, 1, 1)


def test_units_with_equal_scores_share_every_rank() -> None:
    scores = dict(SPREAD_OUT, twin=SPREAD_OUT["u2"])
    case, result = scored(three_mains(scores))
    intervals = by_unit(rank_robustness(case, result, draws=200, spread=D("0.3")))
    twin, u2 = intervals.pop("twin"), intervals["u2"]
    assert (twin.rank, twin.low, twin.high, twin.best, twin.worst, twin.median) == (
        u2.rank,
        u2.low,
        u2.high,
        u2.best,
        u2.worst,
        u2.median,
    )
    assert twin.share_same == u2.share_same


def test_unranked_units_and_informational_main_indices_are_left_out() -> None:
    case = assessment(
        [node("a", 50), node("b", 50), node("info", 100, scored=False)],
        [unit("u1"), unit("u2"), unit("u3"), unit("top", ranked=False)],
        scores={
            "a": {"u1": 40, "u2": 30, "u3": 20, "top": 50},
            "b": {"u1": 10, "u2": 25, "u3": 40, "top": 50},
            "info": {"u1": 0, "u2": 0, "u3": 100, "top": 100},  # would put u3 first if counted
        },
    )
    case, result = scored(case)
    intervals = rank_robustness(case, result, draws=20, spread=D(0))
    assert [(i.unit, i.rank, i.low, i.high) for i in intervals] == [
        ("u3", 1, 1, 1),
        ("u2", 2, 2, 2),
        ("u1", 3, 3, 3),
    ]


# --- spread, seed, groups ----------------------------------------------------------------------


def test_intervals_hold_the_computed_rank_and_widen_as_the_spread_grows() -> None:
    case, result = scored(three_mains(SPREAD_OUT))
    previous: dict[str, RankInterval] | None = None
    for spread in ("0", "0.05", "0.1", "0.2", "0.4", "0.8"):
        current = by_unit(rank_robustness(case, result, draws=400, spread=D(spread)))
        for code, interval in current.items():
            assert interval.best <= interval.rank <= interval.worst  # type: ignore[operator]
            if D(spread) <= D("0.2"):  # small changes: the computed rank stays inside 5-95%
                assert interval.low <= interval.rank <= interval.high  # type: ignore[operator]
            if previous is not None:
                before = previous[code]
                assert interval.best <= before.best and interval.worst >= before.worst, code
        previous = current
    assert previous is not None
    assert any(i.high > i.low for i in previous.values())  # 0.8 does move ranks here


def test_the_same_seed_gives_the_same_intervals_and_another_seed_other_ones() -> None:
    case, result = scored(three_mains(SPREAD_OUT))
    first = rank_robustness(case, result, draws=300, spread=D("0.4"), seed=1)
    assert rank_robustness(case, result, draws=300, spread=D("0.4"), seed=1) == first
    assert rank_robustness(case, result, draws=300, spread=D("0.4"), seed=2) != first


def test_a_group_is_ranked_within_itself() -> None:
    case = three_mains(SPREAD_OUT)
    groups = {"u1": "A", "u3": "A", "u5": "A"}
    case = assessment(
        case.framework.nodes,
        [unit(code, groups.get(code, "B")) for code in SPREAD_OUT],
        scores={m: {u: s[i] for u, s in SPREAD_OUT.items()} for i, m in enumerate("abc")},
    )
    case, result = scored(case)
    in_a = rank_robustness(case, result, draws=300, spread=D("0.5"), group="A")
    assert sorted(i.unit for i in in_a) == ["u1", "u3", "u5"]
    for interval in in_a:
        assert interval.rank == result.unit(interval.unit).group_rank
        assert 1 <= interval.best <= interval.worst <= 3
    at_zero = rank_robustness(case, result, draws=10, spread=D(0), group="A")
    assert [(i.unit, i.low, i.high) for i in at_zero] == [(i.unit, i.rank, i.rank) for i in in_a]
    # The whole period ranks all six, on the engine's overall ranks.
    overall = rank_robustness(case, result, draws=10, spread=D(0))
    assert [(i.unit, i.rank) for i in overall] == sorted(
        ((u.code, u.rank) for u in result.units), key=lambda pair: pair[1] or 0
    )


def test_an_unknown_group_is_an_error_naming_the_groups() -> None:
    case, result = scored(three_mains(SPREAD_OUT))
    with pytest.raises(ValueError, match=r"'X'.*the groups are ''"):
        rank_robustness(case, result, group="X")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"draws": 0}, "draws"),
        ({"spread": D("-0.1")}, "spread"),
        ({"spread": D(1)}, "spread"),
        ({"spread": 0.2}, "Decimal"),
        ({"spread": D("NaN")}, "Decimal"),
    ],
)
def test_bad_arguments_are_refused(options: dict[str, object], message: str) -> None:
    case, result = scored(three_mains(SPREAD_OUT))
    with pytest.raises(ValueError, match=message):
        rank_robustness(case, result, **options)  # type: ignore[arg-type]


# --- properties --------------------------------------------------------------------------------


def reference(
    case: Assessment, result: PeriodResult, draws: int, spread: Decimal, seed: int
) -> dict[str, list[int]]:
    """The method written out plainly: weights are factor x max, composites the weighted mean of
    exact shares as Fractions, ranked over all ranked units."""
    mains = [n.code for n in case.framework.nodes if n.kind == "main"]
    units = [u for u in result.units if u.ranked and u.rank is not None]
    rng = random.Random(seed)
    ranks: dict[str, list[int]] = {u.code: [] for u in units}
    for _ in range(draws):
        factors = [1 + Fraction(spread) * rng.randint(-1000, 1000) / 1000 for _ in mains]
        composite: dict[str, Fraction] = {}
        for u in units:
            weighted, weights = Fraction(0), Fraction(0)
            for factor, code in zip(factors, mains, strict=True):
                score, maximum = u.nodes[code], u.node_max[code]
                if score is None or maximum is None or not maximum:
                    continue
                weight = factor * Fraction(maximum)
                weighted += weight * Fraction(score) / Fraction(maximum)
                weights += weight
            composite[u.code] = weighted / weights if weights else Fraction(0)
        for code, rank in competition_ranks(composite.items()).items():
            ranks[code].append(rank)
    return ranks


@st.composite
def periods(draw: st.DrawFn) -> Assessment:
    """Two to four rule-less main indices, some for group A only; up to ten units in A and B."""
    mains = draw(st.integers(2, 4))
    maxima = [draw(st.integers(1, 50)) for _ in range(mains)]
    only_a = [i > 0 and draw(st.booleans()) for i in range(mains)]
    size = draw(st.integers(1, 10))
    units = [
        unit(f"u{k}", draw(st.sampled_from("AB")), ranked=draw(st.booleans()) or k == 0)
        for k in range(size)
    ]
    return assessment(
        [node(f"m{i}", maxima[i], applies_to=["A"] if only_a[i] else []) for i in range(mains)],
        units,
        scores={
            f"m{i}": {
                u.code: D(draw(st.integers(0, maxima[i] * 4))) / 4
                for u in units
                if not only_a[i] or u.group == "A"
            }
            for i in range(mains)
        },
    )


@SETTINGS
@given(
    periods(),
    st.sampled_from([D(0), D("0.1"), D("0.35"), D("0.999")]),
    st.integers(0, 2**32),
)
def test_intervals_are_ordered_and_match_the_plain_method(
    case: Assessment, spread: Decimal, seed: int
) -> None:
    result = score_period(case)
    intervals = rank_robustness(case, result, draws=25, spread=spread, seed=seed)
    ranked = [u for u in result.units if u.ranked and u.rank is not None]
    assert sorted(i.unit for i in intervals) == sorted(u.code for u in ranked)
    plain = reference(case, result, 25, spread, seed)
    for interval in intervals:
        assert 1 <= interval.best <= interval.low <= interval.median <= interval.high
        assert interval.high <= interval.worst <= len(ranked)
        assert 0 <= interval.share_same <= 1
        ranks = sorted(plain[interval.unit])
        assert (interval.best, interval.worst) == (ranks[0], ranks[-1])
        assert (interval.low, interval.median, interval.high) == (ranks[1], ranks[12], ranks[23])
        if not spread:
            assert interval.low == interval.high == interval.rank
    for group in {u.group for u in result.units}:
        members = [u for u in ranked if u.group == group]
        grouped = rank_robustness(case, result, draws=10, spread=spread, seed=seed, group=group)
        assert sorted(i.unit for i in grouped) == sorted(u.code for u in members)
        assert all(1 <= i.best <= i.worst <= len(members) for i in grouped)


# --- Đắk Nông 2023, districts ------------------------------------------------------------------


def test_daknong_districts_leader_and_last(daknong: tuple[Assessment, PeriodResult]) -> None:
    case, result = daknong
    intervals = rank_robustness(case, result, spread=D("0.2"))
    assert [i.rank for i in intervals] == sorted(u.rank or 0 for u in result.units)
    assert len(intervals) == 8
    leader, last = intervals[0], intervals[-1]
    assert leader.unit == next(u.code for u in result.units if u.rank == 1)
    assert last.unit == next(u.code for u in result.units if u.rank == 8)
    # The leader is clear by about 20 points: first in every draw.
    assert (leader.best, leader.low, leader.high, leader.worst) == (1, 1, 1, 1)
    assert leader.share_same == 1
    # The last two are 3 points apart and trade places under 20% weight changes.
    assert (last.best, last.low, last.median, last.high, last.worst) == (7, 7, 8, 8, 8)
    assert D("0.5") < last.share_same < 1
    for interval in intervals:
        assert interval.low <= interval.rank <= interval.high  # type: ignore[operator]
        assert interval.median == interval.rank


def test_daknong_districts_intervals_widen_with_the_spread(
    daknong: tuple[Assessment, PeriodResult],
) -> None:
    case, result = daknong
    widths = []
    for spread in ("0", "0.1", "0.2", "0.3", "0.5"):
        intervals = rank_robustness(case, result, draws=500, spread=D(spread))
        widths.append(sum(i.worst - i.best for i in intervals))
        if spread == "0":
            assert all(i.low == i.high == i.rank and i.share_same == 1 for i in intervals)
    assert widths == sorted(widths) and widths[-1] > widths[0]
