"""The second factor: a password alone never opens a session for the roles that need a code;
enrolment at first login; wrong codes refused and counted; recovery codes; the reset by another
administrator with its reason; the admin site behind the same login; the administrators' networks."""

from __future__ import annotations

import base64
import re
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from opendti.accounts.models import RecoveryCode, User
from opendti.accounts.roles import ADMINISTRATOR, COORDINATOR, FOCAL_POINT
from opendti.audit.models import AuditEvent
from tests.login import login
from tests.totp import code_at, fresh_code

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-dung-2026"
LOGIN = "/dang-nhap/"
VERIFY = "/tai-khoan/xac-thuc/"
ENROL = "/tai-khoan/xac-thuc/dang-ky/"
KEY = bytes(range(20))


def person(username: str, role: str, *, device: bool = True) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if role == ADMINISTRATOR:
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    if device:
        TOTPDevice.objects.create(user=user, name="app", key=KEY.hex(), confirmed=True)
    return User.objects.get(pk=user.pk)


def password_step(client: Client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def code_step(client: Client, code: str, path: str = VERIFY):
    return client.post(path, {"code": code})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def events(kind: str) -> int:
    return AuditEvent.objects.filter(kind=kind).count()


def test_a_password_alone_opens_no_session_for_a_coordinator() -> None:
    coordinator = person("dieuphoi", COORDINATOR)
    client = Client()
    response = password_step(client, "dieuphoi")
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not logged_in(client)
    # Nothing past the login can be reached between the two steps.
    assert client.get("/tai-khoan/doi-mat-khau/")["Location"].startswith(LOGIN)
    assert client.get("/api/v1/periods/").status_code in (401, 403)
    device = TOTPDevice.objects.get(user=coordinator)
    done = code_step(client, fresh_code(device))
    assert done.status_code == 302 and logged_in(client)
    assert client.get("/tai-khoan/doi-mat-khau/").status_code == 200
    login_event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN)
    assert login_event.username == "dieuphoi"
    assert login_event.detail == {"second_factor": "totp"}


def test_a_focal_point_logs_in_with_the_password_alone() -> None:
    person("daumoi", FOCAL_POINT, device=False)
    client = Client()
    response = password_step(client, "daumoi")
    assert response.status_code == 302 and response["Location"] != VERIFY
    assert logged_in(client)


def test_the_roles_that_need_a_code_are_a_setting(settings) -> None:
    settings.OPENDTI_MFA_ROLES = ["administrator"]
    person("dieuphoi", COORDINATOR, device=False)
    client = Client()
    password_step(client, "dieuphoi")
    assert logged_in(client)


