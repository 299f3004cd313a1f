"""The one writer of spreadsheet cells: every CSV and XLSX file OpenDTI writes puts its cells
through here, so that no text a person typed (a unit's name, a note, a decision number) becomes
a live formula when someone opens the file (OWASP "CSV injection").

- Numbers stay numbers: Decimal and int values, and text that is a plain decimal number
  ("-12.5", "1e3"), are written as they are, so spreadsheets still sum them.
- Any other text starting with `=`, `+`, `-`, `@`, a tab, a carriage return or a null character
  (OWASP; ASVS 5.0 V1.2.10) is neutralised:
  in CSV it gets a leading apostrophe (OWASP's advice: spreadsheets show the text, not a formula),
  in XLSX it is stored as a string cell (never a formula) marked "quote prefix", so that editing
  the cell in Excel keeps it text too.
- `csv_text_read` undoes the apostrophe for the CSV files OpenDTI reads back (the workbook's CSV
  folders), so a round trip returns exactly the text written. A leading apostrophe the text
  itself had is protected by a second one: writing and reading are inverse for every text.

Standard library and openpyxl only: the engine's workbook and every app use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.worksheet.worksheet import Worksheet

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
QUOTE = "'"
# Text a spreadsheet reads as a number, never as a formula.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def is_number_text(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


def dangerous(text: str) -> bool:
    """Whether a spreadsheet could take this text for a formula."""
    return text.startswith(TRIGGERS) and not is_number_text(text)


def _quoted(text: str) -> bool:
    """Text as the CSV writer leaves it after protecting it (what the reader strips)."""
    return text.startswith(QUOTE) and (dangerous(text[1:]) or text[1:].startswith(QUOTE))


def csv_cell(value: object) -> str:
    """A value as the text of one CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal | int | float):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    text = str(value)
    if dangerous(text) or _quoted(text):
        return QUOTE + text
    return text


def csv_row(values: Iterable[object]) -> list[str]:
    return [csv_cell(v) for v in values]


def csv_text_read(text: str) -> str:
    """The text `csv_cell` was given, from the CSV cell it wrote."""
    return text[1:] if _quoted(text) else text


def xlsx_set(cell: Cell | MergedCell, value: object) -> Cell | MergedCell:
    """Put a value in an XLSX cell: numbers as numbers, text always as text."""
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl takes "=..." for a formula; this is text
        if value.startswith(TRIGGERS):
            cell.quotePrefix = True
    else:
        cell.value = value  # type: ignore[assignment]
    return cell


def xlsx_append(sheet: Worksheet, values: Sequence[Any]) -> int:
    """Append a row of values as `xlsx_set` writes them; returns the row's number."""
    sheet.append(list(values))  # creates a cell for every value, None included
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            xlsx_set(sheet.cell(row=row, column=column), value)
    return row
