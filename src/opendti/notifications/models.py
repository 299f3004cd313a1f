"""Notifications (thông báo): one row per person and event, shown in the site and e-mailed once.

The app sits low in the layers (it knows only accounts and core): the apps that have something to
say (appraisal, publication…) call `services.notify` with a ready title, body and link.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        REQUEST = "request", _("yêu cầu bổ sung")
        ANSWER = "answer", _("giải trình")
        DEADLINE = "deadline", _("sắp đến hạn")
        ROUND_CLOSED = "round_closed", _("kết thúc lần thẩm định")
        RESULTS = "results", _("kết quả / công bố")
        OBJECTION = "objection", _("ý kiến phản hồi")
        APPROVAL = "approval", _("phê duyệt")
        OTHER = "other", _("khác")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    # A path inside the site (/ky/…/), not a full address: the site's address is added only in
    # the e-mail, so the same row works behind any host name.
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    emailed = models.BooleanField(_("đã gửi e-mail"), default=False)
    # Set by repeated jobs (the daily reminder: "deadline:<period>:<unit>:<date>") so that a job
    # run twice the same day does not tell the same person twice. Empty: never deduplicated.
    dedupe_key = models.CharField(_("khóa chống trùng"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The header badge counts unread rows of one person on every page.
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["user", "dedupe_key"], name="notification_dedupe"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
