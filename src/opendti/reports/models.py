"""Generated report files of a period (XLSX, DOCX, PDF), made by a background job with progress.

The file itself is kept in the "reports" storage as <period>/<uuid>.<ext>, never under the web
root; the row keeps its relative path, size and SHA-256 so the download can be checked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opendti.periods.models import Period


class ReportFile(models.Model):
    class Kind(models.TextChoices):
        RESULTS_XLSX = "results_xlsx", _("Bảng kết quả (XLSX)")
        REPORT_DOCX = "report_docx", _("Báo cáo (DOCX)")
        REPORT_PDF = "report_pdf", _("Báo cáo (PDF)")
        DECISION_DOCX = "decision_docx", _("Dự thảo quyết định (DOCX)")
        SCORECARDS_PDF = "scorecards_pdf", _("Phiếu kết quả từng đơn vị (PDF)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("đang chờ")
        RUNNING = "running", _("đang tạo")
        DONE = "done", _("đã xong")
        FAILED = "failed", _("lỗi")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="report_files")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # Progress: `done` of `total` steps (units, tables…) as the generator reports them.
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    storage_path = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    # True: the numbers come from the approved snapshot; False: provisional (live) results.
    from_snapshot = models.BooleanField(_("theo kết quả đã phê duyệt"), default=False)

    class Meta:
        verbose_name = _("tệp báo cáo")
        verbose_name_plural = _("tệp báo cáo")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period.code} — {self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0
