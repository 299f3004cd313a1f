"""The one number reader: Vietnamese as people type it, plain for the API, the workbook's
contract; limits on size; a text two readings fit is refused with both."""

from __future__ import annotations

from decimal import Decimal

import pytest

from opendti.numbers import MAX_WHOLE_DIGITS, Notation, NumberError, from_cell, parse

D = Decimal


@pytest.mark.parametrize(
    ("text", "integer", "expected"),
    [
        ("1.000", True, "1000"),
        ("1.234.567", True, "1234567"),
        ("1 000", True, "1000"),
        ("1\u00a0000", True, "1000"),
        ("12,5", False, "12.5"),
        ("1.234,5", False, "1234.5"),
        ("1 234,5", False, "1234.5"),
        ("1 234", False, "1234"),  # a space only ever groups thousands: one reading
        ("1.234.567,25", False, "1234567.25"),
        ("1,234", False, "1.234"),  # a comma is always the decimal separator in Vietnamese
        ("0,5", False, "0.5"),
        ("-3", True, "-3"),
        ("\u22123", True, "-3"),  # the typographic minus Word and Excel put in
        ("+7", True, "7"),
        ("5,0", True, "5"),  # a whole number, however written
        ("1000", False, "1000"),
        (" 42 ", True, "42"),
        ("１２", True, "12"),  # full-width digits from an IME
    ],
)
def test_vietnamese_numbers(text: str, integer: bool, expected: str) -> None:
    assert parse(text, integer=integer) == D(expected)


def test_a_percent_may_carry_its_sign() -> None:
    assert parse("12,5%", percent=True) == D("12.5")
    assert parse("12,5 %", percent=True) == D("12.5")
    with pytest.raises(NumberError):
        parse("12,5%")


@pytest.mark.parametrize(
    ("text", "integer", "readings"),
    [
        ("1.234", False, ("1234", "1.234")),
        ("1.000", False, ("1000", "1")),
        ("-1.500", False, ("-1500", "-1.5")),
        ("1,000", True, ("1", "1000")),
        ("1,234", True, ("1.234", "1234")),
    ],
)
def test_a_text_with_two_readings_is_refused_with_both(
    text: str, integer: bool, readings: tuple[str, str]
) -> None:
    with pytest.raises(NumberError) as raised:
        parse(text, integer=integer)
    assert raised.value.code == "ambiguous"
    assert raised.value.readings == tuple(D(r) for r in readings)


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("12.5", ("125", "12.5")),
        ("1,234.5", ("1.2345", "1234.5")),  # the English way: refused, both readings offered
        ("0.500", ("500", "0.5")),
        ("1.2345", ("12345", "1.2345")),
    ],
)
def test_badly_grouped_numbers_are_refused_with_what_they_may_mean(
    text: str, readings: tuple[str, str]
) -> None:
    with pytest.raises(NumberError) as raised:
        parse(text)
    assert raised.value.code == "malformed"
    assert raised.value.readings == tuple(D(r) for r in readings)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "invalid"),
        ("1e5", "invalid"),
        ("1e999999", "invalid"),
        ("1e1000000", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("1.2.3,4,5", "invalid"),
        ("1 234.5", "invalid"),
        ("12,5", "not_whole"),
        ("9" * (MAX_WHOLE_DIGITS + 1), "too_large"),
        ("1" * 100_000, "too_large"),
        ("0," + "1" * 16, "too_precise"),
    ],
)
def test_what_is_not_a_number_within_limits_is_refused(text: str, code: str) -> None:
    with pytest.raises(NumberError) as raised:
        parse(text, integer=code == "not_whole")
    assert raised.value.code == code
    assert len(str(raised.value)) < 200  # a million-digit text is never echoed back


def test_the_largest_numbers_within_limits_are_read() -> None:
    assert parse("999.999.999.999.999", integer=True) == D("999999999999999")
    assert parse("0," + "9" * 15) == D("0." + "9" * 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234.5", "1234.5"), ("-3", "-3"), ("0", "0"), ("1000", "1000"), ("1.000", "1")],
)
def test_the_api_notation_is_a_dot_decimal(text: str, expected: str) -> None:
    assert parse(text, notation=Notation.PLAIN) == D(expected)


@pytest.mark.parametrize("text", ["12,5", "1.234,5", "1 000", "1e5", "+3", ".5", "5.", "1,234.5"])
def test_the_api_notation_is_nothing_else(text: str) -> None:
    with pytest.raises(NumberError) as raised:
        parse(text, notation=Notation.PLAIN)
    assert raised.value.code == "plain"


@pytest.mark.parametrize("text", ["1.5", "1.000", "5.0"])
def test_the_api_notation_takes_counts_as_digits_only(text: str) -> None:
    # "1.000" from an integrator who meant a thousand is refused, not read as one.
    with pytest.raises(NumberError) as raised:
        parse(text, integer=True, notation=Notation.PLAIN)
    assert raised.value.code == "not_whole"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("860,69", "860.69"), ("860.69", "860.69"), ("1 000,5", "1000.5"), ("-0,5", "-0.5")],
)
def test_the_workbook_notation_takes_a_dot_or_a_lone_comma(text: str, expected: str) -> None:
    assert parse(text, notation=Notation.WORKBOOK) == D(expected)


@pytest.mark.parametrize(
    ("cell", "integer", "expected"),
    [
        (1234.0, True, "1234"),
        (0.1 + 0.2, False, "0.3"),  # 15 significant digits, as the spreadsheet keeps them
        (33.333333333333336, False, "33.3333333333333"),
        (12, True, "12"),
        (D("12.50"), False, "12.50"),
    ],
)
def test_numbers_a_spreadsheet_cell_holds(cell: object, integer: bool, expected: str) -> None:
    assert from_cell(cell, integer=integer) == D(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        (1.234, "not_whole"),  # an English Excel read "1.234" as one point two three four
        (1e300, "too_large"),
        (float("inf"), "invalid"),
        (float("nan"), "invalid"),
        (True, "invalid"),
        (10**40, "too_large"),
    ],
)
def test_cells_that_cannot_be_a_count_or_are_too_large(cell: object, code: str) -> None:
    with pytest.raises(NumberError) as raised:
        from_cell(cell, integer=True)  # type: ignore[arg-type]
    assert raised.value.code == code
