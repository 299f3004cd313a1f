"""Who may do what with a submission: the one permission layer that views and the API call.

Deny by default. Anything a user may not see answers 404 (the same for "missing" and "not
yours"); a user who may see a submission but not perform an action gets PermissionDenied with the
reason. A unit's own people act through their membership for the period; coordinators and
administrators through their role.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.accounts.roles import ADMINISTRATOR, COORDINATOR
from opendti.frameworks.models import Node
from opendti.periods.models import Membership, Participation, Period, Phase, ReviewerAssignment

from .models import Answer, IndexAssignment, Submission


class Action(StrEnum):
    VIEW = "view"  # see the workspace, its values, evidence and history
    EDIT = "edit"  # enter values and evidence (focal point; a colleague on handed-over indices)
    ASSIGN = "assign"  # hand main indices to colleagues (focal point)
    SUBMIT = "submit"  # submit or recall (unit leader)
    REOPEN = "reopen"  # reopen one unit after the deadline (coordinator)
    REMIND = "remind"  # send a reminder (coordinator)


def has_role(user, *roles: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_opendti_roles", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._opendti_roles = names
    return bool(names.intersection(roles))


def is_coordinator(user) -> bool:
    return has_role(user, COORDINATOR, ADMINISTRATOR)


def unit_roles(user, participation: Participation) -> set[str]:
    """The user's roles in this unit for this period (focal_point, contributor, unit_leader)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(
        Membership.objects.filter(participation=participation, user=user).values_list(
            "role", flat=True
        )
    )


def today() -> datetime.date:
    return timezone.localdate()


def is_reviewer_of(user, participation: Participation) -> bool:
    """A reviewer assigned to this unit (or to a main index of every unit) in this period."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        ReviewerAssignment.objects.filter(period_id=participation.period_id, reviewer=user)
        .filter(models.Q(unit_id=participation.unit_id) | models.Q(unit__isnull=True))
        .exists()
    )


def open_for_explanation(
    submission: Submission, node: Node, on: datetime.date | None = None
) -> bool:
    """An indicator a reviewer asked to supplement: open to the unit until the request's date."""
    if submission.pk is None:
        return False
    on = on or today()
    return Answer.objects.filter(submission=submission, node=node, open_until__gte=on).exists()


