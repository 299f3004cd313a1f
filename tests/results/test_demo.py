from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from opendti.accounts.models import User
from opendti.accounts.roles import ROLES
from opendti.assessments.access import access_submission, submission_is_open
from opendti.frameworks.models import NodeMapping
from opendti.periods.models import Membership, Period, Phase
from opendti.results.demo import OPEN_PERIOD
from opendti.units.models import Unit

pytestmark = pytest.mark.django_db


def test_demo_loads_periods_and_a_user_per_role_and_is_idempotent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("load_demo")
    call_command("load_demo")
    assert sorted(Period.objects.values_list("code", flat=True)) == [
        "2022-provinces",
        "2023-departments",
        "2023-districts",
        "2024-communes",
        "2025-communes",
        "2026-communes",
    ]
    # 2025 follows 2024 (two communes merged, one indicator renamed), once.
    assert Period.objects.get(code="2025-communes").previous == Period.objects.get(
        code="2024-communes"
    )
    assert [(m.source.code, m.target.code) for m in NodeMapping.objects.all()] == [("7.3", "7.2")]
    assert Unit.objects.get(code="xa-tan-tien").name == "UBND xã Tân Tiến"
    roles = {g for u in User.objects.all() for g in u.groups.values_list("name", flat=True)}
    assert roles == set(ROLES)
    out = capsys.readouterr().out
    assert "dieuphoi" in out and "OpenDTI-demo-2026" in out
    assert User.objects.count() == len(ROLES) + 2


def test_demo_has_a_period_open_for_self_assessment_with_two_units() -> None:
    call_command("load_demo")
    period = Period.objects.get(code=OPEN_PERIOD)
    phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
    assert phase is not None and phase.starts_on <= timezone.localdate() <= phase.ends_on
    assert period.previous is not None and period.previous.code == "2025-communes"
    units = {}
    for m in Membership.objects.filter(participation__period=period).select_related(
        "participation__unit", "user"
    ):
        units.setdefault(m.participation.unit.code, set()).add((m.user.username, m.role))
    assert units == {
        "xa-hoa-binh": {("daumoi", "focal_point"), ("lanhdao", "unit_leader")},
        "xa-tan-lap": {("daumoi2", "focal_point"), ("lanhdao2", "unit_leader")},
    }
    focal = User.objects.get(username="daumoi")
    submission = access_submission(focal, OPEN_PERIOD, "xa-hoa-binh")
    assert submission_is_open(submission)
