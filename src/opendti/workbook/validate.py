"""The one check of engine input: typed workbook rows in, the engine's Assessment out.

A workbook file and the database both end here. The file's reader (`parse`) first turns its
cells into typed values (a number, a flag, a list), and a cell it cannot read becomes `Bad` with
its message; the database's reader (`results.selectors`) reads typed columns. Every rule about
what makes a valid period (codes known, rules buildable, the tree sound, bands in order, scores
within bounds, values of the right type) is here, once, so the two sources cannot drift: the same
rows give the same Assessment or the same problems, in the same order.

Strings arrive as they are stored (the checks strip them, as a cell's text is stripped); a
problem names its sheet, the row's index among that sheet's rows (0 is the first row under the
header) and the column, and the caller turns that into a place a person can find.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
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

ZERO = Decimal(0)
ONE = Decimal(1)
YES = {"yes", "y", "true", "1", "có", "co", "x"}
NO = {"no", "n", "false", "0", "không", "khong", ""}
SOURCES = {"", "self", "auto", "reviewer"}  # data source of an indicator (empty: self-reported)


@dataclass(frozen=True)
class Bad:
    """A cell its reader could not turn into a value; the check reports it at its turn."""

    message: str


@dataclass(frozen=True)
class Problem:
    sheet: str
    index: int | None  # the row among the sheet's rows, 0 first; None for the whole sheet
    column: str
    message: str
    lettered: bool = True  # False: the place is the sheet only, its column named but not lettered


@dataclass(frozen=True)
class SettingsRow:
    """The settings sheet, typed. `rows` gives each key's row (for a problem's place)."""

    title: str = ""
    level: str = ""
    year: str = ""
    period: str = ""
    total_max: Decimal | Bad | None = None
    decimals: int | Bad | None = None
    display: str = ""
    not_deployed: str = ""
    band_on: str = ""
    rows: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PillarRow:
    code: str
    name: str


@dataclass(frozen=True)
class NodeRow:
    code: str
    parent: str
    name: str
    kind: str
    max_points: Decimal | Bad
    pillars: tuple[str, ...]
    scored: bool | Bad
    rule: str
    params: str
    applies_to: tuple[str, ...] = ()
    deployed: bool | Bad = True
    evidence_required: bool | Bad = False  # not the engine's business; a bad cell is an error
    source: str = ""
    guidance: str = ""
    verifier: str = ""
    max_points_empty: bool = False  # the cell was empty: a parent then sums its children


@dataclass(frozen=True)
class BandRow:
    scheme: str
    label: str
    basis: str
    lower: Decimal | Bad | None
    lower_inclusive: bool | Bad = True


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    group: str
    ranked: bool | Bad = True
    kind: str = ""
    predecessors: tuple[str, ...] | None = None  # None: the cell is empty (no lineage)


ValueRow = tuple[str, str, str, str]  # unit, indicator, input name, value as stored (text)
ScoreRow = tuple[str, str, "Decimal | Bad"]  # unit, target (node, pillar, TOTAL or leaf), score


@dataclass(frozen=True)
class TypedWorkbook:
    settings: SettingsRow
    pillars: tuple[PillarRow, ...]
    nodes: tuple[NodeRow, ...]
    bands: tuple[BandRow, ...]
    units: tuple[UnitRow, ...]
    values: Sequence[ValueRow] = ()  # sequences: a reader may go through them more than once
    scores: Sequence[ScoreRow] = ()
    appraised: Sequence[ScoreRow] = ()
    problems: tuple[Problem, ...] = ()  # found while reading (a settings key unknown or repeated)


@dataclass(frozen=True)
class Built:
    assessment: Assessment | None  # None when there are problems
    predecessors: Mapping[str, tuple[str, ...]]
    problems: list[Problem]


def flag(text: str, default: bool) -> bool:
    lowered = text.strip().lower()
    if not lowered:
        return default
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError(f"'{text}' is not yes or no")


def value(spec: InputSpec, text: str) -> Value:
    """An input's stored text as its typed value, by the input's type."""
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


def canonical(number: Decimal) -> Decimal:
    """A stored Decimal as its canonical text reads back (`opendti.numbers.plain`, then parsed):
    10.00 is 10, 0.50 is 0.5, -0 is 0. The database's columns carry their scale; a file's cells
    do not, so what the engine gets from either must not depend on it."""
    if number.is_zero():
        return ZERO
    normal = number.normalize()
    exponent = normal.as_tuple().exponent
    assert isinstance(exponent, int)
    return normal if exponent <= 0 else normal.quantize(ONE)


def _parts(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(part.strip() for part in items if part.strip())


class _Problems:
    def __init__(self, found: Iterable[Problem]) -> None:
        self.found = list(found)

    def add(self, sheet: str, index: int | None, column: str, message: str) -> None:
        self.found.append(Problem(sheet, index, column, message))


def build(typed: TypedWorkbook) -> Built:
    """The Assessment the rows describe, or every problem found with its place."""
    problems = _Problems(typed.problems)
    settings = _settings(typed.settings, problems)
    pillars = _pillars(typed.pillars, problems)
    nodes = _nodes(typed.nodes, {p.code for p in pillars}, problems)
    total_bands, pillar_bands = _bands(typed.bands, problems)
    units, predecessors = _units(typed.units, problems)
    framework = Framework(tuple(nodes), tuple(pillars), total_bands, pillar_bands)
    if not problems.found:
        _check_tree(typed.nodes, framework, settings, problems)
    values = _values(typed.values, nodes, units, problems)
    given = _scores(typed.scores, nodes, pillars, units, problems)
    appraised = _appraised(typed.appraised, nodes, units, settings, problems)
    if problems.found:
        return Built(None, predecessors, problems.found)
    assessment = Assessment(framework, tuple(units), values, given, settings, appraised)
    return Built(assessment, predecessors, [])


def _settings(row: SettingsRow, problems: _Problems) -> Settings:
    def choice(key: str, options: tuple[str, ...]) -> str:
        chosen = str(getattr(row, key)).strip() or options[0]
        if chosen not in options:
            problems.add(
                "settings", row.rows.get(key), "value", f"{key} must be one of {', '.join(options)}"
            )
            return options[0]
        return chosen

    decimals = 2
    if row.decimals is not None:
        if isinstance(row.decimals, Bad) or not 0 <= row.decimals <= 6:
            problems.add(
                "settings",
                row.rows.get("decimals"),
                "value",
                "decimals must be a whole number from 0 to 6",
            )
        else:
            decimals = row.decimals
    total_max = None
    if isinstance(row.total_max, Bad):
        problems.add("settings", row.rows.get("total_max"), "value", row.total_max.message)
    else:
        total_max = row.total_max
    return Settings(
        decimals=decimals,
        not_deployed=choice("not_deployed", ("exclude", "zero")),
        display=choice("display", ("points", "percent", "index")),
        band_on=choice("band_on", BAND_ON),
        title=row.title.strip(),
        level=row.level.strip(),
        year=row.year.strip(),
        period=row.period.strip(),
        total_max=total_max,
    )


def _pillars(rows: Iterable[PillarRow], problems: _Problems) -> list[Pillar]:
    pillars: list[Pillar] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        code = row.code.strip()
        if not code:
            problems.add("pillars", i, "code", "a pillar needs a code")
        elif code in seen:
            problems.add("pillars", i, "code", f"pillar '{code}' is listed twice")
        seen.add(code)
        pillars.append(Pillar(code, row.name.strip()))
    return pillars


def _nodes(rows: Iterable[NodeRow], pillar_codes: set[str], problems: _Problems) -> list[Node]:
    nodes: list[Node] = []
    empty: set[str] = set()  # codes whose max_points cell is empty
    for i, row in enumerate(rows):
        code = row.code.strip()
        if not code:
            problems.add("framework", i, "code", "a node needs a code")
            continue
        if row.max_points_empty:
            empty.add(code)
        if isinstance(row.max_points, Bad):
            problems.add("framework", i, "max_points", row.max_points.message)
            continue
        max_points = row.max_points
        pillars = _parts(row.pillars)
        for pillar in pillars:
            if pillar not in pillar_codes:
                problems.add(
                    "framework", i, "pillars", f"'{pillar}' is not a code on the pillars sheet"
                )
        flags: dict[str, bool] = {}
        for column, given, default in (
            ("scored", row.scored, True),
            ("deployed", row.deployed, True),
            ("evidence_required", row.evidence_required, False),
        ):
            if isinstance(given, Bad):
                problems.add("framework", i, column, given.message)
                flags[column] = default
            else:
                flags[column] = given
        if row.source.strip() not in SOURCES:
            problems.add(
                "framework",
                i,
                "source",
                f"source must be one of {', '.join(sorted(SOURCES - {''}))}",
            )
        rule = _rule(i, row, max_points, problems)
        nodes.append(
            Node(
                code=code,
                name=row.name.strip(),
                kind=row.kind.strip().lower(),
                max_points=max_points,
                parent=row.parent.strip() or None,
                pillars=pillars,
                scored=flags["scored"],
                rule=rule,
                applies_to=frozenset(_parts(row.applies_to)),
                deployed=flags["deployed"],
            )
        )
    return _sum_empty_maxima(nodes, empty)


def _sum_empty_maxima(nodes: list[Node], empty: set[str]) -> list[Node]:
    """A node with children and an empty max_points takes the sum of its scored children's
    (an empty child's own sum first); a filled one is kept, and checked against its children by
    the tree check. An empty leaf stays 0. A cycle is left for the tree check to report."""
    if not empty:
        return nodes
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


def _rule(i: int, row: NodeRow, max_points: Decimal, problems: _Problems) -> Rule | None:
    name = row.rule.strip()
    if not name:
        if row.params.strip():
            problems.add("framework", i, "params", "params are given but the rule is empty")
        return None
    try:
        params = json.loads(row.params) if row.params.strip() else {}
    except json.JSONDecodeError as exc:
        problems.add(
            "framework", i, "params", f"not valid JSON ({exc.msg} at character {exc.pos + 1})"
        )
        return None
    if not isinstance(params, dict):
        problems.add("framework", i, "params", "params must be a JSON object {...}")
        return None
    try:
        return build_rule(name, params, max_points)
    except RuleError as exc:
        column = "rule" if str(exc).startswith("unknown rule") else "params"
        problems.add("framework", i, column, str(exc))
        return None


def _check_tree(
    rows: Iterable[NodeRow], framework: Framework, settings: Settings, problems: _Problems
) -> None:
    index = {row.code.strip(): i for i, row in enumerate(rows)}
    try:
        tree = prepare(framework)
    except FrameworkError as exc:
        column = "parent" if "parent" in exc.message or "cycle" in exc.message else "code"
        if "max points" in exc.message:
            column = "max_points"
        elif "kind" in exc.message:
            column = "kind"
        problems.add("framework", index.get(exc.code), column if exc.code else "", exc.message)
        return
    stated = settings.total_max
    total = sum((tree.nodes[c].max_points for c in tree.roots if tree.nodes[c].scored), ZERO)
    if stated is not None and stated != total:
        problems.found.append(
            Problem(
                "settings",
                None,
                "value",
                f"total_max is {stated} but the framework's scored roots sum to {total}",
                lettered=False,
            )
        )


def _bands(
    rows: Iterable[BandRow], problems: _Problems
) -> tuple[BandScheme | None, BandScheme | None]:
    schemes: dict[str, list[Band]] = {}
    bases: dict[str, str] = {}
    for i, row in enumerate(rows):
        scheme = row.scheme.strip().lower()
        if scheme not in ("total", "pillar"):
            problems.add("bands", i, "scheme", "scheme must be 'total' or 'pillar'")
            continue
        basis = row.basis.strip().lower()
        if basis not in ("percent", "points"):
            problems.add("bands", i, "basis", "basis must be 'percent' or 'points'")
            continue
        if bases.setdefault(scheme, basis) != basis:
            problems.add(
                "bands", i, "basis", f"all bands of the '{scheme}' scheme need the same basis"
            )
        lower: Decimal | None = None
        if isinstance(row.lower, Bad):
            problems.add("bands", i, "lower", row.lower.message)
        elif row.lower is not None:
            lower = row.lower
        elif schemes.get(scheme) is not None and any(b.lower is None for b in schemes[scheme]):
            problems.add("bands", i, "lower", "only the lowest band may have an empty lower bound")
        inclusive = True
        if isinstance(row.lower_inclusive, Bad):
            problems.add("bands", i, "lower_inclusive", row.lower_inclusive.message)
        else:
            inclusive = row.lower_inclusive
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
            problems.add("bands", i, "lower", "bands go from the highest to the lowest")
        bands.append(Band(row.label.strip(), lower, inclusive))
    result = {name: BandScheme(bases[name], tuple(bands)) for name, bands in schemes.items()}
    return result.get("total"), result.get("pillar")


def _units(
    rows: Iterable[UnitRow], problems: _Problems
) -> tuple[list[UnitSpec], dict[str, tuple[str, ...]]]:
    units: list[UnitSpec] = []
    predecessors: dict[str, tuple[str, ...]] = {}
    seen: set[str] = set()
    for i, row in enumerate(rows):
        code = row.code.strip()
        if not code:
            problems.add("units", i, "code", "a unit needs a code")
            continue
        if code in seen:
            problems.add("units", i, "code", f"unit '{code}' is listed twice")
        seen.add(code)
        ranked = True
        if isinstance(row.ranked, Bad):
            problems.add("units", i, "ranked", row.ranked.message)
        else:
            ranked = row.ranked
        units.append(UnitSpec(code, row.name.strip(), row.group.strip(), ranked))
        if row.predecessors is not None:
            predecessors[code] = _parts(row.predecessors)
    return units, predecessors


def _values(
    rows: Iterable[ValueRow], nodes: list[Node], units: list[UnitSpec], problems: _Problems
) -> dict[str, dict[str, dict[str, Value]]]:
    by_code = {node.code: node for node in nodes}
    unit_codes = {unit.code for unit in units}
    # What a row's unit, and its (indicator, input), come to, worked out once per distinct text:
    # a period repeats the same few hundred of them over every unit.
    unit_seen: dict[str, str] = {}
    input_seen: dict[tuple[str, str], tuple[str, str, InputSpec | None, str, str]] = {}
    values: dict[str, dict[str, dict[str, Value]]] = {}
    for i, (unit_text, indicator_text, name_text, text) in enumerate(rows):
        unit = unit_seen.get(unit_text)
        if unit is None:
            unit = unit_seen[unit_text] = unit_text.strip()
        if unit not in unit_codes:
            problems.add("values", i, "unit", f"'{unit}' is not a unit on the units sheet")
            continue
        key = (indicator_text, name_text)
        seen = input_seen.get(key)
        if seen is None:
            seen = input_seen[key] = _input(indicator_text.strip(), name_text.strip(), by_code)
        indicator, name, spec, column, message = seen
        if spec is None:
            problems.add("values", i, column, message)
            continue
        unit_values = values.setdefault(indicator, {}).setdefault(unit, {})
        if name in unit_values:
            problems.add("values", i, "value", f"{unit} / {indicator} / '{name}' is given twice")
            continue
        if not text.strip():
            continue
        try:
            unit_values[name] = value(spec, text)
        except ValueError as exc:
            problems.add(
                "values", i, "value", f"{exc} (input '{name}' of {indicator} is {spec.type})"
            )
    return values


def _input(
    indicator: str, name: str, by_code: Mapping[str, Node]
) -> tuple[str, str, InputSpec | None, str, str]:
    """The spec of an indicator's input, or the column and message of why a value cannot have
    one (no such node, a node without a rule, a rule without that input)."""
    node = by_code.get(indicator)
    if node is None:
        return indicator, name, None, "indicator", f"'{indicator}' is not a node of the framework"
    if node.rule is None:
        message = f"'{indicator}' has no rule; give its score on the scores sheet"
        return indicator, name, None, "indicator", message
    spec = next((s for s in node.rule.inputs if s.name == name), None)
    if spec is None:
        names = ", ".join(f"'{s.name}'" for s in node.rule.inputs)
        message = f"rule '{node.rule.name}' of {indicator} has no input '{name}' (inputs: {names})"
        return indicator, name, None, "input", message
    return indicator, name, spec, "", ""


def _unit_scores(
    sheet: str,
    rows: Iterable[ScoreRow],
    target_column: str,
    units: list[UnitSpec],
    problems: _Problems,
    target_error: Callable[[str], str | None],
    score_error: Callable[[str, Decimal], str | None] = lambda target, score: None,
) -> dict[str, dict[str, Decimal]]:
    """A sheet of (unit, target, score) rows as scores by target then unit: each row's unit,
    target and score checked, every problem reported, a score given twice refused."""
    unit_codes = {unit.code for unit in units}
    found: dict[str, dict[str, Decimal]] = {}
    for i, (unit, target, score) in enumerate(rows):
        unit, target = unit.strip(), target.strip()
        if unit not in unit_codes:
            problems.add(sheet, i, "unit", f"'{unit}' is not a unit on the units sheet")
            continue
        message = target_error(target)
        if message:
            problems.add(sheet, i, target_column, message)
            continue
        if isinstance(score, Bad):
            problems.add(sheet, i, "score", score.message)
            continue
        message = score_error(target, score)
        if message:
            problems.add(sheet, i, "score", message)
            continue
        column = found.setdefault(target, {})
        if unit in column:
            problems.add(sheet, i, "score", f"a score for {unit} at {target} is given twice")
            continue
        column[unit] = score
    return found


def _scores(
    rows: Iterable[ScoreRow],
    nodes: list[Node],
    pillars: list[Pillar],
    units: list[UnitSpec],
    problems: _Problems,
) -> dict[str, dict[str, Decimal]]:
    targets = {node.code for node in nodes} | {p.code for p in pillars} | {TOTAL}
    return _unit_scores(
        "scores",
        rows,
        "node",
        units,
        problems,
        lambda target: (
            None if target in targets else f"'{target}' is neither a node, a pillar nor TOTAL"
        ),
    )


def _appraised(
    rows: Iterable[ScoreRow],
    nodes: list[Node],
    units: list[UnitSpec],
    settings: Settings,
    problems: _Problems,
) -> dict[str, dict[str, Decimal]]:
    """Scores the appraisal settled for leaves: within [0, max] and at the period's decimals."""
    leaves = leaves_of(nodes)
    return _unit_scores(
        "appraised",
        rows,
        "indicator",
        units,
        problems,
        lambda code: None if code in leaves else f"'{code}' is not a component indicator (a leaf)",
        lambda code, score: appraised_error(leaves[code], score, settings.decimals),
    )


def leaves_of(nodes: Iterable[Node]) -> dict[str, Node]:
    """The component indicators (nodes no other node names as its parent), by code."""
    nodes = list(nodes)
    parents = {node.parent for node in nodes if node.parent}
    return {node.code: node for node in nodes if node.code not in parents}


def appraised_error(leaf: Node, score: Decimal, decimals: int) -> str | None:
    """What is wrong with a score the appraisal settled at `leaf` (None: nothing): within
    [0, max] and at the period's decimals."""
    if not ZERO <= score <= leaf.max_points:
        return f"{score} is outside [0, {leaf.max_points}]"
    if score.as_tuple().exponent < -decimals:  # type: ignore[operator]
        return f"{score} has more than {decimals} decimals"
    return None
