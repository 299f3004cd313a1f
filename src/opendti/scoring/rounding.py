"""The one place that rounds. Policy: half-up, to the period's decimals.

Leaf scores are rounded once; every parent is the exact sum of its rounded children, so a total
always equals the parts shown beside it. Ratios derived from sums (percent, index, averages) are
rounded here too, from exact values.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat

_STEPS = {d: Decimal(1).scaleb(-d) for d in range(0, 9)}
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def step(decimals: int) -> Decimal:
    return _STEPS[decimals] if decimals in _STEPS else Decimal(1).scaleb(-decimals)


def quantize(value: Decimal, decimals: int) -> Decimal:
    """Round half-up to `decimals` places (2.345 -> 2.35, -2.345 -> -2.35)."""
    return value.quantize(step(decimals), rounding=ROUND_HALF_UP)


def quantize_all(values: Iterable[Decimal], decimals: int) -> list[Decimal]:
    """`quantize` of each value, as one pass over a whole column."""
    return list(map(Decimal.quantize, values, repeat(step(decimals)), repeat(ROUND_HALF_UP)))


def ratio(
    numerator: Decimal, denominator: Decimal, decimals: int, scale: Decimal = HUNDRED
) -> Decimal:
    """numerator / denominator x scale, rounded; zero when the denominator is zero."""
    if not denominator:
        return quantize(ZERO, decimals)
    return quantize(numerator * scale / denominator, decimals)


def mean(values: list[Decimal], decimals: int) -> Decimal | None:
    if not values:
        return None
    return quantize(sum(values, ZERO) / len(values), decimals)
