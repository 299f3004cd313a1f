"""Check a framework file completely before anything is written, and report every error at once.

The tree, the rules and their params, the pillars and the bands are checked by the assessment
workbook's own parser (a workbook made of these sheets, a minimal settings sheet and no units);
what the parser leaves to the database (lengths, decimal places, the issuing decision, every
duplicate and dangling parent rather than the first) is checked here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from opendti.core.names import level_default_name
from opendti.scoring.model import NODE_KINDS
from opendti.workbook.errors import CellError, WorkbookError
from opendti.workbook.parse import NO as NO_FLAGS
from opendti.workbook.parse import ParsedWorkbook, parse_number, parse_workbook
from opendti.workbook.sheets import Sheet

from .files import Loaded
from .rows import META_KEYS, SHEET_NAMES

CODE = re.compile(r"[-a-zA-Z0-9_]+")  # a SlugField's alphabet
REQUIRED_META = ("name", "year", "level")
# Field sizes of the models, so that a file that passes never fails in the database.
POINTS = (12, 4)
INPUT_BOUNDS = (20, 6)


@dataclass(frozen=True)
class Meta:
    code: str
    name: str
    year: int
    level: str
    level_name: str
    decision_number: str
    decision_date: dt.date | None
    decision_issuer: str
    total_max: Decimal | None
    national_basis: str = ""


@dataclass(frozen=True)
class Checked:
    meta: Meta
    parsed: ParsedWorkbook  # the engine's view: nodes, rules with their inputs, pillars, bands
    rows: list[dict[str, str]]  # the framework sheet's rows, for the columns the engine ignores


def fits(value: Decimal, digits: int, places: int) -> str:
    """Why a number does not fit a decimal column, or ''."""
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return f"at most {places} decimal places"
    if abs(value) >= Decimal(10) ** (digits - places):
        return f"must be less than {10 ** (digits - places)}"
    return ""


class _Errors:
    def __init__(self, from_json: bool) -> None:
        self.from_json = from_json
        self.items: list[CellError] = []

    def add(self, sheet: Sheet, index: int | None, column: str, message: str) -> None:
        row = sheet.row_numbers[index] if index is not None else None
        letter = "" if self.from_json else sheet.letter(column)
        self.items.append(CellError(sheet.name, row, column, message, letter))


class _MetaErrors:
    """Meta errors name the key: in XLSX the key's row and column 'value', in JSON the key."""

    def __init__(self, sheet: Sheet, errors: _Errors) -> None:
        self.rows = {row.get("key", "").strip().lower(): i for i, row in enumerate(sheet.rows)}
        self.sheet, self.errors = sheet, errors

    def add(self, key: str, message: str) -> None:
        index = self.rows.get(key)
        if self.errors.from_json or index is None:
            self.errors.items.append(CellError("meta", None, key, message))
        else:
            self.errors.add(self.sheet, index, "value", message)


def framework_check(loaded: Loaded, *, code: str | None = None) -> Checked:
    """The file's content, checked; or a WorkbookError listing every problem with its place."""
    errors = _Errors(loaded.from_json)
    errors.items += loaded.errors
    sheets = loaded.sheets
    if "framework" not in sheets:
        errors.items.append(CellError("framework", None, "", "the sheet is missing"))
    meta_sheet = sheets.get("meta") or Sheet("meta", ["key", "value"])
    if "meta" not in sheets:
        errors.items.append(CellError("meta", None, "", "the sheet is missing"))
    meta_errors = _MetaErrors(meta_sheet, errors)
    meta = _meta(meta_sheet, code, meta_errors, errors)
    located = len(errors.items)
    for name in ("pillars", "framework", "bands"):
        if name in sheets:
            _sizes(sheets[name], errors)
    if "framework" in sheets:
        _tree(sheets["framework"], errors)
    mine = {(e.sheet, e.row, e.column) for e in errors.items[located:]}
    parsed = None
    if "framework" in sheets:
        try:
            parsed = parse_workbook(_workbook(sheets, meta_sheet, meta))
        except WorkbookError as exc:
            for error in exc.errors:
                if error.sheet == "settings":  # only total_max is put there
                    meta_errors.add("total_max", error.message)
                elif (error.sheet, error.row, error.column) not in mine:
                    # The parser's tree check stops at the first problem; ours found them all.
                    errors.items.append(replace(error, letter="") if loaded.from_json else error)
    if parsed is not None:
        _inputs(sheets["framework"], parsed, errors)
    if errors.items or parsed is None or meta is None:
        rank = {name: i for i, name in enumerate(SHEET_NAMES)}
        raise WorkbookError(sorted(errors.items, key=lambda e: (rank.get(e.sheet, -1), e.row or 0)))
    return Checked(meta, parsed, sheets["framework"].rows)


