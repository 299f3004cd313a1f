"""Time the self-assessment workspace on a province-size commune period (not part of the tests).

The live preview re-scores the whole period on every pause in typing (relative rules and ranks
depend on every unit), so its cost grows with the number of units. This builds the demo data in
a scratch SQLite database, grows the open 2026 commune period to N units by copying the 2025
values of the demo communes, and times, for one unit: the preview (what a keystroke costs), the
whole workspace page, one save, and the coordinator's dashboard.

    .venv/bin/python bench/workspace.py --units 7 150 700
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))


def _login(client, username: str):
    """Log a demo person in through the login page, with the demo device's code when their role
    needs a second factor (as a person would: the password, then the code)."""
    from django_otp.oath import TOTP

    from opendti.accounts.models import User
    from opendti.accounts.second_factor import confirmed_device
    from opendti.results.demo import DEMO_PASSWORD

    client.post("/dang-nhap/", {"username": username, "password": DEMO_PASSWORD})
    device = confirmed_device(User.objects.get(username=username))
    if device is not None and "_auth_user_id" not in client.session:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        client.post("/tai-khoan/xac-thuc/", {"code": f"{totp.token():0{device.digits}d}"})
    assert "_auth_user_id" in client.session, f"{username} could not log in"
    return client


def _setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "opendti.config.settings.test"
    os.environ.setdefault("OPENDTI_DATA_DIR", str(database.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host name, the locmem e-mail back-end
    call_command("migrate", verbosity=0)


def _grow(period, units: int) -> None:
    """Add communes (copies of the demo communes' 2025 answers) until the period has `units`."""
    from opendti.assessments.models import InputValue, Submission
    from opendti.periods import revision
    from opendti.periods.models import Participation
    from opendti.units.models import Unit

    existing = list(Participation.objects.filter(period=period).select_related("unit", "group"))
    sources = list(
        Submission.objects.filter(participation__period=period.previous).select_related(
            "participation__unit"
        )
    )
    values = {
        s.participation.unit.code: list(
            InputValue.objects.filter(submission=s).values_list("node__code", "input_name", "value")
        )
        for s in sources
    }
    nodes = {n.code: n for n in period.framework.nodes.all()}
    template = existing[0]
    for number in range(len(existing), units):
        source = sources[number % len(sources)]
        unit = Unit.objects.create(
            code=f"xa-bench-{number}", name=f"UBND xã Thử {number}", kind=template.unit.kind
        )
        participation = Participation.objects.create(
            period=period, unit=unit, group=source.participation.group, order=number
        )
        submission = participation.submission  # made as the unit joined
        InputValue.objects.bulk_create(
            InputValue(submission=submission, node=nodes[code], input_name=name, value=value)
            for code, name, value in values[source.participation.unit.code]
        )
    revision.bump([period.pk])  # written here behind the services' back: the results move on


def _time(function, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, nargs="+", default=[7, 150, 700])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder) / "bench.sqlite3")
        from django.test import Client

        from opendti.accounts.models import User
        from opendti.assessments.access import access_submission
        from opendti.assessments.services import answer_get
        from opendti.periods.models import Period
        from opendti.portal.workspace import workspace_build
        from opendti.results.demo import OPEN_PERIOD, demo_load
        from opendti.results.preview import unit_preview

        demo_load()
        period = Period.objects.get(code=OPEN_PERIOD)
        focal = User.objects.get(username="daumoi")
        focal_client, coordinator = _login(Client(), "daumoi"), _login(Client(), "dieuphoi")
        base = f"/ky/{OPEN_PERIOD}/don-vi/xa-hoa-binh/"
        print(f"{'units':>6} {'preview':>9} {'page':>9} {'save':>9} {'dashboard':>10}  (median s)")
        for units in args.units:
            _grow(period, units)
            submission = access_submission(focal, OPEN_PERIOD, "xa-hoa-binh")
            node = period.framework.nodes.get(code="1.2")
            preview = _time(
                lambda period=period: unit_preview(
                    period=period, unit_code="xa-hoa-binh", overrides={"1.2": {"": "4"}}
                ),
                args.runs,
            )
            page = _time(
                lambda submission=submission: workspace_build(submission=submission, user=focal),
                args.runs,
            )
            counter = iter(range(10_000))

            def save(submission=submission, node=node, counter=counter) -> None:
                response = focal_client.post(
                    base + "chi-so/1.2/luu/",
                    {
                        "version": str(answer_get(submission, node).version),
                        "v-1.2-": str(next(counter) % 6),
                    },
                    HTTP_HX_REQUEST="true",
                )
                assert response.status_code == 200, response.status_code

            saved = _time(save, args.runs)
            dashboard = _time(lambda: coordinator.get(f"/ky/{OPEN_PERIOD}/tien-do/"), args.runs)
            print(f"{units:>6} {preview:>9.3f} {page:>9.3f} {saved:>9.3f} {dashboard:>10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
