"""Property tests over the number reader: what the writer writes, the reader reads back, for every
kind of input and every way a person or a machine writes it; and no text ever makes the reader
fail otherwise than with a NumberError."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from opendti.numbers import (
    MAX_FRACTION_DIGITS,
    MAX_WHOLE_DIGITS,
    Notation,
    NumberError,
    from_cell,
    parse,
    plain,
    vi,
    vi_input,
)

LIMIT = 10**MAX_WHOLE_DIGITS - 1
counts = st.integers(min_value=-LIMIT, max_value=LIMIT).map(Decimal)
decimals = st.decimals(
    min_value=-LIMIT, max_value=LIMIT, places=6, allow_nan=False, allow_infinity=False
) | st.integers(min_value=-LIMIT, max_value=LIMIT).flatmap(
    lambda whole: st.integers(min_value=0, max_value=MAX_FRACTION_DIGITS).map(
        lambda places: Decimal(whole).scaleb(-places)
    )
)


def _spaced(text: str) -> str:
    return text.replace(".", " ")


@given(counts)
@example(Decimal(1000))
@example(Decimal(1234))
def test_a_count_reads_back_however_it_is_grouped(value: Decimal) -> None:
    for text in (
        vi(value),
        vi(value, group=False),
        _spaced(vi(value)),
        vi_input(value, integer=True),
    ):
        assert parse(text, integer=True) == value
    assert parse(plain(value), integer=True, notation=Notation.PLAIN) == value
    assert parse(plain(value), integer=True, notation=Notation.WORKBOOK) == value


@given(decimals)
@example(Decimal("1234.5"))
@example(Decimal("1000"))
@example(Decimal("0.001"))
def test_a_decimal_reads_back_from_its_input_text_and_its_plain_text(value: Decimal) -> None:
    assert parse(vi_input(value, integer=False)) == value
    assert parse(vi(value, group=False)) == value
    assert parse(plain(value), notation=Notation.PLAIN) == value
    assert parse(plain(value), notation=Notation.WORKBOOK) == value
    assert parse(plain(value).replace(".", ","), notation=Notation.WORKBOOK) == value


@given(decimals)
@example(Decimal("1234"))
@example(Decimal("-1500"))
def test_grouped_display_reads_back_or_is_refused_with_the_value_among_the_readings(
    value: Decimal,
) -> None:
    # The page shows 1.234 for one thousand two hundred thirty-four; typed back into a decimal
    # input it has two readings, and the reader says so rather than choose.
    assert parse(_spaced(vi(value))) == value  # a space only ever groups thousands
    for text in (vi(value),):
        try:
            assert parse(text) == value
        except NumberError as error:
            assert error.code == "ambiguous"
            assert value in error.readings


@given(st.decimals(min_value=0, max_value=100, places=4))
def test_a_percent_reads_back_with_or_without_its_sign(value: Decimal) -> None:
    text = vi_input(value, integer=False)
    assert parse(text + "%", percent=True) == value
    assert parse(text + " %", percent=True) == value
    assert parse(text, percent=True) == value


@given(decimals)
def test_a_negative_number_reads_back_with_a_typographic_minus(value: Decimal) -> None:
    text = vi_input(-abs(value), integer=False).replace("-", "\u2212")
    assert parse(text) == -abs(value)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e14, max_value=1e14))
def test_a_spreadsheet_number_is_read_to_its_15_digits(value: float) -> None:
    try:
        number = from_cell(value)
    except NumberError as error:
        assert error.code == "too_precise"  # a tiny float, 1e-20 and the like
        return
    assert abs(float(number) - value) <= abs(value) * 1e-14


@given(st.text(max_size=80), st.booleans(), st.sampled_from(list(Notation)))
@example("1e1000000", False, Notation.PLAIN)
@example("9" * 5000, True, Notation.VI)
def test_no_text_fails_otherwise_than_with_a_number_error(
    text: str, integer: bool, notation: Notation
) -> None:
    try:
        value = parse(text, integer=integer, percent=True, notation=notation)
    except NumberError:
        return
    assert value.is_finite()
    assert value.is_zero() or value.adjusted() < MAX_WHOLE_DIGITS
    assert len(plain(value)) <= MAX_WHOLE_DIGITS + MAX_FRACTION_DIGITS + 2
