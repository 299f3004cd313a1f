"""Leaf scoring rules: one small function per rule type, and the registry that names them.

A rule type validates its `params` against the leaf's max points, declares the inputs it reads,
and compiles into a function from a unit's input values to an unrounded score in [0, max].
Relative rules (scored against the other units) compile into a function of the whole column.
The rule names and params are documented in docs/rules.md; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from itertools import repeat
from operator import is_, methodcaller

from .formula import (
    ColumnEvaluator,
    ColumnFailed,
    FormulaError,
    compile_formula,
    compile_formula_columns,
    evaluate,
    names_in,
)
from .model import INPUT_TYPES, InputSpec, Rule, Value

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
MAX_PARAM_DIGITS = 15

LeafScorer = Callable[[Mapping[str, Value]], Decimal]
# A relative rule sees every unit's value at once (None where a unit gave none).
ColumnScorer = Callable[[Sequence[Decimal | None]], list[Decimal]]
# A rule's scores for a whole column of units' inputs at once (None where there are none): the
# same score as the rule's LeafScorer wherever the inputs are plain numbers, and None for every
# other cell (no inputs, an input missing or not a number), which the LeafScorer then decides.
CellsScorer = Callable[[Sequence[Mapping[str, Value] | None]], list[Decimal | None]]


class RuleError(ValueError):
    """A rule's name or params are not valid; the message says which param and why."""


class MissingInput(KeyError):
    """A unit gave no value for an input the rule needs."""


@dataclass(frozen=True)
class RuleType:
    name: str
    title: str
    inputs: Callable[[Mapping[str, object]], tuple[InputSpec, ...]]
    compile: Callable[[Mapping[str, object], Decimal], LeafScorer] | None = None
    compile_column: Callable[[Mapping[str, object], Decimal], ColumnScorer] | None = None
    # Optional, for speed only (a national period has hundreds of thousands of cells): see
    # CellsScorer. Never changes a result; tests/scoring compares it with `compile` cell by cell.
    compile_cells: Callable[[Mapping[str, object], Decimal], CellsScorer] | None = None

    @property
    def relative(self) -> bool:
        return self.compile_column is not None


REGISTRY: dict[str, RuleType] = {}


def register(rule_type: RuleType) -> RuleType:
    REGISTRY[rule_type.name] = rule_type
    return rule_type


# --- parameter helpers -------------------------------------------------------------------------


def _number(params: Mapping[str, object], key: str, default: Decimal | None = None) -> Decimal:
    raw = params.get(key)
    if raw is None:
        if default is None:
            raise RuleError(f"param '{key}' is required")
        return default
    if isinstance(raw, bool):
        raise RuleError(f"param '{key}' must be a number, not {raw!r}")
    # A JSON number arrives as int or float (its shortest repr is what the file says); a string
    # is a plain decimal, with a dot or a comma, never an exponent.
    text = repr(raw) if isinstance(raw, float) else str(raw).strip().replace(",", ".")
    if len(text) > 40 or ("e" in text.lower() and not isinstance(raw, float)):
        raise RuleError(f"param '{key}' must be a plain number, not {str(raw)[:40]!r}")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RuleError(f"param '{key}' must be a number, not {raw!r}") from None
    if not value.is_finite():
        raise RuleError(f"param '{key}' must be a finite number")
    # Bounded like every input (the numbers module), so that no arithmetic with it can overflow.
    if not value.is_zero() and not -MAX_PARAM_DIGITS <= value.adjusted() < MAX_PARAM_DIGITS:
        raise RuleError(f"param '{key}' must have at most {MAX_PARAM_DIGITS} digits")
    return value


def _points(
    params: Mapping[str, object], key: str, max_points: Decimal, default: Decimal
) -> Decimal:
    value = _number(params, key, default)
    if not ZERO <= value <= max_points:
        raise RuleError(f"param '{key}' = {value} is outside [0, {max_points}] (the max points)")
    return value


def _flag(params: Mapping[str, object], key: str, default: bool) -> bool:
    raw = params.get(key, default)
    if not isinstance(raw, bool):
        raise RuleError(f"param '{key}' must be true or false, not {raw!r}")
    return raw


def _choice(params: Mapping[str, object], key: str, options: tuple[str, ...]) -> str:
    raw = params.get(key, options[0])
    if raw not in options:
        raise RuleError(f"param '{key}' must be one of {', '.join(options)}, not {raw!r}")
    return str(raw)


def _single(
    type_: str, minimum: Decimal | None = None
) -> Callable[[Mapping[str, object]], tuple[InputSpec, ...]]:
    return lambda params: (InputSpec(name="", type=type_, min=minimum),)


