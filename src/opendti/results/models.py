"""Stored engine output: every computed result keeps the engine version and a hash of its inputs,
so that a ranking can be reproduced and verified later."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from opendti.periods.models import Period


class ResultRun(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="result_runs")
    engine_version = models.CharField(max_length=20)
    inputs_hash = models.CharField(max_length=64)
    computed_at = models.DateTimeField(auto_now_add=True)
    document = models.JSONField()

    class Meta:
        verbose_name = _("lần tính điểm")
        verbose_name_plural = _("lần tính điểm")
        ordering = ["-computed_at"]
        get_latest_by = "computed_at"


class Target(models.Model):
    """A goal the coordinator set for a period (docs/console.md, "Mục tiêu"): for one unit or for
    every unit of a ranking group, on a main index or the total, in points (at least) or a rank
    (this place or better). Changed only through results.targets, which keeps every change in
    TargetChange."""

    class Scope(models.TextChoices):
        UNIT = "unit", _("đơn vị")
        GROUP = "group", _("nhóm xếp hạng")

    class Measure(models.TextChoices):
        POINTS = "points", _("điểm (đạt tối thiểu)")
        RANK = "rank", _("thứ hạng (xếp thứ này hoặc cao hơn)")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="targets")
    scope = models.CharField(_("áp dụng cho"), max_length=10, choices=Scope.choices)
    subject = models.CharField(_("đơn vị hoặc nhóm (mã)"), max_length=80)
    node = models.CharField(_("chỉ số chính (mã; trống là tổng điểm)"), max_length=50, blank=True)
    measure = models.CharField(_("loại mục tiêu"), max_length=10, choices=Measure.choices)
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=19, decimal_places=4)

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        ordering = ["period", "scope", "subject", "node", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "scope", "subject", "node", "measure"], name="target_unique"
            )
        ]


class LevelThresholds(models.Model):
    """Where a component indicator's score is "khá" and "trung bình" (percent of its maximum).
    Ninh Bình names the levels without stating the bounds, so a period has none until the
    coordinator sets them; "tối đa" (the maximum) and "chưa có điểm" (zero) need none."""

    period = models.OneToOneField(Period, on_delete=models.CASCADE, related_name="level_thresholds")
    good = models.DecimalField(_("mức khá từ (% điểm tối đa)"), max_digits=7, decimal_places=4)
    fair = models.DecimalField(
        _("mức trung bình từ (% điểm tối đa)"), max_digits=7, decimal_places=4
    )

    class Meta:
        verbose_name = _("ngưỡng phân loại chỉ số thành phần")
        verbose_name_plural = _("ngưỡng phân loại chỉ số thành phần")


class TargetChange(models.Model):
    """A target set, changed or removed, or the level thresholds changed: who, when, why, and
    `detail` {"target": {...}, "before": …, "after": …}. Rows are only added."""

    class Kind(models.TextChoices):
        SET = "set", _("đặt mục tiêu")
        REMOVED = "removed", _("bỏ mục tiêu")
        LEVELS = "levels", _("ngưỡng phân loại chỉ số thành phần")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="target_changes")
    kind = models.CharField(_("thay đổi"), max_length=10, choices=Kind.choices)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)
    reason = models.TextField(_("lý do"))
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử mục tiêu")
        verbose_name_plural = _("lịch sử mục tiêu")
        ordering = ["period", "at", "pk"]


class StoredResult(models.Model):
    """A period's computed results for one results revision, shared by every process (gunicorn
    workers and the Celery worker): computed once per revision, read by every page until the
    next write raises the revision. The payload is signed (see results.store): a row changed in
    the database is refused, never unpickled."""

    class Kind(models.TextChoices):
        PROVISIONAL = "provisional", _("điểm các đơn vị tự chấm")
        SETTLED = "settled", _("điểm sau thẩm định")
        FROZEN = "frozen", _("điểm đã phê duyệt")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="stored_results")
    # The period's results_revision (frozen: 0, the snapshot's rows hash is in inputs_hash).
    revision = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    engine_version = models.CharField(max_length=20)
    inputs_hash = models.CharField(max_length=64)
    payload = models.BinaryField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kết quả đã tính")
        verbose_name_plural = _("kết quả đã tính")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "revision", "kind"], name="stored_result_once_per_revision"
            )
        ]
