"""Login throttling, password policy, session limits and CSRF, through the real login page."""

from __future__ import annotations

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from opendti.accounts.middleware import LOGIN_AT
from opendti.accounts.models import User
from tests.login import login

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-dung-2026"
LOGIN = "/dang-nhap/"


@pytest.fixture
def people() -> None:
    for username in ("an", "binh"):
        User.objects.create_user(username=username, password=PASSWORD)


def attempt(username: str, password: str, address: str):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def logged_in(response) -> bool:
    return response.status_code == 302 and LOGIN not in response["Location"]


def test_five_failures_lock_that_username_from_that_address_only(people, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert attempt("an", "sai", "10.0.0.1").status_code == 200  # the form again
    locked = attempt("an", "sai", "10.0.0.1")
    assert locked.status_code == 429
    assert "tạm thời bị khóa" in locked.content.decode()
    assert "15 phút" in locked.content.decode()
    # Even the right password is refused from there during the cool-off ...
    assert attempt("an", PASSWORD, "10.0.0.1").status_code == 429
    # ... but the same person from another address, and a colleague behind the same address,
    # still log in: one person's typos never lock out a whole office.
    assert logged_in(attempt("an", PASSWORD, "10.0.0.2"))
    assert logged_in(attempt("binh", PASSWORD, "10.0.0.1"))


def test_the_lock_lifts_after_the_cool_off(people, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        attempt("an", "sai", "10.0.0.1")
    assert attempt("an", PASSWORD, "10.0.0.1").status_code == 429
    # Move the failures back past the cool-off instead of sleeping.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    )
    assert logged_in(attempt("an", PASSWORD, "10.0.0.1"))


def test_a_forced_change_at_first_login_comes_before_any_page(people) -> None:
    User.objects.filter(username="an").update(must_change_password=True)
    client = Client()
    assert logged_in(client.post(LOGIN, {"username": "an", "password": PASSWORD}))
    for page in ("/", "/ky/2026-communes/don-vi/xa-hoa-binh/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == "/tai-khoan/doi-mat-khau/"
    assert client.post("/ky/x/don-vi/y/chi-so/1/luu/", HTTP_HX_REQUEST="true").status_code == 401
    page = client.get("/tai-khoan/doi-mat-khau/")
    assert "Bạn cần đặt mật khẩu mới" in page.content.decode()
    weak = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert weak.status_code == 200 and User.objects.get(username="an").must_change_password
    new = "Mot-mat-khau-moi-2026"
    done = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert done.status_code == 302
    user = User.objects.get(username="an")
    assert not user.must_change_password and user.password_changed_at is not None
    assert client.get("/").status_code == 200  # the session survived the change


@pytest.mark.parametrize(
    ("max_age_days", "changed_days_ago", "forced"),
    [(0, 1000, False), (90, 89, False), (90, 91, True)],
)
def test_rotation_forces_a_change_only_when_configured_and_due(
    people, settings, max_age_days, changed_days_ago, forced
) -> None:
    settings.OPENDTI_PASSWORD_MAX_AGE_DAYS = max_age_days
    User.objects.filter(username="an").update(
        password_changed_at=timezone.now() - datetime.timedelta(days=changed_days_ago)
    )
    client = Client()
    login(client, User.objects.get(username="an"))
    response = client.get("/")
    assert (response.status_code == 302) is forced


def test_a_session_ends_after_twelve_hours_however_active(people, settings) -> None:
    client = Client()
    login(client, User.objects.get(username="an"))
    assert client.get("/tai-khoan/doi-mat-khau/").status_code == 200
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.OPENDTI_SESSION_MAX_AGE + 60
    session.save()
    assert client.get("/tai-khoan/doi-mat-khau/").status_code == 200  # 11 h 59 min: still in
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.OPENDTI_SESSION_MAX_AGE - 1
    session.save()
    response = client.get("/tai-khoan/doi-mat-khau/?a=1&b=2")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/tai-khoan/doi-mat-khau/%3Fa%3D1%26b%3D2"
    page = client.get(response["Location"])
    assert "Phiên làm việc đã quá 12 giờ; vui lòng đăng nhập lại." in page.content.decode()
    assert client.get("/tai-khoan/doi-mat-khau/")["Location"].startswith(LOGIN)  # logged out


def test_logging_in_again_restarts_the_twelve_hours(people, settings) -> None:
    client = Client()
    assert logged_in(client.post(LOGIN, {"username": "an", "password": PASSWORD}))
    assert abs(client.session[LOGIN_AT] - time.time()) < 60  # recorded at the login itself
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.OPENDTI_SESSION_MAX_AGE + 60
    session.save()
    # A second login from the same, still live session keeps its data; the clock must restart.
    assert logged_in(client.post(LOGIN, {"username": "an", "password": PASSWORD}))
    assert abs(client.session[LOGIN_AT] - time.time()) < 60


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_idle_sessions_end_after_thirty_minutes(people, settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.OPENDTI_SESSION_MAX_AGE == 12 * 3600
    client = Client()
    login(client, User.objects.get(username="an"))
    # Activity renews the expiry: a session with 5 minutes left is given 30 again by a request.
    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert client.get("/").status_code == 200
    left = session_row(client).expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < left <= datetime.timedelta(minutes=30)
    # Thirty idle minutes later the session is gone: the next page asks for a login.
    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/tai-khoan/doi-mat-khau/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_posts_without_a_csrf_token_are_refused(people) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "an", "password": PASSWORD})
    assert response.status_code == 403
    login(client, User.objects.get(username="an"))
    response = client.post("/tai-khoan/doi-mat-khau/", {"old_password": PASSWORD})
    assert response.status_code == 403


def test_a_password_set_by_an_administrator_must_be_changed(people) -> None:
    admin = User.objects.create_superuser(username="quantri", password=PASSWORD)
    client = Client()
    login(client, admin)
    user = User.objects.get(username="an")
    new = "Mat-khau-tam-thoi-2026"
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new) and user.must_change_password


def test_behind_a_trusted_proxy_the_forwarded_address_is_locked(people, settings) -> None:
    settings.OPENDTI_TRUSTED_PROXIES = 1
    settings.AXES_FAILURE_LIMIT = 3

    def via_proxy(username: str, password: str, forwarded: str):
        return Client(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded).post(
            LOGIN, {"username": username, "password": password}
        )

    for _ in range(3):
        via_proxy("an", "sai", "203.0.113.7")
    assert via_proxy("an", PASSWORD, "203.0.113.7").status_code == 429
    # Another office behind the same proxy is not locked out of the same account ...
    assert logged_in(via_proxy("an", PASSWORD, "198.51.100.20"))
    # ... and an address a client forges in front of the proxy's entry is ignored.
    assert via_proxy("an", PASSWORD, "198.51.100.20, 203.0.113.7").status_code == 429


def test_without_trusted_proxies_forwarded_headers_are_ignored(people, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(
            LOGIN, {"username": "an", "password": "sai"}
        )
    assert attempt("an", PASSWORD, "10.0.0.5").status_code == 429
