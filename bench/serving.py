"""Load benchmark of the published pages under the production server (not part of the tests).

Builds the demo (`load-demo`: published periods) in a scratch database, collects the static files,
starts gunicorn with the production settings (one synchronous worker pinned to core 0, Redis
database 9 as the cache and broker) and measures with wrk (pinned to core 1, 127.0.0.1 only,
bounded in time) in the same run:

- the floor: `/healthz`, a bare view behind the same middleware;
- the public ranking of a published period (`/ky/2023-departments/ket-qua/`);
- the open-data CSV of a published period (`/du-lieu-mo/2023-districts.csv`).

    .venv/bin/python bench/serving.py                       # SQLite in a scratch folder
    .venv/bin/python bench/serving.py --database postgres://postgres@127.0.0.1:5432/h_serving
    .venv/bin/python bench/serving.py --src /path/to/other/checkout/src   # the same on other code

`--src` serves another checkout's code with this one's environment (what the figures "before" in
bench/README.md were measured with). The PostgreSQL database is emptied first (every table
dropped): give it a scratch database, never a real one. Needs `wrk` (Debian package `wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent

TARGETS = [
    ("floor: /healthz (bare view, same middleware)", "/healthz"),
    ("public ranking, 2023-departments", "/ky/2023-departments/ket-qua/"),
    ("open-data CSV, 2023-districts", "/du-lieu-mo/2023-districts.csv"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(src: Path, data: Path, database: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(src),
            "DJANGO_SETTINGS_MODULE": "opendti.config.settings.production",
            "DJANGO_SECRET_KEY": "bench-serving-not-a-secret-" + "x" * 32,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database,
            "OPENDTI_CACHE_URL": "redis://127.0.0.1:6379/9",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
            "OPENDTI_HTTPS": "0",
            "OPENDTI_DATA_DIR": str(data),
            "OPENDTI_STATIC_ROOT": str(data / "static"),
            "OPENDTI_SITE_URL": f"http://127.0.0.1:{port}",
            "OPENDTI_BIND": f"127.0.0.1:{port}",
            "OPENDTI_WEB_WORKERS": "1",
            "OPENDTI_LOG_LEVEL": "WARNING",
        }
    )
    return env


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "-m", "opendti", *args], env=env, check=True, cwd=ROOT)


def _empty_postgres(env: dict[str, str]) -> None:
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public')\n"
    )
    subprocess.run([str(BIN / "python"), "-c", code], env=env, check=True, cwd=ROOT)


def _wait(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer in time")


def _wrk(url: str, seconds: int, connections: int) -> float:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "1", *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30)
    found = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    if found is None or errors is not None:
        raise RuntimeError(out.stdout)
    return float(found[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the code to serve")
    parser.add_argument("--database", default="", help="a scratch PostgreSQL URL (emptied!)")
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run (bounded)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each address, median kept")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (Debian package `wrk`)")
    data = Path(tempfile.mkdtemp(prefix="opendti-serving-"))
    port = _free_port()
    database = args.database or f"sqlite:///{data / 'opendti.sqlite3'}"
    env = _environment(args.src.resolve(), data, database, port)
    server = None
    try:
        if args.database:
            _empty_postgres(env)
        _run(env, "migrate", "--verbosity", "0")
        _run(env, "load-demo")
        _run(env, "collectstatic", "--noinput", "--verbosity", "0")
        # No worker recycling during a measurement (the configuration recycles after 1,000).
        command = [
            str(BIN / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--max-requests",
            "0",
        ]
        if shutil.which("taskset"):
            command = ["taskset", "-c", "0", *command]
        server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
        _wait(port)
        figures = {}
        for label, path in TARGETS:
            url = f"http://127.0.0.1:{port}{path}"
            with urllib.request.urlopen(url, timeout=60) as answer:  # warm: rendered, kept
                assert answer.status == 200, (url, answer.status)
            runs = sorted(_wrk(url, args.seconds, args.connections) for _ in range(args.rounds))
            figures[label] = runs[len(runs) // 2]
        floor = figures[TARGETS[0][0]]
        print(f"code: {args.src.resolve()}; database: {database.split('@')[-1]}")
        print(f"{'address':48} {'req/s':>9} {'of floor':>9}")
        for label, value in figures.items():
            print(f"{label:48} {value:9.0f} {value / floor:9.1%}")
        report = {"code": str(args.src.resolve()), "database": database.split("@")[-1]}
        report |= {"req_per_s": figures, "seconds": args.seconds, "rounds": args.rounds}
        (HERE / "serving.json").write_text(json.dumps(report, indent=2) + "\n")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
