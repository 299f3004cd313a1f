"""A rule's whole-column scorer (`compile_cells`, for speed) gives, cell by cell, exactly the score
of its one-unit scorer (`compile`), the same Decimal to the last digit and exponent, and leaves to
the one-unit scorer (None) every cell it cannot decide: no inputs, a missing or non-number input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendti.scoring.rules import REGISTRY, MissingInput

MAX = Decimal("40")
RULES = [
    ("yes_no", {}),
    ("yes_no", {"yes": 30, "no": 5}),
    ("ratio", {}),
    ("ratio", {"target": "0.8", "zero_denominator": "full"}),
    ("tiers", {"tiers": [{"min": 10, "points": 40}, {"min": 5, "points": 20}], "else": 1}),
    ("tiers", {"tiers": [{"min": "7.5", "points": 30}], "inclusive": False}),
    ("linear", {"from": 2, "to": "12.5"}),
    ("linear", {"from": 100, "to": 0}),
    ("count", {"points_each": "2.5"}),
    ("count", {"points_each": 3, "cap": 20}),
    ("choice", {"choices": {"Đầy đủ": 40, "Một phần": "12.5", "Không": 0}}),
    ("manual", {}),
    ("formula", {"expression": "min(a / b, 1) * 40"}),
    ("formula", {"expression": "30 if a >= 80 else a / 80 * 30"}),
    ("formula", {"expression": "max(a - b, 0) / 10 + abs(a) / 100 * 9 / 2"}),
    ("formula", {"expression": "a if a > 0 and not b < 0 or b == 1 else -b"}),
]

numbers = st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False)
values = st.one_of(numbers, st.booleans(), st.sampled_from(["Đầy đủ", "Một phần", "Khác"]))
names = st.sampled_from(["", "numerator", "denominator", "a", "b"])
inputs = st.one_of(st.none(), st.dictionaries(names, values, max_size=5))


@pytest.mark.parametrize(("name", "params"), RULES)
@settings(max_examples=60, deadline=None)
@given(column=st.lists(inputs, max_size=12))
def test_the_column_scorer_agrees_with_the_cell_scorer(name, params, column) -> None:
    rule = REGISTRY[name]
    assert rule.compile is not None and rule.compile_cells is not None
    one = rule.compile(params, MAX)
    scores = rule.compile_cells(params, MAX)(column)
    assert len(scores) == len(column)
    for cell, score in zip(column, scores, strict=True):
        if score is None:
            continue
        assert cell is not None
        try:
            expected = one(cell)
        except MissingInput:
            pytest.fail(f"the column scorer scored {cell!r}, which has a missing input")
        assert str(score) == str(expected), cell


@pytest.mark.parametrize(("name", "params"), RULES)
def test_plain_numbers_are_decided_by_the_column_scorer(name, params) -> None:
    rule = REGISTRY[name]
    assert rule.compile_cells is not None
    cell = {
        "": Decimal("6"),
        "numerator": Decimal("3"),
        "denominator": Decimal("4"),
        "a": Decimal("12"),
        "b": Decimal("5"),
    }
    if name in ("yes_no", "choice"):
        cell[""] = True if name == "yes_no" else "Một phần"  # type: ignore[assignment]
    scores = rule.compile_cells(params, MAX)([cell, None, {}])
    assert scores[0] is not None and scores[1] is None and scores[2] is None
