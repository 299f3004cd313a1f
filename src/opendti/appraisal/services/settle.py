"""The score the appraisal settles for an indicator, derived from the decisions and objections.

The latest effective decision of a reviewer counts (by round, then time): an adjustment gives its
score, an acceptance gives back the score computed from the unit's values. An objection upheld with
a score comes after every round. The result is written to `assessments.AppraisedScore`, which is
what scoring reads, with a history row whenever it changes.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.assessments.models import AppraisedScore, Change, Submission
from opendti.assessments.revision import submission_values_changed
from opendti.assessments.services.history import change_record
from opendti.core.bulk import insert_rows
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


def settle_many(pairs: Collection[tuple[int, int]], actor, reason: str = "") -> int:
    """`settle` for many (submission id, indicator id) pairs at once, with the same result: the
    settled score of each from its decisions and upheld objections, the stored row brought in
    line, a history row for each change and the periods raised once. Inside the caller's
    transaction (accepting the rest). Returns how many scores changed."""
    if not pairs:
        return 0
    wanted = set(pairs)
    submissions = {s for s, _n in wanted}
    nodes = {n for _s, n in wanted}
    score: dict[tuple[int, int], Decimal | None] = dict.fromkeys(wanted)
    # As settled_score: the latest effective decision counts, then an upheld objection.
    for submission, node, kind, value in (
        Decision.objects.filter(
            submission_id__in=submissions,
            node_id__in=nodes,
            kind__in=[Decision.Kind.ACCEPT, Decision.Kind.ADJUST],
            state=Decision.State.EFFECTIVE,
        )
        .order_by("round__number", "created_at", "pk")
        .values_list("submission_id", "node_id", "kind", "score")
    ):
        if (submission, node) in wanted:
            score[submission, node] = value if kind == Decision.Kind.ADJUST else None
    for submission, node, value in (
        Objection.objects.filter(
            submission_id__in=submissions,
            node_id__in=nodes,
            state=Objection.State.UPHELD,
            score__isnull=False,
        )
        .order_by("answered_at", "pk")
        .values_list("submission_id", "node_id", "score")
    ):
        if (submission, node) in wanted:
            score[submission, node] = value
    rows = {
        (row.submission_id, row.node_id): row
        for row in AppraisedScore.objects.filter(submission_id__in=submissions, node_id__in=nodes)
        if (row.submission_id, row.node_id) in wanted
    }
    changes = []
    gone, added, moved = [], [], []
    for pair in sorted(wanted):
        row = rows.get(pair)
        before = row.score if row else None
        after = score[pair]
        if before == after:
            continue
        if after is None:
            assert row is not None
            gone.append(row.pk)
        elif row is None:
            added.append(AppraisedScore(submission_id=pair[0], node_id=pair[1], score=after))
        else:
            row.score = after
            moved.append(row)
        changes.append((pair[0], pair[1], numbers.plain(before), numbers.plain(after)))
    if not changes:
        return 0
    AppraisedScore.objects.filter(pk__in=gone).delete()
    AppraisedScore.objects.bulk_create(added)
    AppraisedScore.objects.bulk_update(moved, ["score"])
    insert_rows(
        Change,
        {"kind": Change.Kind.SCORE, "field": "appraised", "actor": actor, "reason": reason},
        ("submission", "node", "before", "after"),
        changes,
    )
    # Last in the caller's transaction, and logged with its cells, as `settle` (inside a
    # `revision.batch()` the raises are one).
    units = {
        pk: (period_id, unit)
        for pk, period_id, unit in Submission.objects.filter(
            pk__in={s for s, _n, _b, _a in changes}
        ).values_list("pk", "participation__period_id", "participation__unit__code")
    }
    codes = dict(
        Node.objects.filter(pk__in={n for _s, n, _b, _a in changes}).values_list("pk", "code")
    )
    cells: dict[tuple[int, str], list[str]] = {}
    for submission, node, _before, _after in changes:
        cells.setdefault(units[submission], []).append(codes[node])
    for (period_id, unit), indicators in cells.items():
        revision.bump_values(period_id, unit, indicators, revision.SETTLED)
    return len(changes)
