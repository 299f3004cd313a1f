"""Writing numbers: Vietnamese for people, plain for machines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opendti.numbers import fixed, plain, vi, vi_input

D = Decimal


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (D("1234.5"), {}, "1.234,5"),
        (D("1000"), {}, "1.000"),
        (D("45.50"), {}, "45,50"),  # the places the value holds
        (D("45.50"), {"trim": True}, "45,5"),
        (D("2.345"), {"decimals": 2}, "2,35"),  # half up, as the engine rounds
        (D("2.5"), {"decimals": 0}, "3"),
        (D("100.0000"), {"decimals": 2, "trim": True}, "100"),
        (D("5.00"), {}, "5,00"),
        (D("-1234567.891"), {}, "-1.234.567,891"),
        (D("-0.00"), {}, "0,00"),
        (D("2.5"), {"signed": True}, "+2,5"),
        (D("-2.5"), {"signed": True}, "-2,5"),
        (D("0"), {"signed": True}, "0"),
        (D("1E+3"), {}, "1.000"),  # never an exponent
        (D("1234.5"), {"group": False}, "1234,5"),
        (1000, {}, "1.000"),
        (None, {}, "—"),
    ],
)
def test_vietnamese_display(value: Decimal | int | None, kwargs: dict, expected: str) -> None:
    assert vi(value, **kwargs) == expected


@pytest.mark.parametrize(
    ("value", "integer", "expected"),
    [
        (D("1000"), True, "1.000"),
        (D("1000"), False, "1000"),  # "1.000" in a decimal input would have two readings
        (D("1234.5"), False, "1.234,5"),
        (D("12.50"), False, "12,5"),
        (None, False, ""),
    ],
)
def test_what_an_input_box_shows(value: Decimal | None, integer: bool, expected: str) -> None:
    assert vi_input(value, integer=integer) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("100.0000"), "100"), (D("0.5000"), "0.5"), (D("1E+2"), "100"), (D("-0"), "0"), (7, "7")],
)
def test_plain_text(value: Decimal | int, expected: str) -> None:
    assert plain(value) == expected


def test_fixed_adds_zeros_never_rounds() -> None:
    assert fixed(D("1000"), 2) == "1000.00"
    assert fixed(D("1.23456"), 2) == "1.23456"
    assert fixed(None, 2) is None
