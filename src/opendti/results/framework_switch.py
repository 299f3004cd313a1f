"""Giving a period another framework version, whatever the version came from (an uploaded file,
results.framework_upload; a province decision's template, results.framework_template): one rule
for both — refused once self-assessment started or when the framework changed since the preview,
not-deployed indicators kept by code, the change kept in the period's history."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError

from opendti.frameworks.diff import framework_diff
from opendti.frameworks.models import Framework
from opendti.periods.models import Period, PeriodChange
from opendti.periods.services import period_record, require_not_opened


def period_for_framework_switch(*, period: Period, seen_framework: int, stale: str) -> Period:
    """The period locked for the switch (call inside a transaction); `stale` is the message when
    its framework is no longer the one the preview was made against."""
    period = Period.objects.select_for_update().select_related("framework").get(pk=period.pk)
    require_not_opened(period)
    if period.framework_id != seen_framework:
        raise ValidationError(stale)
    return period


def period_framework_switch(
    *, period: Period, new: Framework, actor: Any, detail: dict[str, Any]
) -> None:
    """Give the locked `period` the version `new` and record it, with `detail` (where the version
    came from) and the counted changes from the old version."""
    old = period.framework
    diff = framework_diff(old, new)
    codes = list(period.not_deployed.values_list("code", flat=True))
    period.framework = new
    period.save(update_fields=["framework"])
    period.not_deployed.set(new.nodes.filter(code__in=codes))
    period_record(
        period=period,
        actor=actor,
        kind=PeriodChange.Kind.FRAMEWORK,
        detail={
            "framework": [old.pk, new.pk],
            "version": [old.version, new.version],
            **detail,
            "changes": dict(Counter(c.kind for c in diff.entries)),
        },
    )
