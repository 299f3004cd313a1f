"""Reading and writing the workbook's sheets as plain rows of text, XLSX or a folder of CSVs.

Cells are kept as the text a person would read: numbers from XLSX come back as the shortest
decimal text of the stored value (Excel keeps 15 significant digits), never as binary floats.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from opendti.cells import csv_row, csv_text_read, xlsx_append
from opendti.numbers import plain

from .errors import CellError, WorkbookError

INF = float("inf")
# sheet -> (required columns, optional columns). The order is the order we write them in.
SHEETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "settings": (("key", "value"), ()),
    "pillars": (("code", "name"), ()),
    "framework": (
        ("code", "parent", "name", "kind", "max_points", "pillars", "scored", "rule", "params"),
        ("applies_to", "deployed", "guidance", "evidence_required", "source", "verifier"),
    ),
    "bands": (("scheme", "label", "basis", "lower", "lower_inclusive"), ()),
    "units": (("code", "name", "group"), ("ranked", "kind", "predecessors", "group_name")),
    "values": (("unit", "indicator", "input", "value"), ()),
    "scores": (("unit", "node", "score"), ()),
    "appraised": (("unit", "indicator", "score"), ()),
}
REQUIRED_SHEETS = ("settings", "framework", "units")


@dataclass
class Sheet:
    name: str
    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)

    def letter(self, column: str) -> str:
        return get_column_letter(self.columns.index(column) + 1) if column in self.columns else ""


RawWorkbook = dict[str, Sheet]


def cell_text(value: object) -> str:
    """A cell as text: floats by their shortest repr, dates in ISO form, None as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # Positional, never an exponent (the number reader refuses exponents); its size is the
        # reader's to judge.
        return plain(Decimal(repr(value))) if value == value and abs(value) != INF else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_workbook(path: str | Path) -> RawWorkbook:
    path = Path(path)
    if path.is_dir():
        return _read_csv_folder(path)
    if not path.exists():
        raise WorkbookError([CellError(str(path), None, "", "no such file or folder")])
    if path.suffix.lower() == ".csv":
        raise WorkbookError(
            [
                CellError(
                    path.name, None, "", "give the folder that holds the CSV sheets, not one CSV"
                )
            ]
        )
    return _read_xlsx(path)


def _read_xlsx(path: Path) -> RawWorkbook:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        raise WorkbookError(
            [CellError(path.name, None, "", f"not a readable XLSX file ({exc})")]
        ) from None
    raw: RawWorkbook = {}
    try:
        for worksheet in book.worksheets:
            name = worksheet.title.strip().lower()
            if name not in SHEETS:
                continue
            rows = [[cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True)]
            raw[name] = sheet_from_cells(name, rows)
    finally:
        book.close()
    return raw


def _read_csv_folder(folder: Path) -> RawWorkbook:
    raw: RawWorkbook = {}
    for name in SHEETS:
        path = folder / f"{name}.csv"
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as handle:
                raw[name] = sheet_from_cells(
                    name, [[csv_text_read(c.strip()) for c in row] for row in csv.reader(handle)]
                )
    return raw


def sheet_from_cells(name: str, rows: list[list[str]]) -> Sheet:
    """A sheet from its cells as text, row 1 the header; empty rows skipped, numbers kept."""
    if not rows:
        return Sheet(name, [])
    columns = [c.strip().lower() for c in rows[0]]
    while columns and not columns[-1]:
        columns.pop()
    sheet = Sheet(name, columns)
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cells):
            continue
        sheet.rows.append(
            {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(columns) if col}
        )
        sheet.row_numbers.append(number)
    return sheet


def write_workbook(raw: dict[str, list[dict[str, object]]], path: str | Path) -> None:
    """Write sheets of rows as one XLSX file, or as CSV files when `path` has no .xlsx suffix."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        book = Workbook()
        book.remove(book.active)  # type: ignore[arg-type]
        for name, rows in raw.items():
            sheet = book.create_sheet(name)
            columns = _columns(name, rows)
            xlsx_append(sheet, columns)
            for row in rows:
                xlsx_append(sheet, [_xlsx_value(row.get(col, "")) for col in columns])
            sheet.freeze_panes = "A2"
        book.save(path)
        return
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in raw.items():
        with (path / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            columns = _columns(name, rows)
            writer = csv.writer(handle)
            writer.writerow(csv_row(columns))
            for row in rows:
                writer.writerow(csv_row(_csv_value(row.get(col, "")) for col in columns))


def _columns(name: str, rows: list[dict[str, object]]) -> list[str]:
    required, optional = SHEETS.get(name, ((), ()))
    seen = list(required) + [
        c for c in optional if any(row.get(c) not in (None, "") for row in rows)
    ]
    for row in rows:
        seen.extend(c for c in row if c not in seen)
    return seen


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _csv_value(value: object) -> object:
    # Numbers as numbers (never neutralised); everything else as its text.
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return _text(value)


def _xlsx_value(value: object) -> object:
    # Decimals go in as numbers so that Excel can sum them; everything else as text.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _text(value)


def check_columns(raw: RawWorkbook) -> None:
    """Every required sheet and column is there, or a WorkbookError lists what is missing."""
    errors = [
        CellError(name, None, "", "the sheet is missing")
        for name in REQUIRED_SHEETS
        if name not in raw
    ]
    for name, sheet in raw.items():
        for column in SHEETS[name][0]:
            if column not in sheet.columns:
                errors.append(CellError(name, 1, column, "this required column is missing"))
    if errors:
        raise WorkbookError(errors)


def raw_from_rows(rows: dict[str, list[dict[str, str]]]) -> RawWorkbook:
    """Sheets given as rows of text (e.g. built from the database) as a RawWorkbook."""
    raw: RawWorkbook = {}
    for name, sheet_rows in rows.items():
        columns = _columns(name, sheet_rows)  # type: ignore[arg-type]
        sheet = Sheet(name, columns)
        for number, row in enumerate(sheet_rows, start=2):
            sheet.rows.append({col: str(row.get(col, "") or "") for col in columns})
            sheet.row_numbers.append(number)
        raw[name] = sheet
    return raw


def rows_from_raw(raw: RawWorkbook) -> dict[str, list[dict[str, str]]]:
    return {name: [dict(row) for row in sheet.rows] for name, sheet in raw.items()}
