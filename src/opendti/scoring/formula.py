"""A safe arithmetic formula over named inputs, compiled once into closures (no eval).

Allowed: numbers, input names, + - * / ( ), unary minus, comparisons, `a if cond else b`, `and`,
`or`, `not`, and the functions min, max, abs. Numeric literals become Decimal from their source
text, so `0.1` is exactly one tenth. Anything else is refused when the formula is compiled.
"""

from __future__ import annotations

import ast
import operator
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

Evaluator = Callable[[Mapping[str, object]], object]


class FormulaError(ValueError):
    pass


# CPython 3.11's AST constructor keeps its recursion depth in interpreter-wide state, so two
# threads parsing at once (web server threads, a report thread) can fail with "AST constructor
# recursion depth mismatch". Parsing is rare and quick; one parse at a time costs nothing.
_PARSE_LOCK = threading.Lock()


def _parse(expression: str) -> ast.Expression:
    with _PARSE_LOCK:
        return ast.parse(expression.strip(), mode="eval")


_BINARY: dict[type, Callable[[object, object], object]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE: dict[type, Callable[[Any, Any], object]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS: dict[str, Callable[..., object]] = {"min": min, "max": max, "abs": abs}


def compile_formula(expression: str, names: set[str]) -> Evaluator:
    """Compile `expression`; every name in it must be one of `names`."""
    try:
        tree = _parse(expression)
    except SyntaxError as exc:
        raise FormulaError(f"formula is not valid: {exc.msg} (column {exc.offset})") from exc
    return _compile(tree.body, expression.strip(), names)


def names_in(expression: str) -> set[str]:
    try:
        tree = _parse(expression)
    except SyntaxError:
        return set()
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id not in _FUNCTIONS
    }


def _compile(node: ast.AST, source: str, names: set[str]) -> Evaluator:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers are allowed as constants, not {node.value!r}")
        literal = Decimal(ast.get_source_segment(source, node) or str(node.value))
        return lambda values: literal
    if isinstance(node, ast.Name):
        name = node.id
        if name not in names:
            raise FormulaError(f"unknown input '{name}' (declared: {', '.join(sorted(names))})")
        return lambda values: values[name]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op = _BINARY[type(node.op)]
        left, right = _compile(node.left, source, names), _compile(node.right, source, names)
        return lambda values: op(left(values), right(values))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
        operand = _compile(node.operand, source, names)
        if isinstance(node.op, ast.USub):
            return lambda values: -operand(values)  # type: ignore[operator]
        if isinstance(node.op, ast.Not):
            return lambda values: not operand(values)
        return operand
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        cmp = _COMPARE[type(node.ops[0])]
        left = _compile(node.left, source, names)
        right = _compile(node.comparators[0], source, names)
        return lambda values: cmp(left(values), right(values))
    if isinstance(node, ast.BoolOp):
        parts = [_compile(value, source, names) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda values: all(part(values) for part in parts)
        return lambda values: any(part(values) for part in parts)
    if isinstance(node, ast.IfExp):
        test = _compile(node.test, source, names)
        body, orelse = _compile(node.body, source, names), _compile(node.orelse, source, names)
        return lambda values: body(values) if test(values) else orelse(values)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
        and node.args
    ):
        function = _FUNCTIONS[node.func.id]
        args = [_compile(arg, source, names) for arg in node.args]
        return lambda values: function(*(arg(values) for arg in args))
    raise FormulaError(f"'{ast.get_source_segment(source, node)}' is not allowed in a formula")


def evaluate(evaluator: Evaluator, values: Mapping[str, object]) -> Decimal:
    """Run a compiled formula; a division by zero gives zero points rather than an error."""
    try:
        result = evaluator(values)
    except (ZeroDivisionError, DivisionByZero, InvalidOperation):
        return Decimal(0)
    if isinstance(result, bool):
        return Decimal(int(result))
    if not isinstance(result, Decimal):
        raise FormulaError(f"formula gave {result!r}, not a number")
    return result


# --- a whole column at once ---------------------------------------------------------------------
# The same operations on the same values as the closures above, one column of units at a time
# (each node gives a list). Both branches of `a if c else b` and every part of `and`/`or` are
# computed for every unit, and the chosen value kept: so any error anywhere (a division by zero)
# makes the whole column unusable, and the caller scores it unit by unit instead.

ColumnEvaluator = Callable[[Mapping[str, list[object]], int], list[object]]


class ColumnFailed(Exception):
    """Some unit's formula failed (a division by zero...): score the column unit by unit."""


def compile_formula_columns(expression: str, names: set[str]) -> ColumnEvaluator:
    compile_formula(expression, names)  # the checks and errors of a formula, as for one unit
    tree = _parse(expression)
    evaluator = _columns(tree.body, expression.strip())

    def run(columns: Mapping[str, list[object]], size: int) -> list[object]:
        try:
            return evaluator(columns, size)
        except (ZeroDivisionError, DivisionByZero, InvalidOperation, TypeError) as exc:
            raise ColumnFailed from exc

    return run


def _columns(node: ast.AST, source: str) -> ColumnEvaluator:
    if isinstance(node, ast.Constant):
        literal = Decimal(ast.get_source_segment(source, node) or str(node.value))
        return lambda columns, size: [literal] * size
    if isinstance(node, ast.Name):
        name = node.id
        return lambda columns, size: columns[name]
    if isinstance(node, ast.BinOp):
        op = _BINARY[type(node.op)]
        left, right = _columns(node.left, source), _columns(node.right, source)
        return lambda columns, size: list(map(op, left(columns, size), right(columns, size)))
    if isinstance(node, ast.UnaryOp):
        operand = _columns(node.operand, source)
        if isinstance(node.op, ast.USub):
            return lambda columns, size: [-v for v in operand(columns, size)]  # type: ignore[operator]
        if isinstance(node.op, ast.Not):
            return lambda columns, size: [not v for v in operand(columns, size)]
        return operand
    if isinstance(node, ast.Compare):
        cmp = _COMPARE[type(node.ops[0])]
        left, right = _columns(node.left, source), _columns(node.comparators[0], source)
        return lambda columns, size: list(map(cmp, left(columns, size), right(columns, size)))
    if isinstance(node, ast.BoolOp):
        parts = [_columns(value, source) for value in node.values]
        combine = all if isinstance(node.op, ast.And) else any
        return lambda columns, size: [
            combine(row) for row in zip(*(part(columns, size) for part in parts), strict=True)
        ]
    if isinstance(node, ast.IfExp):
        test, body = _columns(node.test, source), _columns(node.body, source)
        orelse = _columns(node.orelse, source)
        return lambda columns, size: [
            b if t else o
            for t, b, o in zip(
                test(columns, size), body(columns, size), orelse(columns, size), strict=True
            )
        ]
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    function = _FUNCTIONS[node.func.id]
    args = [_columns(arg, source) for arg in node.args]
    return lambda columns, size: list(map(function, *(arg(columns, size) for arg in args)))
