"""The period's state machine, one table for both cadences: every step each allows, and nothing
else — checked pair by pair, and through period_advance (which records each step it allows)."""

from __future__ import annotations

import itertools

import pytest

from opendti.accounts.models import User
from opendti.frameworks.models import Framework, Level
from opendti.periods.models import Period, PeriodTransition
from opendti.periods.workflow import TransitionRefused, can_step, next_steps, period_advance

S = Period.Status
ANNUAL = {
    (S.SELF_ASSESSMENT, S.APPRAISAL),
    (S.APPRAISAL, S.REPLY),
    (S.REPLY, S.APPROVAL),
    (S.APPROVAL, S.APPROVED),
    (S.APPROVAL, S.REPLY),  # the approver's return
    (S.APPROVED, S.PUBLISHED),
}
# Bắc Kạn, decision 1294: a quarter is published by the Department, without the province's
# approval; the appraisal is optional.
QUARTERLY = {
    (S.SELF_ASSESSMENT, S.APPRAISAL),
    (S.SELF_ASSESSMENT, S.PUBLISHED),
    (S.APPRAISAL, S.PUBLISHED),
}
PAIRS = list(itertools.product(S.values, S.values))


@pytest.mark.parametrize(("cadence", "allowed"), [("annual", ANNUAL), ("quarterly", QUARTERLY)])
def test_the_table_allows_exactly_its_steps(cadence, allowed):
    assert {(a, b) for a, b in PAIRS if can_step(cadence, a, b)} == allowed
    assert next_steps(cadence, S.PUBLISHED) == frozenset()


@pytest.mark.django_db
@pytest.mark.parametrize("cadence", ["annual", "quarterly"])
def test_period_advance_records_what_the_table_allows_and_refuses_the_rest(cadence):
    level = Level.objects.create(code="xa", name="Cấp xã")
    framework = Framework.objects.create(code="f", version=1, name="F", year=2025, level=level)
    actor = User.objects.create(username="dieuphoi")
    allowed = ANNUAL if cadence == "annual" else QUARTERLY
    for before, after in PAIRS:
        period = Period.objects.create(
            code=f"{cadence}-{before}-{after}",
            title="Kỳ",
            framework=framework,
            year=2025,
            cadence=cadence,
            quarter=1 if cadence == "quarterly" else None,
        )
        Period.objects.filter(pk=period.pk).update(status=before)
        period.refresh_from_db()
        if (before, after) in allowed:
            period_advance(period=period, to=after, actor=actor, reason="bước")
            assert Period.objects.get(pk=period.pk).status == after
            step = PeriodTransition.objects.get(period=period)
            assert (step.before, step.after, step.actor, step.reason) == (
                before,
                after,
                actor,
                "bước",
            )
        else:
            with pytest.raises(TransitionRefused, match="Không thể chuyển kỳ"):
                period_advance(period=period, to=after, actor=actor)
            assert Period.objects.get(pk=period.pk).status == before
            assert not PeriodTransition.objects.filter(period=period).exists()
