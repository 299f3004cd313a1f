"""Review rounds: starting the appraisal, opening the next round, each reviewer's sign-off, and
closing a round when every assigned reviewer has confirmed their part."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.accounts.models import User
from opendti.accounts.roles import COORDINATOR
from opendti.assessments import history_codes
from opendti.assessments.models import Answer, Change, Submission
from opendti.assessments.services.history import change_record
from opendti.frameworks.models import Node
from opendti.notifications.services import notify
from opendti.periods.models import Membership, Period
from opendti.periods.workflow import TransitionRefused, period_advance, require_status

from ..models import Decision, Round, SignOff
from . import coverage
from .governance import items, require_coordinator, reviewers_of

Item = tuple[Submission, Node]


def round_current(period: Period) -> Round | None:
    return period.rounds.order_by("-number").first()


def round_open(period: Period) -> Round:
    """The round reviewers decide in now; refused when none is open."""
    current = round_current(period)
    if current is None or not current.is_open:
        raise TransitionRefused(_("Không có lần thẩm định nào đang mở."))
    return current


def appraisal_start(*, period: Period, actor, reason: str = "") -> Round:
    """Self-assessment is over: lock the submissions and open round 1."""
    require_coordinator(actor)
    with transaction.atomic():
        period_advance(period=period, to=Period.Status.APPRAISAL, actor=actor, reason=reason)
        first = Round.objects.create(period=period, number=1, opened_by=actor)
    notify(
        reviewers_of(period),
        kind="other",
        title=_("Bắt đầu thẩm định kỳ %(period)s") % {"period": period.title},
        body=_(
            "Lần thẩm định 1 đã mở. Đề nghị thành viên Tổ thẩm định xem xét các đơn vị được phân công."
        ),
        url=f"/ky/{period.code}/tham-dinh/",
    )
    return first


def round_open_next(*, period: Period, actor) -> Round:
    """After the explanation window: the next round covers what the units were asked for."""
    require_coordinator(actor)
    require_status(period, Period.Status.APPRAISAL)
    with transaction.atomic():
        current = (
            Round.objects.select_for_update().filter(period=period).order_by("-number").first()
        )
        if current is None or current.is_open:
            raise TransitionRefused(
                _("Lần thẩm định hiện tại chưa kết thúc: mọi thành viên phải xác nhận trước.")
            )
        if current.number >= period.review_rounds:
            raise TransitionRefused(
                _("Kỳ này có %(n)d lần thẩm định; không mở thêm được.")
                % {"n": period.review_rounds}
            )
        following = Round.objects.create(period=period, number=current.number + 1, opened_by=actor)
        # The explanation window ends: what was not answered is appraised as it stands.
        for answer in Answer.objects.filter(
            submission__participation__period=period, open_until__isnull=False
        ).select_related("submission", "node"):
            change_record(
                answer.submission,
                answer.node,
                Change.Kind.STATUS,
                "open_until",
                answer.open_until.isoformat() if answer.open_until else "",
                "",
                actor,
                history_codes.round_opened(following.number),
            )
        Answer.objects.filter(
            submission__participation__period=period, open_until__isnull=False
        ).update(open_until=None)
    notify(
        reviewers_of(period),
        kind="other",
        title=_("Mở lần thẩm định %(n)d kỳ %(period)s")
        % {"n": following.number, "period": period.title},
        body=_("Đề nghị xem xét các nội dung đơn vị đã giải trình."),
        url=f"/ky/{period.code}/tham-dinh/",
    )
    return following


def require_appraisal_over(period: Period) -> None:
    """Before results leave the appraisal (reply window, or a quarter's publication): no round
    open, no adjustment waiting for a second reviewer."""
    current = round_current(period)
    if current is not None and current.is_open:
        raise TransitionRefused(_("Còn lần thẩm định chưa kết thúc."))
    if Decision.objects.filter(round__period=period, state=Decision.State.AWAITING).exists():
        raise TransitionRefused(_("Còn điều chỉnh chờ thành viên thứ hai đồng ý."))


def items_for_round(
    reviewer, appraisal_round: Round, *, submission: Submission | None = None
) -> list[Item]:
    """Round 1 covers the reviewer's whole scope; a later round what was asked for before (of
    one submission when given). Whole-period questions use `coverage.round_coverage`'s ids."""
    return items(
        appraisal_round.period,
        coverage.round_coverage(reviewer, appraisal_round, submission_ids=_only(submission)),
        submission,
    )


