"""The results revision of a period: one integer that changes whenever the period's results may.

Every write that can change a result (a value, an evidence-required flag, a reviewer's decision,
an upheld objection, the framework or its bands, a participation) calls `bump` inside the same
transaction as the write, so a reader that sees the new data also sees the new revision, and a
stored result computed for an older revision is never served for the new data.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from .models import Period


def bump(period_ids: Iterable[int]) -> None:
    """Raise the results revision of these periods by one (an UPDATE, so concurrent writers each
    add their own step and none is lost)."""
    ids = {pk for pk in period_ids if pk is not None}
    if ids:
        Period.objects.filter(pk__in=ids).update(results_revision=F("results_revision") + 1)


def current(period_id: int) -> int:
    """The period's results revision as the database holds it now (not a cached instance's)."""
    return Period.objects.values_list("results_revision", flat=True).get(pk=period_id)
