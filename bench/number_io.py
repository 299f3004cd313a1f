"""Reading and writing numbers at national size: the numbers module against the floor of bare
`Decimal` (what the earlier readers did, without the checks).

    .venv/bin/python bench/number_io.py [--count 340000]

A national period holds about 340,000 input values (3,400 units × 100 indicators): the workbook
reader parses each (plain notation), and a ranking page writes a few numbers per unit.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from opendti.numbers import Notation, parse, vi


def _earlier_parse_number(text: str) -> Decimal:
    """workbook.parse.parse_number before the numbers module (no limits, exponents read)."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise ValueError(text)
    return value


def _timed(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--count", type=int, default=340_000)
    options.add_argument("--runs", type=int, default=5)
    args = options.parse_args()
    rng = random.Random(2026)
    values = [Decimal(rng.randint(0, 10**7)).scaleb(-rng.randint(0, 4)) for _ in range(args.count)]
    plain = [format(v, "f") for v in values]
    typed = [vi(v) for v in values[: args.count // 10]]  # people type far fewer

    rows = [
        ("workbook values: Decimal(text) (floor)", lambda: [Decimal(t) for t in plain], len(plain)),
        (
            "workbook values: the earlier parse_number",
            lambda: [_earlier_parse_number(t) for t in plain],
            len(plain),
        ),
        (
            "workbook values: parse(WORKBOOK)",
            lambda: [parse(t, notation=Notation.WORKBOOK) for t in plain],
            len(plain),
        ),
        (
            "typed values: parse(VI) (Babel strict)",
            lambda: [
                parse(t) if "," in t or "." not in t else parse(t, integer=True) for t in typed
            ],
            len(typed),
        ),
        ("display: format(v, 'f') (floor)", lambda: [format(v, "f") for v in values], len(values)),
        ("display: vi(v)", lambda: [vi(v) for v in values], len(values)),
    ]
    print(f"{'what':45} {'count':>9} {'median':>9} {'per value':>10}")
    for name, work, count in rows:
        median = _timed(work, args.runs)
        print(f"{name:45} {count:9,} {median:8.3f}s {median / count * 1e6:8.2f}µs")


if __name__ == "__main__":
    main()