def _meta(sheet: Sheet, code: str | None, meta: _MetaErrors, errors: _Errors) -> Meta | None:
    found: dict[str, str] = {}
    for i, row in enumerate(sheet.rows):
        key = row.get("key", "").strip().lower()
        problem = ""
        if key not in META_KEYS:
            problem = f"unknown key '{key}' (known: {', '.join(META_KEYS)})"
        elif key in found:
            problem = f"'{key}' is given twice"
        else:
            found[key] = row.get("value", "").strip()
        if problem and errors.from_json:
            errors.items.append(CellError("meta", None, key, problem))
        elif problem:
            errors.add(sheet, i, "key", problem)
    before = len(errors.items)
    for key in REQUIRED_META:
        if not found.get(key):
            meta.add(key, f"the framework's {key.replace('_', ' ')} is required")
    code = (code or "").strip()
    if code:
        if not CODE.fullmatch(code) or len(code) > 80:
            errors.items.append(
                CellError("meta", None, "code", f"'{code}' (given when importing) is not a code")
            )
    elif not found.get("code"):
        meta.add("code", "the framework needs a code (here, or given when importing)")
    elif not CODE.fullmatch(found["code"]) or len(found["code"]) > 80:
        meta.add("code", "a code has at most 80 letters, digits, - and _")
    level = found.get("level", "")
    if level and (not CODE.fullmatch(level) or len(level) > 50):
        meta.add("level", "a level code has at most 50 letters, digits, - and _")
    for key, size in (
        ("name", 300),
        ("level_name", 200),
        ("decision_number", 100),
        ("decision_issuer", 200),
        ("national_basis", 500),
    ):
        if len(found.get(key, "")) > size:
            meta.add(key, f"at most {size} characters")
    year = 0
    if found.get("year"):
        try:
            year = int(found["year"])
            if not 1 <= year <= 9999:
                raise ValueError
        except ValueError:
            meta.add("year", f"'{found['year']}' is not a year")
    decision_date = None
    if found.get("decision_date"):
        decision_date = _date(found["decision_date"])
        if decision_date is None:
            meta.add("decision_date", f"'{found['decision_date']}' is not a date (YYYY-MM-DD)")
    total_max = None
    if found.get("total_max"):
        try:
            total_max = parse_number(found["total_max"])
            if problem := fits(total_max, *POINTS):
                meta.add("total_max", problem)
        except ValueError as exc:
            meta.add("total_max", str(exc))
    if len(errors.items) > before:
        return None
    return Meta(
        code=code or found["code"],
        name=found["name"],
        year=year,
        level=level,
        level_name=found.get("level_name", "") or level_default_name(level),
        decision_number=found.get("decision_number", ""),
        decision_date=decision_date,
        decision_issuer=found.get("decision_issuer", ""),
        total_max=total_max,
        national_basis=found.get("national_basis", ""),
    )


def _date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    return None


SIZES: dict[str, dict[str, int]] = {
    "pillars": {"code": 50, "name": 200},
    "framework": {"code": 50, "rule": 30, "verifier": 200},
    "bands": {"label": 100},
}
NUMBER_COLUMNS = {"framework": "max_points", "bands": "lower"}
NAMED = {"pillars": "name", "bands": "label"}  # the framework sheet's names: in _tree


