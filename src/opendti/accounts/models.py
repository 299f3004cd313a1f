"""People who use OpenDTI. Roles are Django groups named in `roles.py` (data, not code paths)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    must_change_password = models.BooleanField(_("phải đổi mật khẩu"), default=False)
    password_changed_at = models.DateTimeField(_("đổi mật khẩu lần cuối"), null=True, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username