def _clamp(value: Decimal, max_points: Decimal) -> Decimal:
    return ZERO if value < ZERO else max_points if value > max_points else value


def _get(values: Mapping[str, Value], name: str) -> Value:
    try:
        return values[name]
    except KeyError:
        raise MissingInput(name) from None


def _num(values: Mapping[str, Value], name: str) -> Decimal:
    # `_get` inlined, and a Decimal let through first: this runs for nearly every cell.
    try:
        value = values[name]
    except KeyError:
        raise MissingInput(name) from None
    if value.__class__ is Decimal:
        return value
    if isinstance(value, bool):
        return ONE if value else ZERO
    if not isinstance(value, Decimal):
        raise MissingInput(name)
    return value


# --- the rules ---------------------------------------------------------------------------------


def _compile_yes_no(params: Mapping[str, object], max_points: Decimal) -> LeafScorer:
    yes = _points(params, "yes", max_points, max_points)
    no = _points(params, "no", max_points, ZERO)

    def score(values: Mapping[str, Value]) -> Decimal:
        try:
            value = values[""]
        except KeyError:
            raise MissingInput("") from None
        return yes if value is True else no

    return score


register(RuleType("yes_no", "Có/không", _single("yesno"), _compile_yes_no))


def _compile_ratio(params: Mapping[str, object], max_points: Decimal) -> LeafScorer:
    target = _number(params, "target", ONE)
    if target <= ZERO:
        raise RuleError("param 'target' must be above 0 (the ratio that earns full points)")
    on_zero = _choice(params, "zero_denominator", ("zero", "full"))
    zero_score = max_points if on_zero == "full" else ZERO
    _flag(params, "numerator_above_denominator", False)

    def score(values: Mapping[str, Value]) -> Decimal:
        numerator, denominator = _num(values, "numerator"), _num(values, "denominator")
        if denominator <= ZERO:
            return zero_score
        # One division, after the multiplications, so that a score ending in 5 rounds half-up.
        result = numerator * max_points / (denominator * target)
        return max_points if result > max_points else ZERO if result < ZERO else result

    return score


register(
    RuleType(
        "ratio",
        "Tỷ lệ",
        lambda params: (
            InputSpec(name="numerator", type="integer", min=ZERO),
            InputSpec(name="denominator", type="integer", min=ZERO),
        ),
        _compile_ratio,
    )
)


def _parse_tiers(
    params: Mapping[str, object], max_points: Decimal
) -> list[tuple[Decimal, Decimal]]:
    raw = params.get("tiers")
    if not isinstance(raw, list) or not raw:
        raise RuleError('param \'tiers\' must be a non-empty list of {"min": x, "points": p}')
    tiers: list[tuple[Decimal, Decimal]] = []
    for position, tier in enumerate(raw, start=1):
        if not isinstance(tier, Mapping):
            raise RuleError(f"tier {position} must be an object with 'min' and 'points'")
        threshold = _number(tier, "min")
        points = _number(tier, "points")
        if not ZERO <= points <= max_points:
            raise RuleError(f"tier {position}: points {points} outside [0, {max_points}]")
        if tiers and threshold >= tiers[-1][0]:
            raise RuleError(f"tier {position}: thresholds must go from the highest to the lowest")
        tiers.append((threshold, points))
    return tiers


def _compile_tiers(params: Mapping[str, object], max_points: Decimal) -> LeafScorer:
    tiers = _parse_tiers(params, max_points)
    inclusive = _flag(params, "inclusive", True)
    below = _points(params, "else", max_points, ZERO)

    def score(values: Mapping[str, Value]) -> Decimal:
        value = _num(values, "")
        for threshold, points in tiers:
            if value >= threshold if inclusive else value > threshold:
                return points
        return below

    return score


register(RuleType("tiers", "Theo ngưỡng", _single("number"), _compile_tiers))


def _compile_linear(params: Mapping[str, object], max_points: Decimal) -> LeafScorer:
    start, end = _number(params, "from"), _number(params, "to")
    if start == end:
        raise RuleError("params 'from' and 'to' must differ")
    span = end - start

    def score(values: Mapping[str, Value]) -> Decimal:
        result = (_num(values, "") - start) * max_points / span
        return max_points if result > max_points else ZERO if result < ZERO else result

    return score


register(RuleType("linear", "Tuyến tính", _single("number"), _compile_linear))


