"""A safe arithmetic formula over named inputs, compiled once into closures (no eval).

Allowed: numbers, input names, + - * / ( ), unary minus, comparisons, `a if cond else b`, `and`,
`or`, `not`, and the functions min, max, abs. Numeric literals become Decimal from their source
text, so `0.1` is exactly one tenth. Anything else is refused when the formula is compiled.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

Evaluator = Callable[[Mapping[str, object]], object]


class FormulaError(ValueError):
    pass


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
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula is not valid: {exc.msg} (column {exc.offset})") from exc
    return _compile(tree.body, expression.strip(), names)


def names_in(expression: str) -> set[str]:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
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
