"""Incremental scoring (`apply_edit`) equals a full `score_period` after any sequence of edits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendti.scoring import incremental, score_period
from opendti.scoring.incremental import apply_edit
from opendti.scoring.model import TOTAL, Assessment, Node, PeriodResult, Value
from opendti.workbook import parse_workbook, read_workbook

from .builders import D, assessment, node, scheme, unit

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
GROUPS = ("A", "B", "C")
PILLARS = ("p1", "p2")
FORMULAS = ("a / b * {m}", "min(a, b) / 10 * {m}", "{m} if a >= b else a / 4")
CHOICES = {"none": "0", "some": "1", "all": "{m}"}
# Relative first and twice: the simplest examples hypothesis draws then have a column to move.
RULES = ("relative", "manual", "relative", "given", "formula", "ratio", "yes_no", "choice", "tiers")


@dataclass(frozen=True)
class Leaf:
    code: str
    rule: str  # one of RULES


@dataclass(frozen=True)
class Case:
    assessment: Assessment
    leaves: tuple[Leaf, ...]


def _params(draw: st.DrawFn, rule: str, m: Decimal) -> dict[str, object]:
    if rule == "relative":
        return {
            "method": draw(st.sampled_from(["min_max", "best"])),
            "higher_is_better": draw(st.booleans()),
            "scope": draw(st.sampled_from(["period", "group"])),
        }
    if rule == "formula":
        return {
            "expression": draw(st.sampled_from(FORMULAS)).format(m=m),
            "inputs": [{"name": "a", "min": 0, "max": 10}],
        }
    if rule == "choice":
        return {"choices": {k: v.format(m=m) for k, v in CHOICES.items()}}
    if rule == "tiers":
        return {"tiers": [{"min": 5, "points": str(m)}, {"min": 2, "points": "0.5"}]}
    if rule == "manual":
        return {}
    return {}


def _inputs(draw: Callable[[st.SearchStrategy[Any]], Any], leaf: Leaf) -> dict[str, Value]:
    """A unit's inputs of a leaf: small numbers (ties are likely), now and then out of bounds,
    not a number, or one input left out."""
    number = st.integers(-3, 25).map(D) | st.sampled_from([D("2.5"), D("12.345"), D(0)])
    if leaf.rule in ("manual", "relative", "tiers"):
        return {"": draw(number | st.just("x"))}
    if leaf.rule == "yes_no":
        return {"": draw(st.booleans())}
    if leaf.rule == "choice":
        return {"": draw(st.sampled_from([*CHOICES, "other"]))}
    names = ("a", "b") if leaf.rule == "formula" else ("numerator", "denominator")
    return {name: draw(number) for name in names if draw(st.integers(0, 7))}


@st.composite
def cases(draw: st.DrawFn) -> Case:
    decimals = draw(st.integers(0, 3))
    nodes: list[Node] = []
    leaves: list[Leaf] = []
    counter = iter(range(1000))

    def build(parent: str | None, depth: int, scored: bool) -> Decimal:
        code = f"n{next(counter)}"
        kids = draw(st.integers(0, 3)) if depth < 2 else 0
        options: dict[str, Any] = {
            "pillars": draw(st.lists(st.sampled_from(PILLARS), max_size=2, unique=True)),
            "scored": scored,
            "deployed": draw(st.sampled_from([True, True, True, False])),
            "applies_to": draw(st.sampled_from([[], [], [], ["A"], ["B", "C"]])),
        }
        if kids == 0:
            maximum = D(draw(st.integers(1, 20)))
            rule = draw(st.sampled_from(RULES))
            params = _params(draw, rule, maximum)
            nodes.append(
                node(
                    code,
                    maximum,
                    parent,
                    rule=None if rule == "given" else rule,
                    params=params,
                    **options,
                )
            )
            leaves.append(Leaf(code, rule))
            return maximum
        index = len(nodes)
        nodes.append(node(code, 0, parent, **options))
        flags = [True] + [draw(st.booleans()) or draw(st.booleans()) for _ in range(kids - 1)]
        maxima = [build(code, depth + 1, flag) for flag in flags]
        total = sum((m for m, flag in zip(maxima, flags, strict=True) if flag), Decimal(0))
        nodes[index] = replace(nodes[index], max_points=total)
        return total

    for position in range(draw(st.integers(1, 3))):
        build(None, 0, position == 0 or draw(st.booleans()))
    units = [
        unit(f"u{i}", draw(st.sampled_from(GROUPS)), ranked=draw(st.integers(0, 4)) > 0)
        for i in range(draw(st.integers(2, 7)))
    ]
    values: dict[str, dict[str, object]] = {}
    scores: dict[str, dict[str, Decimal]] = {}
    appraised: dict[str, dict[str, Decimal]] = {}
    for leaf in leaves:
        for u in units:
            if draw(st.integers(0, 9)) == 0:
                continue  # no value
            if leaf.rule == "given":
                scores.setdefault(leaf.code, {})[u.code] = D(draw(st.integers(0, 5)))
            else:
                values.setdefault(leaf.code, {})[u.code] = _inputs(draw, leaf)
                if draw(st.integers(0, 12)) == 0:
                    appraised.setdefault(leaf.code, {})[u.code] = D(draw(st.integers(0, 3)))
    # Scores given at parents, pillars and the total: checked against the parts (findings)
    # (at a leaf with a rule, too: its computed score is checked against the one given)
    given_leaves = {leaf.code for leaf in leaves if leaf.rule == "given"}
    for target in [n.code for n in nodes if n.code not in given_leaves]:
        for u in units:
            if draw(st.integers(0, 5)) == 0:
                scores.setdefault(target, {})[u.code] = D(draw(st.integers(0, 30)))
    for target in (*PILLARS, TOTAL):
        for u in units:
            if draw(st.integers(0, 5)) == 0:
                scores.setdefault(target, {})[u.code] = D(draw(st.integers(0, 30)))
    bounds = sorted(draw(st.lists(st.integers(1, 99), max_size=3, unique=True)), reverse=True)
    bands = scheme(
        "percent", *[(f"b{b}", b, draw(st.booleans())) for b in bounds], ("low", None, True)
    )
    built = assessment(
        nodes,
        units,
        values=values,
        scores=scores,
        pillars=PILLARS,
        total_bands=bands,
        pillar_bands=draw(
            st.sampled_from([bands, scheme("points", ("hi", 10, True), ("lo", None, True))])
        ),
        decimals=decimals,
        not_deployed=draw(st.sampled_from(["exclude", "zero"])),
    )
    return Case(replace(built, appraised=appraised), tuple(leaves))


def _check(assessment: Assessment, result: PeriodResult) -> None:
    full = score_period(assessment)
    assert result.units == full.units
    assert result.averages == full.averages
    assert result.group_averages == full.group_averages
    assert list(result.group_averages) == list(full.group_averages)
    assert result.band_counts == full.band_counts
    assert result.pillar_band_counts == full.pillar_band_counts
    assert result.findings == full.findings
    assert result.notes == full.notes
    assert result == full
    # The same representation too (2.50 is not shown as 2.5): what a digest of the result sees.
    assert repr(result) == repr(full)


@pytest.mark.parametrize("few", [0, 1000])
@given(case=cases(), data=st.data())
@SETTINGS
def test_a_sequence_of_edits_gives_what_a_full_scoring_gives(
    few: int, case: Case, data: st.DataObject
) -> None:
    """`few`: up to how many moved units ranks are updated unit by unit (0: always ranked
    afresh; 1000: always unit by unit), so that both ways are checked on every case."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(incremental, "_FEW", few)
        _edit_and_compare(case, data)


