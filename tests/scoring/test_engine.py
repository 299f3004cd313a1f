"""score_period: aggregation, pillars, policies, groups, ranks, averages, bands and findings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opendti.scoring import FrameworkError, score_period
from opendti.scoring.compare import compare_periods
from opendti.scoring.model import TOTAL, Assessment, BandScheme, Node, PeriodResult

from .builders import D, assessment, node, scheme, unit


def totals(result: PeriodResult) -> dict[str, Decimal]:
    return {u.code: u.total for u in result.units}


def ranks(result: PeriodResult) -> dict[str, int | None]:
    return {u.code: u.rank for u in result.units}


def findings(result: PeriodResult) -> list[tuple[str, str, str, str, str, str]]:
    return [(f.unit, f.node, f.kind, f.expected, f.found, f.difference) for f in result.findings]


def flat(scores: dict[str, int | str], bands: BandScheme | None = None) -> Assessment:
    """A framework of one rule-less main index 'm' (max 100) and each unit's score at it."""
    return assessment(
        [node("m", 100)], [unit(code) for code in scores], scores={"m": scores}, total_bands=bands
    )


# --- aggregation ---------------------------------------------------------------------------------


def test_parent_is_the_exact_sum_of_its_rounded_children() -> None:
    ratio_third = {"numerator": 1, "denominator": 3}
    result = score_period(
        assessment(
            [
                node("g", 30),
                node("a", 10, "g", rule="ratio"),
                node("b", 10, "g", rule="ratio"),
                node("c", 10, "g", rule="ratio"),
                node("m", 5, rule="manual"),
            ],
            ["u"],
            values={
                "a": {"u": ratio_third},
                "b": {"u": ratio_third},
                "c": {"u": ratio_third},
                "m": {"u": D("2.345")},
            },
        )
    )
    scores = result.unit("u").nodes
    assert [scores[c] for c in "abc"] == [D("3.33")] * 3
    assert scores["g"] == D("9.99")  # not 10.00, the rounded exact sum
    assert scores["m"] == D("2.35")
    assert result.unit("u").total == D("12.34")
    assert result.unit("u").max_points == D(35)
    assert result.unit("u").percent == D("35.26")  # 12.34 / 35 = 35.257...
    assert result.unit("u").index == D("0.3526")


def test_deep_tree_aggregates_level_by_level() -> None:
    result = score_period(
        assessment(
            [
                node("r", 20),
                node("g", 15, "r", kind="group"),
                node("g1", 5, "g", kind="component"),
                node("g2", 10, "g", kind="component"),
                node("h", 5, "r", kind="component"),
            ],
            ["u"],
            scores={"g1": {"u": "4.5"}, "g2": {"u": "7.25"}, "h": {"u": "1"}},
        )
    )
    nodes = result.unit("u").nodes
    assert (nodes["g"], nodes["r"], result.unit("u").total) == (D("11.75"), D("12.75"), D("12.75"))


# --- pillars -------------------------------------------------------------------------------------


def pillar_case() -> Assessment:
    return assessment(
        [
            node("a", 10, pillars=["p1", "p2"]),
            node("b", 20, pillars=["p1"]),
            node("b1", 10, "b", pillars=["p1"]),  # already counted through b
            node("b2", 10, "b", pillars=["p2"]),
        ],
        ["u", "v"],
        scores={"a": {"u": 4, "v": 2}, "b1": {"u": 3, "v": 10}, "b2": {"u": 6, "v": 0}},
        pillars=["p1", "p2"],
    )


def test_a_node_counts_in_each_of_its_pillars_and_a_subtree_once() -> None:
    result = score_period(pillar_case())
    u = result.unit("u")
    assert u.nodes["b"] == D(9)
    assert u.total == D(13)
    assert (u.pillars["p1"].score, u.pillars["p1"].max_points) == (D(13), D(30))
    assert (u.pillars["p2"].score, u.pillars["p2"].max_points) == (D(10), D(20))
    assert u.pillars["p2"].percent == D("50.00")


def test_pillar_ranks_are_per_pillar() -> None:
    result = score_period(pillar_case())
    # p1: u 13, v 12; p2: u 10, v 2
    assert [result.unit(c).pillars["p1"].rank for c in "uv"] == [1, 2]
    v = result.unit("v")
    assert (v.pillars["p1"].score, v.pillars["p2"].score) == (D(12), D(2))
    assert result.averages.pillars == {"p1": D("12.50"), "p2": D("6.00")}


