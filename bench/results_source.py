"""Time the results source on a province-size commune period (not part of the tests).

Grows the demo's open commune period to N units (as bench/workspace.py does) and times, for the
settled results: a fresh computation (rows → parser → engine), a read that computes and stores a
new revision, a read from the stored row (another process: nothing in memory), and a warm read
(this process's cache: one query for the revision). Also the payload's size and its (de)serialise
times.

    .venv/bin/python bench/results_source.py --units 3400
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from workspace import _grow, _setup, _time  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, nargs="+", default=[700, 3400])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder) / "bench.sqlite3")
        from opendti.periods import revision
        from opendti.periods.models import Period
        from opendti.results import source, store
        from opendti.results.demo import OPEN_PERIOD, demo_load
        from opendti.results.models import StoredResult

        demo_load()
        period = Period.objects.select_related("framework__level").get(code=OPEN_PERIOD)
        print(
            f"{'units':>6} {'fresh':>8} {'cold':>8} {'stored':>8} {'warm':>8}"
            f" {'payload MB':>11} {'dumps':>8} {'loads':>8}  (median s)"
        )
        for units in args.units:
            _grow(period, units)
            fresh = _time(lambda: source.fresh(period), max(1, args.runs // 2))

            def cold() -> None:
                revision.bump([period.pk])
                source.clear_process_cache()
                source.settled(period)

            def stored() -> None:
                source.clear_process_cache()
                source.settled(period)

            computed_cold = _time(cold, max(1, args.runs // 2))
            from_store = _time(stored, args.runs)
            warm = _time(lambda: source.settled(period), args.runs * 20)
            row = StoredResult.objects.filter(period=period).order_by("-revision").first()
            assert row is not None
            payload = bytes(row.payload)
            value = store.loads(payload)
            start = time.perf_counter()
            store.dumps(value)
            dumps = time.perf_counter() - start
            loads = _time(lambda payload=payload: store.loads(payload), args.runs)
            print(
                f"{units:>6} {fresh:>8.3f} {computed_cold:>8.3f} {from_store:>8.3f}"
                f" {warm:>8.4f} {len(payload) / 1e6:>11.1f} {dumps:>8.3f} {loads:>8.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
