"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against
pytest-django's live server, loaded with the demo data. Screenshots of the key pages are kept in
artifacts/screenshots/ (and of every open page of a failed test in artifacts/failures/)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from opendti.accounts.models import User
from opendti.accounts.second_factor import confirmed_device
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


@pytest.fixture
def demo(transactional_db, live_server, settings, tmp_path) -> str:
    """The demo data on a live server; evidence files go to a temporary folder. The base URL."""
    settings.OPENDTI_EVIDENCE_ROOT = tmp_path / "evidence"
    demo_load()
    return live_server.url


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
