"""Each rule type, with exact Decimal scores: capping, zero denominators, rounding, bad params."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from opendti.scoring import score_period
from opendti.scoring.formula import FormulaError, compile_formula
from opendti.scoring.model import Value
from opendti.scoring.rounding import quantize
from opendti.scoring.rules import REGISTRY, RuleError, build_rule, rule_inputs

from .builders import D, assessment, node, unit

Params = Mapping[str, object]


def raw_score(rule: str, params: Params, max_points: str, values: Mapping[str, Value]) -> Decimal:
    """The unrounded score a (non-relative) rule gives for one unit's inputs."""
    compile_ = REGISTRY[rule].compile
    assert compile_ is not None
    return compile_(params, D(max_points))(values)


def leaf_score(
    rule: str, params: Params, max_points: str, value: object, decimals: int = 2
) -> Decimal | None:
    """The score the engine shows for one leaf and one unit (rounded at the period's decimals)."""
    result = score_period(
        assessment(
            [node("x", max_points, rule=rule, params=params)],
            ["u"],
            values={"x": {"u": value}},
            decimals=decimals,
        )
    )
    return result.unit("u").nodes["x"]


def relative_column(
    params: Params, values: list[int], groups: list[str] | None = None
) -> list[Decimal]:
    codes = [f"u{i}" for i in range(len(values))]
    result = score_period(
        assessment(
            [node("x", "10", rule="relative", params=params)],
            [unit(c, (groups or [""] * len(codes))[i]) for i, c in enumerate(codes)],
            values={"x": dict(zip(codes, values, strict=True))},
        )
    )
    scores = [result.unit(c).nodes["x"] for c in codes]
    assert all(s is not None for s in scores)
    return [s for s in scores if s is not None]


T, F = True, False


