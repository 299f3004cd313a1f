"""Time the appraisal and the frozen results on a province-size commune period (not a test).

Grows the demo's 2026 commune period to N units (as bench/workspace.py does), submits them,
assigns one reviewer to every unit, starts the appraisal, and times: the reviewer's page for one
unit, one decision (an adjustment: it re-scores the period for the unit's own score), the
reviewer's queue page (their whole scope), accepting the rest of one unit, the coordinator's
appraisal page (every reviewer's workload); then, after closing the round, approval (the
snapshot: rows, scoring, hashes), `verify-snapshot`, and the public ranking read from the
snapshot, cold and warm.

    .venv/bin/python bench/appraisal.py --units 150 700 3400
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

from workspace import _grow, _login, _setup, _time  # noqa: E402


def _once(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def run(units: int, runs: int) -> dict[str, float]:
    from decimal import Decimal

    from django.test import Client
    from django.utils import timezone

    from opendti.accounts.models import User
    from opendti.appraisal.services import (
        accept_rest,
        appraisal_start,
        decide,
        reply_open,
        reviewer_assign,
        round_current,
        round_sign_off,
    )
    from opendti.assessments.models import Submission
    from opendti.periods.models import Participation, Period, Phase
    from opendti.publication import snapshots
    from opendti.publication.services import approval_request, approve, publish
    from opendti.results.demo import OPEN_PERIOD, demo_load

    demo_load()
    period = Period.objects.get(code=OPEN_PERIOD)
    _grow(period, units)
    coordinator = User.objects.get(username="dieuphoi")
    reviewer = User.objects.get(username="thamdinh")
    for participation in Participation.objects.filter(period=period):
        Submission.objects.get_or_create(participation=participation)
    Submission.objects.filter(participation__period=period).update(status="submitted")
    for code in Participation.objects.filter(period=period).values_list("unit__code", flat=True):
        reviewer_assign(period=period, reviewer=reviewer, actor=coordinator, unit_code=code)
    appraisal_start(period=period, actor=coordinator)
    # The demo's calendar has fixed dates: the windows after self-assessment are left undated
    # (as tests/appraisal does), so the run does not depend on today's date.
    Phase.objects.filter(period=period).exclude(kind=Phase.Kind.SELF_ASSESSMENT).delete()
    review, boss = _login(Client(), "thamdinh"), _login(Client(), "dieuphoi")
    unit = "xa-hoa-binh"
    submission = Submission.objects.select_related(
        "participation__period__framework", "participation__unit"
    ).get(participation__period=period, participation__unit__code=unit)
    node = period.framework.nodes.get(code="2.1")
    found: dict[str, float] = {}
    found["unit page"] = _time(lambda: review.get(f"/ky/{OPEN_PERIOD}/tham-dinh/{unit}/"), runs)
    scores = iter(range(10_000))
    found["decision"] = _time(
        lambda: decide(
            submission=submission,
            node=node,
            reviewer=reviewer,
            kind="adjust",
            score=Decimal(40 + next(scores) % 5),
            reason="bench",
        ),
        runs,
    )
    found["queue page"] = _time(lambda: review.get(f"/ky/{OPEN_PERIOD}/tham-dinh/"), runs)
    found["coordinator page"] = _time(lambda: boss.get(f"/ky/{OPEN_PERIOD}/tham-dinh/"), runs)
    current = round_current(period)
    found["accept rest (1 unit)"] = _once(
        lambda: accept_rest(appraisal_round=current, reviewer=reviewer, submission=submission)
    )
    found["accept rest (all)"] = _once(
        lambda: accept_rest(appraisal_round=current, reviewer=reviewer)
    )
    found["sign-off"] = _once(lambda: round_sign_off(appraisal_round=current, reviewer=reviewer))
    reply_open(period=period, actor=coordinator)
    approval_request(period=period, actor=coordinator)
    approver = User.objects.get(username="pheduyet")
    found["approval (freeze)"] = _once(
        lambda: approve(
            period=period,
            actor=approver,
            decision_number="1/QĐ",
            decision_date=timezone.localdate(),
            signer="bench",
        )
    )
    publish(period=period, actor=coordinator)
    snapshot = snapshots.Snapshot.objects.get(period=period)
    found["verify-snapshot"] = _once(lambda: snapshots.snapshot_verify(snapshot))
    public = Client()
    found["public ranking, cold"] = _once(lambda: public.get(f"/ky/{OPEN_PERIOD}/ket-qua/"))
    found["public ranking, warm"] = _time(lambda: public.get(f"/ky/{OPEN_PERIOD}/ket-qua/"), runs)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, nargs="+", default=[150, 700])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    rows: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder) / "bench.sqlite3")
        from django.core.management import call_command

        for number, units in enumerate(args.units):
            if number:  # the flow runs once per period: start again from an empty database
                call_command("flush", interactive=False, verbosity=0)
            rows[units] = run(units, args.runs)
            print(units, {k: round(v, 3) for k, v in rows[units].items()}, flush=True)
    names = list(next(iter(rows.values())))
    print(f"{'':24}" + "".join(f"{u:>10}" for u in rows))
    for name in names:
        print(f"{name:24}" + "".join(f"{rows[u][name]:>10.3f}" for u in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
