"""Submissions (phiếu tự đánh giá): one per unit and period, holding raw input values, the scores
given directly, the unit's evidence, and the history of every change to any of them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opendti.frameworks.models import POINTS, Node
from opendti.periods.models import Participation


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("đang nhập")
        SUBMITTED = "submitted", _("đã gửi")

    participation = models.OneToOneField(
        Participation, on_delete=models.CASCADE, related_name="submission"
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    submitted_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by the coordinator when reopening one unit after the deadline (with a recorded reason).
    reopened_until = models.DateField(_("mở lại đến ngày"), null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("phiếu tự đánh giá")
        verbose_name_plural = _("phiếu tự đánh giá")


class InputValue(models.Model):
    """A raw input as its canonical text (numbers with a dot decimal, yes/no, ISO dates)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="values")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    input_name = models.CharField(max_length=50, blank=True)
    value = models.TextField()

    class Meta:
        verbose_name = _("giá trị đầu vào")
        verbose_name_plural = _("giá trị đầu vào")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "node", "input_name"], name="input_value_unique"
            )
        ]


class Answer(models.Model):
    """The unit's answer to one indicator: its version (for optimistic concurrency) and flags.

    The values themselves are InputValue rows, the one place the engine reads them from.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=0)
    is_estimate = models.BooleanField(_("số liệu ước tính"), default=False)
    carried_over = models.BooleanField(_("chuyển từ kỳ trước, chưa xác nhận"), default=False)
    note = models.TextField(_("thuyết minh"), blank=True)
    # Set by the appraisal when a reviewer asks for a supplement: the unit may change this
    # indicator (values, evidence) until then, even though the submission itself is locked.
    open_until = models.DateField(_("mở để giải trình đến ngày"), null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("trả lời chỉ số")
        verbose_name_plural = _("trả lời chỉ số")
        constraints = [models.UniqueConstraint(fields=["submission", "node"], name="answer_unique")]


class IndexAssignment(models.Model):
    """A main index handed by the focal point to a colleague of the same unit."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="index_assignments"
    )
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("phân công chỉ số chính")
        verbose_name_plural = _("phân công chỉ số chính")
        constraints = [
            models.UniqueConstraint(fields=["submission", "node"], name="index_assignment_unique")
        ]


class Evidence(models.Model):
    """Tài liệu kiểm chứng: a stored file, a link, or a reference to an official document."""

    class Kind(models.TextChoices):
        FILE = "file", _("tệp")
        LINK = "link", _("đường dẫn")
        DOCUMENT = "document", _("văn bản")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("tên tài liệu"), max_length=300)
    # Files: stored outside the web root under a generated name; served by a checked view only.
    storage_path = models.CharField(max_length=200, blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    url = models.URLField(_("đường dẫn"), max_length=1000, blank=True)
    doc_number = models.CharField(_("số văn bản"), max_length=100, blank=True)
    doc_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=300, blank=True)
    summary = models.TextField(_("trích yếu"), blank=True)
    carried_over = models.BooleanField(_("chuyển từ kỳ trước, chưa xác nhận"), default=False)
    nodes = models.ManyToManyField(Node, through="EvidenceLink", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")
        ordering = ["submission", "pk"]

    def __str__(self) -> str:
        return self.title


class EvidenceLink(models.Model):
    """One evidence item backing one indicator (an item can back several)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "node"], name="evidence_link_unique")
        ]


class GivenScore(models.Model):
    """A score given at a node code, a pillar code or TOTAL (checked against the parts)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="given_scores"
    )
    target = models.CharField(max_length=50)
    score = models.DecimalField(**POINTS)

    class Meta:
        verbose_name = _("điểm được nhập")
        verbose_name_plural = _("điểm được nhập")
        constraints = [
            models.UniqueConstraint(fields=["submission", "target"], name="given_score_unique")
        ]


class AppraisedScore(models.Model):
    """The score the appraisal settled for one indicator of one submission: a reviewer's
    adjustment or an upheld objection. Kept up to date by the appraisal app (which keeps every
    decision); scoring reads it here and lets it replace the score computed from the values."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="appraised_scores"
    )
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(**POINTS)

    class Meta:
        verbose_name = _("điểm sau thẩm định")
        verbose_name_plural = _("điểm sau thẩm định")
        constraints = [
            models.UniqueConstraint(fields=["submission", "node"], name="appraised_score_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=0), name="appraised_score_gte_0"),
        ]


class Change(models.Model):
    """The history: every change of a value, score, evidence link, flag or status, with who,
    when, before/after and why. Rows are only ever added."""

    class Kind(models.TextChoices):
        VALUE = "value", _("giá trị")
        SCORE = "score", _("điểm")
        EVIDENCE = "evidence", _("tài liệu kiểm chứng")
        FLAG = "flag", _("đánh dấu")
        STATUS = "status", _("trạng thái")
        ASSIGNMENT = "assignment", _("phân công")
        REMINDER = "reminder", _("nhắc nhở")
        APPRAISAL = "appraisal", _("thẩm định")
        EXPLANATION = "explanation", _("giải trình")
        OBJECTION = "objection", _("ý kiến phản hồi")

    # PROTECT: a submission with history cannot be deleted (its history would go with it).
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="changes")
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    field = models.CharField(_("mục"), max_length=100, blank=True)
    before = models.TextField(_("trước"), blank=True)
    after = models.TextField(_("sau"), blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("lịch sử thay đổi")
        verbose_name_plural = _("lịch sử thay đổi")
        ordering = ["-at", "-pk"]
