"""The score the appraisal settles for an indicator, derived from the decisions and objections.

The latest effective decision of a reviewer counts (by round, then time): an adjustment gives its
score, an acceptance gives back the score computed from the unit's values. An objection upheld with
a score comes after every round. The result is written to `assessments.AppraisedScore`, which is
what scoring reads, with a history row whenever it changes.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.assessments.models import AppraisedScore, Change, Submission
from opendti.assessments.revision import submission_values_changed
from opendti.assessments.services.history import change_record
from opendti.frameworks.models import Node
from opendti.periods import revision

from ..models import Decision, Objection


def score_check(score: Decimal | None, max_points: Decimal, decimals: int) -> Decimal:
    """A score a person gives an indicator: within [0, max] and at the period's decimals."""
    if score is None:
        raise ValidationError(_("Nhập điểm."))
    if not Decimal(0) <= score <= max_points:
        raise ValidationError(
            _("Điểm phải từ 0 đến %(max)s.") % {"max": numbers.vi(max_points, trim=True)}
        )
    if score != score.quantize(Decimal(1).scaleb(-decimals)):
        raise ValidationError(_("Điểm có tối đa %(n)d chữ số thập phân.") % {"n": decimals})
    return score


def settled_score(submission: Submission, node: Node) -> Decimal | None:
    """None: the score computed from the unit's values stands."""
    score: Decimal | None = None
    decisions = (
        Decision.objects.filter(
            submission=submission,
            node=node,
            kind__in=[Decision.Kind.ACCEPT, Decision.Kind.ADJUST],
            state=Decision.State.EFFECTIVE,
        )
        .select_related("round")
        .order_by("round__number", "created_at", "pk")
    )
    for decision in decisions:
        score = decision.score if decision.kind == Decision.Kind.ADJUST else None
    upheld = (
        Objection.objects.filter(
            submission=submission, node=node, state=Objection.State.UPHELD, score__isnull=False
        )
        .order_by("answered_at", "pk")
        .last()
    )
    if upheld is not None:
        score = upheld.score
    return score


def settle(submission: Submission, node: Node, actor, reason: str) -> None:
    """Bring the stored appraised score in line with the decisions (inside the caller's
    transaction), recording the change."""
    score = settled_score(submission, node)
    row = AppraisedScore.objects.filter(submission=submission, node=node).first()
    before = row.score if row else None
    if before == score:
        return
    if score is None:
        assert row is not None
        row.delete()
    elif row is None:
        AppraisedScore.objects.create(submission=submission, node=node, score=score)
    else:
        row.score = score
        row.save(update_fields=["score"])
    change_record(
        submission,
        node,
        Change.Kind.SCORE,
        "appraised",
        numbers.plain(before),
        numbers.plain(score),
        actor,
        reason,
    )
    # The settled score replaces the computed one in the results: last in the caller's
    # transaction (the period's row is locked for the shortest time).
    submission_values_changed(submission, [node.code], revision.SETTLED)
