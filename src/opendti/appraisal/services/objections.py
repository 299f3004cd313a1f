"""The right of reply: once the rounds are over, units see their provisional results and may
object item by item; the coordinator answers each (upheld with a new score, or rejected with a
reason) before the results go for approval."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.accounts.models import User
from opendti.accounts.roles import COORDINATOR
from opendti.assessments import history_codes
from opendti.assessments.access import unit_roles
from opendti.assessments.models import Change, Submission
from opendti.assessments.services.history import change_record
from opendti.frameworks.models import Node
from opendti.notifications.services import notify
from opendti.periods.calendar import require_within
from opendti.periods.models import Membership, Period, Phase
from opendti.periods.workflow import TransitionRefused, period_advance, require_status

from ..models import Objection
from .governance import require_coordinator
from .rounds import require_appraisal_over, round_current
from .settle import score_check, settle

OBJECTING_ROLES = {Membership.Role.FOCAL_POINT, Membership.Role.UNIT_LEADER}


def reply_open(*, period: Period, actor, reason: str = "") -> None:
    """Close the appraisal: refused while a round is open or an adjustment awaits agreement."""
    require_coordinator(actor)
    # approval → reply is the approver's return (publication.services.approval_return), not this.
    require_status(period, Period.Status.APPRAISAL)
    if round_current(period) is None:
        raise TransitionRefused(_("Còn lần thẩm định chưa kết thúc."))
    require_appraisal_over(period)
    period_advance(period=period, to=Period.Status.REPLY, actor=actor, reason=reason)
    members = User.objects.filter(
        memberships__participation__period=period, memberships__role__in=OBJECTING_ROLES
    ).distinct()
    notify(
        list(members),
        kind="results",
        title=_("Kết quả dự kiến kỳ %(period)s") % {"period": period.title},
        body=_("Đơn vị xem kết quả dự kiến và gửi ý kiến phản hồi (nếu có) trong thời hạn."),
        url=f"/ky/{period.code}/",
    )


def objection_raise(*, submission: Submission, node: Node, actor, text: str) -> Objection:
    period = submission.participation.period
    if not unit_roles(actor, submission.participation) & OBJECTING_ROLES:
        raise PermissionDenied(_("Chỉ cán bộ đầu mối hoặc lãnh đạo đơn vị được gửi ý kiến."))
    require_status(period, Period.Status.REPLY)
    require_within(period, Phase.Kind.REPLY, before_start=False)
    # Item by item: a scored component indicator, the level the appraisal settles scores at.
    if node.framework_id != period.framework_id or not node.scored or not node.rule:
        raise ValidationError(_("Chỉ số không thuộc bộ chỉ số của kỳ."))
    if not text.strip():
        raise ValidationError(_("Nhập nội dung kiến nghị."))
    with transaction.atomic():
        objection = Objection.objects.create(
            submission=submission, node=node, author=actor, text=text.strip()
        )
        change_record(submission, node, Change.Kind.OBJECTION, "objection", "", text.strip(), actor)
    notify(
        list(User.objects.filter(groups__name=COORDINATOR, is_active=True)),
        kind="objection",
        title=_("Ý kiến phản hồi của %(unit)s về chỉ số %(code)s")
        % {"unit": submission.participation.unit.name, "code": node.code},
        body=text.strip(),
        url=f"/ky/{period.code}/phan-hoi/",
    )
    return objection


def objection_answer(
    *, objection: Objection, actor, upheld: bool, answer: str, score: Decimal | None = None
) -> Objection:
    require_coordinator(actor)
    submission = objection.submission
    period = submission.participation.period
    require_status(period, Period.Status.REPLY)
    if not answer.strip():
        raise ValidationError(_("Nhập nội dung trả lời."))
    if upheld and score is not None:
        score = score_check(score, objection.node.max_points, period.decimals)
    if not upheld:
        score = None
    with transaction.atomic():
        updated = Objection.objects.filter(pk=objection.pk, state=Objection.State.OPEN).update(
            state=Objection.State.UPHELD if upheld else Objection.State.REJECTED,
            answer=answer.strip(),
            score=score,
            answered_by=actor,
            answered_at=timezone.now(),
        )
        if not updated:
            raise ValidationError(_("Ý kiến này đã được trả lời."))
        objection.refresh_from_db()
        change_record(
            submission,
            objection.node,
            Change.Kind.OBJECTION,
            "answer",
            history_codes.objection(Objection.State.OPEN),
            history_codes.objection(objection.state, score),
            actor,
            answer.strip(),
        )
        settle(submission, objection.node, actor, answer.strip())
    members = User.objects.filter(
        memberships__participation=submission.participation,
        memberships__role__in=OBJECTING_ROLES,
    ).distinct()
    notify(
        list(members),
        kind="objection",
        title=_("Trả lời ý kiến phản hồi về chỉ số %(code)s") % {"code": objection.node.code},
        body=answer.strip(),
        url=f"/ky/{period.code}/don-vi/{submission.participation.unit.code}/",
    )
    return objection


def open_objections(period: Period) -> int:
    return Objection.objects.filter(
        submission__participation__period=period, state=Objection.State.OPEN
    ).count()