def _compile_count(params: Mapping[str, object], max_points: Decimal) -> LeafScorer:
    each = _number(params, "points_each")
    if each <= ZERO:
        raise RuleError("param 'points_each' must be above 0")
    cap = _points(params, "cap", max_points, max_points)

    def score(values: Mapping[str, Value]) -> Decimal:
        result = _num(values, "") * each
        return cap if result > cap else ZERO if result < ZERO else result

    return score


register(
    RuleType(
        "count",
        "Đếm số lượng",
        lambda params: (InputSpec("", "integer", min=ZERO),),
        _compile_count,
    )
)


def _choice_points(params: Mapping[str, object], max_points: Decimal) -> dict[str, Decimal]:
    raw = params.get("choices")
    if not isinstance(raw, Mapping) or not raw:
        raise RuleError("param 'choices' must be an object {\"option\": points, ...}")
    return {str(option): _points(raw, option, max_points, ZERO) for option in raw}


def _choice_names(params: Mapping[str, object]) -> tuple[str, ...]:
    raw = params.get("choices")
    return tuple(str(option) for option in raw) if isinstance(raw, Mapping) else ()


def _compile_choice(params: Mapping[str, object], max_points: Decimal) -> LeafScorer:
    points = _choice_points(params, max_points)

    def score(values: Mapping[str, Value]) -> Decimal:
        return points.get(str(_get(values, "")), ZERO)

    return score


register(
    RuleType(
        "choice",
        "Lựa chọn",
        lambda params: (InputSpec("", "choice", choices=_choice_names(params)),),
        _compile_choice,
    )
)


def _compile_manual(params: Mapping[str, object], max_points: Decimal) -> LeafScorer:
    return lambda values: _clamp(_num(values, ""), max_points)


register(
    RuleType("manual", "Chấm điểm trực tiếp", _single("number", minimum=ZERO), _compile_manual)
)


def _formula_inputs(params: Mapping[str, object]) -> tuple[InputSpec, ...]:
    expression = params.get("expression")
    if not isinstance(expression, str):
        return ()
    return tuple(InputSpec(name, "number") for name in sorted(names_in(expression)))


def _compile_formula(params: Mapping[str, object], max_points: Decimal) -> LeafScorer:
    expression = params.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        raise RuleError("param 'expression' is required, e.g. \"a / b * 10\"")
    names = names_in(expression)
    try:
        evaluator = compile_formula(expression, names)
    except FormulaError as exc:
        raise RuleError(str(exc)) from None
    ordered = sorted(names)

    def score(values: Mapping[str, Value]) -> Decimal:
        try:
            bound = {name: values[name] for name in ordered}
        except KeyError:  # again through _get, for the MissingInput of the first one missing
            bound = {name: _get(values, name) for name in ordered}
        try:
            result = evaluate(evaluator, bound)
        except TypeError:
            raise MissingInput(ordered[0] if ordered else "") from None
        return _clamp(result, max_points)

    return score


register(RuleType("formula", "Công thức", _formula_inputs, _compile_formula))


def _compile_relative(params: Mapping[str, object], max_points: Decimal) -> ColumnScorer:
    method = _choice(params, "method", ("min_max", "best"))
    higher = _flag(params, "higher_is_better", True)
    _choice(params, "scope", ("period", "group"))

    def score(column: Sequence[Decimal | None]) -> list[Decimal]:
        present = [v for v in column if v is not None]
        if not present:
            return [ZERO for _ in column]
        low, high = min(present), max(present)
        results: list[Decimal] = []
        for value in column:
            if value is None:
                results.append(ZERO)
            elif method == "min_max":
                if high == low:
                    results.append(max_points)
                else:
                    gap = value - low if higher else high - value
                    results.append(gap * max_points / (high - low))
            elif higher:
                results.append(
                    _clamp(value * max_points / high, max_points) if high > ZERO else ZERO
                )
            else:
                results.append(
                    max_points if value <= ZERO else _clamp(low * max_points / value, max_points)
                )
        return results

    return score


register(
    RuleType(
        "relative", "So với các đơn vị khác", _single("number"), compile_column=_compile_relative
    )
)


# --- whole columns at once ---------------------------------------------------------------------
# The same arithmetic as the rules above, in the same order (so the same exact Decimals), run down
# a column in one loop instead of one call per cell.


def _numbers(column: Sequence[Mapping[str, Value] | None]) -> list[Value | None]:
    if any(map(is_, column, repeat(None))):
        return [None if inputs is None else inputs.get("") for inputs in column]
    return list(map(_GET_NUMBER, column))


_GET_NUMBER = methodcaller("get", "")


