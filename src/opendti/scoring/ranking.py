"""Competition ranks (1, 2, 2, 4): equal keys share a rank and the next rank is skipped."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from decimal import Decimal
from fractions import Fraction
from operator import itemgetter
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def competition_ranks(keyed: Iterable[tuple[K, Decimal | Fraction | int]]) -> dict[K, int]:
    """Rank by key, highest first. The result never depends on the order of the input."""
    ordered = sorted(keyed, key=itemgetter(1), reverse=True)
    ranks: dict[K, int] = {}
    previous: Decimal | Fraction | int | None = None
    rank = 0
    for position, (ident, key) in enumerate(ordered, start=1):
        if key != previous:
            rank, previous = position, key
        ranks[ident] = rank
    return ranks
