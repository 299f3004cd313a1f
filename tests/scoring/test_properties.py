"""Properties of score_period over small random frameworks, units and values (hypothesis)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendti.scoring import score_period
from opendti.scoring.model import Assessment, BandScheme, Node, PeriodResult, UnitSpec

from .builders import D, assessment, node, scheme, unit

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
GROUPS = ("A", "B")
PILLARS = ("p1", "p2")


@dataclass(frozen=True)
class Case:
    assessment: Assessment
    # leaves whose score is a unit's own input (manual rule or a given score): safe to raise
    own_leaves: tuple[str, ...]


def _decimal(draw: st.DrawFn, high: Decimal, places: int) -> Decimal:
    step = 10**places
    return Decimal(draw(st.integers(0, int(high * step)))) / step


@st.composite
def cases(draw: st.DrawFn) -> Case:
    decimals = draw(st.integers(0, 3))
    nodes: list[Node] = []
    own: list[str] = []
    counter = iter(range(1000))

    def build(parent: str | None, depth: int, scored: bool) -> Decimal:
        """Add a subtree; return its max points."""
        code = f"n{next(counter)}"
        kids = draw(st.integers(0, 3)) if depth < 2 else 0
        options = {
            "pillars": draw(st.lists(st.sampled_from(PILLARS), max_size=2, unique=True)),
            "scored": scored,
            "deployed": draw(st.sampled_from([True, True, True, False])),
            "applies_to": ["A"] if parent is None and nodes and draw(st.booleans()) else [],
        }
        if kids == 0:
            maximum = D(draw(st.integers(1, 20)))
            kind = draw(st.sampled_from(["manual", "given", "relative"]))
            if kind == "relative":
                params = {"method": draw(st.sampled_from(["min_max", "best"]))}
                nodes.append(node(code, maximum, parent, rule="relative", params=params, **options))
            else:
                nodes.append(
                    node(code, maximum, parent, rule=kind if kind == "manual" else None, **options)
                )
                own.append(code)
            return maximum
        index = len(nodes)
        nodes.append(node(code, 0, parent, **options))  # max fixed below, once children are known
        flags = [True] + [draw(st.booleans()) or draw(st.booleans()) for _ in range(kids - 1)]
        maxima = [build(code, depth + 1, flag) for flag in flags]
        total = sum((m for m, flag in zip(maxima, flags, strict=True) if flag), Decimal(0))
        nodes[index] = replace(nodes[index], max_points=total)
        return total

    roots = draw(st.integers(1, 3))
    for position in range(roots):
        build(None, 0, position == 0 or draw(st.booleans()))
    units = [
        unit(
            f"u{i}",
            draw(st.sampled_from(GROUPS)),
            ranked=draw(st.booleans()) or draw(st.booleans()),
        )
        for i in range(draw(st.integers(1, 6)))
    ]
    values: dict[str, dict[str, object]] = {}
    scores: dict[str, dict[str, Decimal]] = {}
    for leaf in nodes:
        if any(other.parent == leaf.code for other in nodes):
            continue
        for u in units:
            if draw(st.integers(0, 9)) == 0:
                continue  # a missing value
            if leaf.rule is None:
                scores.setdefault(leaf.code, {})[u.code] = _decimal(draw, leaf.max_points, 2)
            else:
                values.setdefault(leaf.code, {})[u.code] = _decimal(draw, leaf.max_points * 2, 3)
    bounds = sorted(draw(st.lists(st.integers(1, 99), max_size=3, unique=True)), reverse=True)
    bands = scheme(
        "percent",
        *[(f"b{b}", b, draw(st.booleans())) for b in bounds],
        ("low", None, True),
    )
    return Case(
        assessment(
            nodes,
            units,
            values=values,
            scores=scores,
            pillars=PILLARS,
            total_bands=bands,
            pillar_bands=bands,
            decimals=decimals,
            not_deployed=draw(st.sampled_from(["exclude", "zero"])),
        ),
        tuple(own),
    )


def _informational(nodes: Mapping[str, Node], code: str) -> bool:
    current: str | None = code
    while current is not None:
        if not nodes[current].scored:
            return True
        current = nodes[current].parent
    return False


def _share(total: Decimal, maximum: Decimal) -> Fraction:
    return Fraction(total) / Fraction(maximum) if maximum else Fraction(0)


@given(cases())
@SETTINGS
def test_totals_and_parents_are_sums_of_their_counted_parts(case: Case) -> None:
    framework = case.assessment.framework
    nodes = {n.code: n for n in framework.nodes}
    children = {code: [n.code for n in framework.nodes if n.parent == code] for code in nodes}
    step = Decimal(1).scaleb(-case.assessment.settings.decimals)
    result = score_period(case.assessment)
    for u in result.units:
        scores = u.nodes
        roots = [c for c, n in nodes.items() if n.parent is None and n.scored]
        assert u.total == sum((s for c in roots if (s := scores[c]) is not None), Decimal(0))
        for code, kids in children.items():
            info = _informational(nodes, code)
            counted = [
                scores[k] for k in kids if (info or nodes[k].scored) and scores[k] is not None
            ]
            if kids and scores[code] is not None:
                assert scores[code] == sum(counted, Decimal(0)), code
            elif kids:
                assert counted == [], code
        for pillar in framework.pillars:
            members = [
                c
                for c, n in nodes.items()
                if pillar.code in n.pillars
                and not _informational(nodes, c)
                and not any(pillar.code in a.pillars for a in _ancestors(nodes, c))
            ]
            expected = sum((s for c in members if (s := scores[c]) is not None), Decimal(0))
            assert u.pillars[pillar.code].score == expected
        for score in scores.values():
            assert score is None or score == score.quantize(step)


def _ancestors(nodes: Mapping[str, Node], code: str) -> list[Node]:
    found = []
    parent = nodes[code].parent
    while parent is not None:
        found.append(nodes[parent])
        parent = nodes[parent].parent
    return found


def _check_ranks(
    units: Sequence[UnitSpec],
    scores: Mapping[str, tuple[Decimal, Decimal]],
    rank: Mapping[str, int | None],
    group_rank: Mapping[str, int | None],
) -> None:
    """Competition ranks of the ranked units that have something to be scored on (max > 0):
    on points where those units share one max, else on the exact share of their max."""
    ranked = [u for u in units if u.ranked and scores[u.code][1] > 0]
    same_max = len({scores[u.code][1] for u in ranked}) <= 1
    keys = {
        u.code: Fraction(scores[u.code][0]) if same_max else _share(*scores[u.code]) for u in ranked
    }
    for u in units:
        if u not in ranked:
            assert rank[u.code] is None and group_rank[u.code] is None
            continue
        assert rank[u.code] == 1 + sum(keys[o.code] > keys[u.code] for o in ranked)
        peers = [o for o in ranked if o.group == u.group]
        assert group_rank[u.code] == 1 + sum(keys[o.code] > keys[u.code] for o in peers)


@given(cases())
@SETTINGS
def test_ranks_are_competition_ranks_of_the_totals(case: Case) -> None:
    result = score_period(case.assessment)
    units = case.assessment.units
    by_code = {u.code: u for u in result.units}
    _check_ranks(
        units,
        {c: (r.total, r.max_points) for c, r in by_code.items()},
        {c: r.rank for c, r in by_code.items()},
        {c: r.group_rank for c, r in by_code.items()},
    )
    for pillar in case.assessment.framework.pillars:
        results = {c: r.pillars[pillar.code] for c, r in by_code.items()}
        _check_ranks(
            units,
            {c: (p.score, p.max_points) for c, p in results.items()},
            {c: p.rank for c, p in results.items()},
            {c: p.group_rank for c, p in results.items()},
        )


def _band_position(result: PeriodResult, code: str, bands: BandScheme) -> int:
    labels = [band.label for band in bands.bands]
    return labels.index(result.unit(code).band or "")


@given(cases(), st.data())
@SETTINGS
def test_more_points_never_lower_a_units_rank_or_band(case: Case, data: st.DataObject) -> None:
    before = score_period(case.assessment)
    target = data.draw(st.sampled_from(case.assessment.units)).code
    leaves = [c for c in case.own_leaves if before.unit(target).nodes[c] is not None]
    if not leaves:
        return
    leaf = data.draw(st.sampled_from(leaves))
    maximum = next(n.max_points for n in case.assessment.framework.nodes if n.code == leaf)
    raised = replace(
        case.assessment,
        values={
            **case.assessment.values,
            leaf: {**case.assessment.values.get(leaf, {}), target: {"": maximum}},
        },
        given_scores={
            **case.assessment.given_scores,
            leaf: {**case.assessment.given_scores.get(leaf, {}), target: maximum},
        },
    )
    after = score_period(raised)
    old, new = before.unit(target), after.unit(target)
    assert new.total >= old.total
    if old.rank is not None:
        assert new.rank is not None and new.rank <= old.rank
        assert new.group_rank is not None and old.group_rank is not None
        assert new.group_rank <= old.group_rank
    bands = case.assessment.framework.total_bands
    assert bands is not None
    assert _band_position(after, target, bands) <= _band_position(before, target, bands)


def _reversed(mapping: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, object]]:
    return {k: dict(reversed(list(v.items()))) for k, v in reversed(list(mapping.items()))}


@given(cases(), st.randoms(use_true_random=False))
@SETTINGS
def test_the_order_of_units_and_values_never_matters(case: Case, rng: object) -> None:
    units = list(case.assessment.units)
    rng.shuffle(units)  # type: ignore[attr-defined]
    shuffled = replace(
        case.assessment,
        units=tuple(units),
        values=_reversed(case.assessment.values),  # type: ignore[arg-type]
        given_scores=_reversed(case.assessment.given_scores),  # type: ignore[arg-type]
    )
    first, second = score_period(case.assessment), score_period(shuffled)
    assert {u.code: u for u in first.units} == {u.code: u for u in second.units}
    assert first.averages == second.averages
    assert first.group_averages == second.group_averages
    assert first.band_counts == second.band_counts
    assert first.pillar_band_counts == second.pillar_band_counts
    assert sorted(map(repr, first.findings)) == sorted(map(repr, second.findings))


# --- bands at and around their bounds ------------------------------------------------------------


def _half_up(value: Fraction, decimals: int) -> Decimal:
    scaled = value * 10**decimals
    return Decimal(math.floor(scaled + Fraction(1, 2))).scaleb(-decimals)


def _expected_band(value: Fraction, bands: BandScheme) -> str:
    """The band is the highest one whose lower bound the value reaches (bounds descend)."""
    unreached = [
        b
        for b in bands.bands
        if b.lower is not None
        and not (value > b.lower or (b.lower_inclusive and value == Fraction(b.lower)))
    ]
    return bands.bands[len(unreached)].label


@st.composite
def band_schemes(draw: st.DrawFn) -> tuple[BandScheme, Decimal]:
    basis = draw(st.sampled_from(["percent", "points"]))
    maximum = D(draw(st.sampled_from([30, 100, 150, 1000])))
    top = Decimal(100) if basis == "percent" else maximum
    raw = draw(st.lists(st.integers(1, int(top * 100) - 1), min_size=1, max_size=4, unique=True))
    bounds = [Decimal(b) / 100 for b in sorted(raw, reverse=True)]
    rows = [(f"b{i}", bound, draw(st.booleans())) for i, bound in enumerate(bounds)]
    return scheme(basis, *rows, ("low", None, True)), maximum


@given(band_schemes())
@SETTINGS
def test_percent_and_band_agree_with_the_scheme_around_every_bound(
    case: tuple[BandScheme, Decimal],
) -> None:
    bands, maximum = case
    cent = Decimal("0.01")
    candidates: set[Decimal] = {Decimal(0), maximum}
    for band in bands.bands:
        if band.lower is None:
            continue
        at = band.lower if bands.basis == "points" else (band.lower * maximum / 100).quantize(cent)
        candidates |= {at - cent, at, at + cent}
    scores = sorted(s for s in candidates if 0 <= s <= maximum)
    codes = [f"u{i}" for i in range(len(scores))]
    result = score_period(
        assessment(
            [node("m", maximum)],
            codes,
            scores={"m": dict(zip(codes, scores, strict=True))},
            total_bands=bands,
        )
    )
    for code, score in zip(codes, scores, strict=True):
        u = result.unit(code)
        assert u.total == score
        assert u.percent == _half_up(Fraction(score) * 100 / Fraction(maximum), 2)
        # Decided on the exact share of the max, never on the rounded percent.
        exact = Fraction(score) * 100 / Fraction(maximum)
        basis = exact if bands.basis == "percent" else Fraction(u.total)
        assert u.band == _expected_band(basis, bands), (score, basis)
    assert sum(result.band_counts.values()) == len(scores)


def test_equal_bounds_exclusive_above_inclusive_below() -> None:
    bands = scheme("points", ("over", 80, False), ("at", 80, True), ("below", None, True))
    result = score_period(
        assessment(
            [node("m", 100)],
            ["a", "b", "c"],
            scores={"m": {"a": "80.01", "b": 80, "c": "79.99"}},
            total_bands=bands,
        )
    )
    assert [result.unit(c).band for c in "abc"] == ["over", "at", "below"]
