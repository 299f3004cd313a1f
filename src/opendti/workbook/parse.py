"""Check a workbook's rows and turn them into the engine's input.

Every problem is collected with its sheet, row and column, and all are reported together: a
coordinator fixes the file once rather than once per error.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from opendti.numbers import Notation, parse
from opendti.scoring.bands import BAND_ON
from opendti.scoring.model import (
    NUMERIC_TYPES,
    TOTAL,
    Assessment,
    Band,
    BandScheme,
    Framework,
    InputSpec,
    Node,
    Pillar,
    Rule,
    Settings,
    UnitSpec,
    Value,
)
from opendti.scoring.rules import RuleError, build_rule
from opendti.scoring.tree import FrameworkError, prepare

from .errors import CellError, WorkbookError
from .sheets import RawWorkbook, Sheet, check_columns

ZERO = Decimal(0)

YES = {"yes", "y", "true", "1", "có", "co", "x"}
NO = {"no", "n", "false", "0", "không", "khong", ""}
SOURCES = {"", "self", "auto", "reviewer"}  # data source of an indicator (empty: self-reported)
SETTING_KEYS = {
    "title", "level", "year", "period", "total_max", "decimals", "display", "not_deployed",
    "band_on",
}  # fmt: skip


@dataclass(frozen=True)
class ParsedWorkbook:
    assessment: Assessment
    raw: RawWorkbook
    predecessors: Mapping[str, tuple[str, ...]]


def parse_number(text: str) -> Decimal:
    """A decimal number with a dot; `860,69` (a comma decimal separator) is read as 860.69.
    The numbers module's workbook notation: no grouping, no exponent, bounded digits."""
    return parse(text, notation=Notation.WORKBOOK)


def parse_flag(text: str, default: bool) -> bool:
    lowered = text.strip().lower()
    if not lowered:
        return default
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError(f"'{text}' is not yes or no")


def parse_value(spec: InputSpec, text: str) -> Value:
    if spec.type in NUMERIC_TYPES:
        # A count with decimals is the entry forms' to refuse: a frozen snapshot that holds one
        # must still read back as it was scored.
        return parse(text, percent=spec.type == "percent", notation=Notation.WORKBOOK)
    if spec.type == "yesno":
        if text.strip().lower() not in YES | NO or not text.strip():
            raise ValueError(f"'{text}' is not yes or no")
        return text.strip().lower() in YES
    if spec.type == "date":
        try:
            return dt.date.fromisoformat(text.strip()[:10])
        except ValueError:
            raise ValueError(f"'{text}' is not a date (YYYY-MM-DD)") from None
    if spec.type == "choice" and spec.choices and text.strip() not in spec.choices:
        raise ValueError(f"'{text}' is not one of: {', '.join(spec.choices)}")
    return text.strip()


class _Collector:
    def __init__(self) -> None:
        self.errors: list[CellError] = []

    def add(self, sheet: Sheet, index: int | None, column: str, message: str) -> None:
        row = sheet.row_numbers[index] if index is not None else None
        self.errors.append(CellError(sheet.name, row, column, message, sheet.letter(column)))


def parse_workbook(raw: RawWorkbook) -> ParsedWorkbook:
    check_columns(raw)
    errors = _Collector()
    settings = _settings(raw["settings"], errors)
    pillars = _pillars(raw.get("pillars"), errors)
    nodes = _nodes(raw["framework"], {p.code for p in pillars}, errors)
    total_bands, pillar_bands = _bands(raw.get("bands"), errors)
    units, predecessors = _units(raw["units"], errors)
    framework = Framework(tuple(nodes), tuple(pillars), total_bands, pillar_bands)
    if not errors.errors:
        _check_tree(raw["framework"], framework, settings, errors)
    values = _values(raw.get("values"), nodes, units, errors)
    given = _scores(raw.get("scores"), nodes, pillars, units, errors)
    appraised = _appraised(raw.get("appraised"), nodes, units, settings, errors)
    if errors.errors:
        raise WorkbookError(errors.errors)
    assessment = Assessment(framework, tuple(units), values, given, settings, appraised)
    return ParsedWorkbook(assessment, raw, predecessors)