def undecided(
    reviewer, appraisal_round: Round, *, submission: Submission | None = None
) -> list[Item]:
    return items(
        appraisal_round.period,
        coverage.undecided_coverage(reviewer, appraisal_round, submission_ids=_only(submission)),
        submission,
    )


def _only(submission: Submission | None) -> list[int] | None:
    return None if submission is None else [submission.pk]


def pending_sign_offs(appraisal_round: Round) -> list[User]:
    signed = set(appraisal_round.sign_offs.values_list("reviewer_id", flat=True))
    return [r for r in reviewers_of(appraisal_round.period) if r.pk not in signed]


def round_sign_off(*, appraisal_round: Round, reviewer) -> bool:
    """A reviewer confirms their part; the round closes with the last confirmation. Returns
    whether the round closed."""
    period = Period.objects.get(pk=appraisal_round.period_id)  # its status as stored now
    require_status(period, Period.Status.APPRAISAL)
    if not appraisal_round.is_open:
        raise TransitionRefused(_("Lần thẩm định này đã kết thúc."))
    if reviewer not in reviewers_of(period):
        raise PermissionDenied(_("Bạn không được phân công thẩm định trong kỳ này."))
    if appraisal_round.sign_offs.filter(reviewer=reviewer).exists():
        raise ValidationError(_("Bạn đã xác nhận lần thẩm định này."))
    left = coverage.size(coverage.undecided_coverage(reviewer, appraisal_round))
    if left:
        raise ValidationError(_("Còn %(n)d chỉ số chưa có quyết định thẩm định.") % {"n": left})
    awaiting = Decision.objects.filter(
        round=appraisal_round, reviewer=reviewer, state=Decision.State.AWAITING
    ).count()
    if awaiting:
        raise ValidationError(
            _("Còn %(n)d điều chỉnh chờ thành viên thứ hai đồng ý.") % {"n": awaiting}
        )
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=appraisal_round.pk)
        SignOff.objects.create(round=locked, reviewer=reviewer)
        closed = not pending_sign_offs(locked)
        if closed:
            locked.closed_at = timezone.now()
            locked.save(update_fields=["closed_at"])
            appraisal_round.closed_at = locked.closed_at
    if closed:
        _notify_closed(appraisal_round)
    return closed


def _notify_closed(appraisal_round: Round) -> None:
    period = appraisal_round.period
    title = _("Kết thúc lần thẩm định %(n)d kỳ %(period)s") % {
        "n": appraisal_round.number,
        "period": period.title,
    }
    coordinators = list(User.objects.filter(groups__name=COORDINATOR, is_active=True))
    notify(
        reviewers_of(period) + coordinators,
        kind="round_closed",
        title=title,
        body=_("Mọi thành viên Tổ thẩm định đã xác nhận."),
        url=f"/ky/{period.code}/tham-dinh/",
    )
    asked = Decision.objects.filter(
        round=appraisal_round, kind=Decision.Kind.REQUEST, state=Decision.State.OPEN
    ).values_list("submission__participation_id", flat=True)
    members = User.objects.filter(
        memberships__participation_id__in=set(asked),
        memberships__role__in=[Membership.Role.FOCAL_POINT, Membership.Role.UNIT_LEADER],
    ).distinct()
    notify(
        list(members),
        kind="round_closed",
        title=title,
        body=_("Đơn vị có yêu cầu bổ sung, chỉnh sửa cần giải trình trong hạn."),
        url="/",
    )
