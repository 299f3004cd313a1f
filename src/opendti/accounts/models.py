"""People who use OpenDTI. Roles are Django groups named in `roles.py` (data, not code paths)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=30, blank=True)
    must_change_password = models.BooleanField(_("phải đổi mật khẩu"), default=False)
    password_changed_at = models.DateTimeField(_("đổi mật khẩu lần cuối"), null=True, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username


class PasswordHistory(models.Model):
    """The hashes of a person's recent passwords, so that none of the last N is chosen again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class RecoveryCode(models.Model):
    """A single-use recovery code for the second factor. Its first group finds the row (not a
    secret); the rest is kept only as a password hash (Argon2id, salted): the code is never
    stored readable, and one guess costs one hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    lookup = models.CharField(max_length=8)
    digest = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
