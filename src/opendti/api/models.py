"""Integrator tokens: a hashed secret scoped to one period, some units and some indicators.

Only the SHA-256 of the secret is stored; the secret itself is shown once, when it is created
(`opendti create-integrator-token` or the admin).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opendti.frameworks.models import Node
from opendti.periods.models import Participation, Period

PREFIX_LENGTH = 8


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_secret() -> str:
    return secrets.token_urlsafe(32)


class IntegratorToken(models.Model):
    name = models.CharField(_("tên"), max_length=200, blank=True)
    # The first characters of the secret, to tell tokens apart in lists; not enough to use one.
    prefix = models.CharField(_("tiền tố"), max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="integrator_tokens",
        verbose_name=_("tài khoản tích hợp"),
    )
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="+", verbose_name=_("kỳ đánh giá")
    )
    participations = models.ManyToManyField(
        Participation, related_name="+", verbose_name=_("đơn vị được ghi")
    )
    nodes = models.ManyToManyField(Node, related_name="+", verbose_name=_("chỉ số được ghi"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    revoked = models.BooleanField(_("đã thu hồi"), default=False)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("khóa tích hợp")
        verbose_name_plural = _("khóa tích hợp")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.user})"

    def set_secret(self) -> str:
        """Give the token a new secret and return it: the only time it can be read."""
        secret = token_secret()
        self.prefix = secret[:PREFIX_LENGTH]
        self.key_hash = token_hash(secret)
        return secret

    @property
    def usable(self) -> bool:
        return not self.revoked and self.expires_at > timezone.now()
