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