def test_a_wrong_code_is_refused_counted_and_ends_in_a_lockout(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    coordinator = person("dieuphoi", COORDINATOR)
    device = TOTPDevice.objects.get(user=coordinator)
    client = Client(REMOTE_ADDR="10.0.0.7")
    password_step(client, "dieuphoi")
    wrong = code_step(client, "000000" if fresh_code(device) != "000000" else "111111")
    assert wrong.status_code == 401 and "Mã xác thực không đúng." in wrong.content.decode()
    assert not logged_in(client)
    failed = AuditEvent.objects.get(kind=AuditEvent.Kind.MFA_FAILED)
    assert (failed.username, failed.address) == ("dieuphoi", "10.0.0.7")
    assert AccessAttempt.objects.get(username="dieuphoi").failures_since_start == 1
    # django-otp makes the next code wait: a right code within the second is not even tried.
    throttled = code_step(client, fresh_code(device))
    assert throttled.status_code == 429 and "hãy đợi" in throttled.content.decode()
    assert not logged_in(client)
    # Wrong codes and wrong passwords count together for the username from this address.
    password_step(client, "dieuphoi", "sai-mat-khau")
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    password_step(client, "dieuphoi")
    locked = code_step(client, "123456" if fresh_code(device) != "123456" else "654321")
    assert locked.status_code == 429 and "tạm thời bị khóa" in locked.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    assert code_step(client, fresh_code(device)).status_code == 429  # even the right code
    assert not logged_in(client)
    assert events(AuditEvent.Kind.LOCKOUT) >= 1


def test_a_code_is_used_once() -> None:
    coordinator = person("dieuphoi", COORDINATOR)
    device = TOTPDevice.objects.get(user=coordinator)
    code = fresh_code(device)
    first = Client()
    password_step(first, "dieuphoi")
    code_step(first, code)
    assert logged_in(first)
    second = Client()
    password_step(second, "dieuphoi")
    assert code_step(second, code).status_code == 401  # replayed
    assert not logged_in(second)


def test_the_code_step_lasts_five_minutes() -> None:
    coordinator = person("dieuphoi", COORDINATOR)
    client = Client()
    password_step(client, "dieuphoi")
    session = client.session
    session["opendti_pending_login"]["at"] = time.time() - 301
    session.save()
    response = code_step(client, fresh_code(TOTPDevice.objects.get(user=coordinator)))
    assert response["Location"] == LOGIN and not logged_in(client)


def _secret(html: str) -> bytes:
    text = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', html)[1].replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def test_enrolment_at_first_login_with_recovery_codes() -> None:
    person("pheduyet", "approver", device=False)
    client = Client()
    response = password_step(client, "pheduyet")
    assert response["Location"] == ENROL and not logged_in(client)
    page = client.get(ENROL).content.decode()
    assert "<svg" in page  # the QR code, drawn inline
    key = _secret(page)
    now = int(time.time()) // 30
    wrong = code_step(client, code_at(key, 30, now + 5), ENROL)
    assert wrong.status_code == 401 and not logged_in(client)
    assert events(AuditEvent.Kind.MFA_FAILED) == 1
    TOTPDevice.objects.filter(user__username="pheduyet").update(throttling_failure_count=0)
    done = code_step(client, code_at(key, 30, now), ENROL)
    assert done["Location"] == "/tai-khoan/xac-thuc/ma-khoi-phuc/" and logged_in(client)
    shown = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Shown once; kept only as salted hashes.
    assert client.get(done["Location"])["Location"] == "/"
    stored = RecoveryCode.objects.filter(user__username="pheduyet")
    assert stored.count() == 10
    assert not any(c.replace("-", "")[4:] in r.digest for r in stored for c in codes)
    assert all(r.digest.startswith("md5$") for r in stored)  # the password hasher (tests: MD5)
    assert TOTPDevice.objects.get(user__username="pheduyet").confirmed
    assert events(AuditEvent.Kind.MFA_ENROLLED) == 1


def test_a_recovery_code_stands_in_for_the_app_once() -> None:
    from opendti.accounts.second_factor import recovery_codes_create

    reviewer = person("thamdinh", "reviewer")
    codes = recovery_codes_create(user=reviewer)
    client = Client()
    password_step(client, "thamdinh")
    code_step(client, codes[3].lower())
    assert logged_in(client)
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.RECOVERY_USED).detail == {"left": 9}
    again = Client()
    password_step(again, "thamdinh")
    assert code_step(again, codes[3]).status_code == 401
    assert not logged_in(again)


