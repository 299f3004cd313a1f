"""The demo's process state on top of the base data (results.demo): the earlier periods approved
and published as the provinces did, the four quarters of 2025 published by the coordinator
(demo_quarters), and the 2025 communes part-way through appraisal, so that a newcomer can walk
the whole process with the demo logins. Loading twice changes nothing."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from opendti.accounts.models import User
from opendti.accounts.roles import REVIEWER, ROLES
from opendti.appraisal.models import Decision
from opendti.appraisal.services import appraisal_start, decide, reviewer_assign
from opendti.assessments.models import Submission
from opendti.frameworks.models import Node
from opendti.periods import revision
from opendti.periods.models import Membership, Participation, Period, Phase
from opendti.periods.services import period_phases_add
from opendti.periods.workflow import period_advance
from opendti.results.demo import (
    DEMO_MEMBERSHIPS,
    DEMO_PASSWORD,
    calendar_around,
    demo_load,
    demo_second_factor,
)

from .demo_quarters import demo_quarters
from .models import Publication
from .snapshots import snapshot_freeze

# Published periods: (code, decision number, date, signer).
HISTORY = [
    ("2022-provinces", "2/QĐ-BTTTT", datetime.date(2023, 6, 30), "Bộ trưởng Bộ TT&TT"),
    ("2023-departments", "401/QĐ-UBND", datetime.date(2024, 4, 5), "Chủ tịch UBND tỉnh Đắk Nông"),
    ("2023-districts", "401/QĐ-UBND", datetime.date(2024, 4, 5), "Chủ tịch UBND tỉnh Đắk Nông"),
    ("2024-communes", "120/QĐ-UBND", datetime.date(2025, 3, 20), "Chủ tịch UBND tỉnh (minh họa)"),
]
APPRAISAL_PERIOD = "2025-communes"
SECOND_REVIEWER = ("thamdinh2", "Bùi Văn Thẩm Định Hai")
STEPS = [
    Period.Status.APPRAISAL,
    Period.Status.REPLY,
    Period.Status.APPROVAL,
]
Kind = Phase.Kind
# 2025 communes: round 1 runs now (so thamdinh's decisions are in time on any day), the rest later.
APPRAISAL_CALENDAR = [
    (Kind.SELF_ASSESSMENT, None, -45, -15),
    (Kind.APPRAISAL, 1, -10, 4),
    (Kind.EXPLANATION, 1, 5, 11),
    (Kind.APPRAISAL, 2, 12, 16),
    (Kind.REPLY, None, 17, 23),
    (Kind.COORDINATOR_REVIEW, None, 24, 33),
    (Kind.APPROVAL, None, 34, 40),
    (Kind.PUBLICATION, None, 41, 45),
]


def _publish_history(coordinator: User, approver: User) -> None:
    for code, number, date, signer in HISTORY:
        period = Period.objects.get(code=code)
        if period.status != Period.Status.SELF_ASSESSMENT:
            continue
        # Every unit of these periods gave its data (Đắk Nông: "Có 19/19 Sở, ban, ngành, 08/08
        # UBND các huyện … cung cấp số liệu"): their submissions are sent, at the end of the
        # self-assessment when the period has that phase.
        phase = period.phase(Kind.SELF_ASSESSMENT)
        sent = (
            timezone.make_aware(datetime.datetime.combine(phase.ends_on, datetime.time(17)))
            if phase is not None
            else timezone.now()
        )
        Submission.objects.filter(
            participation__period=period, status=Submission.Status.DRAFT
        ).update(status=Submission.Status.SUBMITTED, submitted_at=sent)
        for step in STEPS:  # the process as it happened before OpenDTI kept it
            period_advance(period=period, to=step, actor=coordinator, reason="Dữ liệu lịch sử")
        period_advance(period=period, to=Period.Status.APPROVED, actor=approver, reason=number)
        snapshot = snapshot_freeze(
            period=period,
            actor=approver,
            decision_number=number,
            decision_date=date,
            signer=signer,
        )
        period_advance(period=period, to=Period.Status.PUBLISHED, actor=coordinator)
        Publication.objects.create(snapshot=snapshot, published_by=coordinator)


def _appraisal_in_progress(coordinator: User) -> None:
    """2025 communes: round 1 open; thamdinh has asked xa-hoa-binh for a supplement on 2.2 and
    proposed a large cut on 2.1 that waits for thamdinh2; everything else of thamdinh's accepted."""
    period = Period.objects.get(code=APPRAISAL_PERIOD)
    if period.status != Period.Status.SELF_ASSESSMENT:
        return
    for username, unit, role in DEMO_MEMBERSHIPS:
        Membership.objects.get_or_create(
            participation=Participation.objects.get(period=period, unit__code=unit),
            user=User.objects.get(username=username),
            role=role,
        )
    Submission.objects.filter(participation__period=period).update(
        status=Submission.Status.SUBMITTED, submitted_at=timezone.now()
    )
    for participation in Participation.objects.filter(period=period):
        Submission.objects.get_or_create(
            participation=participation, defaults={"status": Submission.Status.SUBMITTED}
        )
    Period.objects.filter(pk=period.pk).update(review_rounds=2, adjustment_threshold=10)
    period.refresh_from_db()
    period_phases_add(period=period, plan=calendar_around(timezone.localdate(), APPRAISAL_CALENDAR))
    thamdinh = User.objects.get(username="thamdinh")
    second = User.objects.get(username=SECOND_REVIEWER[0])
    for participation in Participation.objects.filter(period=period).select_related("unit"):
        reviewer_assign(
            period=period, reviewer=thamdinh, actor=coordinator, unit_code=participation.unit.code
        )
    for unit in ("xa-hoa-binh", "xa-tan-lap"):
        reviewer_assign(period=period, reviewer=second, actor=coordinator, unit_code=unit)
    appraisal_start(period=period, actor=coordinator, reason="Hết hạn tự đánh giá")
    submission = Submission.objects.select_related(
        "participation__period__framework", "participation__unit"
    ).get(participation__period=period, participation__unit__code="xa-hoa-binh")
    node = {n.code: n for n in Node.objects.filter(framework=period.framework)}
    decide(
        submission=submission,
        node=node["2.2"],
        reviewer=thamdinh,
        kind=Decision.Kind.REQUEST,
        reason="Bổ sung báo cáo kết quả thực hiện kế hoạch (danh sách nhiệm vụ đã hoàn thành).",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    decide(
        submission=submission,
        node=node["2.1"],
        reviewer=thamdinh,
        kind=Decision.Kind.ADJUST,
        score=node["2.1"].max_points / 2,
        reason="Kế hoạch ban hành sau thời hạn; đề nghị tính một nửa số điểm.",
    )


@revision.batch()  # one transaction; the periods' revisions raised once, at its end
def demo_load_all() -> list[tuple[str, str, str]]:
    logins = demo_load()
    second, created = User.objects.get_or_create(
        username=SECOND_REVIEWER[0], defaults={"full_name": SECOND_REVIEWER[1]}
    )
    if created:
        second.set_password(DEMO_PASSWORD)
        second.save()
    second.groups.add(Group.objects.get(name=REVIEWER))
    demo_second_factor(second)
    logins.append((second.username, DEMO_PASSWORD, str(ROLES[REVIEWER])))
    coordinator = User.objects.get(username="dieuphoi")
    _publish_history(coordinator, User.objects.get(username="pheduyet"))
    demo_quarters(coordinator)
    _appraisal_in_progress(coordinator)
    return logins
