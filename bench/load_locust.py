"""Locust users of the national load benchmark (bench/load.py runs them headless; not a test).

Runs in its own virtual environment (/tmp/locust-venv, see bench/README.md), so it imports
nothing from the project: what it needs comes in the plan file bench/load.py writes
(OPENDTI_LOAD_PLAN). Acknowledged saves are written to OPENDTI_LOAD_ACKS when the run ends, for
bench/load_data.py's count.

- `CoordinatorRanking`: the coordinator's live ranking of the open period, page by page, each
  client reading a page for 0.5–1.5 s before the next.
- `FocalPointRush`: the deadline rush. Each client is the focal point of its own unit (its own
  session) with its workspace page open (each card's version comes in the plan); it loads the
  home page (a fresh CSRF token from the server), then types a number into one of its indicators and saves it, thinking 3–10 s between saves.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["OPENDTI_LOAD_PLAN"]).read_text())
ACKS: list[dict[str, object]] = []
NEXT_FOCAL = itertools.count()
LOCK = threading.Lock()
TOKEN = re.compile(r"\"X-CSRFToken\": \"([^\"]+)\"")
VERSION = re.compile(r'name="version" value="(\d+)"')


class CoordinatorRanking(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.cookies.set(PLAN["session_cookie"], PLAN["coordinator_session"])
        self.pages = int(PLAN["ranking_pages"])

    @task
    def ranking_page(self) -> None:
        page = random.randint(1, self.pages)
        with self.client.get(
            f"/ky/{PLAN['open']}/ket-qua/?trang={page}",
            name="coordinator ranking (page)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"status {answer.status_code}")


class FocalPointRush(HttpUser):
    wait_time = between(3, 10)

    def on_start(self) -> None:
        number = next(NEXT_FOCAL) % len(PLAN["focal_points"])
        me = PLAN["focal_points"][number]
        self.unit = me["unit"]
        self.client.cookies.set(PLAN["session_cookie"], me["session"])
        self.base = f"/ky/{PLAN['open']}/don-vi/{self.unit}/"
        self.leaves = list(PLAN["leaves"])
        self.counter = random.randint(0, 50)
        self.token = ""
        # The workspace page open since the morning: each card's version, from the plan.
        self.versions: dict[str, int] = dict(me["versions"])
        self.leaves = [code for code in self.leaves if code in self.versions]
        # A fresh CSRF token from the server (the home page: light, the same header).
        with self.client.get("/", name="home page (rush start)", catch_response=True) as answer:
            found = TOKEN.search(answer.text or "")
            if answer.status_code != 200 or found is None:
                answer.failure(f"status {answer.status_code}, no CSRF token")
                return
            self.token = found[1]

    @task
    def save(self) -> None:
        if not self.token or not self.leaves:
            return
        code = random.choice(self.leaves)
        self.counter += 1
        # A different number each time (so each save is a change and a history row), typed as
        # people type it: a decimal comma.
        whole, tenth = 1 + self.counter % 98, 1 + self.counter // 98 % 9
        typed, plain = f"{whole},{tenth}", f"{whole}.{tenth}"
        with self.client.post(
            f"{self.base}chi-so/{code}/luu/",
            data={"version": str(self.versions[code]), f"v-{code}-": typed},
            headers={"X-CSRFToken": self.token, "HX-Request": "true"},
            name="save (rush)",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            version = VERSION.search(answer.text or "")
            if answer.status_code != 200 or version is None:
                answer.failure(f"status {answer.status_code}")
                return
            self.versions[code] = int(version[1])
            with LOCK:
                ACKS.append(
                    {"unit": self.unit, "indicator": code, "value": plain, "at": time.time()}
                )


@events.quitting.add_listener
def _write_acks(environment, **_kwargs) -> None:
    target = os.environ.get("OPENDTI_LOAD_ACKS")
    if target:
        Path(target).write_text(json.dumps(ACKS))
