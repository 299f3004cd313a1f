"""Password rules beyond Django's own: a complexity rule (QĐ 742/QĐ-BTTTT asks for passwords that
mix kinds of characters; how many kinds is a setting) and no reuse of the last N passwords.

Both are Django password validators, so every place that sets a password through a form (the
change page, a forced change, the administrator's reset) applies them, and the history records
every password set by any means (`password_changed` runs when a new password is saved).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from opendti.audit.services import Kind, audit_record

from .models import PasswordHistory, User

CLASSES = (
    ("lower", str.islower),
    ("upper", str.isupper),
    ("digit", str.isdigit),
    ("symbol", lambda c: not c.isalnum() and not c.isspace()),
)


class LengthValidator(MinimumLengthValidator):
    """Django's minimum length, worded in Vietnamese: Django's own Vietnamese catalogue leaves
    this plural message untranslated, so people read it in English."""

    def _text(self) -> str:
        return ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self._text(), code="password_too_short")

    def get_help_text(self) -> str:
        return self._text()


class ComplexityValidator:
    """At least OPENDTI_PASSWORD_CLASSES of: lower-case letters, capitals, digits, symbols."""

    def __init__(self, classes: int | None = None) -> None:
        self.classes = classes

    def _required(self) -> int:
        return self.classes if self.classes is not None else settings.OPENDTI_PASSWORD_CLASSES

    def validate(self, password: str, user=None) -> None:
        required = self._required()
        found = sum(1 for _name, test in CLASSES if any(test(c) for c in password))
        if found < required:
            raise ValidationError(self._text(required), code="password_too_simple")

    def _text(self, required: int) -> str:
        return ngettext(
            "Mật khẩu phải có ít nhất %(n)d trong bốn loại ký tự: chữ thường, chữ hoa, chữ số, "
            "ký tự đặc biệt.",
            "Mật khẩu phải có ít nhất %(n)d trong bốn loại ký tự: chữ thường, chữ hoa, chữ số, "
            "ký tự đặc biệt.",
            required,
        ) % {"n": required}

    def get_help_text(self) -> str:
        return self._text(self._required())


class HistoryValidator:
    """None of the last OPENDTI_PASSWORD_HISTORY passwords (the current one included)."""

    def _count(self) -> int:
        return settings.OPENDTI_PASSWORD_HISTORY

    def validate(self, password: str, user=None) -> None:
        count = self._count()
        if count <= 0 or user is None or user.pk is None:
            return
        # The stored hash, not the instance's: a form may already have set the new one on it.
        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        recent = PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)
        hashes = {h for h in (current, *recent[:count]) if h}
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(self._text(count), code="password_reused")

    def _text(self, count: int) -> str:
        return ngettext(
            "Không được dùng lại %(n)d mật khẩu gần nhất.",
            "Không được dùng lại %(n)d mật khẩu gần nhất.",
            count,
        ) % {"n": count}

    def get_help_text(self) -> str:
        return self._text(self._count())

    def password_changed(self, password: str, user=None) -> None:
        """A new password was saved: keep its hash (the last N only) and record the event."""
        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = max(self._count(), 1)
        old = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()
        audit_record(Kind.PASSWORD_CHANGED, target=f"user:{user.get_username()}")