# --- not deployed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "l2", "root_max", "total_max", "percent"),
    [("exclude", None, D(10), D(10), D("60.00")), ("zero", D(0), D(20), D(20), D("30.00"))],
)
def test_not_deployed_policy(
    policy: str, l2: Decimal | None, root_max: Decimal, total_max: Decimal, percent: Decimal
) -> None:
    result = score_period(
        assessment(
            [
                node("r", 20),
                node("l1", 10, "r", rule="manual"),
                node("l2", 10, "r", rule="manual", deployed=False),
            ],
            ["u"],
            values={"l1": {"u": 6}, "l2": {"u": 8}},
            not_deployed=policy,
        )
    )
    u = result.unit("u")
    assert u.nodes["l2"] == l2
    assert u.node_max["r"] == root_max
    assert (u.nodes["r"], u.total, u.max_points, u.percent) == (D(6), D(6), total_max, percent)


def test_a_not_deployed_subtree_is_not_deployed_below() -> None:
    result = score_period(
        assessment(
            [node("r", 10, deployed=False), node("r1", 10, "r"), node("s", 10)],
            ["u"],
            scores={"r1": {"u": 9}, "s": {"u": 5}},
            not_deployed="zero",
        )
    )
    u = result.unit("u")
    assert (u.nodes["r1"], u.nodes["r"], u.total, u.max_points) == (D(0), D(0), D(5), D(20))


# --- applies_to and ranking groups ---------------------------------------------------------------


def groups_case(b2_y: str = "7.5") -> Assessment:
    return assessment(
        [node("x", 10, applies_to=["A"]), node("y", 10)],
        [unit("a1", "A"), unit("b1", "B"), unit("b2", "B")],
        scores={"x": {"a1": 5}, "y": {"a1": 10, "b1": 8, "b2": b2_y}},
    )


def test_applies_to_scores_a_node_only_for_its_groups() -> None:
    result = score_period(groups_case())
    a1, b1 = result.unit("a1"), result.unit("b1")
    assert (a1.total, a1.max_points, a1.percent) == (D(15), D(20), D("75.00"))
    assert (b1.total, b1.max_points, b1.percent) == (D(8), D(10), D("80.00"))
    assert b1.nodes["x"] is None and b1.node_max["x"] is None
    assert result.findings == ()  # no score at x is expected from group B
    assert result.averages.nodes["x"] == D("5.00")  # over the units it applies to
    assert result.group_averages["B"].total == D("7.75")


def test_ranking_across_groups_uses_the_share_of_the_applicable_max() -> None:
    result = score_period(groups_case())
    # b1 80 % > a1 75 % = b2 75 % (7.5 of 10): ranked on shares, not on points
    assert ranks(result) == {"b1": 1, "a1": 2, "b2": 2}
    assert {u.code: u.group_rank for u in result.units} == {"a1": 1, "b1": 1, "b2": 2}


def test_ranking_on_shares_is_exact_not_on_rounded_percent() -> None:
    # 2/3 = 66.666..% and 6.67/10 = 66.70 %: both show near 66.67, but the ranks are exact
    result = score_period(
        assessment(
            [node("x", 20, applies_to=["A"]), node("y", 10)],
            [unit("a", "A"), unit("b", "B")],
            scores={"x": {"a": 10}, "y": {"a": 10, "b": "6.67"}},
        )
    )
    assert result.unit("a").percent == D("66.67")
    assert result.unit("b").percent == D("66.70")
    assert ranks(result) == {"b": 1, "a": 2}


# --- informational nodes -------------------------------------------------------------------------


def test_informational_nodes_are_scored_but_not_counted() -> None:
    result = score_period(
        assessment(
            [
                node("r", 10),
                node("l1", 10, "r"),
                node("i", 5, "r", scored=False),
                node("z", 100, scored=False),
                node("z1", 100, "z"),
            ],
            ["u"],
            scores={"l1": {"u": 7}, "i": {"u": 4}, "z1": {"u": 50}},
        )
    )
    u = result.unit("u")
    assert (u.nodes["i"], u.nodes["z1"], u.nodes["z"]) == (D(4), D(50), D(50))
    assert (u.nodes["r"], u.total, u.max_points) == (D(7), D(7), D(10))


# --- ranks, averages, bands ----------------------------------------------------------------------