def _edit_and_compare(case: Case, data: st.DataObject) -> None:
    current = case.assessment
    result = score_period(current)
    edited = [leaf for leaf in case.leaves if leaf.rule != "given"]
    if not edited:
        return
    for _ in range(data.draw(st.integers(1, 6))):
        who = data.draw(st.sampled_from(current.units)).code
        chosen = data.draw(st.lists(st.sampled_from(edited), min_size=1, max_size=2, unique=True))
        changes: dict[str, Mapping[str, Value]] = {
            leaf.code: {} if data.draw(st.integers(0, 5)) == 0 else _inputs(data.draw, leaf)
            for leaf in chosen
        }
        # Sometimes the appraisal settles (or clears) the unit's score at a leaf instead.
        appraised: dict[str, Decimal | None] = {
            leaf.code: data.draw(st.none() | st.integers(0, 3).map(D))
            for leaf in data.draw(st.lists(st.sampled_from(edited), max_size=2, unique=True))
        }
        if appraised and data.draw(st.booleans()):
            changes = {}
        before_values, before_result = current.values, result
        snapshot = repr(result)
        current, result = apply_edit(current, result, who, changes, appraised)
        # The inputs are left as they were.
        assert repr(before_result) == snapshot
        assert before_values is not current.values or not changes
        _check(current, result)


