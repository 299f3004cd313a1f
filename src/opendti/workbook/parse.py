"""Read a workbook's text cells into typed rows, and check them into the engine's input.

The cells are read here (a number, a flag, a list; a cell that cannot be read is kept as `Bad`
with its message); what makes a valid period is checked in `validate`, the one check that the
database's rows go through too. Every problem is collected with its sheet, row and column, and
all are reported together: a coordinator fixes the file once rather than once per error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from opendti.numbers import Notation, parse
from opendti.scoring.model import Assessment, InputSpec, Value

from . import validate
from .errors import CellError, WorkbookError
from .sheets import RawWorkbook, Sheet, check_columns
from .validate import NO, SOURCES, YES, Bad, Problem, TypedWorkbook

__all__ = [
    "NO",
    "SETTING_KEYS",
    "SOURCES",
    "YES",
    "ParsedWorkbook",
    "cell_errors",
    "parse_flag",
    "parse_number",
    "parse_value",
    "parse_workbook",
    "typed_from_raw",
]

SETTING_KEYS = {
    "title", "level", "year", "period", "total_max", "decimals", "display", "not_deployed",
    "band_on",
}  # fmt: skip


@dataclass(frozen=True)
class ParsedWorkbook:
    """The engine's input, the lineage the units sheet names, and the sheets as text. `sheets` is
    the text itself, or (for input read from the database) a function that writes it when a
    reader asks for `raw`: the engine's path never needs it."""

    assessment: Assessment
    sheets: RawWorkbook | Callable[[], RawWorkbook] | None = field(repr=False, compare=False)
    predecessors: Mapping[str, tuple[str, ...]]

    @cached_property
    def raw(self) -> RawWorkbook:
        if self.sheets is None:
            raise LookupError("the text of these rows was not kept (read them where they live)")
        return self.sheets() if callable(self.sheets) else self.sheets

    def __getstate__(self) -> dict[str, object]:
        # Kept results (results.store) pickle this: the text written on demand is neither kept
        # (the cache of `raw`) nor keepable (a function of the database rows).
        state = dict(self.__dict__)
        state.pop("raw", None)
        if callable(state["sheets"]):
            state["sheets"] = None
        return state


def parse_number(text: str) -> Decimal:
    """A decimal number with a dot; `860,69` (a comma decimal separator) is read as 860.69.
    The numbers module's workbook notation: no grouping, no exponent, bounded digits."""
    return parse(text, notation=Notation.WORKBOOK)


def parse_flag(text: str, default: bool) -> bool:
    return validate.flag(text, default)


def parse_value(spec: InputSpec, text: str) -> Value:
    return validate.value(spec, text)


def parse_workbook(raw: RawWorkbook) -> ParsedWorkbook:
    check_columns(raw)
    typed = typed_from_raw(raw)
    built = validate.build(typed)
    if built.problems:
        raise WorkbookError(cell_errors(built.problems, raw))
    assert built.assessment is not None
    return ParsedWorkbook(built.assessment, raw, built.predecessors)


def cell_errors(problems: list[Problem], raw: RawWorkbook) -> list[CellError]:
    """Problems at their place in the sheets: the row as a person sees it, the column's letter."""
    errors = []
    for problem in problems:
        sheet = raw.get(problem.sheet)
        row = None
        if problem.index is not None and sheet is not None:
            row = sheet.row_numbers[problem.index]
        letter = sheet.letter(problem.column) if sheet is not None and problem.lettered else ""
        errors.append(CellError(problem.sheet, row, problem.column, problem.message, letter))
    return errors


def _number(text: str) -> Decimal | Bad:
    try:
        return parse_number(text)
    except ValueError as exc:
        return Bad(str(exc))


