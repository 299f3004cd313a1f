"""Time one keystroke's re-scoring on a national period: `apply_edit` against a full `score_period`.

On the generated period of bench/generate.py (3,400 units × 100 indicators) one unit's input of
one indicator is changed, back and forth between values that move its score, and re-scored
incrementally; the same for a relative leaf (scored against every unit of the period, or of the
group), once where the edit leaves the column's min and max alone and once where it moves them
(every unit of the scope is then re-scored). The full engine and the NumPy floor of bench/run.py
are timed in the same run. Each series ends with a check that the incremental result equals a
full scoring of the edited period.

    .venv/bin/python bench/incremental.py [--runs 9] [--clock cpu]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent / "src") not in sys.path:
    sys.path.insert(0, str(HERE.parent / "src"))
if __package__ in (None, ""):
    sys.path.insert(0, str(HERE.parent))

from bench.generate import generate  # noqa: E402
from bench.run import Floor, floor_score  # noqa: E402

from opendti.scoring.engine import score_period  # noqa: E402
from opendti.scoring.incremental import apply_edit  # noqa: E402
from opendti.scoring.model import Assessment, PeriodResult, Value  # noqa: E402


def _leaf(assessment: Assessment, rule: str, scope: str | None = None) -> str:
    for node in assessment.framework.nodes:
        if node.rule is None or node.rule.name != rule or node.applies_to:
            continue
        if scope is None or node.rule.params.get("scope", "period") == scope:
            return node.code
    raise LookupError(rule)


def _series(
    assessment: Assessment,
    result: PeriodResult,
    unit: str,
    code: str,
    values: list[Value],
    runs: int,
    clock: Callable[[], float],
) -> tuple[float, float, Assessment, PeriodResult]:
    """(first edit s, median of the next `runs` edits s, the edited pair)."""
    timings = []
    for k in range(runs + 1):
        changes = {code: {"": values[k % len(values)]}}
        start = clock()
        assessment, result = apply_edit(assessment, result, unit, changes)
        timings.append(clock() - start)
    if result != score_period(assessment):
        raise AssertionError(f"incremental and full scoring differ after editing {code}")
    return timings[0], statistics.median(timings[1:]), assessment, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args(argv)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter

    assessment = generate()
    floor = Floor(assessment)
    full, floor_times = [], []
    result = score_period(assessment)
    for _ in range(max(3, args.runs // 2)):
        start = clock()
        result = score_period(assessment)
        full.append(clock() - start)
        start = clock()
        floor_score(floor)
        floor_times.append(clock() - start)
    full_median, floor_median = statistics.median(full), statistics.median(floor_times)

    unit = assessment.units[len(assessment.units) // 2].code  # a commune
    plain = _leaf(assessment, "linear")
    relative_period = _leaf(assessment, "relative", "period")
    relative_group = _leaf(assessment, "relative", "group")

    def column(code: str) -> list[Decimal]:
        found = [v.get("") for v in assessment.values[code].values()]
        return sorted(v for v in found if isinstance(v, Decimal))

    rows: list[tuple[str, float, float]] = []
    plain_values: list[Value] = [Decimal(10), Decimal(55), Decimal("72.5"), Decimal(90)]
    first, median, _, _ = _series(assessment, result, unit, plain, plain_values, args.runs, clock)
    rows.append((f"plain leaf ({plain}, linear)", first, median))
    for code, scope in ((relative_period, "period"), (relative_group, "group")):
        values = column(code)
        inside = [values[len(values) // 3], values[len(values) // 2]]  # min and max stay
        outside = [values[-1] * 2, values[0]]  # a new max, then back: every unit moves
        for label, chosen in (("min/max kept", inside), ("min/max moved", outside)):
            first, median, _, _ = _series(assessment, result, unit, code, chosen, args.runs, clock)
            rows.append((f"relative by {scope} ({code}), {label}", first, median))

    print(f"{len(assessment.units)} units, {len(assessment.framework.nodes)} nodes; {args.clock}")
    print(f"{'':52}{'first s':>10}{'median s':>10}{'full / incr':>12}")
    for label, first, median in rows:
        print(f"{label:52}{first:>10.4f}{median:>10.4f}{full_median / median:>12.1f}")
    print(f"{'full score_period (median)':52}{'':>10}{full_median:>10.4f}")
    print(f"{'NumPy floor of bench/run.py (median)':52}{'':>10}{floor_median:>10.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