def test_an_edit_shares_the_unit_results_it_does_not_change() -> None:
    nodes = [
        node("m", 20, kind="main"),
        node("a", 10, "m", rule="manual"),
        node("b", 10, "m", rule="manual"),
    ]
    start = assessment(nodes, ["u1", "u2", "u3"], values={"a": {"u1": 1, "u2": 2, "u3": 3}})
    result = score_period(start)
    edited, after = apply_edit(start, result, "u2", {"a": {"": D(2)}})  # the same score
    assert after.units[0] is result.units[0] and after.units[2] is result.units[2]
    edited, after = apply_edit(edited, after, "u1", {"a": {"": D(9)}})  # now ahead of all
    assert [r.rank for r in after.units] == [1, 3, 2]
    assert start.values["a"]["u1"] == {"": D(1)}  # the first assessment is unchanged
    assert after == score_period(edited)


def test_a_unit_is_read_from_the_edited_result_not_from_the_index_of_the_first() -> None:
    nodes = [node("m", 10, kind="main"), node("a", 10, "m", rule="manual")]
    start = assessment(nodes, ["u1", "u2"], values={"a": {"u1": 1, "u2": 2}})
    result = score_period(start)
    assert result.unit("u1").total == D(1)  # the result's index by code is made here
    _edited, after = apply_edit(start, result, "u1", {"a": {"": D(7)}})
    assert after.unit("u1").total == D(7) and after.unit("u1") is after.units[0]
    assert result.unit("u1").total == D(1)


def test_an_unknown_unit_is_refused() -> None:
    start = assessment([node("a", 10, rule="manual")], ["u1"], values={"a": {"u1": 1}})
    with pytest.raises(KeyError):
        apply_edit(start, score_period(start), "nobody", {"a": {"": D(1)}})


@pytest.mark.parametrize(
    "folder",
    [
        "daknong-2023-departments",
        "daknong-2023-districts",
        "national-2022-provinces",
        "synthetic-2024-communes",
        "synthetic-2025-communes",
    ],
)
def test_demo_workbooks_one_edit_per_leaf_of_one_unit(workbooks: Path, folder: str) -> None:
    """Every leaf of the second unit in turn: its value cleared, raised, then set back."""
    start = parse_workbook(read_workbook(workbooks / folder)).assessment
    result = score_period(start)
    who = start.units[min(1, len(start.units) - 1)].code
    current = start
    for node_ in start.framework.nodes:
        if node_.rule is None:
            continue
        old = start.values.get(node_.code, {}).get(who, {})
        for inputs in ({}, _raised(old), old):
            current, result = apply_edit(current, result, who, {node_.code: inputs})
            assert result == score_period(current)
    assert repr(result) == repr(score_period(start))


def _raised(inputs: Mapping[str, Value]) -> dict[str, Value]:
    return {
        name: value * 3 + 1 if isinstance(value, Decimal) else value
        for name, value in inputs.items()
    }