def _settings(sheet: Sheet, errors: _Collector) -> Settings:
    found: dict[str, str] = {}
    for i, row in enumerate(sheet.rows):
        key = row["key"].strip().lower()
        if key in found:
            errors.add(sheet, i, "key", f"'{key}' is set twice")
        found[key] = row["value"].strip()
        if key not in SETTING_KEYS:
            errors.add(
                sheet,
                i,
                "key",
                f"unknown setting '{key}' (known: {', '.join(sorted(SETTING_KEYS))})",
            )
    index = {row["key"].strip().lower(): i for i, row in enumerate(sheet.rows)}

    def choice(key: str, options: tuple[str, ...]) -> str:
        value = found.get(key, "") or options[0]
        if value not in options:
            errors.add(sheet, index[key], "value", f"{key} must be one of {', '.join(options)}")
            return options[0]
        return value

    decimals = 2
    if found.get("decimals"):
        try:
            decimals = int(found["decimals"])
            if not 0 <= decimals <= 6:
                raise ValueError
        except ValueError:
            errors.add(
                sheet, index["decimals"], "value", "decimals must be a whole number from 0 to 6"
            )
            decimals = 2
    total_max = None
    if found.get("total_max"):
        try:
            total_max = parse_number(found["total_max"])
        except ValueError as exc:
            errors.add(sheet, index["total_max"], "value", str(exc))
    return Settings(
        decimals=decimals,
        not_deployed=choice("not_deployed", ("exclude", "zero")),
        display=choice("display", ("points", "percent", "index")),
        band_on=choice("band_on", BAND_ON),
        title=found.get("title", ""),
        level=found.get("level", ""),
        year=found.get("year", ""),
        period=found.get("period", ""),
        total_max=total_max,
    )


def _pillars(sheet: Sheet | None, errors: _Collector) -> list[Pillar]:
    pillars: list[Pillar] = []
    seen: set[str] = set()
    for i, row in enumerate(sheet.rows if sheet else []):
        code = row["code"].strip()
        if not code:
            errors.add(sheet, i, "code", "a pillar needs a code")  # type: ignore[arg-type]
        elif code in seen:
            errors.add(sheet, i, "code", f"pillar '{code}' is listed twice")  # type: ignore[arg-type]
        seen.add(code)
        pillars.append(Pillar(code, row["name"].strip()))
    return pillars


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _nodes(sheet: Sheet, pillar_codes: set[str], errors: _Collector) -> list[Node]:
    nodes: list[Node] = []
    empty: set[str] = set()  # codes whose max_points cell is empty
    for i, row in enumerate(sheet.rows):
        code = row["code"].strip()
        if not code:
            errors.add(sheet, i, "code", "a node needs a code")
            continue
        if not row["max_points"].strip():
            empty.add(code)
        try:
            max_points = parse_number(row["max_points"] or "0")
        except ValueError as exc:
            errors.add(sheet, i, "max_points", str(exc))
            continue
        pillars = _split(row.get("pillars", ""))
        for pillar in pillars:
            if pillar not in pillar_codes:
                errors.add(sheet, i, "pillars", f"'{pillar}' is not a code on the pillars sheet")
        flags = {}
        # evidence_required is not the engine's business, but a bad value is still the file's error.
        for column, default in (("scored", True), ("deployed", True), ("evidence_required", False)):
            try:
                flags[column] = parse_flag(row.get(column, ""), default)
            except ValueError as exc:
                errors.add(sheet, i, column, str(exc))
                flags[column] = default
        if row.get("source", "").strip() not in SOURCES:
            errors.add(
                sheet, i, "source", f"source must be one of {', '.join(sorted(SOURCES - {''}))}"
            )
        rule = _rule(sheet, i, row, max_points, errors)
        nodes.append(
            Node(
                code=code,
                name=row["name"].strip(),
                kind=row["kind"].strip().lower(),
                max_points=max_points,
                parent=row["parent"].strip() or None,
                pillars=pillars,
                scored=flags["scored"],
                rule=rule,
                applies_to=frozenset(_split(row.get("applies_to", ""))),
                deployed=flags["deployed"],
            )
        )
    return _sum_empty_maxima(nodes, empty)


def _sum_empty_maxima(nodes: list[Node], empty: set[str]) -> list[Node]:
    """A node with children and an empty max_points takes the sum of its scored children's
    (an empty child's own sum first); a filled one is kept, and checked against its children by
    the tree check. An empty leaf stays 0. A cycle is left for the tree check to report."""
    children: dict[str, list[Node]] = {}
    for node in nodes:
        if node.parent is not None:
            children.setdefault(node.parent, []).append(node)
    summed: dict[str, Decimal] = {}
    for start in (n.code for n in nodes if n.code in empty and n.code in children):
        if start in summed:
            continue
        stack, open_ = [start], {start}
        while stack:  # depth first, without recursion: a file may nest deeply
            code = stack[-1]
            waiting = [
                c.code
                for c in children[code]
                if c.code in empty and c.code in children and c.code not in summed
            ]
            waiting = [c for c in waiting if c not in open_]  # a cycle: the tree check says so
            if waiting:
                stack.extend(waiting)
                open_.update(waiting)
                continue
            stack.pop()
            summed[code] = sum(
                (summed.get(c.code, c.max_points) for c in children[code] if c.scored), ZERO
            )
    if not summed:
        return nodes
    return [replace(n, max_points=summed[n.code]) if n.code in summed else n for n in nodes]


