"""The database's input to the engine: the text round trip it replaced, and the typed path.

Grows the open 2026 commune period to N units as `bench/workspace.py` does (copies of the demo
communes' 2025 answers) in a scratch SQLite database (or PostgreSQL with --postgres), then times,
median of --runs:

- before: the period written as text rows (the old `period_rows`), parsed back
  (`raw_from_rows` + `parse_workbook`), and the rows' hash;
- now: the typed rows read (`period_typed`), checked into the Assessment (`typed_parsed`), and
  the same hash (`typed_hash`, the canonical JSON written straight from the typed rows), each
  step apart;
- the workspace preview (`unit_preview`, one override) before and now, scoring included.

    .venv/bin/python bench/typed.py --units 3400
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent))


def rows_before(period, *, appraised: bool = True) -> dict[str, list[dict[str, str]]]:
    """`period_rows` as it was written before the typed path: the old path of the benchmark, and
    the oracle of the text in tests/results/test_typed_rows.py."""
    from opendti.assessments.models import AppraisedScore, GivenScore, InputValue
    from opendti.frameworks.models import Node
    from opendti.numbers import plain
    from opendti.periods.models import Participation
    from opendti.units.models import Lineage

    Rows = dict[str, list[dict[str, str]]]

    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    framework = period.framework
    nodes = list(
        Node.objects.filter(framework=framework)
        .select_related("parent")
        .prefetch_related("pillars")
    )
    not_deployed = set(period.not_deployed.values_list("pk", flat=True))
    settings = {
        "title": period.title,
        "level": framework.level.code,
        "year": str(period.year),
        "period": period.label,
        "total_max": plain(framework.total_max),
        "decimals": str(period.decimals),
        "display": period.display,
        "not_deployed": period.not_deployed_policy,
        "band_on": period.band_on,
    }
    rows: Rows = {
        "settings": [{"key": k, "value": v} for k, v in settings.items() if v != ""],
        "pillars": [{"code": p.code, "name": p.name} for p in framework.pillars.all()],
        "framework": [
            {
                "code": n.code,
                "parent": n.parent.code if n.parent else "",
                "name": n.name,
                "kind": n.kind,
                "max_points": plain(n.max_points),
                "pillars": ";".join(p.code for p in sorted(n.pillars.all(), key=lambda p: p.order)),
                "scored": yes(n.scored),
                "rule": n.rule,
                "params": n.params if n.rule else "",
                "applies_to": ";".join(n.applies_to),
                "deployed": "no" if n.pk in not_deployed else "",
                "guidance": n.guidance,
                "evidence_required": "yes" if n.evidence_required else "",
                "source": n.source if n.source != Node.Source.SELF else "",
                "verifier": n.verifier,
            }
            for n in nodes
        ],
        "bands": [
            {
                "scheme": scheme.scope,
                "label": band.label,
                "basis": scheme.basis,
                "lower": plain(band.lower),
                "lower_inclusive": yes(band.lower_inclusive) if band.lower is not None else "",
            }
            for scheme in framework.band_schemes.order_by("scope").prefetch_related("bands")
            for band in scheme.bands.all()
        ],
    }
    participations = list(
        Participation.objects.filter(period=period).select_related("unit", "unit__kind", "group")
    )
    predecessors: dict[int, list[str]] = {}
    for link in (
        Lineage.objects.filter(successor__in=[p.unit_id for p in participations])
        .order_by("pk")
        .select_related("predecessor")
    ):
        predecessors.setdefault(link.successor_id, []).append(link.predecessor.code)
    rows["units"] = [
        {
            "code": p.unit.code,
            "name": p.unit.name,
            "group": p.group.code if p.group else "",
            "ranked": "" if p.ranked else "no",
            "kind": p.unit.kind.code if p.unit.kind else "",
            "predecessors": ";".join(predecessors.get(p.unit_id, [])),
        }
        for p in participations
    ]
    in_period = {"submission__participation__period": period}
    rows["values"] = [
        {"unit": unit, "indicator": node, "input": name, "value": value}
        for unit, node, name, value in InputValue.objects.filter(**in_period)
        .order_by("submission__participation__order", "node__order", "input_name")
        .values_list("submission__participation__unit__code", "node__code", "input_name", "value")
    ]
    rows["scores"] = [
        {"unit": unit, "node": target, "score": plain(score)}
        for unit, target, score in GivenScore.objects.filter(**in_period)
        .order_by("submission__participation__order", "pk")
        .values_list("submission__participation__unit__code", "target", "score")
    ]
    if appraised:
        settled = [
            {"unit": unit, "indicator": node, "score": plain(score)}
            for unit, node, score in AppraisedScore.objects.filter(**in_period)
            .order_by("submission__participation__order", "node__order")
            .values_list("submission__participation__unit__code", "node__code", "score")
        ]
        if settled:
            rows["appraised"] = settled
    return rows


def _time(function: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _setup(folder: Path, postgres: str | None) -> None:
    os.environ["DATABASE_URL"] = postgres or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "opendti.config.settings.test"
    os.environ.setdefault("OPENDTI_DATA_DIR", str(folder))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, nargs="+", default=[3400])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", help="an empty PostgreSQL database's URL (default: SQLite)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder), args.postgres)
        from bench.workspace import _grow

        from opendti.periods.models import Period
        from opendti.results.demo import OPEN_PERIOD, demo_load
        from opendti.results.preview import rows_with_overrides, unit_preview
        from opendti.results.selectors import (
            period_parsed,
            period_typed,
            rows_hash,
            text_rows,
            typed_hash,
            typed_parsed,
        )
        from opendti.scoring import score_period
        from opendti.workbook.parse import parse_workbook
        from opendti.workbook.sheets import raw_from_rows

        demo_load()
        period = Period.objects.select_related("framework__level").get(code=OPEN_PERIOD)
        overrides = {"1.2": {"": "4"}}

        def before_preview() -> None:
            rows = rows_with_overrides(rows_before(period), "xa-hoa-binh", overrides)
            score_period(parse_workbook(raw_from_rows(rows)).assessment)

        def now_preview() -> None:
            unit_preview(period=period, unit_code="xa-hoa-binh", overrides=overrides)

        print(
            f"{'units':>6} {'values':>7} | {'text rows':>9} {'parse':>7} {'hash':>7} {'before':>7}"
            f" | {'typed':>7} {'check':>7} {'hash':>7} {'now':>7} {'no hash':>7}"
            f" | {'preview before':>14} {'now':>7}  (median s)"
        )
        for units in args.units:
            _grow(period, units)
            rows = rows_before(period)
            typed = period_typed(period)
            assert rows == text_rows(typed)
            text_read = _time(lambda: rows_before(period), args.runs)
            parse = _time(lambda rows=rows: parse_workbook(raw_from_rows(rows)), args.runs)
            hashed = _time(lambda rows=rows: rows_hash(rows), args.runs)
            typed_read = _time(lambda: period_typed(period), args.runs)
            check = _time(lambda typed=typed: typed_parsed(typed), args.runs)
            typed_hash_time = _time(lambda typed=typed: typed_hash(typed), args.runs)
            now = _time(lambda: period_parsed(period), args.runs)
            preview_before = _time(before_preview, args.runs)
            preview_now = _time(now_preview, args.runs)
            print(
                f"{units:>6} {len(rows['values']):>7} | {text_read:>9.3f} {parse:>7.3f}"
                f" {hashed:>7.3f} {text_read + parse + hashed:>7.3f}"
                f" | {typed_read:>7.3f} {check:>7.3f} {typed_hash_time:>7.3f} {now:>7.3f}"
                f" {typed_read + check:>7.3f} | {preview_before:>14.3f} {preview_now:>7.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
