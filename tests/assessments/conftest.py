"""Shared fixtures for the self-assessment tests: the demo data (the 2025 communes with full data
and the 2026 communes open for self-assessment, with their people) and small helpers on it."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from opendti.accounts.models import User
from opendti.assessments.access import access_submission
from opendti.assessments.models import Submission
from opendti.frameworks.models import Node
from opendti.periods.models import Membership, Phase
from opendti.results.demo import demo_load

OPEN = "2026-communes"
PREVIOUS = "2025-communes"
UNIT = "xa-hoa-binh"
OTHER_UNIT = "xa-tan-lap"


@pytest.fixture
def demo(db) -> SimpleNamespace:
    """The demo data; its users by username (daumoi, lanhdao, daumoi2, dieuphoi, thamdinh…)."""
    demo_load()
    return SimpleNamespace(**{u.username: u for u in User.objects.all()})


@pytest.fixture
def submission(demo) -> Submission:
    """The empty 2026 submission of xa-hoa-binh, as its focal point fetches it."""
    return access_submission(demo.daumoi, OPEN, UNIT)


@pytest.fixture
def other_submission(demo) -> Submission:
    """The 2026 submission of xa-tan-lap, as its focal point fetches it."""
    return access_submission(demo.daumoi2, OPEN, OTHER_UNIT)


@pytest.fixture
def node(submission):
    """An indicator of the open period's framework by code: node("1.1")."""

    def get(code: str) -> Node:
        return Node.objects.prefetch_related("inputs").get(
            framework=submission.participation.period.framework, code=code
        )

    return get


@pytest.fixture
def reload():
    """A submission as the next request would see it."""

    def get(submission: Submission) -> Submission:
        return Submission.objects.select_related(
            "participation__period", "participation__unit"
        ).get(pk=submission.pk)

    return get


@pytest.fixture
def close_phase(submission):
    """Move the end of the open period's self-assessment phase to yesterday."""

    def close() -> None:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        Phase.objects.filter(
            period=submission.participation.period, kind=Phase.Kind.SELF_ASSESSMENT
        ).update(starts_on=yesterday - datetime.timedelta(days=30), ends_on=yesterday)

    return close


@pytest.fixture
def contributor(submission) -> User:
    """A colleague of xa-hoa-binh with the contributor role and no index handed to him yet."""
    user = User.objects.create(username="phoihop", full_name="Ngô Văn Phối Hợp")
    Membership.objects.create(
        participation=submission.participation, user=user, role=Membership.Role.CONTRIBUTOR
    )
    return user