def test_a_relative_edit_checks_the_scores_given_at_the_leaf_for_every_unit_it_moves() -> None:
    nodes = [node("m", 10, kind="main"), node("r", 10, "m", rule="relative")]
    start = assessment(
        nodes,
        ["u1", "u2", "u3"],
        values={"r": {"u1": 10, "u2": 5, "u3": 0}},
        scores={"r": {"u2": 5}},  # agrees with the computed 5.00 until u1's value moves the max
    )
    result = score_period(start)
    assert [f.unit for f in result.findings] == []
    edited, after = apply_edit(start, result, "u1", {"r": {"": D(20)}})
    assert [(f.unit, f.node, f.kind, f.expected) for f in after.findings] == [
        ("u2", "r", "node_sum", "2.50")
    ]
    assert after == score_period(edited)


@st.composite
def relative_cases(draw: st.DrawFn) -> Case:
    """Flat frameworks of relative leaves (by period and by group) over more units, with scores
    given at the leaves: an edit moves whole columns, and other units' findings with them."""

    def relative(code: str, parent: str, maximum: int, **options: Any) -> Node:
        params = _params(draw, "relative", D(maximum))
        return node(code, maximum, parent, rule="relative", params=params, **options)

    nodes = [
        node("m", 30, kind="main", pillars=["p1"]),
        relative("r1", "m", 10),
        relative("r2", "m", 10),
        node("x", 10, "m", rule="manual"),
        node("k", 10, kind="main", pillars=["p2"], applies_to=draw(st.sampled_from([[], ["A"]]))),
        relative("r3", "k", 10, deployed=draw(st.booleans())),
    ]
    leaves = (*(Leaf(code, "relative") for code in ("r1", "r2", "r3")), Leaf("x", "manual"))
    units = [
        unit(f"u{i}", draw(st.sampled_from(GROUPS[:2])), ranked=draw(st.integers(0, 4)) > 0)
        for i in range(draw(st.integers(3, 8)))
    ]
    values: dict[str, dict[str, object]] = {}
    scores: dict[str, dict[str, Decimal]] = {}
    for leaf in leaves:
        for u in units:
            if draw(st.integers(0, 6)):
                values.setdefault(leaf.code, {})[u.code] = _inputs(draw, leaf)
            if draw(st.integers(0, 2)) == 0:
                scores.setdefault(leaf.code, {})[u.code] = D(draw(st.integers(0, 10)))
    for target in ("m", "k", *PILLARS, TOTAL):
        for u in units:
            if draw(st.integers(0, 3)) == 0:
                scores.setdefault(target, {})[u.code] = D(draw(st.integers(0, 40)))
    bands = scheme("percent", ("b50", 50, True), ("low", None, True))
    built = assessment(
        nodes,
        units,
        values=values,
        scores=scores,
        pillars=PILLARS,
        total_bands=bands,
        pillar_bands=bands,
        decimals=draw(st.integers(0, 2)),
        not_deployed=draw(st.sampled_from(["exclude", "zero"])),
    )
    return Case(built, leaves)


@pytest.mark.parametrize("few", [0, 1000])
@given(case=relative_cases(), data=st.data())
@SETTINGS
def test_edits_of_relative_columns_give_what_a_full_scoring_gives(
    few: int, case: Case, data: st.DataObject
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(incremental, "_FEW", few)
        _edit_and_compare(case, data)


def test_ranks_on_shares_when_a_new_score_needs_a_finer_common_denominator() -> None:
    """Groups with different maxima rank on exact shares; 23.64 of 40 is 591/1000, which the
    keys' common denominator (of 20/30, 30/40 and 2.5/40) cannot hold."""
    nodes = [
        node("m", 30, kind="main"),
        node("a", 30, "m", rule="manual"),
        node("k", 10, kind="main", applies_to=["A"]),
        node("b", 10, "k", rule="manual"),
    ]
    start = assessment(
        nodes,
        [unit("u1", "B"), unit("u2", "A"), unit("u3", "A")],
        values={"a": {"u1": 20, "u2": 20, "u3": "2.5"}, "b": {"u2": 10, "u3": 0}},
    )
    result = score_period(start)
    edited, result = apply_edit(start, result, "u3", {"a": {"": D(3)}})  # keys kept from here
    edited, result = apply_edit(edited, result, "u2", {"a": {"": D("13.64")}})
    assert [(r.rank, r.group_rank) for r in result.units] == [(1, 1), (2, 1), (3, 2)]
    assert result == score_period(edited)
