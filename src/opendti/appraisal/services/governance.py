"""Who may appraise what: reviewer assignments, the no-own-unit rule, queues and workload."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opendti.accounts.models import User
from opendti.accounts.roles import REVIEWER
from opendti.assessments.access import has_role, is_coordinator, main_index
from opendti.assessments.models import Submission
from opendti.frameworks.models import Node
from opendti.periods.models import Membership, Participation, Period, ReviewerAssignment

from ..models import Decision
from . import coverage


def require_coordinator(actor) -> None:
    if not is_coordinator(actor):
        raise PermissionDenied(_("Chỉ cán bộ điều phối được thực hiện thao tác này."))


def belongs_to(user, participation: Participation) -> bool:
    """A reviewer never appraises a unit they belong to (any role in the unit this period)."""
    return Membership.objects.filter(participation=participation, user=user).exists()


def reviewer_assign(
    *, period: Period, reviewer: User, actor, unit_code: str = "", node_code: str = ""
) -> ReviewerAssignment:
    """The coordinator assigns a reviewer to a unit, a main index, or a main index of a unit."""
    require_coordinator(actor)
    if not has_role(reviewer, REVIEWER):
        raise ValidationError(_("Người được phân công không phải thành viên Tổ thẩm định."))
    if not unit_code and not node_code:
        raise ValidationError(_("Chọn đơn vị hoặc chỉ số chính cần thẩm định."))
    participation = None
    if unit_code:
        participation = Participation.objects.filter(period=period, unit__code=unit_code).first()
        if participation is None:
            raise ValidationError(_("Đơn vị %(unit)s không tham gia kỳ này.") % {"unit": unit_code})
        if belongs_to(reviewer, participation):
            raise ValidationError(
                _("%(user)s thuộc đơn vị %(unit)s nên không được thẩm định đơn vị này.")
                % {"user": reviewer.get_full_name() or reviewer.username, "unit": unit_code}
            )
    node = None
    if node_code:
        node = Node.objects.filter(
            framework_id=period.framework_id, code=node_code, kind=Node.Kind.MAIN
        ).first()
        if node is None:
            raise ValidationError(_("Không có chỉ số chính %(code)s.") % {"code": node_code})
    with transaction.atomic():
        assignment, _created = ReviewerAssignment.objects.get_or_create(
            period=period,
            reviewer=reviewer,
            unit=participation.unit if participation else None,
            node=node,
        )
    return assignment


def reviewer_unassign(*, assignment: ReviewerAssignment, actor) -> None:
    require_coordinator(actor)
    assignment.delete()


def covers(reviewer, submission: Submission, node: Node) -> bool:
    """The reviewer is assigned to this unit and this indicator's main index, and is not one of
    the unit's own people."""
    participation = submission.participation
    main = main_index(node)
    assigned = (
        ReviewerAssignment.objects.filter(period_id=participation.period_id, reviewer=reviewer)
        .filter(Q(unit_id=participation.unit_id) | Q(unit__isnull=True))
        .filter(Q(node=main) | Q(node__isnull=True))
        .exists()
    )
    return assigned and not belongs_to(reviewer, participation)


def reviewers_of(period: Period) -> list[User]:
    ids = ReviewerAssignment.objects.filter(period=period).values_list("reviewer", flat=True)
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def scope(
    reviewer, period: Period, *, submission: Submission | None = None
) -> list[tuple[Submission, Node]]:
    """Every (submission, indicator) a reviewer is assigned to in a period (scored leaves), or
    only those of one submission. Read through `coverage` (the database filters); whole-period
    questions should use coverage's ids instead of these objects."""
    covered = coverage.coverage(
        reviewer, period, submission_ids=None if submission is None else [submission.pk]
    )
    return items(period, covered, submission)


def items(
    period: Period, covered: coverage.Coverage, submission: Submission | None = None
) -> list[tuple[Submission, Node]]:
    """The objects of a coverage: its submissions (with their participation, unit and period)
    and indicators, read once each. `submission` is used as it is when it is the only one."""
    if not covered:
        return []
    nodes = {
        n.pk: n
        for n in Node.objects.filter(pk__in=set().union(*covered.values())).select_related(
            "parent__parent__parent"
        )
    }
    if submission is not None and set(covered) == {submission.pk}:
        submissions = {submission.pk: submission}
    else:
        submissions = {
            s.pk: s
            for s in Submission.objects.filter(pk__in=list(covered)).select_related(
                "participation__unit", "participation__period__framework"
            )
        }
    return [(submissions[s], nodes[n]) for s, leaves in covered.items() for n in leaves]


@dataclass(frozen=True)
class Workload:
    reviewer: User
    assigned: int  # indicators in the reviewer's scope
    decided: int  # current decisions in the open (or last) round
    open_requests: int
    awaiting_agreement: int
    signed_off: bool


def workload(period: Period) -> list[Workload]:
    """Each reviewer's queue in the current round, for the coordinator."""
    current = period.rounds.order_by("-number").first()
    rows = []
    for reviewer in reviewers_of(period):
        decisions = Decision.objects.filter(round=current, reviewer=reviewer).exclude(
            state=Decision.State.SUPERSEDED
        )
        rows.append(
            Workload(
                reviewer=reviewer,
                assigned=coverage.size(coverage.coverage(reviewer, period)),
                decided=decisions.count() if current else 0,
                open_requests=decisions.filter(state=Decision.State.OPEN).count() if current else 0,
                awaiting_agreement=decisions.filter(state=Decision.State.AWAITING).count()
                if current
                else 0,
                signed_off=bool(current and current.sign_offs.filter(reviewer=reviewer).exists()),
            )
        )
    return rows