@dataclass(frozen=True)
class Deadline:
    """The last day a unit may submit, and how many days are left (negative: late by)."""

    ends_on: datetime.date
    days_left: int
    reopened: bool  # the coordinator's reopening date, not the phase's

    @property
    def late(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return -self.days_left


def submission_deadline(submission: Submission, on: datetime.date | None = None) -> Deadline | None:
    """The unit's deadline during self-assessment: the end of the period's self-assessment phase
    (docs/calendar.md), or the later date the coordinator reopened the submission to. None once
    the period has moved on, or when the calendar has no self-assessment phase."""
    on = on or today()
    period = submission.participation.period
    if period.status != Period.Status.SELF_ASSESSMENT:
        return None
    phase = period.phase(Phase.Kind.SELF_ASSESSMENT)
    if phase is None:
        return None
    ends_on, reopened = phase.ends_on, False
    if submission.reopened_until and submission.reopened_until > ends_on:
        ends_on, reopened = submission.reopened_until, True
    return Deadline(ends_on=ends_on, days_left=(ends_on - on).days, reopened=reopened)


def submission_is_open(submission: Submission, on: datetime.date | None = None) -> bool:
    """The server-side lock: open during the self-assessment phase, or until the date the
    coordinator reopened it to. Without a self-assessment phase nothing is open, and nothing is
    open once the period has moved on to appraisal."""
    on = on or today()
    if submission.participation.period.status != Period.Status.SELF_ASSESSMENT:
        return False
    if submission.reopened_until and on <= submission.reopened_until:
        return True
    phase = submission.participation.period.phase(Phase.Kind.SELF_ASSESSMENT)
    return phase is not None and phase.starts_on <= on <= phase.ends_on


def can(
    user,
    action: Action,
    submission: Submission,
    node: Node | None = None,
    *,
    roles: set[str] | None = None,
) -> bool:
    """`roles`: the user's unit_roles for this submission, when the caller asks many times."""
    if roles is None:
        roles = unit_roles(user, submission.participation)
    coordinator = is_coordinator(user)
    if action == Action.VIEW:
        return bool(roles) or coordinator or is_reviewer_of(user, submission.participation)
    if action in (Action.REOPEN, Action.REMIND):
        return coordinator
    if action == Action.ASSIGN:
        return Membership.Role.FOCAL_POINT in roles
    if action == Action.SUBMIT:
        return Membership.Role.UNIT_LEADER in roles
    if action == Action.EDIT:
        if Membership.Role.FOCAL_POINT in roles:
            return True
        if Membership.Role.CONTRIBUTOR in roles and node is not None:
            main = main_index(node)
            return IndexAssignment.objects.filter(
                submission=submission, node=main, user=user
            ).exists()
    return False


def main_index(node: Node) -> Node:
    """The main index (chỉ số chính) an indicator belongs to."""
    while node.parent is not None and node.kind != Node.Kind.MAIN:
        node = node.parent
    return node


def require(user, action: Action, submission: Submission, node: Node | None = None) -> None:
    """Raise PermissionDenied with the reason when the action is not allowed now.

    Callers have already fetched the submission with access_submission (so the user may see it).
    """
    if not can(user, action, submission, node):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    if action == Action.EDIT and node is not None and open_for_explanation(submission, node):
        return  # answering a reviewer's request: this indicator only, until its due date
    past_self_assessment = submission.participation.period.status != Period.Status.SELF_ASSESSMENT
    if action in (Action.EDIT, Action.ASSIGN) and past_self_assessment:
        raise PermissionDenied(
            _(
                "Kỳ đã chuyển sang thẩm định: phiếu đã khóa; chỉ sửa được chỉ số có yêu cầu "
                "bổ sung, chỉnh sửa còn trong hạn giải trình."
            )
        )
    if action in (Action.EDIT, Action.ASSIGN):
        if submission.status != Submission.Status.DRAFT:
            raise PermissionDenied(
                _("Phiếu đã được gửi; lãnh đạo đơn vị cần thu hồi trước khi sửa.")
            )
        if not submission_is_open(submission):
            raise PermissionDenied(_("Đã hết hạn tự đánh giá: phiếu đã khóa."))
    if action == Action.SUBMIT and not submission_is_open(submission):
        raise PermissionDenied(_("Đã hết hạn tự đánh giá: phiếu đã khóa."))


def submission_list_visible_to(user) -> QuerySet[Submission]:
    qs = Submission.objects.select_related("participation__period", "participation__unit").order_by(
        "-participation__period__year", "participation__period__code", "participation__order"
    )
    if is_coordinator(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(participation__memberships__user=user).distinct()


def submissions_reviewed_by(user) -> QuerySet[Submission]:
    """The submissions a reviewer is assigned to (by unit, or by main index for every unit)."""
    if not user.is_authenticated:
        return Submission.objects.none()
    by_unit = ReviewerAssignment.objects.filter(
        reviewer=user,
        unit=models.OuterRef("participation__unit"),
        period=models.OuterRef("participation__period"),
    )
    by_index = ReviewerAssignment.objects.filter(
        reviewer=user, unit__isnull=True, period=models.OuterRef("participation__period")
    )
    return (
        Submission.objects.select_related("participation__period", "participation__unit")
        .filter(models.Exists(by_unit) | models.Exists(by_index))
        .order_by("participation__period__code", "participation__order")
    )


def access_submission(user, period_code: str, unit_code: str, action: Action = Action.VIEW):
    """The submission of a unit in a period, if the user may see it; 404 otherwise."""
    participation = (
        Participation.objects.select_related("period__framework", "unit", "group")
        .filter(period__code=period_code, unit__code=unit_code)
        .first()
    )
    if participation is None:
        raise Http404
    # Decide visibility before anything is written: a probe of another unit creates no row.
    if not can(user, Action.VIEW, Submission(participation=participation)):
        raise Http404
    # The submission was made when the unit joined the period (assessments.apps): a page only
    # reads it, so a GET writes nothing.
    submission = Submission.objects.filter(participation=participation).first()
    if submission is None:
        raise Http404
    submission.participation = participation
    if action != Action.VIEW:
        require(user, action, submission)
    return submission


def access_period_dashboard(user, period_code: str) -> Period:
    period = Period.objects.select_related("framework").filter(code=period_code).first()
    if period is None or not is_coordinator(user):
        raise Http404
    return period
