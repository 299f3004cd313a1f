"""Who may do what with a submission: the one permission layer that views and the API call.

Deny by default. Anything a user may not see answers 404 (the same for "missing" and "not
yours"); a user who may see a submission but not perform an action gets PermissionDenied with the
reason. A unit's own people act through their membership for the period; coordinators and
administrators through their role.
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.accounts.roles import ADMINISTRATOR, COORDINATOR
from opendti.frameworks.models import Node
from opendti.periods.models import Membership, Participation, Period, Phase

from .models import IndexAssignment, Submission


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


def submission_is_open(submission: Submission, on: datetime.date | None = None) -> bool:
    """The server-side lock: open during the self-assessment phase, or until the date the
    coordinator reopened it to. Without a self-assessment phase nothing is open."""
    on = on or today()
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
        return bool(roles) or coordinator
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
            main = _main_index(node)
            return IndexAssignment.objects.filter(
                submission=submission, node=main, user=user
            ).exists()
    return False


def _main_index(node: Node) -> Node:
    while node.parent is not None and node.kind != Node.Kind.MAIN:
        node = node.parent
    return node


def require(user, action: Action, submission: Submission, node: Node | None = None) -> None:
    """Raise PermissionDenied with the reason when the action is not allowed now.

    Callers have already fetched the submission with access_submission (so the user may see it).
    """
    if not can(user, action, submission, node):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
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
    submission, _created = Submission.objects.get_or_create(participation=participation)
    submission.participation = participation
    if action != Action.VIEW:
        require(user, action, submission)
    return submission


def access_period_dashboard(user, period_code: str) -> Period:
    period = Period.objects.select_related("framework").filter(code=period_code).first()
    if period is None or not is_coordinator(user):
        raise Http404
    return period
