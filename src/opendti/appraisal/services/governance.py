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


def scope(reviewer, period: Period) -> list[tuple[Submission, Node]]:
    """Every (submission, indicator) a reviewer is assigned to in a period (scored leaves)."""
    assignments = list(ReviewerAssignment.objects.filter(period=period, reviewer=reviewer))
    if not assignments:
        return []
    leaves = [
        n
        for n in Node.objects.filter(framework_id=period.framework_id, scored=True)
        .exclude(rule="")
        .select_related("parent__parent__parent")
        .order_by("order")
    ]
    mains = {n.pk: main_index(n).pk for n in leaves}
    participations = list(
        Participation.objects.filter(period=period).select_related("unit", "period__framework")
    )
    own = set(
        Membership.objects.filter(participation__period=period, user=reviewer).values_list(
            "participation_id", flat=True
        )
    )
    # Main indices each unit is covered for (None: all of them), read once: a reviewer may hold
    # an assignment per commune, and a period thousands of communes.
    everywhere = {a.node_id for a in assignments if a.unit_id is None}
    by_unit: dict[int, set[int | None]] = {}
    for a in assignments:
        if a.unit_id is not None:
            by_unit.setdefault(a.unit_id, set()).add(a.node_id)
    covered_by: dict[int, list[Node]] = {}
    for participation in participations:
        if participation.pk in own:
            continue
        indices = everywhere | by_unit.get(participation.unit_id, set())
        if not indices:
            continue  # no submission row is made for units outside the reviewer's scope
        every_index = None in indices
        covered_by[participation.pk] = [
            leaf for leaf in leaves if every_index or mains[leaf.pk] in indices
        ]
    submissions = _submissions([p for p in participations if p.pk in covered_by])
    found: list[tuple[Submission, Node]] = []
    for participation in participations:
        submission = submissions.get(participation.pk)
        if submission is not None and participation.pk in covered_by:
            found.extend((submission, leaf) for leaf in covered_by[participation.pk])
    return found


def _submissions(participations: list[Participation]) -> dict[int, Submission]:
    """The participations' submissions by participation id, in one query (a reviewer may cover
    thousands of communes). Each was made when its unit joined the period: only read here."""
    wanted = {p.pk: p for p in participations}
    found = {
        s.participation_id: s for s in Submission.objects.filter(participation_id__in=list(wanted))
    }
    for pk, submission in found.items():
        submission.participation = wanted[pk]
    return found


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
        items = scope(reviewer, period)
        decisions = Decision.objects.filter(round=current, reviewer=reviewer).exclude(
            state=Decision.State.SUPERSEDED
        )
        rows.append(
            Workload(
                reviewer=reviewer,
                assigned=len(items),
                decided=decisions.count() if current else 0,
                open_requests=decisions.filter(state=Decision.State.OPEN).count() if current else 0,
                awaiting_agreement=decisions.filter(state=Decision.State.AWAITING).count()
                if current
                else 0,
                signed_off=bool(current and current.sign_offs.filter(reviewer=reviewer).exists()),
            )
        )
    return rows