def test_competition_ranks_share_and_skip() -> None:
    result = score_period(flat({"d": 5, "b": 8, "a": 10, "c": 8}))
    assert ranks(result) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert {u.code: u.group_rank for u in result.units} == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_unranked_units_are_scored_but_take_no_rank_number() -> None:
    result = score_period(
        assessment(
            [node("m", 100, pillars=["p"])],
            [unit("top", ranked=False), unit("b"), unit("c")],
            scores={"m": {"top": 90, "b": 80, "c": 70}},
            pillars=["p"],
        )
    )
    top = result.unit("top")
    assert top.total == D(90)
    assert (top.rank, top.group_rank, top.pillars["p"].rank) == (None, None, None)
    assert ranks(result) == {"top": None, "b": 1, "c": 2}
    assert [result.unit(c).pillars["p"].rank for c in "bc"] == [1, 2]


@pytest.mark.parametrize(
    ("scores", "total", "percent"),
    [
        ({"a": 10, "b": 8, "c": 8, "d": 5}, "7.75", "7.75"),
        ({"a": 10, "b": 8, "c": 8}, "8.67", "8.67"),  # 26 / 3 = 8.666...
        ({"a": "0.01", "b": 0}, "0.01", "0.01"),  # 0.005 rounds half-up
    ],
)
def test_averages(scores: dict[str, int | str], total: str, percent: str) -> None:
    result = score_period(flat(scores))
    assert result.averages.total == D(total)
    assert result.averages.percent == D(percent)
    assert result.averages.nodes["m"] == D(total)


def test_bands_and_band_counts() -> None:
    bands = scheme(
        "points",
        ("Xuất sắc", 10, False),
        ("Tốt", 9, True),
        ("Khá", 8, True),
        ("Yếu", None, True),
    )
    result = score_period(flat({"a": 10, "b": 8, "c": "7.99", "d": 9}, bands))
    assert {u.code: u.band for u in result.units} == {
        "a": "Tốt",
        "b": "Khá",
        "c": "Yếu",
        "d": "Tốt",
    }
    assert list(result.band_counts.items()) == [("Xuất sắc", 0), ("Tốt", 2), ("Khá", 1), ("Yếu", 1)]


def test_percent_bands_and_pillar_band_counts() -> None:
    result = score_period(
        assessment(
            [node("a", 50, pillars=["p"]), node("b", 150)],
            ["u", "v"],
            scores={"a": {"u": 40, "v": 10}, "b": {"u": 110, "v": 150}},
            pillars=["p"],
            total_bands=scheme("percent", ("Tốt", 75, True), ("Khá", None, True)),
            pillar_bands=scheme("percent", ("Tốt", 80, True), ("Khá", None, True)),
        )
    )
    u, v = result.unit("u"), result.unit("v")
    assert (u.percent, u.band, v.percent, v.band) == (D("75.00"), "Tốt", D("80.00"), "Tốt")
    assert (u.pillars["p"].band, v.pillars["p"].band) == ("Tốt", "Khá")
    assert result.band_counts == {"Tốt": 2, "Khá": 0}
    assert result.pillar_band_counts == {"p": {"Tốt": 1, "Khá": 1}}


def test_no_scheme_no_band() -> None:
    result = score_period(flat({"a": 1}))
    assert result.unit("a").band is None
    assert result.band_counts == {}


# --- findings ------------------------------------------------------------------------------------


def test_findings_for_given_scores_that_do_not_add_up() -> None:
    result = score_period(
        assessment(
            [node("r", 20, pillars=["p"]), node("r1", 10, "r"), node("r2", 10, "r")],
            ["u", "v"],
            scores={
                "r1": {"u": "4.25", "v": 5},
                "r2": {"u": "4.25", "v": 5},
                "r": {"u": "9.00", "v": 10},  # u: parts give 8.50
                "p": {"u": "8.40", "v": 10},
                TOTAL: {"u": "8.49", "v": "10.00"},
            },
            pillars=["p"],
        )
    )
    assert findings(result) == [
        ("u", "r", "node_sum", "8.50", "9.00", "+0.50"),
        ("u", "p", "pillar_sum", "8.50", "8.40", "-0.10"),
        ("u", TOTAL, "total_sum", "8.50", "8.49", "-0.01"),
    ]
    assert result.unit("u").total == D("8.50")  # the parts win
    assert result.findings[0].message == (
        "the score given at this node differs from the sum of its parts: "
        "9.00 given, 8.50 from the parts (+0.50)"
    )


