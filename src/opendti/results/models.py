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
