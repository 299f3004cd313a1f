"""The production profile run for real: subprocesses (the `opendti` command, gunicorn, a Celery
worker and beat) started with `opendti.config.settings.production` against the test database,
the test's file folders and Redis (databases 5 and 6, never 0)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Two Redis databases per test process: pytest-xdist's workers (gw0, gw1, …) each get their own
# pair, so one worker's Celery test never takes another's jobs or empties its cache.
# OPENDTI_TEST_REDIS_DB moves the first pair (default 5) for runs sharing one Redis.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
_BASE = int(os.environ.get("OPENDTI_TEST_REDIS_DB", "5"))
_PAIR = _BASE + 2 * ((int(_WORKER) if _WORKER.isdigit() else 0) % ((16 - _BASE) // 2))
REDIS_BROKER = f"redis://127.0.0.1:6379/{_PAIR}"
REDIS_CACHE = f"redis://127.0.0.1:6379/{_PAIR + 1}"
WAIT = 60  # seconds: far more than anything here takes, so only a real fault reaches it


def database_url(settings_dict: Mapping | None = None) -> str:
    """The URL of a database (the test database by default) for another process."""
    db = settings_dict or connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(data_dir: Path, folders: Mapping[str, Path], **extra: str) -> dict[str, str]:
    """The environment of a production process: only the variables docs/deployment.md lists."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "opendti.config.settings.production",
            # The tests' secret: snapshots sealed in the tests verify in the subprocess.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "dti.example.vn,127.0.0.1",
            "DATABASE_URL": database_url(),
            "OPENDTI_DATA_DIR": str(data_dir),
            "OPENDTI_EVIDENCE_ROOT": str(folders["evidence"]),
            "OPENDTI_REPORTS_ROOT": str(folders["reports"]),
            "CELERY_BROKER_URL": REDIS_BROKER,
            "OPENDTI_CACHE_URL": REDIS_CACHE,
            "OPENDTI_SITE_URL": "https://dti.example.vn",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def opendti(*args: str, env: Mapping[str, str], check: bool = True) -> subprocess.CompletedProcess:
    """Run the `opendti` command in a fresh process."""
    done = subprocess.run(
        [str(BIN / "opendti"), *args],
        env=dict(env),
        cwd=env.get("OPENDTI_DATA_DIR", ROOT),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and done.returncode != 0:
        pytest.fail(f"opendti {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def request_results_workbook():
    """The coordinator asks for the 2023 districts' results workbook (a small, quick report)."""
    from opendti.accounts.models import User
    from opendti.periods.models import Period
    from opendti.reports.models import ReportFile
    from opendti.reports.services import report_request

    report = report_request(
        period=Period.objects.get(code="2023-districts"),
        kind=ReportFile.Kind.RESULTS_XLSX,
        actor=User.objects.get(username="dieuphoi"),
    )
    join_report_threads()  # the embedded default makes it in a thread: let it finish
    return report


def join_report_threads() -> None:
    """Wait for the report threads of the embedded default (reports/tasks.py) to end."""
    from opendti.reports.tasks import THREAD_PREFIX

    for thread in threading.enumerate():
        if thread.name.startswith(THREAD_PREFIX):
            thread.join(WAIT)
            assert not thread.is_alive(), f"{thread.name} still running after {WAIT} s"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis() -> str:
    """The real Redis at 127.0.0.1:6379 (.ci/run starts it when it is not running)."""
    import redis as redis_py

    client = redis_py.Redis.from_url(REDIS_BROKER, socket_connect_timeout=2)
    try:
        client.ping()
    except redis_py.ConnectionError:
        pytest.fail("Redis is expected at 127.0.0.1:6379: .ci/run starts it (docs/deployment.md)")
    return REDIS_BROKER


class Process:
    """A subprocess whose standard error (JSON log lines) is collected as it comes."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.lines: list[str] = []
        self.popen = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.lines.append(line.rstrip("\n"))

    def records(self) -> list[dict]:
        """The log lines, each a JSON object (a line that is not fails the test)."""
        return [json.loads(line) for line in list(self.lines) if line.strip()]

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            if self.popen.poll() is not None:
                pytest.fail(f"the process ended while waiting for {what}:\n" + self.tail())
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} after {WAIT} s:\n" + self.tail())
            time.sleep(0.05)

    def tail(self) -> str:
        return "\n".join(self.lines[-30:])

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._reader.join(5)