def test_findings_for_values_that_cannot_be_right() -> None:
    result = score_period(
        assessment(
            [
                node("m", 10, rule="manual"),
                node("r", 10, rule="ratio"),
                node("s", 10),
                node("c", 10, rule="choice", params={"choices": {"full": 10}}),
            ],
            ["u", "v"],
            values={
                "m": {"u": 12, "v": 5},
                "r": {
                    "u": {"numerator": 5, "denominator": 4},
                    "v": {"numerator": 1, "denominator": 4},
                },
                "c": {"u": "full", "v": "half"},
            },
            scores={"s": {"u": 3}},
        )
    )
    assert findings(result) == [
        ("u", "m", "out_of_bounds", "[0, 10]", "12", "+2"),
        ("u", "r", "ratio_over_100", "<= 4", "5", "+1"),
        ("v", "s", "missing", "", "", ""),
        ("v", "c", "out_of_bounds", "full", "half", ""),
    ]
    u = result.unit("u")
    assert (u.nodes["m"], u.nodes["r"]) == (D(10), D(10))  # capped at the max
    assert result.unit("v").nodes["s"] == D(0)


def test_missing_values_are_findings_with_a_message() -> None:
    result = score_period(
        assessment([node("m", 10, rule="manual"), node("s", 10)], ["u"], values={"m": {}})
    )
    assert [(f.node, f.kind, f.message) for f in result.findings] == [
        ("m", "missing", "no value given"),
        ("s", "missing", "no score given"),
    ]


def test_scores_that_add_up_make_no_findings() -> None:
    result = score_period(
        assessment(
            [node("r", 20), node("r1", 10, "r"), node("r2", 10, "r")],
            ["u"],
            scores={"r1": {"u": 4}, "r2": {"u": "4.5"}, "r": {"u": "8.50"}, TOTAL: {"u": "8.5"}},
        )
    )
    assert result.findings == ()


# --- framework checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ([node("a", 10), node("a", 10)], "a: the code is used twice"),
        ([node("a", 10, "zz")], "a: parent 'zz' is not a node of the framework"),
        ([node("a", 10, "b"), node("b", 10, "a")], "the tree has a cycle"),
        (
            [node("r", 20), node("r1", 10, "r")],
            "r: max points 20 differ from its scored children's 10",
        ),
        ([node(TOTAL, 10)], "a node code must differ from TOTAL"),
        ([node("a", 10, pillars=["nope"])], "a: unknown pillar nope"),
        ([node("a", -1)], "a: max points cannot be negative"),
        ([node("a", 10, kind="leaf")], "a: kind must be one of"),
        (
            [node("r", 10, rule="manual"), node("r1", 10, "r")],
            "r: only a leaf can have a rule",
        ),
    ],
)
def test_inconsistent_frameworks_are_refused(nodes: list[Node], message: str) -> None:
    with pytest.raises(FrameworkError) as caught:
        score_period(assessment(nodes, ["u"]))
    assert message in str(caught.value)


def test_a_band_scheme_out_of_order_is_refused() -> None:
    with pytest.raises(FrameworkError, match="band scheme"):
        score_period(
            assessment(
                [node("m", 10)],
                ["u"],
                total_bands=scheme(
                    "points", ("Khá", 5, True), ("Tốt", 8, True), ("Yếu", None, True)
                ),
            )
        )


# --- change against a previous period ------------------------------------------------------------


def test_compare_periods_follows_lineage() -> None:
    previous = score_period(flat({"a": 10, "b": 6, "c": "8.01"}))
    current = score_period(flat({"a": 12, "m": 9, "s": 5, "n": 4}))
    change = compare_periods(current, previous, {"m": ["b", "c"], "s": ["b"], "a": ["c"]})
    by_unit = {c.unit: c for c in change.units}
    # a exists in both: itself, whatever the lineage says
    assert (by_unit["a"].via, by_unit["a"].predecessors, by_unit["a"].change) == (
        "same",
        ("a",),
        D(2),
    )
    # m merged from b and c: mean of 6 and 8.01 = 7.005 -> 7.01
    m = by_unit["m"]
    assert (m.via, m.predecessors, m.previous_total, m.change) == (
        "lineage",
        ("b", "c"),
        D("7.01"),
        D("1.99"),
    )
    assert m.percent_change == D("1.99")
    # s split from b
    assert (by_unit["s"].via, by_unit["s"].change) == ("lineage", D(-1))
    # n has no history
    assert (by_unit["n"].via, by_unit["n"].change, by_unit["n"].previous_total) == (
        "none",
        None,
        None,
    )
    assert change.most_improved == ("a",)
    assert change.average_change == D("7.50") - D("8.00")
