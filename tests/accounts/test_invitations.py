"""Invitations: a one-time link to choose a password, under every password rule, that stops
working once used, after its days, or when the account is locked."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from opendti.accounts.invitations import invitation_path, invitation_tokens, invitations_send
from opendti.accounts.models import User
from opendti.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-moi-2026"


@pytest.fixture
def an() -> User:
    user = User.objects.create_user(
        username="an@hoabinh.gov.vn", email="an@hoabinh.gov.vn", full_name="Nguyễn Văn An"
    )
    assert not user.has_usable_password()
    return user


def open_link(client: Client, path: str):
    """Follow the link as a browser does: the token moves into the session (one redirect)."""
    response = client.get(path)
    assert response.status_code == 302, response.status_code
    return response["Location"]


def choose(client: Client, form_path: str, password: str):
    return client.post(form_path, {"new_password1": password, "new_password2": password})


def test_the_email_carries_a_link_that_sets_the_password_once(an, settings) -> None:
    settings.OPENDTI_SITE_URL = "https://dti.example.gov.vn"
    result = invitations_send([an], actor=None)
    assert result.sent == (an,) and result.without_email == () and result.failed == ()
    (message,) = mail.outbox
    assert message.to == ["an@hoabinh.gov.vn"]
    assert "Mời đặt mật khẩu" in message.subject
    assert "Tên đăng nhập: an@hoabinh.gov.vn" in message.body
    link = next(line for line in message.body.splitlines() if line.startswith("https://"))
    path = link.removeprefix("https://dti.example.gov.vn")
    assert path.startswith("/tai-khoan/loi-moi/")

    client = Client()
    form_path = open_link(client, path)
    assert form_path.endswith("/dat-mat-khau/")  # the token is no longer in the address
    page = client.get(form_path)
    assert page.status_code == 200 and "an@hoabinh.gov.vn" in page.content.decode()
    response = choose(client, form_path, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/loi-moi/xong/"
    an.refresh_from_db()
    assert an.check_password(PASSWORD) and an.password_changed_at is not None
    assert not an.must_change_password
    kinds = set(
        AuditEvent.objects.filter(target="user:an@hoabinh.gov.vn").values_list("kind", flat=True)
    )
    assert {"invitation_sent", "invitation_used", "password_changed"} <= kinds

    # The person logs in with it.
    person = Client()
    person.post("/dang-nhap/", {"username": "an@hoabinh.gov.vn", "password": PASSWORD})
    assert person.session.get("_auth_user_id") == str(an.pk)

    # The link no longer works, in a fresh browser or the same one.
    for again in (Client(), client):
        page = again.get(path, follow=True)
        assert "Liên kết không còn hiệu lực" in page.content.decode()
        assert 'name="new_password1"' not in page.content.decode()


def test_the_password_rules_apply(an) -> None:
    client = Client()
    form_path = open_link(client, invitation_path(an))
    for weak, message in [
        ("Ng4n!", "errorlist"),  # shorter than the minimum length
        ("Mat-khau-moi-2026", "không giống nhau"),  # the confirmation differs (below)
        ("chuthuongdaibasam", "ít nhất 3 trong bốn loại ký tự"),
    ]:
        response = (
            client.post(form_path, {"new_password1": weak, "new_password2": weak + "x"})
            if message == "không giống nhau"
            else choose(client, form_path, weak)
        )
        assert response.status_code == 200
        assert message in response.content.decode() and "errorlist" in response.content.decode()
    an.refresh_from_db()
    assert not an.has_usable_password()


def test_an_expired_link_is_refused(an, settings) -> None:
    settings.OPENDTI_INVITATION_DAYS = 7
    now = invitation_tokens._num_seconds(invitation_tokens._now())
    old = invitation_tokens._make_token_with_timestamp(
        an, now - 8 * 86400, invitation_tokens.secret
    )
    fresh = invitation_tokens._make_token_with_timestamp(
        an, now - 6 * 86400, invitation_tokens.secret
    )
    assert not invitation_tokens.check_token(an, old)
    assert invitation_tokens.check_token(an, fresh)
    uid = urlsafe_base64_encode(force_bytes(an.pk))
    page = Client().get(f"/tai-khoan/loi-moi/{uid}/{old}/")
    assert "Liên kết không còn hiệu lực" in page.content.decode()


def test_a_password_reset_token_is_no_invitation(an) -> None:
    from django.contrib.auth.tokens import default_token_generator

    assert not invitation_tokens.check_token(an, default_token_generator.make_token(an))


def test_a_locked_account_link_is_refused(an) -> None:
    path = invitation_path(an)
    User.objects.filter(pk=an.pk).update(is_active=False)
    page = Client().get(path, follow=True)
    assert "Liên kết không còn hiệu lực" in page.content.decode()


def test_people_without_email_are_listed_not_mailed(an) -> None:
    nobody = User.objects.create_user(username="khongthu", full_name="Không Thư")
    result = invitations_send([an, nobody], actor=None)
    assert result.sent == (an,) and result.without_email == (nobody,)
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_is_listed(an, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens on the discard port here: connection refused
    settings.EMAIL_TIMEOUT = 5
    result = invitations_send([an], actor=None)
    assert result.failed == (an,) and result.sent == ()
    assert not AuditEvent.objects.filter(kind="invitation_sent").exists()