def test_another_administrator_resets_a_lost_device_with_a_reason() -> None:
    admin = person("quantri", ADMINISTRATOR)
    coordinator = person("dieuphoi", COORDINATOR)
    theirs = login(Client(), coordinator)
    assert theirs.get("/tai-khoan/doi-mat-khau/").status_code == 200
    client = login(Client(), admin)
    listing = client.get("/tai-khoan/quan-tri/xac-thuc/").content.decode()
    assert 'data-user="dieuphoi"' in listing
    url = f"/tai-khoan/quan-tri/xac-thuc/{coordinator.pk}/dat-lai/"
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 422 and "Ghi rõ lý do" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=coordinator).exists()
    done = client.post(url, {"reason": "Mất điện thoại ngày 02/12"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.MFA_RESET)
    assert (event.username, event.target) == ("quantri", "user:dieuphoi")
    assert event.detail["reason"] == "Mất điện thoại ngày 02/12"
    # The person's open session was verified by the removed device: it is closed ...
    assert theirs.get("/tai-khoan/doi-mat-khau/")["Location"].startswith(LOGIN)
    # ... and their next login enrols again.
    assert password_step(Client(), "dieuphoi")["Location"] == ENROL
    # Nobody resets their own (that would let a stolen password replace the device).
    own = client.post(f"/tai-khoan/quan-tri/xac-thuc/{admin.pk}/dat-lai/", {"reason": "thử"})
    assert own.status_code == 422 and "quản trị viên khác" in own.content.decode()
    assert TOTPDevice.objects.filter(user=admin).exists()
    # Not an administrator: the page does not exist.
    other = login(Client(), person("dieuphoi2", COORDINATOR))
    assert other.post(url, {"reason": "x"}).status_code == 404


def test_a_session_without_the_second_factor_is_closed() -> None:
    coordinator = person("dieuphoi", COORDINATOR)
    client = Client()
    client.force_login(coordinator)  # a session that skipped the second step
    response = client.get("/tai-khoan/doi-mat-khau/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not logged_in(client)
    assert client.get("/api/v1/periods/").status_code in (401, 403)


def test_the_admin_site_has_no_password_only_login() -> None:
    admin = person("quantri", ADMINISTRATOR)
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == f"{LOGIN}?next=/admin/"
    # Its form posted directly does not log anyone in either.
    client.post("/admin/login/", {"username": "quantri", "password": PASSWORD})
    assert not logged_in(client)
    password_step(client, "quantri")
    code_step(client, fresh_code(TOTPDevice.objects.get(user=admin)))
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_and_administrators_only_from_the_allowed_networks(settings) -> None:
    settings.OPENDTI_ADMIN_NETWORKS = ["10.1.0.0/16", "192.0.2.7"]
    admin = person("quantri", ADMINISTRATOR)
    device = TOTPDevice.objects.get(user=admin)
    outside = Client(REMOTE_ADDR="203.0.113.5")
    refused = password_step(outside, "quantri")
    assert refused.status_code == 403 and "mạng được phép" in refused.content.decode()
    assert not logged_in(outside) and "opendti_pending_login" not in outside.session
    assert outside.get("/admin/").status_code == 403  # the admin site, even its login
    assert events(AuditEvent.Kind.ADDRESS_REFUSED) == 2
    inside = Client(REMOTE_ADDR="10.1.2.3")
    password_step(inside, "quantri")
    code_step(inside, fresh_code(device))
    assert inside.get("/admin/").status_code == 200
    # A session carried outside the networks is closed.
    inside.defaults["REMOTE_ADDR"] = "203.0.113.5"
    assert inside.get("/tai-khoan/doi-mat-khau/").status_code == 403
    assert not logged_in(inside)
    # Other people log in from anywhere.
    person("daumoi", FOCAL_POINT, device=False)
    password_step(outside, "daumoi")
    assert logged_in(outside)


def test_behind_a_proxy_the_forwarded_address_decides(settings) -> None:
    settings.OPENDTI_ADMIN_NETWORKS = ["10.1.0.0/16"]
    settings.OPENDTI_TRUSTED_PROXIES = 1
    person("quantri", ADMINISTRATOR)

    def via_proxy(forwarded: str) -> Client:
        return Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded)

    assert password_step(via_proxy("10.1.2.3"), "quantri").status_code == 302
    # An address the client forges in front of the proxy's own entry is not believed.
    assert password_step(via_proxy("10.1.2.3, 203.0.113.5"), "quantri").status_code == 403


def test_the_deployment_check_warns_when_no_network_is_set(settings) -> None:
    from django.core.checks import run_checks

    settings.OPENDTI_ADMIN_NETWORKS = []
    found = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "opendti.W001" in found
    settings.OPENDTI_ADMIN_NETWORKS = ["10.0.0.0/8"]
    assert "opendti.W001" not in [m.id for m in run_checks(include_deployment_checks=True)]
