"""The appraisal from start to publication through the services, and each refusal on the way."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opendti.appraisal.models import Decision, Objection
from opendti.appraisal.services import (
    accept_rest,
    agree,
    decide,
    explain,
    objection_answer,
    objection_raise,
    own_scores,
    pending_sign_offs,
    reply_open,
    round_current,
    round_open_next,
    round_sign_off,
)
from opendti.assessments.access import Action, require
from opendti.assessments.models import AppraisedScore, Change
from opendti.assessments.services import answer_save, submission_recall
from opendti.periods.models import Period, PeriodTransition
from opendti.periods.workflow import TransitionRefused
from opendti.publication.models import Snapshot
from opendti.publication.services import approval_request, approve, publish
from tests.results.fresh import period_score

from .conftest import UNIT

pytestmark = pytest.mark.django_db(transaction=False)


def week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


def to_reply(demo, appraisal) -> None:
    """Both reviewers accept the rest and sign off round 1; the reply window opens."""
    for reviewer in (demo.thamdinh, appraisal.second):
        accept_rest(appraisal_round=round_current(appraisal.period), reviewer=reviewer)
        round_sign_off(appraisal_round=round_current(appraisal.period), reviewer=reviewer)
    reply_open(period=appraisal.period, actor=demo.dieuphoi)


def unit_result(period: Period, code: str, *, appraised: bool = True):
    _assessment, result = period_score(period=period, appraised=appraised)
    return next(u for u in result.units if u.code == code)


def test_two_rounds_to_publication(demo, appraisal):
    period, ours = appraisal.period, appraisal.ours
    adjusted, asked = appraisal.node("2.1"), appraisal.node("2.2")
    own = own_scores(period, UNIT)
    assert own["2.1"] is not None and own["2.1"] > 0

    # Round 1: adjust one indicator (within the threshold), ask for more on another.
    new_score = own["2.1"] - Decimal(5)
    decide(
        submission=ours,
        node=adjusted,
        reviewer=demo.thamdinh,
        kind="adjust",
        score=new_score,
        reason="Văn bản phân công chưa đủ",
    )
    decide(
        submission=ours,
        node=asked,
        reviewer=demo.thamdinh,
        kind="request",
        reason="Bổ sung số liệu",
        due_on=week(),
    )
    assert unit_result(period, UNIT).nodes["2.1"] == new_score
    assert unit_result(period, UNIT, appraised=False).nodes["2.1"] == own["2.1"]
    accept_rest(appraisal_round=round_current(period), reviewer=demo.thamdinh)
    accept_rest(appraisal_round=round_current(period), reviewer=appraisal.second)
    assert not round_sign_off(appraisal_round=round_current(period), reviewer=demo.thamdinh)
    assert pending_sign_offs(round_current(period)) == [appraisal.second]
    assert round_sign_off(appraisal_round=round_current(period), reviewer=appraisal.second)

    # Explanation: the locked submission opens for the asked indicator only.
    require(demo.daumoi, Action.EDIT, ours, asked)
    with pytest.raises(PermissionDenied):
        require(demo.daumoi, Action.EDIT, ours, adjusted)
    request = Decision.objects.get(node=asked, kind="request")
    explain(decision=request, actor=demo.daumoi, text="Đã bổ sung số liệu và văn bản")

    # Round 2 covers only what was asked.
    round_open_next(period=period, actor=demo.dieuphoi)
    with pytest.raises(ValidationError, match="chỉ xem xét"):
        decide(submission=ours, node=adjusted, reviewer=demo.thamdinh, kind="accept")
    with pytest.raises(ValidationError, match="lần thẩm định cuối"):
        decide(
            submission=ours,
            node=asked,
            reviewer=demo.thamdinh,
            kind="request",
            reason="Lại",
            due_on=week(),
        )
    decide(submission=ours, node=asked, reviewer=demo.thamdinh, kind="accept")
    round_sign_off(appraisal_round=round_current(period), reviewer=demo.thamdinh)
    assert round_current(period).is_open  # thamdinh2 has not signed yet
    round_sign_off(appraisal_round=round_current(period), reviewer=appraisal.second)
    assert not round_current(period).is_open

    # Right of reply, approval, publication.
    reply_open(period=period, actor=demo.dieuphoi)
    objection = objection_raise(
        submission=ours, node=adjusted, actor=demo.lanhdao, text="Đề nghị giữ điểm tự đánh giá"
    )
    with pytest.raises(TransitionRefused, match="chưa được trả lời"):
        approval_request(period=period, actor=demo.dieuphoi)
    objection_answer(
        objection=objection,
        actor=demo.dieuphoi,
        upheld=True,
        answer="Đơn vị đã bổ sung văn bản",
        score=own["2.1"] - 2,
    )
    assert Objection.objects.get(pk=objection.pk).state == "upheld"
    assert unit_result(period, UNIT).nodes["2.1"] == own["2.1"] - 2
    approval_request(period=period, actor=demo.dieuphoi)
    snapshot = approve(
        period=period,
        actor=demo.pheduyet,
        decision_number="15/QĐ-UBND",
        decision_date=timezone.localdate(),
        signer="Chủ tịch UBND tỉnh",
    )
    publish(period=period, actor=demo.dieuphoi)
    period.refresh_from_db()
    assert period.status == Period.Status.PUBLISHED
    assert snapshot.rows_sha256 and Snapshot.objects.get(period=period).pk == snapshot.pk

    steps = list(PeriodTransition.objects.filter(period=period).values_list("after", flat=True))
    assert steps == ["appraisal", "reply", "approval", "approved", "published"]
    history = list(
        Change.objects.filter(submission=ours, node=adjusted)
        .order_by("at", "pk")
        .values_list("kind", "actor__username")
    )
    assert ("appraisal", "thamdinh") in history
    assert ("objection", "lanhdao") in history and ("objection", "dieuphoi") in history
    assert ("score", "dieuphoi") in history  # the settled score changed with the answer
    assert AppraisedScore.objects.get(submission=ours, node=adjusted).score == own["2.1"] - 2


def test_large_adjustment_needs_a_second_reviewer(demo, appraisal):
    ours, node = appraisal.ours, appraisal.node("2.1")
    decision = decide(
        submission=ours,
        node=node,
        reviewer=demo.thamdinh,
        kind="adjust",
        score=Decimal(0),
        reason="Không có văn bản",
    )
    assert decision.state == "awaiting"
    assert not AppraisedScore.objects.filter(submission=ours, node=node).exists()
    with pytest.raises(PermissionDenied, match="người khác"):
        agree(decision=decision, reviewer=demo.thamdinh, agreed=True)
    accept_rest(appraisal_round=round_current(appraisal.period), reviewer=demo.thamdinh)
    with pytest.raises(ValidationError, match="chờ thành viên thứ hai"):
        round_sign_off(appraisal_round=round_current(appraisal.period), reviewer=demo.thamdinh)
    agree(decision=decision, reviewer=appraisal.second, agreed=True, note="Đồng ý")
    assert AppraisedScore.objects.get(submission=ours, node=node).score == 0


def test_declined_adjustment_changes_nothing(demo, appraisal):
    ours, node = appraisal.ours, appraisal.node("2.1")
    decision = decide(
        submission=ours,
        node=node,
        reviewer=demo.thamdinh,
        kind="adjust",
        score=Decimal(0),
        reason="Không có văn bản",
    )
    with pytest.raises(ValidationError, match="lý do"):
        agree(decision=decision, reviewer=appraisal.second, agreed=False)
    agree(decision=decision, reviewer=appraisal.second, agreed=False, note="Văn bản có trong hồ sơ")
    assert Decision.objects.get(pk=decision.pk).state == "declined"
    assert not AppraisedScore.objects.filter(submission=ours, node=node).exists()


def test_reviewer_refusals(demo, appraisal):
    ours, theirs, node = appraisal.ours, appraisal.theirs, appraisal.node("2.1")
    # Not assigned to the other unit.
    with pytest.raises(PermissionDenied, match="không được phân công"):
        decide(submission=theirs, node=node, reviewer=appraisal.second, kind="accept")
    # Not a reviewer at all.
    with pytest.raises(PermissionDenied):
        decide(submission=ours, node=node, reviewer=demo.dieuphoi, kind="accept")
    # Adjustments stay within [0, max] with a reason and the period's decimals.
    for score, reason, match in (
        (Decimal(-1), "x", "từ 0"),
        (node.max_points + 1, "x", "từ 0"),
        (Decimal("1.001"), "x", "chữ số thập phân"),
        (Decimal(1), "", "lý do"),
    ):
        with pytest.raises(ValidationError, match=match):
            decide(
                submission=ours,
                node=node,
                reviewer=demo.thamdinh,
                kind="adjust",
                score=score,
                reason=reason,
            )
    # A request needs a due date from today on.
    with pytest.raises(ValidationError, match="Hạn giải trình"):
        decide(
            submission=ours,
            node=node,
            reviewer=demo.thamdinh,
            kind="request",
            reason="x",
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    # One reviewer cannot overwrite another's decision in the same round.
    decide(submission=ours, node=node, reviewer=demo.thamdinh, kind="accept")
    with pytest.raises(ValidationError, match="đã được"):
        decide(submission=ours, node=node, reviewer=appraisal.second, kind="accept")
    # The reviewer may change their own before signing off; the earlier row is kept.
    decide(
        submission=ours,
        node=node,
        reviewer=demo.thamdinh,
        kind="adjust",
        score=node.max_points - 1,
        reason="Thiếu một văn bản",
    )
    assert Decision.objects.filter(submission=ours, node=node).count() == 2
    assert Decision.objects.filter(submission=ours, node=node, state="superseded").count() == 1


def test_reviewer_never_appraises_own_unit(demo, before_appraisal):
    from opendti.appraisal.services import reviewer_assign
    from opendti.periods.models import Membership, Participation

    participation = Participation.objects.get(period=before_appraisal.period, unit__code=UNIT)
    Membership.objects.create(
        participation=participation, user=before_appraisal.second, role=Membership.Role.CONTRIBUTOR
    )
    with pytest.raises(ValidationError, match="không được thẩm định"):
        reviewer_assign(
            period=before_appraisal.period,
            reviewer=before_appraisal.second,
            actor=demo.dieuphoi,
            unit_code=UNIT,
            node_code="1",
        )
    # An assignment made before the membership no longer counts either.
    from opendti.appraisal.services import appraisal_start

    appraisal_start(period=before_appraisal.period, actor=demo.dieuphoi)
    with pytest.raises(PermissionDenied, match="thuộc đơn vị"):
        decide(
            submission=before_appraisal.ours,
            node=before_appraisal.node("2.1"),
            reviewer=before_appraisal.second,
            kind="accept",
        )


def test_state_machine_refusals(demo, appraisal):
    period, ours = appraisal.period, appraisal.ours
    # Submitting (or recalling) after the lock.
    with pytest.raises(PermissionDenied, match="khóa"):
        submission_recall(submission=ours, actor=demo.lanhdao, reason="sửa")
    with pytest.raises(PermissionDenied):
        answer_save(
            submission=ours,
            node=appraisal.node("2.1"),
            actor=demo.daumoi,
            raw={"": "no"},
            version=1,
        )
    # Approving while a round is open; publishing before approval.
    with pytest.raises(TransitionRefused):
        approve(
            period=period,
            actor=demo.pheduyet,
            decision_number="1",
            signer="A",
            decision_date=timezone.localdate(),
        )
    with pytest.raises(TransitionRefused):
        publish(period=period, actor=demo.dieuphoi)
    with pytest.raises(TransitionRefused, match="chưa kết thúc"):
        reply_open(period=period, actor=demo.dieuphoi)
    with pytest.raises(TransitionRefused, match="chưa kết thúc"):
        round_open_next(period=period, actor=demo.dieuphoi)
    # Only the approver approves; only the coordinator publishes.
    with pytest.raises(PermissionDenied):
        approve(
            period=period,
            actor=demo.dieuphoi,
            decision_number="1",
            signer="A",
            decision_date=timezone.localdate(),
        )
    with pytest.raises(PermissionDenied):
        publish(period=period, actor=demo.pheduyet)
    period.refresh_from_db()
    assert period.status == Period.Status.APPRAISAL
    assert not Snapshot.objects.filter(period=period).exists()


def test_only_scored_component_indicators_are_appraised(demo, appraisal):
    with pytest.raises(ValidationError, match="chỉ số thành phần"):
        decide(
            submission=appraisal.ours,
            node=appraisal.node("2"),
            reviewer=demo.thamdinh,
            kind="accept",
        )


def test_reply_cannot_bypass_the_approver(demo, appraisal):
    """From approval, going back to reply is the approver's return, never the coordinator's."""
    period = appraisal.period
    to_reply(demo, appraisal)
    approval_request(period=period, actor=demo.dieuphoi)
    with pytest.raises(TransitionRefused):
        reply_open(period=period, actor=demo.dieuphoi)
    period.refresh_from_db()
    assert period.status == Period.Status.APPROVAL


def test_scope_makes_no_rows_for_units_outside_it(demo, appraisal):
    from opendti.appraisal.services import scope
    from opendti.assessments.models import Submission

    before = Submission.objects.filter(participation__period=appraisal.period).count()
    items = scope(appraisal.second, appraisal.period)
    assert {s.participation.unit.code for s, _ in items} == {UNIT}
    assert Submission.objects.filter(participation__period=appraisal.period).count() == before


def test_a_request_replaced_in_the_same_round_closes_the_indicator_again(demo, appraisal):
    ours, node = appraisal.ours, appraisal.node("2.2")
    decide(
        submission=ours,
        node=node,
        reviewer=demo.thamdinh,
        kind="request",
        reason="Bổ sung",
        due_on=week(),
    )
    require(demo.daumoi, Action.EDIT, ours, node)
    decide(submission=ours, node=node, reviewer=demo.thamdinh, kind="accept")
    with pytest.raises(PermissionDenied, match="phiếu đã khóa"):
        require(demo.daumoi, Action.EDIT, ours, node)


def test_objections_are_item_by_item_on_component_indicators(demo, appraisal):
    to_reply(demo, appraisal)
    with pytest.raises(ValidationError):
        objection_raise(
            submission=appraisal.ours,
            node=appraisal.node("2"),
            actor=demo.lanhdao,
            text="Cả chỉ số chính",
        )
    assert not Objection.objects.exists()


def test_accepting_the_rest_records_each_indicator_and_respects_the_round(demo, appraisal):
    period, ours = appraisal.period, appraisal.ours
    current = round_current(period)
    decide(
        submission=ours,
        node=appraisal.node("2.1"),
        reviewer=demo.thamdinh,
        kind="adjust",
        score=Decimal(45),
        reason="Chậm",
    )
    with pytest.raises(PermissionDenied):
        accept_rest(appraisal_round=current, reviewer=demo.dieuphoi)
    accepted = accept_rest(appraisal_round=current, reviewer=demo.thamdinh, submission=ours)
    leaves = Decision.objects.filter(round=current, submission=ours).exclude(state="superseded")
    assert accepted == leaves.filter(kind="accept").count() == leaves.count() - 1
    history = Change.objects.filter(submission=ours, kind="appraisal", actor=demo.thamdinh)
    assert history.count() == accepted + 1  # one row per indicator, the adjustment included
    # The adjustment stands; accepting the rest touched nothing already decided.
    assert AppraisedScore.objects.get(submission=ours, node=appraisal.node("2.1")).score == 45
    assert accept_rest(appraisal_round=current, reviewer=demo.thamdinh, submission=ours) == 0
    accept_rest(appraisal_round=current, reviewer=demo.thamdinh)
    round_sign_off(appraisal_round=current, reviewer=demo.thamdinh)
    with pytest.raises(ValidationError, match="đã xác nhận"):
        accept_rest(appraisal_round=current, reviewer=demo.thamdinh)
