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
    # Other periods of the same year the report and the decision cover with this one (the
    # departments and the districts in one decision, as 401/QĐ-UBND does); empty: this one only.
    also = models.ManyToManyField(
        Period, blank=True, related_name="+", verbose_name=_("các kỳ cùng năm được gộp")
    )

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


class ReportText(models.Model):
    """What the coordinator writes for Part III of a period's report before generating it: the
    general assessment, the limitations and their causes, the tasks for next year. Printed in
    the report as written. Every change is kept as a ReportTextChange (who, when, why)."""

    class Field(models.TextChoices):
        ASSESSMENT = "assessment", _("Đánh giá chung")
        LIMITATIONS = "limitations", _("Hạn chế và nguyên nhân")
        TASKS = "tasks", _("Nhiệm vụ trong thời gian tới")

    period = models.OneToOneField(Period, on_delete=models.CASCADE, related_name="report_text")
    assessment = models.TextField(_("đánh giá chung"), blank=True)
    limitations = models.TextField(_("hạn chế và nguyên nhân"), blank=True)
    tasks = models.TextField(_("nhiệm vụ trong thời gian tới"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người sửa"),
    )
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("nội dung báo cáo của bộ phận điều phối")
        verbose_name_plural = _("nội dung báo cáo của bộ phận điều phối")

    def __str__(self) -> str:
        return self.period.code


class ReportTextChange(models.Model):
    """One change of one part of a ReportText: the text before and after, the reason, who and
    when. Rows are only added."""

    text = models.ForeignKey(ReportText, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("phần"), max_length=20, choices=ReportText.Field.choices)
    before = models.TextField(_("trước"), blank=True)
    after = models.TextField(_("sau"), blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người sửa"),
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử nội dung báo cáo")
        verbose_name_plural = _("lịch sử nội dung báo cáo")
        ordering = ["text", "at", "pk"]


class ReportTemplate(models.Model):
    """The Word template the report's DOCX is filled from, uploaded by the coordinator (a
    province's letterhead and wording, docs/reports.md). Rows are only added: the newest row is
    the one in use, and a row without a file means "back to the shipped template"."""

    storage_path = models.CharField(max_length=300, blank=True)
    name = models.CharField(_("tên tệp"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    uploaded_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("mẫu báo cáo (Word)")
        verbose_name_plural = _("mẫu báo cáo (Word)")
        ordering = ["-uploaded_at", "-pk"]