def _rule(
    sheet: Sheet, i: int, row: dict[str, str], max_points: Decimal, errors: _Collector
) -> Rule | None:
    name = row["rule"].strip()
    if not name:
        if row["params"].strip():
            errors.add(sheet, i, "params", "params are given but the rule is empty")
        return None
    try:
        params = json.loads(row["params"]) if row["params"].strip() else {}
    except json.JSONDecodeError as exc:
        errors.add(sheet, i, "params", f"not valid JSON ({exc.msg} at character {exc.pos + 1})")
        return None
    if not isinstance(params, dict):
        errors.add(sheet, i, "params", "params must be a JSON object {...}")
        return None
    try:
        return build_rule(name, params, max_points)
    except RuleError as exc:
        column = "rule" if str(exc).startswith("unknown rule") else "params"
        errors.add(sheet, i, column, str(exc))
        return None


def _check_tree(sheet: Sheet, framework: Framework, settings: Settings, errors: _Collector) -> None:
    rows = {row["code"].strip(): i for i, row in enumerate(sheet.rows)}
    try:
        tree = prepare(framework)
    except FrameworkError as exc:
        column = "parent" if "parent" in exc.message or "cycle" in exc.message else "code"
        if "max points" in exc.message:
            column = "max_points"
        elif "kind" in exc.message:
            column = "kind"
        errors.add(sheet, rows.get(exc.code), column if exc.code else "", exc.message)
        return
    stated = settings.total_max
    total = sum((tree.nodes[c].max_points for c in tree.roots if tree.nodes[c].scored), Decimal(0))
    if stated is not None and stated != total:
        errors.errors.append(
            CellError(
                "settings",
                None,
                "value",
                f"total_max is {stated} but the framework's scored roots sum to {total}",
            )
        )


def _bands(sheet: Sheet | None, errors: _Collector) -> tuple[BandScheme | None, BandScheme | None]:
    schemes: dict[str, list[Band]] = {}
    bases: dict[str, str] = {}
    for i, row in enumerate(sheet.rows if sheet else []):
        assert sheet is not None
        scheme = row["scheme"].strip().lower()
        if scheme not in ("total", "pillar"):
            errors.add(sheet, i, "scheme", "scheme must be 'total' or 'pillar'")
            continue
        basis = row["basis"].strip().lower()
        if basis not in ("percent", "points"):
            errors.add(sheet, i, "basis", "basis must be 'percent' or 'points'")
            continue
        if bases.setdefault(scheme, basis) != basis:
            errors.add(sheet, i, "basis", f"all bands of the '{scheme}' scheme need the same basis")
        lower: Decimal | None = None
        if row["lower"].strip():
            try:
                lower = parse_number(row["lower"])
            except ValueError as exc:
                errors.add(sheet, i, "lower", str(exc))
        elif schemes.get(scheme) is not None and any(b.lower is None for b in schemes[scheme]):
            errors.add(sheet, i, "lower", "only the lowest band may have an empty lower bound")
        try:
            inclusive = parse_flag(row["lower_inclusive"], True)
        except ValueError as exc:
            errors.add(sheet, i, "lower_inclusive", str(exc))
            inclusive = True
        bands = schemes.setdefault(scheme, [])
        above = bands[-1] if bands else None
        if (
            above is not None
            and lower is not None
            and above.lower is not None
            and (
                lower > above.lower
                # an equal bound only below an exclusive one: "> 80" then ">= 80"
                or (lower == above.lower and (above.lower_inclusive or not inclusive))
            )
        ):
            errors.add(sheet, i, "lower", "bands go from the highest to the lowest")
        bands.append(Band(row["label"].strip(), lower, inclusive))
    result = {name: BandScheme(bases[name], tuple(bands)) for name, bands in schemes.items()}
    return result.get("total"), result.get("pillar")


def _units(sheet: Sheet, errors: _Collector) -> tuple[list[UnitSpec], dict[str, tuple[str, ...]]]:
    units: list[UnitSpec] = []
    predecessors: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    for i, row in enumerate(sheet.rows):
        code = row["code"].strip()
        if not code:
            errors.add(sheet, i, "code", "a unit needs a code")
            continue
        if code in seen:
            errors.add(sheet, i, "code", f"unit '{code}' is listed twice")
        seen.add(code)
        try:
            ranked = parse_flag(row.get("ranked", ""), True)
        except ValueError as exc:
            errors.add(sheet, i, "ranked", str(exc))
            ranked = True
        units.append(UnitSpec(code, row["name"].strip(), row["group"].strip(), ranked))
        if row.get("predecessors", "").strip():
            predecessors[code] = _split(row["predecessors"])
    return units, predecessors


