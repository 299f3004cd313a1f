"""Published pages and the coordinator's live ranking, one request at a time in this process (not
part of the tests): what a request costs without the network, wrk or gunicorn in the way.

Runs against a database the national load benchmark built (`bench/load_data.py build`, or
`make bench-load` once) with the production settings taken from the environment, as
`bench/load_data.py` is run (DJANGO_SETTINGS_MODULE, DATABASE_URL, …). For each address: the
median wall time of `--runs` requests after one warm request (rendered and kept, results
computed), next to the floor (`/healthz`, the same middleware), the number of SQL queries of
one request, the body's size; `--profile` prints cProfile's top functions of one request.

    .venv/bin/python bench/pages.py --runs 20
    .venv/bin/python bench/pages.py --only ranking-live --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load_data import COORDINATOR, OPEN, PUBLISHED  # noqa: E402

ADDRESSES = {
    "floor": ("", "/healthz"),
    "ranking-public": ("", f"/ky/{PUBLISHED}/ket-qua/"),
    "csv": ("", f"/du-lieu-mo/{PUBLISHED}.csv"),
    "json": ("", f"/du-lieu-mo/{PUBLISHED}.json"),
    "ranking-live": (COORDINATOR, f"/ky/{OPEN}/ket-qua/?trang=7"),
    "ranking-live-other-page": (COORDINATOR, f"/ky/{OPEN}/ket-qua/?trang=21"),
}


def _client(username: str):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from opendti.accounts.models import User
    from opendti.accounts.second_factor import confirmed_device

    client = Client(HTTP_HOST="127.0.0.1")
    if username:
        user = User.objects.get(username=username)
        client.force_login(user)
        device = confirmed_device(user)
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


def measure(name: str, runs: int, profile: bool) -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    username, path = ADDRESSES[name]
    client = _client(username)
    first = client.get(path)  # warm: rendered and kept, results computed
    assert first.status_code == 200, (path, first.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    found: dict[str, object] = {
        "ms": round(statistics.median(times) * 1000, 2),
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
    }
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(max(runs, 1)):
            client.get(path)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        found["profile"] = out.getvalue()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated: " + ", ".join(ADDRESSES))
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    import django

    django.setup()
    names = [n for n in args.only.split(",") if n] or list(ADDRESSES)
    if "floor" not in names:
        names.insert(0, "floor")
    figures = {name: measure(name, args.runs, args.profile) for name in names}
    floor = float(figures["floor"]["ms"])  # type: ignore[arg-type]
    print(f"{'address':26} {'ms':>9} {'× floor':>8} {'queries':>8} {'bytes':>10}")
    for name, found in figures.items():
        ms = float(found["ms"])  # type: ignore[arg-type]
        print(f"{name:26} {ms:9.2f} {ms / floor:8.1f} {found['queries']:>8} {found['bytes']:>10}")
    for name, found in figures.items():
        if "profile" in found:
            print(f"\n=== {name}\n{found['profile']}")
    out = {n: {k: v for k, v in f.items() if k != "profile"} for n, f in figures.items()}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
