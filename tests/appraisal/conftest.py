"""Fixtures for appraisal: the demo's 2026 communes with two units' data carried over from 2025,
submitted, reviewers assigned, and the appraisal started (round 1 open)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from opendti.accounts.models import User
from opendti.accounts.roles import REVIEWER
from opendti.appraisal.services import appraisal_start, reviewer_assign
from opendti.assessments.access import access_submission
from opendti.assessments.models import Answer, Submission
from opendti.assessments.services import submission_carry_over
from opendti.frameworks.models import Node
from opendti.periods.models import Period, Phase
from tests.assessments.conftest import OPEN, OTHER_UNIT, UNIT, demo

__all__ = ["OPEN", "OTHER_UNIT", "UNIT", "demo"]


def prepare_appraisal(demo, *, threshold: str | None = "10", start: bool = True) -> SimpleNamespace:
    """Two units carried over and submitted; thamdinh reviews both, thamdinh2 reviews xa-hoa-binh;
    the self-assessment phase ended yesterday, the later phases undated; the coordinator started
    the appraisal."""
    period = Period.objects.get(code=OPEN)
    second, _ = User.objects.get_or_create(
        username="thamdinh2",
        defaults={"full_name": "Bùi Văn Thẩm Định Hai", "email": "td2@example.vn"},
    )
    second.groups.add(Group.objects.get(name=REVIEWER))
    submissions = {}
    for code, focal, leader in (
        (UNIT, demo.daumoi, demo.lanhdao),
        (OTHER_UNIT, demo.daumoi2, demo.lanhdao2),
    ):
        submission = access_submission(focal, OPEN, code)
        submission_carry_over(submission=submission, actor=focal)
        Answer.objects.filter(submission=submission).update(carried_over=False)
        submission.evidence.update(carried_over=False)
        Submission.objects.filter(pk=submission.pk).update(
            status=Submission.Status.SUBMITTED, submitted_by=leader, submitted_at=timezone.now()
        )
        submissions[code] = Submission.objects.select_related(
            "participation__period__framework", "participation__unit"
        ).get(pk=submission.pk)
    reviewer_assign(period=period, reviewer=demo.thamdinh, actor=demo.dieuphoi, unit_code=UNIT)
    reviewer_assign(
        period=period, reviewer=demo.thamdinh, actor=demo.dieuphoi, unit_code=OTHER_UNIT
    )
    reviewer_assign(period=period, reviewer=second, actor=demo.dieuphoi, unit_code=UNIT)
    Period.objects.filter(pk=period.pk).update(adjustment_threshold=threshold, review_rounds=2)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Phase.objects.filter(period=period, kind=Phase.Kind.SELF_ASSESSMENT).update(
        starts_on=yesterday - datetime.timedelta(days=30), ends_on=yesterday
    )
    # The later phases without dates: only the period's state limits the appraisal here (the
    # calendar's windows have their own tests, tests/appraisal/test_calendar.py).
    Phase.objects.filter(period=period).exclude(kind=Phase.Kind.SELF_ASSESSMENT).delete()
    period.refresh_from_db()
    if start:
        appraisal_start(period=period, actor=demo.dieuphoi)
    for submission in submissions.values():
        submission.participation.period = period
    return SimpleNamespace(
        period=period,
        second=second,
        ours=submissions[UNIT],
        theirs=submissions[OTHER_UNIT],
        node=lambda code: Node.objects.get(framework=period.framework, code=code),
    )


@pytest.fixture
def appraisal(demo) -> SimpleNamespace:
    return prepare_appraisal(demo)


@pytest.fixture
def before_appraisal(demo) -> SimpleNamespace:
    return prepare_appraisal(demo, start=False)
