from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from opendti.accounts.models import User
from opendti.accounts.roles import ROLES
from opendti.appraisal.models import Decision
from opendti.assessments.access import access_submission, submission_is_open
from opendti.assessments.models import AppraisedScore, Submission
from opendti.frameworks.models import NodeMapping
from opendti.notifications.models import Notification
from opendti.periods.models import Membership, Participation, Period, Phase
from opendti.publication.models import Publication, Snapshot
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
        "2025-q1-communes",
        "2025-q2-communes",
        "2025-q3-communes",
        "2025-q4-communes",
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
    assert User.objects.count() == len(ROLES) + 3  # a second unit's people, a second reviewer
    statuses = dict(Period.objects.values_list("code", "status"))
    assert statuses == {
        "2022-provinces": "published",
        "2023-departments": "published",
        "2023-districts": "published",
        "2024-communes": "published",
        "2025-communes": "appraisal",
        "2025-q1-communes": "published",
        "2025-q2-communes": "published",
        "2025-q3-communes": "published",
        "2025-q4-communes": "published",
        "2026-communes": "self_assessment",
    }
    assert Snapshot.objects.count() == Publication.objects.count() == 8
    assert Snapshot.objects.get(period__code="2023-districts").decision_number == "401/QĐ-UBND"


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
    # Every participant has its submission from the moment it joined (no page has to make one).
    participants = set(Participation.objects.filter(period=period).values_list("pk", flat=True))
    assert participants and participants == set(
        Submission.objects.filter(participation__period=period).values_list(
            "participation_id", flat=True
        )
    )


def test_demo_has_a_period_part_way_through_appraisal() -> None:
    """Round 1 open: a request waiting for xa-hoa-binh's explanation, a large cut waiting for
    the second reviewer (so no score has changed yet), everything else still to decide."""
    call_command("load_demo")
    period = Period.objects.get(code="2025-communes")
    current = period.rounds.get()
    assert current.number == 1 and current.is_open
    decisions = {
        (d.node.code, d.kind, d.state, d.reviewer.username)
        for d in Decision.objects.filter(round=current).select_related("node", "reviewer")
    }
    assert decisions == {
        ("2.2", "request", "open", "thamdinh"),
        ("2.1", "adjust", "awaiting", "thamdinh"),
    }
    assert not AppraisedScore.objects.filter(submission__participation__period=period).exists()
    reviewers = set(period.reviewers.values_list("reviewer__username", flat=True))
    assert reviewers == {"thamdinh", "thamdinh2"}
    focal = User.objects.get(username="daumoi")
    assert Notification.objects.filter(user=focal, kind="request").exists()