def _sizes(sheet: Sheet, errors: _Errors) -> None:
    for i, row in enumerate(sheet.rows):
        for column, size in SIZES[sheet.name].items():
            if len(row.get(column, "").strip()) > size:
                errors.add(sheet, i, column, f"at most {size} characters")
        number = NUMBER_COLUMNS.get(sheet.name)
        if number and row.get(number, "").strip():
            try:
                problem = fits(parse_number(row[number]), *POINTS)
            except ValueError:
                continue  # the parser says so
            if problem:
                errors.add(sheet, i, number, problem)
        named = NAMED.get(sheet.name)
        if named and not row.get(named, "").strip():
            errors.add(sheet, i, named, f"a {named} is required")


def _tree(sheet: Sheet, errors: _Errors) -> None:
    """Every duplicate code, unknown parent, missing name and unknown kind (the parser's tree
    check reports only the first)."""
    first: dict[str, int] = {}
    for i, row in enumerate(sheet.rows):
        code = row.get("code", "").strip()
        if code in first:
            errors.add(
                sheet,
                i,
                "code",
                f"the code '{code}' is used twice (first on row {sheet.row_numbers[first[code]]})",
            )
        elif code:
            first[code] = i
    for i, row in enumerate(sheet.rows):
        parent = row.get("parent", "").strip()
        if parent and parent not in first:
            errors.add(sheet, i, "parent", f"parent '{parent}' is not a code of this framework")
        elif parent and parent == row.get("code", "").strip():
            errors.add(sheet, i, "parent", "a node cannot be its own parent")
        if row.get("code", "").strip() and not row.get("name", "").strip():
            errors.add(sheet, i, "name", "a node needs a name")
        kind = row.get("kind", "").strip().lower()
        if kind not in NODE_KINDS:
            errors.add(sheet, i, "kind", f"kind must be one of {', '.join(NODE_KINDS)}")
    # The workbook's parser leaves an empty leaf at 0 points; in a framework file an empty maximum
    # is a value nobody stated (a template's placeholder), never a silent 0.
    parents = {row.get("parent", "").strip() for row in sheet.rows}
    for i, row in enumerate(sheet.rows):
        code = row.get("code", "").strip()
        flag = row.get("scored", "").strip().lower()
        scored = not flag or flag not in NO_FLAGS  # empty: scored (the parser's default)
        if code and code not in parents and scored and not row.get("max_points", "").strip():
            errors.add(sheet, i, "max_points", "an indicator without children needs max_points")


def _workbook(sheets: dict[str, Sheet], meta_sheet: Sheet, meta: Meta | None) -> dict[str, Sheet]:
    """The sheets as an assessment workbook with no units, for the workbook's parser."""
    settings = Sheet("settings", ["key", "value"])
    total_max = next(
        (r.get("value", "").strip() for r in meta_sheet.rows if r.get("key") == "total_max"), ""
    )
    try:
        if total_max and not fits(parse_number(total_max), *POINTS):
            settings.rows.append({"key": "total_max", "value": total_max})
            settings.row_numbers.append(2)
    except ValueError:
        pass  # reported with the meta sheet
    raw = {
        "settings": settings,
        "units": Sheet("units", ["code", "name", "group"]),
        "values": Sheet("values", ["unit", "indicator", "input", "value"]),
    }
    for name in ("pillars", "framework", "bands"):
        if name in sheets:
            raw[name] = sheets[name]
    return raw


def _inputs(sheet: Sheet, parsed: ParsedWorkbook, errors: _Errors) -> None:
    """The inputs a rule declares (params 'inputs') fit the InputSpec columns."""
    rows = {row.get("code", "").strip(): i for i, row in enumerate(sheet.rows)}
    for node in parsed.assessment.framework.nodes:
        for spec in node.rule.inputs if node.rule else ():
            problems = []
            if len(spec.name) > 50:
                problems.append(f"input name '{spec.name[:20]}…' is longer than 50 characters")
            if len(spec.label) > 300:
                problems.append(f"the label of input '{spec.name}' is longer than 300 characters")
            if len(spec.unit) > 50:
                problems.append(f"the unit of input '{spec.name}' is longer than 50 characters")
            for bound in (spec.min, spec.max):
                if bound is not None and (problem := fits(bound, *INPUT_BOUNDS)):
                    problems.append(f"a bound of input '{spec.name}': {problem}")
            for problem in problems:
                errors.add(sheet, rows.get(node.code), "params", problem)
