"""Findings: published or entered numbers that do not add up, and values that cannot be right.

Each finding names the unit and the node, what the parts give (expected), what was stated
(found) and the difference found - expected, so a coordinator can go straight to the cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from .model import Finding, InputSpec

_WHAT = {
    "node_sum": "the score given at this node differs from the sum of its parts",
    "pillar_sum": "the pillar score given differs from the sum of the indices it counts",
    "total_sum": "the total given differs from the sum of the main indices",
}


class FindingLog:
    def __init__(self, decimals: int) -> None:
        self.decimals = decimals
        self.items: list[Finding] = []

    def disagreement(
        self, unit: str, node: str, kind: str, expected: Decimal, found: Decimal
    ) -> None:
        difference = found - expected
        self.items.append(
            Finding(
                unit=unit,
                node=node,
                kind=kind,
                expected=str(expected),
                found=str(found),
                difference=f"{difference:+f}",
                message=f"{_WHAT[kind]}: {found} given, {expected} from the parts ({difference:+f})",
            )
        )

    def out_of_bounds(self, unit: str, node: str, spec: InputSpec, value: Decimal) -> None:
        low = "" if spec.min is None else str(spec.min)
        high = "" if spec.max is None else str(spec.max)
        bound = spec.min if spec.min is not None and value < spec.min else spec.max
        assert bound is not None
        self.items.append(
            Finding(
                unit=unit,
                node=node,
                kind="out_of_bounds",
                expected=f"[{low}, {high}]",
                found=str(value),
                difference=f"{value - bound:+f}",
                message=f"input '{spec.name or 'value'}' = {value} is outside [{low}, {high}]",
            )
        )

    def unknown_choice(self, unit: str, node: str, spec: InputSpec, value: str) -> None:
        self.items.append(
            Finding(
                unit=unit,
                node=node,
                kind="out_of_bounds",
                expected=" | ".join(spec.choices),
                found=value,
                difference="",
                message=f"'{value}' is not one of the choices: {', '.join(spec.choices)}",
            )
        )

    def ratio_over_one(
        self, unit: str, node: str, numerator: Decimal, denominator: Decimal
    ) -> None:
        self.items.append(
            Finding(
                unit=unit,
                node=node,
                kind="ratio_over_100",
                expected=f"<= {denominator}",
                found=str(numerator),
                difference=f"{numerator - denominator:+f}",
                message=f"numerator {numerator} is above its denominator {denominator} (over 100%)",
            )
        )

    def missing(self, unit: str, node: str, message: str) -> None:
        self.items.append(
            Finding(
                unit=unit,
                node=node,
                kind="missing",
                expected="",
                found="",
                difference="",
                message=message,
            )
        )

    def sorted(self, unit_order: list[str], node_order: list[str]) -> list[Finding]:
        units = {code: i for i, code in enumerate(unit_order)}
        nodes = {code: i for i, code in enumerate(node_order)}
        return sorted(
            self.items, key=lambda f: (units.get(f.unit, 0), nodes.get(f.node, len(nodes)), f.kind)
        )


def notes_apart(
    listed: Sequence[Finding], *, informational: Callable[[str, str], bool]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(findings, notes), each in the order listed. A value missing where the node is
    informational for the unit (`informational(unit, node)`) is a data-quality note, not a
    finding: findings are numbers that do not add up or cannot be right, and an informational
    value is asked for, never counted."""
    findings: list[Finding] = []
    notes: list[Finding] = []
    for item in listed:
        note = item.kind == "missing" and informational(item.unit, item.node)
        (notes if note else findings).append(item)
    return tuple(findings), tuple(notes)
