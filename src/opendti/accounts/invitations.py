"""Invitations: a new account gets an e-mail with a one-time link to choose its password.

The link carries Django's password-reset token under a salt of its own (a reset token is not an
invitation and the other way round). The token hashes the account's current password hash and
last login, so it stops working as soon as a password is set (or the person logs in), and it
expires after OPENDTI_INVITATION_DAYS. Nothing about the token is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _

from opendti.audit.services import Kind, audit_record

from .models import User

SUBJECT_PREFIX = "[OpenDTI] "


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "opendti.accounts.invitations.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:  # type: ignore[no-untyped-def]
        # Django's check applies PASSWORD_RESET_TIMEOUT; an invitation has its own, longer one.
        if not (user and token) or not user.is_active:
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if self._num_seconds(self._now()) - ts > settings.OPENDTI_INVITATION_DAYS * 86400:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                return True
        return False


invitation_tokens = InvitationTokenGenerator()


def invitation_path(user: User) -> str:
    """The site-relative link that lets `user` set a password once."""
    return reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )


def invitation_url(user: User) -> str:
    # The site's configured address, never the request's Host header (a forged Host would
    # otherwise put an attacker's address in front of a valid token).
    return settings.OPENDTI_SITE_URL.rstrip("/") + invitation_path(user)


def _message(user: User) -> EmailMessage:
    body = _(
        "Xin chào %(name)s,\n\n"
        "Tài khoản của bạn trên hệ thống đánh giá chuyển đổi số OpenDTI đã được tạo.\n"
        "Tên đăng nhập: %(username)s\n\n"
        "Mở liên kết sau để đặt mật khẩu (liên kết chỉ dùng được một lần, trong %(days)d ngày):\n"
        "%(url)s\n\n"
        "Nếu bạn không chờ thư này, hãy bỏ qua nó."
    ) % {
        "name": user.full_name or user.username,
        "username": user.username,
        "days": settings.OPENDTI_INVITATION_DAYS,
        "url": invitation_url(user),
    }
    subject = SUBJECT_PREFIX + _("Mời đặt mật khẩu tài khoản OpenDTI")
    return EmailMessage(subject, body, None, [user.email])


@dataclass(frozen=True)
class InvitationResult:
    sent: tuple[User, ...]
    without_email: tuple[User, ...]
    failed: tuple[User, ...]  # the mail server refused or was down


def invitations_send(users: list[User], *, actor: User | None) -> InvitationResult:
    """E-mail each active person with an address an invitation, each to that person alone.
    Call after the accounts are committed: a link to an account that was rolled back is no use."""
    sent: list[User] = []
    without: list[User] = []
    failed: list[User] = []
    connection = get_connection()
    for user in users:
        if not user.is_active:
            continue
        if not user.email:
            without.append(user)
            continue
        try:
            connection.send_messages([_message(user)])
        except Exception:  # any mail-server failure: the person is listed, the others go on
            failed.append(user)
            continue
        sent.append(user)
        audit_record(Kind.INVITATION_SENT, actor=actor, target=f"user:{user.get_username()}")
    return InvitationResult(tuple(sent), tuple(without), tuple(failed))