@pytest.mark.parametrize(
    ("rule", "params", "values", "expected"),
    [
        # yes/no: defaults are max and 0, both overridable
        ("yes_no", {}, {"": T}, "10"),
        ("yes_no", {}, {"": F}, "0"),
        ("yes_no", {"yes": 8, "no": 2}, {"": T}, "8"),
        ("yes_no", {"yes": 8, "no": 2}, {"": F}, "2"),
        # ratio: numerator / denominator of max, against a target ratio, capped
        ("ratio", {}, {"numerator": D(3), "denominator": D(4)}, "7.5"),
        ("ratio", {"target": "0.8"}, {"numerator": D(3), "denominator": D(4)}, "9.375"),
        ("ratio", {"target": "0.8"}, {"numerator": D(4), "denominator": D(4)}, "10"),
        ("ratio", {}, {"numerator": D(5), "denominator": D(4)}, "10"),
        ("ratio", {}, {"numerator": D(0), "denominator": D(4)}, "0"),
        ("ratio", {}, {"numerator": D(3), "denominator": D(0)}, "0"),
        ("ratio", {"zero_denominator": "full"}, {"numerator": D(0), "denominator": D(0)}, "10"),
        # tiers: the first threshold reached, inclusive by default; else below the last
        (
            "tiers",
            {"tiers": [{"min": 90, "points": 10}, {"min": 50, "points": 5}]},
            {"": D(90)},
            "10",
        ),
        (
            "tiers",
            {"tiers": [{"min": 90, "points": 10}, {"min": 50, "points": 5}]},
            {"": D("89.99")},
            "5",
        ),
        (
            "tiers",
            {"tiers": [{"min": 90, "points": 10}, {"min": 50, "points": 5}]},
            {"": D(50)},
            "5",
        ),
        (
            "tiers",
            {"tiers": [{"min": 90, "points": 10}, {"min": 50, "points": 5}]},
            {"": D(49)},
            "0",
        ),
        (
            "tiers",
            {"tiers": [{"min": 90, "points": 10}, {"min": 50, "points": 5}], "inclusive": False},
            {"": D(90)},
            "5",
        ),
        (
            "tiers",
            {"tiers": [{"min": 90, "points": 10}, {"min": 50, "points": 5}], "else": 1},
            {"": D(10)},
            "1",
        ),
        # linear: from -> 0 points, to -> max, clamped; from > to means lower is better
        ("linear", {"from": 20, "to": 80}, {"": D(50)}, "5"),
        ("linear", {"from": 20, "to": 80}, {"": D(10)}, "0"),
        ("linear", {"from": 20, "to": 80}, {"": D(100)}, "10"),
        ("linear", {"from": 80, "to": 20}, {"": D(35)}, "7.5"),
        ("linear", {"from": 80, "to": 20}, {"": D(5)}, "10"),
        # count: points each, capped at cap (default: max)
        ("count", {"points_each": 2}, {"": D(3)}, "6"),
        ("count", {"points_each": 2}, {"": D(9)}, "10"),
        ("count", {"points_each": 2, "cap": 7}, {"": D(5)}, "7"),
        ("count", {"points_each": "0.5"}, {"": D(3)}, "1.5"),
        # choice: points per option, an unknown option scores 0
        ("choice", {"choices": {"full": 10, "part": 4}}, {"": "part"}, "4"),
        ("choice", {"choices": {"full": 10, "part": 4}}, {"": "full"}, "10"),
        ("choice", {"choices": {"full": 10, "part": 4}}, {"": "other"}, "0"),
        # manual: the reviewer's score, clamped to [0, max]
        ("manual", {}, {"": D("7.5")}, "7.5"),
        ("manual", {}, {"": D(12)}, "10"),
        ("manual", {}, {"": D(-1)}, "0"),
        # formula: Decimal arithmetic from source text, clamped, division by zero gives 0
        ("formula", {"expression": "a * 0.1"}, {"a": D(3)}, "0.3"),
        ("formula", {"expression": "a / b * 10"}, {"a": D(1), "b": D(4)}, "2.5"),
        ("formula", {"expression": "a / b * 10"}, {"a": D(1), "b": D(0)}, "0"),
        ("formula", {"expression": "a / b * 10"}, {"a": D(3), "b": D(1)}, "10"),
        ("formula", {"expression": "a - b"}, {"a": D(1), "b": D(4)}, "0"),
        ("formula", {"expression": "min(a, b) + abs(c)"}, {"a": D(2), "b": D(3), "c": D(-1)}, "3"),
        ("formula", {"expression": "10 if a >= 5 and not b else 2"}, {"a": D(5), "b": F}, "10"),
        ("formula", {"expression": "10 if a >= 5 and not b else 2"}, {"a": D(5), "b": T}, "2"),
    ],
)
def test_rule_scores(rule: str, params: Params, values: Mapping[str, Value], expected: str) -> None:
    score = raw_score(rule, params, "10", values)
    assert score == D(expected)


@pytest.mark.parametrize(
    ("rule", "params", "value", "decimals", "expected"),
    [
        ("manual", {}, D("2.345"), 2, "2.35"),
        ("manual", {}, D("2.344"), 2, "2.34"),
        ("manual", {}, D("2.345"), 1, "2.3"),
        ("manual", {}, D("2.35"), 1, "2.4"),
        ("manual", {}, D("2.5"), 0, "3"),
        ("manual", {}, D("2.34449"), 3, "2.344"),
        ("formula", {"expression": "a / 3"}, {"a": D(10)}, 2, "3.33"),
        ("formula", {"expression": "a / 3"}, {"a": D(20)}, 2, "6.67"),
        ("formula", {"expression": "a / 3"}, {"a": D(20)}, 4, "6.6667"),
        ("ratio", {}, {"numerator": D(1), "denominator": D(3)}, 2, "3.33"),
        ("ratio", {}, {"numerator": D(2), "denominator": D(3)}, 2, "6.67"),
        ("ratio", {}, {"numerator": D(1), "denominator": D(8)}, 2, "1.25"),
        ("ratio", {}, {"numerator": D(1), "denominator": D(16)}, 2, "0.63"),
    ],
)
def test_leaf_scores_are_rounded_half_up_at_the_periods_decimals(
    rule: str, params: Params, value: object, decimals: int, expected: str
) -> None:
    score = leaf_score(rule, params, "10", value, decimals)
    assert score == D(expected)
    assert score is not None and score.as_tuple().exponent == -decimals


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [("2.345", 2, "2.35"), ("-2.345", 2, "-2.35"), ("2.3449", 2, "2.34"), ("0.5", 0, "1")],
)
def test_quantize_is_half_up(value: str, decimals: int, expected: str) -> None:
    assert quantize(D(value), decimals) == D(expected)


