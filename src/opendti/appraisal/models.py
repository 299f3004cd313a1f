"""Appraisal (thẩm định): review rounds, reviewers' decisions per indicator, the units'
explanations, each reviewer's sign-off, and the units' objections to provisional results.

Nothing is overwritten: a decision changed within a round is superseded by a new row, and the
score the appraisal settles for an indicator is derived from these rows (services.settle).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opendti.assessments.models import Submission
from opendti.frameworks.models import POINTS, Node
from opendti.periods.models import Period

USER = settings.AUTH_USER_MODEL


class Round(models.Model):
    """Lần thẩm định: open until every assigned reviewer has signed off their part."""

    # PROTECT throughout: the appraisal's record is history, never deleted along with its parent.
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("lần"))
    opened_at = models.DateTimeField(_("mở lúc"), auto_now_add=True)
    opened_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần thẩm định")
        verbose_name_plural = _("lần thẩm định")
        ordering = ["period", "number"]
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="round_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="round_number_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.period.code} — {_('lần')} {self.number}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SignOff(models.Model):
    """Xác nhận của từng thành viên: a reviewer confirms their part of a round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="sign_offs")
    reviewer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("xác nhận của thành viên")
        verbose_name_plural = _("xác nhận của thành viên")
        constraints = [
            models.UniqueConstraint(fields=["round", "reviewer"], name="sign_off_unique")
        ]


class Decision(models.Model):
    """A reviewer's decision on one indicator of one unit in one round."""

    class Kind(models.TextChoices):
        ACCEPT = "accept", _("chấp nhận")
        ADJUST = "adjust", _("điều chỉnh điểm")
        REQUEST = "request", _("yêu cầu bổ sung, chỉnh sửa")

    class State(models.TextChoices):
        EFFECTIVE = "effective", _("có hiệu lực")
        AWAITING = "awaiting", _("chờ thành viên thứ hai đồng ý")
        DECLINED = "declined", _("thành viên thứ hai không đồng ý")
        OPEN = "open", _("chờ giải trình")
        ANSWERED = "answered", _("đã giải trình")
        SUPERSEDED = "superseded", _("đã được thay thế")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="decisions")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("quyết định"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("tình trạng"), max_length=12, choices=State.choices)
    self_score = models.DecimalField(_("điểm tự đánh giá"), null=True, blank=True, **POINTS)
    score = models.DecimalField(_("điểm thẩm định"), null=True, blank=True, **POINTS)
    reason = models.TextField(_("lý do / nội dung yêu cầu"), blank=True)
    due_on = models.DateField(_("hạn giải trình"), null=True, blank=True)
    second_reviewer = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_note = models.TextField(_("ý kiến thành viên thứ hai"), blank=True)
    second_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("quyết định thẩm định")
        verbose_name_plural = _("quyết định thẩm định")
        ordering = ["round__number", "created_at", "pk"]
        constraints = [
            # One current decision per indicator and round; superseded rows stay as history.
            models.UniqueConstraint(
                fields=["round", "submission", "node"],
                condition=~models.Q(state="superseded"),
                name="decision_current_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="adjust") | models.Q(score__isnull=False, score__gte=0),
                name="decision_adjust_has_score",
            ),
        ]


class Explanation(models.Model):
    """Giải trình: the unit's answer to a request (new values and evidence go to the workspace)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="explanations")
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("nội dung giải trình"))
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("giải trình")
        verbose_name_plural = _("giải trình")
        ordering = ["at", "pk"]


class Objection(models.Model):
    """A unit's objection to its provisional results during the reply window, and the answer."""

    class State(models.TextChoices):
        OPEN = "open", _("chờ trả lời")
        UPHELD = "upheld", _("chấp nhận")
        REJECTED = "rejected", _("không chấp nhận")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("nội dung kiến nghị"))
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    state = models.CharField(
        _("tình trạng"), max_length=10, choices=State.choices, default=State.OPEN
    )
    answer = models.TextField(_("trả lời"), blank=True)
    score = models.DecimalField(_("điểm sau khi xem xét"), null=True, blank=True, **POINTS)
    answered_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ý kiến phản hồi")
        verbose_name_plural = _("ý kiến phản hồi")
        ordering = ["created_at", "pk"]