def _values(
    sheet: Sheet | None, nodes: list[Node], units: list[UnitSpec], errors: _Collector
) -> dict[str, dict[str, dict[str, Value]]]:
    by_code = {node.code: node for node in nodes}
    unit_codes = {unit.code for unit in units}
    values: dict[str, dict[str, dict[str, Value]]] = {}
    for i, row in enumerate(sheet.rows if sheet else []):
        assert sheet is not None
        unit, indicator, name = row["unit"].strip(), row["indicator"].strip(), row["input"].strip()
        if unit not in unit_codes:
            errors.add(sheet, i, "unit", f"'{unit}' is not a unit on the units sheet")
            continue
        node = by_code.get(indicator)
        if node is None:
            errors.add(sheet, i, "indicator", f"'{indicator}' is not a node of the framework")
            continue
        if node.rule is None:
            errors.add(
                sheet,
                i,
                "indicator",
                f"'{indicator}' has no rule; give its score on the scores sheet",
            )
            continue
        spec = next((s for s in node.rule.inputs if s.name == name), None)
        if spec is None:
            names = ", ".join(f"'{s.name}'" for s in node.rule.inputs)
            errors.add(
                sheet,
                i,
                "input",
                f"rule '{node.rule.name}' of {indicator} has no input '{name}' (inputs: {names})",
            )
            continue
        unit_values = values.setdefault(indicator, {}).setdefault(unit, {})
        if name in unit_values:
            errors.add(sheet, i, "value", f"{unit} / {indicator} / '{name}' is given twice")
            continue
        if not row["value"].strip():
            continue
        try:
            unit_values[name] = parse_value(spec, row["value"])
        except ValueError as exc:
            errors.add(sheet, i, "value", f"{exc} (input '{name}' of {indicator} is {spec.type})")
    return values


def _unit_scores(
    sheet: Sheet | None,
    target_column: str,
    units: list[UnitSpec],
    errors: _Collector,
    target_error: Callable[[str], str | None],
    score_error: Callable[[str, Decimal], str | None] = lambda target, score: None,
) -> dict[str, dict[str, Decimal]]:
    """A sheet of (unit, target, score) rows as scores by target then unit: each row's unit,
    target and score checked, every error reported, a score given twice refused."""
    unit_codes = {unit.code for unit in units}
    found: dict[str, dict[str, Decimal]] = {}
    for i, row in enumerate(sheet.rows if sheet else []):
        assert sheet is not None
        unit, target = row["unit"].strip(), row[target_column].strip()
        if unit not in unit_codes:
            errors.add(sheet, i, "unit", f"'{unit}' is not a unit on the units sheet")
            continue
        message = target_error(target)
        if message:
            errors.add(sheet, i, target_column, message)
            continue
        try:
            score = parse_number(row["score"])
        except ValueError as exc:
            errors.add(sheet, i, "score", str(exc))
            continue
        message = score_error(target, score)
        if message:
            errors.add(sheet, i, "score", message)
            continue
        column = found.setdefault(target, {})
        if unit in column:
            errors.add(sheet, i, "score", f"a score for {unit} at {target} is given twice")
            continue
        column[unit] = score
    return found


def _scores(
    sheet: Sheet | None,
    nodes: list[Node],
    pillars: list[Pillar],
    units: list[UnitSpec],
    errors: _Collector,
) -> dict[str, dict[str, Decimal]]:
    targets = {node.code for node in nodes} | {p.code for p in pillars} | {TOTAL}
    return _unit_scores(
        sheet,
        "node",
        units,
        errors,
        lambda target: (
            None if target in targets else f"'{target}' is neither a node, a pillar nor TOTAL"
        ),
    )


def _appraised(
    sheet: Sheet | None,
    nodes: list[Node],
    units: list[UnitSpec],
    settings: Settings,
    errors: _Collector,
) -> dict[str, dict[str, Decimal]]:
    """Scores the appraisal settled for leaves: within [0, max] and at the period's decimals."""
    parents = {node.parent for node in nodes if node.parent}
    leaves = {node.code: node for node in nodes if node.code not in parents}

    def score_error(code: str, score: Decimal) -> str | None:
        if not ZERO <= score <= leaves[code].max_points:
            return f"{score} is outside [0, {leaves[code].max_points}]"
        if score.as_tuple().exponent < -settings.decimals:  # type: ignore[operator]
            return f"{score} has more than {settings.decimals} decimals"
        return None

    return _unit_scores(
        sheet,
        "indicator",
        units,
        errors,
        lambda code: None if code in leaves else f"'{code}' is not a component indicator (a leaf)",
        score_error,
    )
