"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against
pytest-django's live server, loaded with the demo data. Screenshots of the key pages are kept in
artifacts/screenshots/ (and of every open page of a failed test in artifacts/failures/)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from opendti.accounts.models import User
from opendti.accounts.second_factor import confirmed_device
from opendti.reports.tasks import THREAD_PREFIX
from opendti.results.demo import DEMO_PASSWORD, demo_load
from tests.totp import code_at, fresh_code

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told it is safe (here it is: the loop only drives the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FAILURES = ARTIFACTS / "failures"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PERIOD = "2026-communes"
UNIT = "xa-hoa-binh"
WORKSPACE = f"/ky/{PERIOD}/don-vi/{UNIT}/"
TIMEOUT_MS = 10_000


expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium is expected at {CHROMIUM}: run `make browser`")
    shutil.rmtree(FAILURES, ignore_errors=True)  # only this run's failures
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class LiveGate:
    """Wraps the live server's WSGI application: counts the requests it is answering, and once
    closed holds new ones back until opened again.

    Why: after a test, pytest-django empties the database (TRUNCATE on PostgreSQL). A request the
    browser sent just before the test ended (a debounced htmx preview, a poll) may still be
    running in a server thread, holding locks on some tables while TRUNCATE holds others:
    "deadlock detected", or on SQLite "database is locked". Closing the gate before the flush
    waits for every request in flight and keeps any late one out until the flush is done."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self._changed = threading.Condition()
        self._active = 0
        self._closed = False

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        with self._changed:
            self._changed.wait_for(lambda: not self._closed)
            self._active += 1
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._finished()
            raise
        return _Finishing(result, self._finished)

    def _finished(self) -> None:
        with self._changed:
            self._active -= 1
            self._changed.notify_all()

    def close(self, timeout: float = 30) -> None:
        with self._changed:
            self._closed = True
            if not self._changed.wait_for(lambda: self._active == 0, timeout):
                pytest.fail(
                    f"{self._active} live-server request(s) still running after {timeout} s"
                )

    def open(self) -> None:
        with self._changed:
            self._closed = False
            self._changed.notify_all()


class _Finishing:
    """A response body that tells when the server has closed it (sent, or given up on)."""

    def __init__(self, result: Iterable[bytes], finished: Callable[[], None]) -> None:
        self._result = result
        self._finished: Callable[[], None] | None = finished

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            if self._finished is not None:
                self._finished, finished = None, self._finished
                finished()


@pytest.fixture
def live_gate(django_db_setup, live_server) -> Iterator[LiveGate]:
    """The gate on the (session-wide) live server; opened again after the test's flush.

    The test database is set up before the live server starts: the server shares the test
    thread's connection when the database "is in memory", which it reads from the settings at
    that moment. Before the setup the name is still ":memory:" (the tests use a file), so a
    browser test that came first in its process had one SQLite connection used by the server's
    threads and the test's at once, and a request thread closing it during the flush crashed the
    process (a segmentation fault)."""
    httpd = live_server.thread.httpd
    gate = httpd.get_app()
    if not isinstance(gate, LiveGate):
        gate = LiveGate(gate)
        httpd.set_app(gate)
    yield gate
    gate.open()


@pytest.fixture
def demo(live_gate, transactional_db, live_server) -> Iterator[str]:
    """The demo data on a live server (files go to the test's folders: tests/conftest.py). The
    base URL. Requested before the database, the gate is torn down after it: the browser
    contexts are closed (new_context), then the gate waits for the server's requests in flight,
    then the database is emptied, then the gate opens."""
    demo_load()
    yield live_server.url
    live_gate.close()
    # Report files are made in threads of this process (the embedded default): none may still
    # be writing when the database is emptied either.
    for thread in threading.enumerate():
        if thread.name.startswith(THREAD_PREFIX):
            thread.join(30)
            assert not thread.is_alive(), f"{thread.name} still running at the end of the test"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def new_context(browser: Browser, demo: str, request) -> Iterator[Callable[[], BrowserContext]]:
    """Open a fresh browser context (its own cookies and storage: one person's browser)."""
    contexts: list[BrowserContext] = []

    def open_context() -> BrowserContext:
        context = browser.new_context(
            base_url=demo, viewport={"width": 1280, "height": 900}, locale="vi-VN"
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    failed = getattr(request.node, "e2e_failed", False)
    for n, context in enumerate(contexts):
        if failed:
            for m, page in enumerate(context.pages):
                name = re.sub(r"\W+", "-", request.node.name)
                shot(page, f"{name}-{n}-{m}", folder=FAILURES)
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


def login(page: Page, username: str, *, then: str | None = None) -> None:
    """Sign in through the real login form, then go to `then` (a path) if given. A role that
    needs a second factor types the code its enrolled authenticator shows (the demo's device),
    or at a first login enrols the secret the page shows and types its code."""
    page.goto("/dang-nhap/")
    form = page.locator("form:has(input[name=username])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile(r"/dang-nhap/"))
    if page.url.endswith("/tai-khoan/xac-thuc/dang-ky/"):
        # First login of a role that needs a second factor: enrol the secret the page shows.
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.locator("#second-factor-enrol input[name=code]").fill(
            code_at(key, 30, int(time.time()) // 30)
        )
        page.locator("#second-factor-enrol").get_by_role("button", name="Xác nhận").click()
        page.locator("#recovery-done").click()
    elif "/tai-khoan/xac-thuc/" in page.url:
        device = confirmed_device(User.objects.get(username=username))
        assert device is not None, f"{username} has no enrolled device"
        page.locator("#second-factor input[name=code]").fill(fresh_code(device))
        page.locator("#second-factor").get_by_role("button", name="Xác nhận").click()
        expect(page).not_to_have_url(re.compile(r"/tai-khoan/xac-thuc/"))
    if then:
        page.goto(then)


def shot(page: Page, name: str, *, folder: Path = SCREENSHOTS) -> Path:
    """A full-page screenshot kept as an artifact of the run."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.is_file() and path.stat().st_size > 0, path
    return path


def confirm(page: Page, says: str | None = None) -> None:
    """Answer the confirmation an irreversible action asks for (base.html's dialog, opened by
    static/opendti/confirm.js), after checking what it says will happen."""
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    if says is not None:
        expect(dialog).to_contain_text(says)
    # Confirming submits the form and loads the answer page; wait for it, or a check that the
    # page before already satisfies (a message from the last action) and the next goto would
    # abort the request in flight (net::ERR_ABORTED).
    with page.expect_navigation():
        dialog.locator("#confirm-ok").click()
