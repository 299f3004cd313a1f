"""Submissions (phiếu tự đánh giá): one per unit and period, holding raw input values and the
scores given directly (a reviewer's manual score, or a published result for spreadsheet periods).
"""

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