@pytest.mark.parametrize(
    ("params", "values", "expected"),
    [
        ({"method": "min_max"}, [10, 20, 30], ["0.00", "5.00", "10.00"]),
        ({"method": "min_max", "higher_is_better": False}, [10, 20, 30], ["10.00", "5.00", "0.00"]),
        ({"method": "min_max"}, [7, 7, 7], ["10.00", "10.00", "10.00"]),
        ({"method": "best"}, [10, 20, 30], ["3.33", "6.67", "10.00"]),
        ({"method": "best", "higher_is_better": False}, [10, 20, 30], ["10.00", "5.00", "3.33"]),
        ({"method": "best"}, [0, 0], ["0.00", "0.00"]),
        ({"method": "best", "higher_is_better": False}, [0, 20], ["10.00", "0.00"]),
    ],
)
def test_relative_rules(params: Params, values: list[int], expected: list[str]) -> None:
    assert relative_column(params, values) == [D(e) for e in expected]


def test_relative_scope_group_compares_within_each_group() -> None:
    params = {"method": "min_max", "scope": "group"}
    values = [10, 20, 30, 40]
    groups = ["a", "a", "b", "b"]
    assert relative_column(params, values, groups) == [D(0), D(10), D(0), D(10)]
    # the same column over the whole period
    assert relative_column({"method": "min_max"}, values, groups) == [
        D("0.00"),
        D("3.33"),
        D("6.67"),
        D("10.00"),
    ]


def test_relative_rule_ignores_units_without_a_value() -> None:
    result = score_period(
        assessment(
            [node("x", "10", rule="relative", params={"method": "min_max"})],
            ["a", "b", "c"],
            values={"x": {"a": 10, "b": 30}},
        )
    )
    assert [result.unit(c).nodes["x"] for c in "abc"] == [D(0), D(10), D(0)]
    assert [(f.unit, f.kind) for f in result.findings] == [("c", "missing")]


