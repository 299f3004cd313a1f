"""Approved results frozen as a snapshot, and their publication.

A snapshot keeps the period's inputs exactly as the engine read them (framework, bands, units,
values, the scores the appraisal settled: the workbook rows), the result document computed from
them, the hashes of both and a seal (an HMAC with the site's secret). Rows are never updated or
deleted through the application; `opendti verify-snapshot` recomputes the results from the rows and
checks the hashes and the seal, so a change made directly in the database is found.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opendti.periods.models import Period

USER = settings.AUTH_USER_MODEL


class ImmutableError(RuntimeError):
    """A frozen record may not be changed or removed."""


# A snapshot's two texts (megabytes for a national period): deferred wherever only its record is
# needed (its seal's fields, the rows' hash that keys its kept results).
TEXTS = ("rows", "document")


class Snapshot(models.Model):
    period = models.OneToOneField(Period, on_delete=models.PROTECT, related_name="snapshot")
    # A quarterly period is published by the coordinator without a decision: number and signer
    # empty, no date (approved_by/approved_at then say who published the frozen results, when).
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    signer = models.CharField(_("người ký"), max_length=200, blank=True)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("phê duyệt lúc"), auto_now_add=True)
    engine_version = models.CharField(max_length=20)
    # Canonical JSON text (not a JSON column): the bytes hashed are the bytes kept.
    rows = models.TextField()
    rows_sha256 = models.CharField(max_length=64)
    document = models.TextField()
    document_sha256 = models.CharField(max_length=64)
    seal = models.CharField(max_length=64)
    # Which rule the seal was made under (publication.seal): 1 before it covered the decision's
    # date, signer and approver; 2 since. Old snapshots keep verifying under their own rule.
    seal_version = models.PositiveSmallIntegerField(default=2)

    class Meta:
        verbose_name = _("kết quả đã phê duyệt")
        verbose_name_plural = _("kết quả đã phê duyệt")

    def __str__(self) -> str:
        if self.decision_number:
            return f"{self.period.code} — {self.decision_number}"
        return f"{self.period.code} — {self.approved_at:%d/%m/%Y}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("a snapshot is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("a snapshot is never deleted")

    @property
    def has_decision(self) -> bool:
        """Approved by a decision of the province (annual), or published by the coordinator
        without one (quarterly)."""
        return bool(self.decision_number)

    @property
    def issued_on(self) -> datetime.date:
        """The date the results carry: the decision's, or the day a quarter was published."""
        if self.decision_date is not None:
            return self.decision_date
        return timezone.localdate(self.approved_at)


class Publication(models.Model):
    """The coordinator published a snapshot on the public portal."""

    snapshot = models.OneToOneField(Snapshot, on_delete=models.PROTECT, related_name="publication")
    published_at = models.DateTimeField(_("công bố lúc"), auto_now_add=True)
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("công bố")
        verbose_name_plural = _("công bố")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError("a publication is never changed")
        super().save(*args, **kwargs)
        # Published pages show the other published periods (the previous one, the quarters of the
        # year, a unit's years): the pages kept so far were rendered without this one.
        StoredPage.objects.all().delete()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("a publication is never withdrawn by deleting it")


class StoredPage(models.Model):
    """A published page or file rendered once (publication/pages.py) and served as it is to every
    reader until anything it was rendered from changes: the key covers the period, the language,
    the address and the templates and code (`version`); a page rendered under another seal is not
    served; publishing a period removes every kept page. Derived data: not in backups, rebuilt on
    the first request after it is gone."""

    key = models.CharField(max_length=64, unique=True)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    seal = models.CharField(max_length=64)  # the snapshot's seal when the page was rendered
    version = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    disposition = models.CharField(max_length=200, blank=True)
    etag = models.CharField(max_length=64)
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "version"], name="stored_page_snapshot")]
