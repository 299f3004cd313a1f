"""Password rules: no reuse of the recent passwords (a forced change included), a complexity rule
that can be configured, Argon2id hashing with the old hashes upgraded at the next login."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from opendti.accounts.models import PasswordHistory, User
from opendti.audit.models import AuditEvent
from opendti.config.settings import base
from tests.login import login

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-dung-2026"
CHANGE = "/tai-khoan/doi-mat-khau/"


@pytest.fixture
def an() -> User:
    return User.objects.create_user(username="an", password=PASSWORD)


def change(client: Client, old: str, new: str):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_a_forced_change_refuses_the_same_password(an) -> None:
    User.objects.filter(pk=an.pk).update(must_change_password=True)
    client = login(Client(), an)
    response = change(client, PASSWORD, PASSWORD)
    assert response.status_code == 200
    assert "Không được dùng lại 5 mật khẩu gần nhất." in response.content.decode()
    an.refresh_from_db()
    assert an.must_change_password and an.check_password(PASSWORD)


def test_none_of_the_last_five_passwords_comes_back(an) -> None:
    client = login(Client(), an)
    used = [PASSWORD] + [f"Mat-khau-moi-{n}-2026!" for n in range(1, 6)]
    for old, new in itertools.pairwise(used):
        assert change(client, old, new).status_code == 302, new
    current = used[-1]
    for earlier in used[-5:-1]:  # the four before the current one, and the current itself
        response = change(client, current, earlier)
        assert "Không được dùng lại 5 mật khẩu gần nhất." in response.content.decode(), earlier
    assert change(client, current, current).status_code == 200
    # The sixth password back is allowed again; only hashes are kept, five of them.
    assert change(client, current, used[0]).status_code == 302
    history = PasswordHistory.objects.filter(user=an)
    assert history.count() == 5
    assert all(identify_hasher(h.password) for h in history)
    assert not any(PASSWORD in h.password for h in history)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGED).count() >= 6


@pytest.mark.parametrize("weak", ["hanoihanoi", "hanoihanoi2026", "HANOIHANOI"])
def test_a_password_of_one_or_two_kinds_of_characters_is_refused(an, weak) -> None:
    client = login(Client(), an)
    response = change(client, PASSWORD, weak)
    assert response.status_code == 200
    assert "ít nhất 3 trong bốn loại ký tự" in response.content.decode()
    an.refresh_from_db()
    assert an.check_password(PASSWORD)


def test_a_short_password_is_refused_in_vietnamese_and_in_english(an) -> None:
    client = login(Client(), an)
    response = change(client, PASSWORD, "Ng-2026-a")  # 9 characters, 10 required
    text = response.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in text
    assert "too short" not in text
    an.refresh_from_db()
    assert an.check_password(PASSWORD)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_password("Ng-2026-a")
    assert "The password is too short: at least 10 characters." in refused.value.messages


def test_the_complexity_rule_is_a_setting(an, settings) -> None:
    settings.OPENDTI_PASSWORD_CLASSES = 2
    client = login(Client(), an)
    assert change(client, PASSWORD, "hanoihanoi2026").status_code == 302


def test_passwords_are_hashed_with_argon2id_and_old_hashes_upgraded_at_login(an, settings) -> None:
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert an.password.startswith("md5$")  # stored under the tests' fast hasher
    history = PasswordHistory.objects.filter(user=an).count()
    changes = AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGED).count()
    client = Client()
    client.post("/dang-nhap/", {"username": "an", "password": PASSWORD})
    assert "_auth_user_id" in client.session
    an.refresh_from_db()
    assert an.password.startswith("argon2$argon2id$")
    assert an.check_password(PASSWORD)
    # An upgrade is not a change: no history row, no change event.
    assert PasswordHistory.objects.filter(user=an).count() == history
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_CHANGED).count() == changes