@pytest.mark.parametrize(
    ("rule", "params", "message"),
    [
        ("nope", {}, "unknown rule 'nope'"),
        ("yes_no", {"yes": 12}, "param 'yes' = 12 is outside [0, 10]"),
        ("yes_no", {"no": -1}, "param 'no' = -1 is outside [0, 10]"),
        ("ratio", {"target": 0}, "param 'target' must be above 0"),
        (
            "ratio",
            {"zero_denominator": "half"},
            "param 'zero_denominator' must be one of zero, full",
        ),
        ("tiers", {}, "param 'tiers' must be a non-empty list"),
        ("tiers", {"tiers": []}, "param 'tiers' must be a non-empty list"),
        (
            "tiers",
            {"tiers": [{"min": 50, "points": 5}, {"min": 90, "points": 10}]},
            "tier 2: thresholds must go from the highest to the lowest",
        ),
        (
            "tiers",
            {"tiers": [{"min": 50, "points": 5}, {"min": 50, "points": 3}]},
            "tier 2: thresholds must go from the highest to the lowest",
        ),
        ("tiers", {"tiers": [{"min": 90, "points": 12}]}, "tier 1: points 12 outside [0, 10]"),
        ("tiers", {"tiers": [{"min": 90}]}, "param 'points' is required"),
        ("tiers", {"tiers": [{"min": "abc", "points": 1}]}, "param 'min' must be a number"),
        ("tiers", {"tiers": [{"min": 1, "points": 1}], "inclusive": "yes"}, "param 'inclusive'"),
        ("linear", {"from": 5, "to": 5}, "params 'from' and 'to' must differ"),
        ("linear", {"to": 5}, "param 'from' is required"),
        ("count", {"points_each": 0}, "param 'points_each' must be above 0"),
        ("count", {"points_each": 1, "cap": 11}, "param 'cap' = 11 is outside [0, 10]"),
        ("choice", {}, "param 'choices' must be an object"),
        ("choice", {"choices": {"full": 11}}, "param 'full' = 11 is outside [0, 10]"),
        ("formula", {}, "param 'expression' is required"),
        ("formula", {"expression": "__import__('os')"}, "is not allowed in a formula"),
        ("formula", {"expression": "a.real * 10"}, "'a.real' is not allowed in a formula"),
        ("formula", {"expression": "a ** 2"}, "'a ** 2' is not allowed in a formula"),
        ("formula", {"expression": "round(a)"}, "'round(a)' is not allowed in a formula"),
        ("formula", {"expression": "a + 'x'"}, "only numbers are allowed as constants"),
        ("formula", {"expression": "a +"}, "formula is not valid"),
        ("formula", {"expression": "[a][0]"}, "is not allowed in a formula"),
        ("relative", {"method": "median"}, "param 'method' must be one of min_max, best"),
        ("relative", {"scope": "world"}, "param 'scope' must be one of period, group"),
        ("relative", {"higher_is_better": 1}, "param 'higher_is_better' must be true or false"),
    ],
)
def test_bad_params_are_refused_with_a_message(rule: str, params: Params, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        build_rule(rule, params, D(10))
    assert message in str(caught.value)


def test_unknown_rule_lists_the_known_ones() -> None:
    with pytest.raises(RuleError, match=r"known rules: .*yes_no"):
        build_rule("nope", {}, D(10))


def test_formula_refuses_a_name_that_is_not_an_input() -> None:
    with pytest.raises(FormulaError, match="unknown input 'c'"):
        compile_formula("a + c", {"a"})


def test_formula_dunder_name_is_only_an_input_never_a_builtin() -> None:
    # A bare name is looked up among the unit's inputs only: nothing from Python leaks in.
    rule = build_rule("formula", {"expression": "__builtins__ * 2"}, D(10))
    assert [spec.name for spec in rule.inputs] == ["__builtins__"]
    assert raw_score("formula", rule.params, "10", {"__builtins__": D(3)}) == D(6)


@pytest.mark.parametrize(
    ("rule", "params", "names"),
    [
        ("yes_no", {}, [("", "yesno")]),
        # A ratio's inputs and a count are counts: whole numbers.
        ("ratio", {}, [("numerator", "integer"), ("denominator", "integer")]),
        (
            "ratio",
            {"inputs": [{"name": "numerator", "unit": "người"}]},
            [("numerator", "integer"), ("denominator", "integer")],
        ),
        (
            "ratio",
            {"inputs": [{"name": "numerator", "type": "number"}]},
            [("numerator", "number"), ("denominator", "integer")],
        ),
        ("count", {"points_each": 1}, [("", "integer")]),
        ("formula", {"expression": "b / a"}, [("a", "number"), ("b", "number")]),
        ("choice", {"choices": {"x": 1}}, [("", "choice")]),
        (
            "manual",
            {"inputs": [{"name": "note", "type": "text"}]},
            [("", "number"), ("note", "text")],
        ),
    ],
)
def test_rule_inputs(rule: str, params: Params, names: list[tuple[str, str]]) -> None:
    inputs = rule_inputs(rule, params, D(10))
    assert [(spec.name, spec.type) for spec in inputs] == names


@pytest.mark.parametrize(
    ("declared", "bounds"),
    [
        ({"name": "", "type": "percent"}, (D(0), D(100))),
        ({"name": "", "type": "percent", "min": 10}, (D(10), D(100))),
        ({"name": "", "type": "percent", "max": 150}, (D(0), D(150))),
        ({"name": "", "type": "integer"}, (D(0), None)),
        ({"name": "", "type": "integer", "min": -5}, (D(-5), None)),
        ({"name": ""}, (None, None)),
    ],
)
def test_percent_and_count_inputs_are_bounded_unless_declared(
    declared: dict[str, object], bounds: tuple[D | None, D | None]
) -> None:
    (spec,) = rule_inputs("linear", {"from": 0, "to": 1, "inputs": [declared]}, D(10))
    assert (spec.min, spec.max) == bounds


@pytest.mark.parametrize("raw", ["1e999999", "1E5", 1e300, "9" * 16, "0.0000000000000001"])
def test_params_of_hostile_size_are_refused(raw: object) -> None:
    with pytest.raises(RuleError, match=r"plain number|at most 15 digits"):
        build_rule("linear", {"from": raw, "to": 1}, D(10))


def test_numerator_above_denominator_is_a_finding_unless_the_framework_allows_it() -> None:
    values = {"x": {"u": {"numerator": D(150), "denominator": D(100)}}}
    strict = score_period(assessment([node("x", "10", rule="ratio")], ["u"], values=values))
    assert [f.kind for f in strict.findings] == ["ratio_over_100"]
    allowed = node("x", "10", rule="ratio", params={"numerator_above_denominator": True})
    lenient = score_period(assessment([allowed], ["u"], values=values))
    assert lenient.findings == ()
    assert lenient.unit("u").nodes["x"] == D(10)


def test_manual_input_is_bounded_by_the_max_points() -> None:
    (spec,) = rule_inputs("manual", {}, D(10))
    assert (spec.min, spec.max) == (D(0), D(10))


def test_missing_input_scores_zero_and_is_a_finding() -> None:
    result = score_period(
        assessment(
            [node("x", "10", rule="ratio")],
            ["u"],
            values={"x": {"u": {"numerator": 3}}},
        )
    )
    assert result.unit("u").nodes["x"] == D(0)
    assert [(f.kind, f.message) for f in result.findings] == [
        ("missing", "no value for input 'denominator'")
    ]


@pytest.mark.parametrize(
    ("rule", "params", "max_points", "value", "decimals", "expected"),
    [
        # exactly x.5 / x.xx5: a rule must not lose the 5 to an early division (5.4999... -> 5)
        ("linear", {"from": 0, "to": 30}, "10", D("16.5"), 0, "6"),
        ("linear", {"from": 0, "to": 30}, "10", D("0.165"), 2, "0.06"),
        ("linear", {"from": 30, "to": 0}, "10", D("13.5"), 0, "6"),
        ("ratio", {"target": 3}, "10", {"numerator": D(21), "denominator": D(80)}, 2, "0.88"),
    ],
)
def test_scores_exactly_at_a_half_round_up(
    rule: str, params: Params, max_points: str, value: object, decimals: int, expected: str
) -> None:
    assert leaf_score(rule, params, max_points, value, decimals) == D(expected)


def test_relative_min_max_exactly_at_a_half_rounds_up() -> None:
    result = score_period(
        assessment(
            [node("x", "30", rule="relative", params={"method": "min_max"})],
            ["a", "b", "c"],
            values={"x": {"a": 0, "b": D("0.11"), "c": 60}},
        )
    )
    assert result.unit("b").nodes["x"] == D("0.06")  # 0.11 x 30 / 60 = 0.055 exactly