def _cells_yes_no(params: Mapping[str, object], max_points: Decimal) -> CellsScorer:
    yes = _points(params, "yes", max_points, max_points)
    no = _points(params, "no", max_points, ZERO)

    def cells(column: Sequence[Mapping[str, Value] | None]) -> list[Decimal | None]:
        return [
            None if inputs is None or "" not in inputs else yes if inputs[""] is True else no
            for inputs in column
        ]

    return cells


def _cells_ratio(params: Mapping[str, object], max_points: Decimal) -> CellsScorer:
    target = _number(params, "target", ONE)
    zero_score = max_points if params.get("zero_denominator", "zero") == "full" else ZERO

    def cells(column: Sequence[Mapping[str, Value] | None]) -> list[Decimal | None]:
        scores: list[Decimal | None] = []
        append = scores.append
        for inputs in column:
            if inputs is None:
                append(None)
                continue
            numerator, denominator = inputs.get("numerator"), inputs.get("denominator")
            if numerator.__class__ is not Decimal or denominator.__class__ is not Decimal:
                append(None)
            elif denominator <= ZERO:
                append(zero_score)
            else:
                result = numerator * max_points / (denominator * target)
                append(max_points if result > max_points else ZERO if result < ZERO else result)
        return scores

    return cells


def _cells_tiers(params: Mapping[str, object], max_points: Decimal) -> CellsScorer:
    tiers = _parse_tiers(params, max_points)
    inclusive = _flag(params, "inclusive", True)
    below = _points(params, "else", max_points, ZERO)

    def cells(column: Sequence[Mapping[str, Value] | None]) -> list[Decimal | None]:
        scores: list[Decimal | None] = []
        append = scores.append
        for value in _numbers(column):
            if value.__class__ is not Decimal:
                append(None)
                continue
            for threshold, points in tiers:
                if value >= threshold if inclusive else value > threshold:
                    append(points)
                    break
            else:
                append(below)
        return scores

    return cells


def _cells_linear(params: Mapping[str, object], max_points: Decimal) -> CellsScorer:
    start, end = _number(params, "from"), _number(params, "to")
    span = end - start

    def cells(column: Sequence[Mapping[str, Value] | None]) -> list[Decimal | None]:
        scores: list[Decimal | None] = []
        append = scores.append
        for value in _numbers(column):
            if value.__class__ is not Decimal:
                append(None)
                continue
            result = (value - start) * max_points / span
            append(max_points if result > max_points else ZERO if result < ZERO else result)
        return scores

    return cells


def _cells_count(params: Mapping[str, object], max_points: Decimal) -> CellsScorer:
    each = _number(params, "points_each")
    cap = _points(params, "cap", max_points, max_points)

    def cells(column: Sequence[Mapping[str, Value] | None]) -> list[Decimal | None]:
        scores: list[Decimal | None] = []
        append = scores.append
        for value in _numbers(column):
            if value.__class__ is not Decimal:
                append(None)
                continue
            result = value * each
            append(cap if result > cap else ZERO if result < ZERO else result)
        return scores

    return cells


def _cells_choice(params: Mapping[str, object], max_points: Decimal) -> CellsScorer:
    points = _choice_points(params, max_points)
    get = points.get

    def cells(column: Sequence[Mapping[str, Value] | None]) -> list[Decimal | None]:
        return [
            None if inputs is None or "" not in inputs else get(str(inputs[""]), ZERO)
            for inputs in column
        ]

    return cells


def _cells_manual(params: Mapping[str, object], max_points: Decimal) -> CellsScorer:
    def cells(column: Sequence[Mapping[str, Value] | None]) -> list[Decimal | None]:
        return [
            None
            if value.__class__ is not Decimal
            else ZERO
            if value < ZERO
            else max_points
            if value > max_points
            else value
            for value in _numbers(column)
        ]

    return cells


def _evaluate_rows(
    evaluator: ColumnEvaluator, names: list[str], found: list[list[Value]], rows: list[int]
) -> list[object]:
    picked = {name: [values[i] for i in rows] for name, values in zip(names, found, strict=True)}
    return evaluator(picked, len(rows))  # type: ignore[arg-type]


