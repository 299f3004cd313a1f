"""The one cell writer: text never becomes a formula, numbers stay numbers, and what OpenDTI
writes to CSV it reads back exactly."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from opendti.cells import csv_cell, csv_text_read, xlsx_append

HOSTILE = ["=1+1", '=HYPERLINK("http://x","Bấm")', "+1+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", [*HOSTILE, "\0=1+1"])
def test_csv_neutralises_what_a_spreadsheet_would_evaluate(text) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "written"),
    [(Decimal("-12.50"), "-12.50"), (-3, "-3"), ("-12.5", "-12.5"), ("+7", "+7"), ("1e3", "1e3")],
)
def test_numbers_stay_numbers(value, written) -> None:
    assert csv_cell(value) == written


@given(st.text())
def test_csv_round_trip_is_exact(text) -> None:
    assert csv_text_read(csv_cell(text)) == text


def test_xlsx_text_is_never_a_formula_and_numbers_are_numbers() -> None:
    book = Workbook()
    xlsx_append(book.active, [*HOSTILE, Decimal("-1.5"), 7, None, "bình thường"])
    out = io.BytesIO()
    book.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    for cell, text in zip(row, HOSTILE, strict=False):
        assert (cell.value, cell.data_type) == (text, "s")
        assert cell.quotePrefix  # Excel keeps it text when the cell is edited
    assert [(c.value, c.data_type) for c in row[len(HOSTILE) : len(HOSTILE) + 2]] == [
        (-1.5, "n"),
        (7, "n"),
    ]
    assert row[-1].value == "bình thường" and not row[-1].quotePrefix