def _flag(text: str, default: bool) -> bool | Bad:
    try:
        return validate.flag(text, default)
    except ValueError as exc:
        return Bad(str(exc))


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def typed_from_raw(raw: RawWorkbook) -> TypedWorkbook:
    """The sheets' cells as typed rows (the columns are checked first: `check_columns`)."""
    settings, problems = _settings(raw["settings"])
    pillars = raw.get("pillars")
    bands = raw.get("bands")
    return TypedWorkbook(
        settings=settings,
        pillars=tuple(
            validate.PillarRow(r["code"], r["name"]) for r in (pillars.rows if pillars else [])
        ),
        nodes=tuple(_node(r) for r in raw["framework"].rows),
        bands=tuple(_band(r) for r in (bands.rows if bands else [])),
        units=tuple(_unit(r) for r in raw["units"].rows),
        values=[(r["unit"], r["indicator"], r["input"], r["value"]) for r in _rows(raw, "values")],
        scores=[(r["unit"], r["node"], _number(r["score"])) for r in _rows(raw, "scores")],
        appraised=[
            (r["unit"], r["indicator"], _number(r["score"])) for r in _rows(raw, "appraised")
        ],
        problems=tuple(problems),
    )


def _rows(raw: RawWorkbook, name: str) -> list[dict[str, str]]:
    sheet = raw.get(name)
    return sheet.rows if sheet is not None else []


def _settings(sheet: Sheet) -> tuple[validate.SettingsRow, list[Problem]]:
    problems: list[Problem] = []
    found: dict[str, str] = {}
    for i, row in enumerate(sheet.rows):
        key = row["key"].strip().lower()
        if key in found:
            problems.append(Problem("settings", i, "key", f"'{key}' is set twice"))
        found[key] = row["value"].strip()
        if key not in SETTING_KEYS:
            known = ", ".join(sorted(SETTING_KEYS))
            problems.append(
                Problem("settings", i, "key", f"unknown setting '{key}' (known: {known})")
            )
    index = {row["key"].strip().lower(): i for i, row in enumerate(sheet.rows)}
    decimals: int | Bad | None = None
    if found.get("decimals"):
        try:
            decimals = int(found["decimals"])
        except ValueError:
            decimals = Bad("decimals must be a whole number from 0 to 6")
    total_max = _number(found["total_max"]) if found.get("total_max") else None
    return validate.SettingsRow(
        title=found.get("title", ""),
        level=found.get("level", ""),
        year=found.get("year", ""),
        period=found.get("period", ""),
        total_max=total_max,
        decimals=decimals,
        display=found.get("display", ""),
        not_deployed=found.get("not_deployed", ""),
        band_on=found.get("band_on", ""),
        rows=index,
    ), problems


def _node(row: dict[str, str]) -> validate.NodeRow:
    return validate.NodeRow(
        code=row["code"],
        parent=row["parent"],
        name=row["name"],
        kind=row["kind"],
        max_points=_number(row["max_points"] or "0"),
        max_points_empty=not row["max_points"].strip(),
        pillars=_split(row.get("pillars", "")),
        scored=_flag(row.get("scored", ""), True),
        rule=row["rule"],
        params=row["params"],
        applies_to=_split(row.get("applies_to", "")),
        deployed=_flag(row.get("deployed", ""), True),
        evidence_required=_flag(row.get("evidence_required", ""), False),
        source=row.get("source", ""),
        guidance=row.get("guidance", ""),
        verifier=row.get("verifier", ""),
    )


def _band(row: dict[str, str]) -> validate.BandRow:
    return validate.BandRow(
        scheme=row["scheme"],
        label=row["label"],
        basis=row["basis"],
        lower=_number(row["lower"]) if row["lower"].strip() else None,
        lower_inclusive=_flag(row["lower_inclusive"], True),
    )


def _unit(row: dict[str, str]) -> validate.UnitRow:
    before = row.get("predecessors", "")
    return validate.UnitRow(
        code=row["code"],
        name=row["name"],
        group=row["group"],
        ranked=_flag(row.get("ranked", ""), True),
        kind=row.get("kind", ""),
        predecessors=_split(before) if before.strip() else None,
    )