def _cells_formula(params: Mapping[str, object], max_points: Decimal) -> CellsScorer:
    expression = str(params.get("expression"))
    names = names_in(expression)
    ordered = sorted(names)
    evaluator = compile_formula_columns(expression, names)
    getters = [methodcaller("get", name) for name in ordered]

    def cells(column: Sequence[Mapping[str, Value] | None]) -> list[Decimal | None]:
        scores: list[Decimal | None] = [None] * len(column)
        if not ordered:
            return scores  # unit by unit
        if any(map(is_, column, repeat(None))):
            column = [{} if inputs is None else inputs for inputs in column]
        found = [list(map(get, column)) for get in getters]
        # The units whose inputs are all plain numbers; the others go unit by unit.
        plain = [
            i
            for i, row in enumerate(zip(*found, strict=True))
            if all(value.__class__ is Decimal for value in row)
        ]
        try:
            results = _evaluate_rows(evaluator, ordered, found, plain)
        except ColumnFailed:
            # Some unit's formula failed (a division by zero): again without the units that have
            # a zero among their inputs, the usual cause; they go unit by unit.
            plain = [i for i in plain if all(values[i] for values in found)]
            try:
                results = _evaluate_rows(evaluator, ordered, found, plain)
            except ColumnFailed:
                return scores
        for i, result in zip(plain, results, strict=True):
            if result.__class__ is bool:
                result = Decimal(int(result))
            if result.__class__ is Decimal:
                scores[i] = _clamp(result, max_points)
        return scores

    return cells


for _name, _cells in (
    ("formula", _cells_formula),
    ("yes_no", _cells_yes_no),
    ("ratio", _cells_ratio),
    ("tiers", _cells_tiers),
    ("linear", _cells_linear),
    ("count", _cells_count),
    ("choice", _cells_choice),
    ("manual", _cells_manual),
):
    REGISTRY[_name] = replace(REGISTRY[_name], compile_cells=_cells)


# --- declared inputs ---------------------------------------------------------------------------


def _declared(params: Mapping[str, object]) -> dict[str, InputSpec]:
    """Inputs declared in params["inputs"]: [{"name", "type", "unit", "min", "max", "label"}]."""
    raw = params.get("inputs", [])
    if not isinstance(raw, list):
        raise RuleError("param 'inputs' must be a list of input declarations")
    declared: dict[str, InputSpec] = {}
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, Mapping):
            raise RuleError(f"input {position} must be an object with at least 'name'")
        name = str(item.get("name", ""))
        # No type: the rule's own for this input (a ratio's counts), else a decimal number.
        type_ = str(item.get("type", ""))
        if type_ and type_ not in INPUT_TYPES:
            raise RuleError(f"input '{name}': type must be one of {', '.join(INPUT_TYPES)}")
        low = _number(item, "min") if item.get("min") is not None else None
        high = _number(item, "max") if item.get("max") is not None else None
        if low is not None and high is not None and low > high:
            raise RuleError(f"input '{name}': min {low} is above max {high}")
        choices = item.get("choices", ())
        declared[name] = InputSpec(
            name=name,
            type=type_,
            unit=str(item.get("unit", "")),
            min=low,
            max=high,
            choices=tuple(str(c) for c in choices) if isinstance(choices, list | tuple) else (),
            label=str(item.get("label", "")),
        )
    return declared


def _default_bounds(spec: InputSpec) -> InputSpec:
    """Bounds every input of a kind has unless the framework declares its own: a percent lies in
    [0, 100], a count is never negative."""
    if spec.type == "percent":
        return replace(
            spec,
            min=ZERO if spec.min is None else spec.min,
            max=HUNDRED if spec.max is None else spec.max,
        )
    if spec.type == "integer" and spec.min is None:
        return replace(spec, min=ZERO)
    return spec


def rule_inputs(
    name: str, params: Mapping[str, object], max_points: Decimal
) -> tuple[InputSpec, ...]:
    """The inputs a rule reads: its defaults, overridden or extended by declared ones."""
    rule_type = _rule_type(name)
    declared = _declared(params)
    merged: list[InputSpec] = []
    for spec in rule_type.inputs(params):
        own = declared.pop(spec.name, None)
        if own is None:
            if name == "manual":
                spec = replace(spec, max=max_points)
            merged.append(_default_bounds(spec))
        else:
            merged.append(
                _default_bounds(
                    replace(
                        own,
                        type=own.type or spec.type,
                        min=own.min if own.min is not None else spec.min,
                        choices=own.choices or spec.choices,
                    )
                )
            )
    merged.extend(_default_bounds(replace(s, type=s.type or "number")) for s in declared.values())
    return tuple(merged)


def _rule_type(name: str) -> RuleType:
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise RuleError(f"unknown rule '{name}' (known rules: {known})") from None


def build_rule(name: str, params: Mapping[str, object], max_points: Decimal) -> Rule:
    """Validate a rule by compiling it once, and return it with its declared inputs."""
    rule_type = _rule_type(name)
    if rule_type.compile is not None:
        rule_type.compile(params, max_points)
    if rule_type.compile_column is not None:
        rule_type.compile_column(params, max_points)
    return Rule(name=name, params=params, inputs=rule_inputs(name, params, max_points))
