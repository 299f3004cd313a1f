"""The second factor in a real browser: a coordinator without a device enrols at first login
(QR code and secret on the page, a code computed from that secret), a wrong code is refused and
counted, the recovery codes are shown once; the next login asks for a code again."""

from __future__ import annotations

import base64
import re
import time

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from opendti.accounts.models import User
from opendti.accounts.second_factor import second_factor_reset
from opendti.audit.models import AuditEvent
from opendti.results.demo import DEMO_PASSWORD
from tests.totp import code_at, fresh_code

from .conftest import shot


def _password(page, username: str) -> None:
    page.goto("/dang-nhap/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _code(page, form: str, code: str) -> None:
    page.locator(f"#{form} input[name=code]").fill(code)
    page.locator(f"#{form}").get_by_role("button", name="Xác nhận").click()


def test_enrol_then_log_in_with_a_code_a_wrong_one_refused_and_counted(page) -> None:
    # The demo coordinator lost their phone: another administrator reset the second factor.
    second_factor_reset(
        actor=User.objects.get(username="quantri"),
        user=User.objects.get(username="dieuphoi"),
        reason="Mất điện thoại",
    )
    _password(page, "dieuphoi")
    expect(page).to_have_url(re.compile(r"/tai-khoan/xac-thuc/dang-ky/$"))
    expect(page.locator("#totp-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    shot(page, "16-second-factor-enrol")
    step = int(time.time()) // 30
    # A wrong code: refused, nothing enrolled, the failure counted.
    _code(page, "second-factor-enrol", code_at(key, 30, step + 7))
    expect(page.locator(".errorlist")).to_contain_text("Mã xác thực không đúng")
    failures = AuditEvent.objects.filter(kind=AuditEvent.Kind.MFA_FAILED, username="dieuphoi")
    assert failures.count() == 1
    assert not TOTPDevice.objects.filter(user__username="dieuphoi", confirmed=True).exists()
    time.sleep(1.1)  # django-otp makes the next try wait a second after a wrong code
    _code(page, "second-factor-enrol", code_at(key, 30, int(time.time()) // 30))
    expect(page).to_have_url(re.compile(r"/tai-khoan/xac-thuc/ma-khoi-phuc/$"))
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    shot(page, "17-recovery-codes")
    page.locator("#recovery-done").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()

    # Next login: the password, then a code from the same secret; a wrong one is refused first.
    page.get_by_role("button", name="Đăng xuất").click()
    _password(page, "dieuphoi")
    expect(page).to_have_url(re.compile(r"/tai-khoan/xac-thuc/$"))
    device = TOTPDevice.objects.get(user__username="dieuphoi", confirmed=True)
    right = fresh_code(device)
    _code(page, "second-factor", "000000" if right != "000000" else "111111")
    expect(page.locator(".errorlist")).to_contain_text("Mã xác thực không đúng")
    assert failures.count() == 2
    shot(page, "18-second-factor-wrong-code")
    time.sleep(1.1)
    _code(page, "second-factor", fresh_code(device))
    expect(page).not_to_have_url(re.compile(r"/tai-khoan/xac-thuc/"))
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.goto("/ky/2026-communes/tien-do/")
    expect(page.locator("h1")).to_be_visible()
    assert (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.LOGIN, username="dieuphoi", detail__second_factor="totp"
        ).count()
        == 2
    )
