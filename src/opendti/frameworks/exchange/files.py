"""The framework file on disk: XLSX (one sheet per part) or JSON (one document), chosen by suffix.

Both are read into the workbook's `Sheet`s of text, so one checker serves both. In a JSON file,
list entries are numbered from 1 and take the place of a sheet's rows in error messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from opendti.cells import xlsx_append
from opendti.workbook.errors import CellError, WorkbookError
from opendti.workbook.sheets import Sheet, cell_text, sheet_from_cells

from .rows import COLUMNS, META_KEYS, SHEET_NAMES, Rows

SUFFIXES = (".xlsx", ".json")
XLSX_ORDER = ("framework", "pillars", "bands", "meta")  # the tree first: what a reader opens
JSON_ORDER = ("meta", "pillars", "framework", "bands")
# Columns written as numbers in XLSX (so that Excel can sum them) and as decimal strings in JSON.
NUMBERS = {("framework", "max_points"), ("bands", "lower"), ("meta", "total_max")}
FLAGS = {("framework", "scored"), ("framework", "evidence_required"), ("bands", "lower_inclusive")}
LISTS = {("framework", "pillars"), ("framework", "applies_to")}
WIDTHS = {"name": 60, "params": 40, "guidance": 40, "label": 20, "value": 40, "verifier": 24}


def file_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise WorkbookError([CellError(path.name, None, "", "the file must end in .xlsx or .json")])
    return suffix


# Writing -----------------------------------------------------------------------------------------


def write_xlsx(rows: Rows, path: Path) -> None:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name in XLSX_ORDER:
        sheet = book.create_sheet(name)
        columns = COLUMNS[name]
        xlsx_append(sheet, list(columns))
        for row in rows[name]:
            if name == "meta":  # the value's type depends on the key
                xlsx_append(sheet, [row["key"], _xlsx_value(name, row["key"], row["value"])])
            else:
                xlsx_append(sheet, [_xlsx_value(name, c, row[c]) for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(columns):
            letter = sheet.cell(1, index + 1).column_letter
            sheet.column_dimensions[letter].width = WIDTHS.get(column, 14)
        sheet.freeze_panes = "A2"
    book.save(path)


def _xlsx_value(sheet: str, column: str, text: str) -> object:
    if not text:
        return None
    if (sheet, column) in NUMBERS:
        return Decimal(text)
    if (sheet, column) == ("meta", "year") and text.isdigit():
        return int(text)
    return text


def write_json(rows: Rows, path: Path) -> None:
    meta = {row["key"]: row["value"] for row in rows["meta"]}
    document: dict[str, object] = {}
    for name in JSON_ORDER:
        if name == "meta":
            document[name] = {key: _json_value(name, key, meta.get(key, "")) for key in META_KEYS}
        else:
            document[name] = [
                {c: _json_value(name, c, row[c]) for c in COLUMNS[name]} for row in rows[name]
            ]
    text = json.dumps(document, ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")


def _json_value(sheet: str, column: str, text: str) -> object:
    if (sheet, column) in FLAGS:
        return text == "yes"
    if (sheet, column) in LISTS:
        return [part for part in text.split(";") if part]
    if (sheet, column) == ("framework", "params"):
        return json.loads(text) if text.strip() else None
    if (sheet, column) == ("meta", "year"):
        return int(text) if text.isdigit() else text
    if (sheet, column) in NUMBERS or column in ("parent", "decision_date"):
        return text or None
    return text


# Reading -----------------------------------------------------------------------------------------


@dataclass
class Loaded:
    sheets: dict[str, Sheet]
    from_json: bool
    errors: list[CellError] = field(default_factory=list)  # entries that could not be read


def read_framework_file(path: Path) -> Loaded:
    if not path.is_file():
        raise WorkbookError([CellError(str(path), None, "", "no such file")])
    if file_suffix(path) == ".json":
        return _read_json(path)
    return Loaded(_read_xlsx(path), from_json=False)


def read_framework_xlsx(source: BinaryIO, name: str) -> Loaded:
    """An XLSX framework file from an open binary file (an upload kept in a storage): the caller
    has bounded its size (the portal: assessments.uploads)."""
    return Loaded(_read_xlsx(source, name), from_json=False)


def _read_xlsx(path: Path | BinaryIO, name: str | None = None) -> dict[str, Sheet]:
    name = name or getattr(path, "name", "") or "?"
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        raise WorkbookError(
            [CellError(Path(name).name, None, "", f"not a readable XLSX file ({exc})")]
        ) from None
    sheets: dict[str, Sheet] = {}
    try:
        for worksheet in book.worksheets:
            name = worksheet.title.strip().lower()
            if name in SHEET_NAMES:
                cells = [[cell_text(v) for v in r] for r in worksheet.iter_rows(values_only=True)]
                sheets[name] = sheet_from_cells(name, cells)
    finally:
        book.close()
    return sheets


def _read_json(path: Path) -> Loaded:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WorkbookError([CellError(path.name, None, "", f"not valid JSON ({exc})")]) from None
    return loaded_from_document(document, path.name)


def loaded_from_document(document: object, source: str) -> Loaded:
    """A framework file's JSON document, already decoded (e.g. a filled template), as sheets."""
    if not isinstance(document, dict):
        raise WorkbookError(
            [CellError(source, None, "", "the document must be a JSON object {...}")]
        )
    loaded = Loaded({}, from_json=True)
    unknown = [key for key in document if key not in SHEET_NAMES]
    if unknown:
        loaded.errors.append(
            CellError(
                source,
                None,
                "",
                f"unknown key(s) {', '.join(unknown)} (known: {', '.join(JSON_ORDER)})",
            )
        )
    meta = document.get("meta", {})
    if isinstance(meta, dict):
        sheet = Sheet("meta", ["key", "value"])
        for number, (key, value) in enumerate(meta.items(), start=1):
            sheet.rows.append({"key": str(key), "value": _text(loaded, "meta", number, key, value)})
            sheet.row_numbers.append(number)
        loaded.sheets["meta"] = sheet
    else:
        loaded.errors.append(CellError("meta", None, "", "meta must be a JSON object {...}"))
    for name in ("pillars", "framework", "bands"):
        if name not in document:
            continue
        entries = document[name]
        if not isinstance(entries, list):
            loaded.errors.append(CellError(name, None, "", f"{name} must be a JSON list [...]"))
            continue
        sheet = Sheet(name, list(COLUMNS[name]))
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                loaded.errors.append(
                    CellError(name, number, "", "an entry must be an object {...}")
                )
                continue
            for key in entry:
                if key not in COLUMNS[name]:
                    loaded.errors.append(
                        CellError(
                            name, number, key, f"unknown key (known: {', '.join(COLUMNS[name])})"
                        )
                    )
            sheet.rows.append(
                {c: _text(loaded, name, number, c, entry.get(c)) for c in COLUMNS[name]}
            )
            sheet.row_numbers.append(number)
        loaded.sheets[name] = sheet
    return loaded


def _text(loaded: Loaded, sheet: str, number: int, column: str, value: object) -> str:
    """A JSON value as the text a sheet's cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | str):
        return cell_text(value)
    if column == "params":
        return json.dumps(value, ensure_ascii=False)
    if (
        (sheet, column) in LISTS
        and isinstance(value, list)
        and all(isinstance(part, str) for part in value)
    ):
        return ";".join(part.strip() for part in value)
    loaded.errors.append(
        CellError(
            sheet,
            None if sheet == "meta" else number,
            column,
            "must be text, a number, true/false"
            + (" or a list of codes" if (sheet, column) in LISTS else ""),
        )
    )
    return ""
