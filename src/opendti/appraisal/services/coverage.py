"""A reviewer's scope as ids, filtered by the database: which scored indicators of which
submissions they appraise, in a period and in a round.

A period may have thousands of units and a hundred indicators each: the pages read one unit's
(or one page of units') coverage, and whole-period questions (counts, accepting the rest) work on
ids, never on a model object per (submission, indicator)."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, Q

from opendti.assessments.models import Submission
from opendti.frameworks.models import Node
from opendti.periods.models import Membership, Period, ReviewerAssignment

from ..models import Decision, Round

# Submission id -> the ids of the scored indicators covered there, in the framework's order.
# Units with the same assignments share one list: do not change a list in place.
Coverage = dict[int, list[int]]


def indicators(period: Period) -> dict[int, int]:
    """The period's appraisable indicators (scored, with a rule) in the framework's order, each
    with its main index's id (the indicator itself when it has none above it)."""
    nodes = {
        pk: (parent, kind)
        for pk, parent, kind in Node.objects.filter(framework_id=period.framework_id).values_list(
            "pk", "parent_id", "kind"
        )
    }

    def main(pk: int) -> int:
        # As access.main_index: up the parents until a main index or the top.
        while nodes[pk][1] != Node.Kind.MAIN and nodes[pk][0] is not None:
            pk = nodes[pk][0]
        return pk

    leaves = (
        Node.objects.filter(framework_id=period.framework_id, scored=True)
        .exclude(rule="")
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    return {pk: main(pk) for pk in leaves}


def in_scope(reviewer, period: Period) -> Q:
    """The period's submissions whose unit the reviewer is assigned to (or every unit, for an
    assignment to a main index alone), never one they belong to: a filter on Submission. Its
    subqueries do not depend on the row (a correlated one per submission took 0.6 s on 3,400
    units in SQLite)."""
    mine = ReviewerAssignment.objects.filter(period_id=period.pk, reviewer_id=reviewer.pk)
    own = Membership.objects.filter(participation__period_id=period.pk, user_id=reviewer.pk)
    return (
        Q(participation__period_id=period.pk)
        & (
            Q(participation__unit_id__in=mine.filter(unit__isnull=False).values("unit_id"))
            | Q(Exists(mine.filter(unit__isnull=True)))
        )
        & ~Q(participation_id__in=own.values("participation_id"))
    )


def coverage(
    reviewer, period: Period, *, submission_ids: Collection[int] | None = None
) -> Coverage:
    """Every (submission, indicator) the reviewer is assigned to in the period (restricted to
    `submission_ids` when given), submissions in the period's order."""
    rows = list(
        ReviewerAssignment.objects.filter(period_id=period.pk, reviewer_id=reviewer.pk).values_list(
            "unit_id", "node_id"
        )
    )
    if not rows:
        return {}
    everywhere = {node for unit, node in rows if unit is None}
    by_unit: dict[int, set[int | None]] = {}
    for unit, node in rows:
        if unit is not None:
            by_unit.setdefault(unit, set()).add(node)
    submissions = Submission.objects.filter(in_scope(reviewer, period))
    if submission_ids is not None:
        submissions = submissions.filter(pk__in=list(submission_ids))
    mains = indicators(period)
    lists: dict[frozenset[int | None], list[int]] = {}
    found: Coverage = {}
    for pk, unit in submissions.order_by("participation__order", "participation_id").values_list(
        "pk", "participation__unit_id"
    ):
        key = frozenset(everywhere | by_unit.get(unit, set()))
        leaves = lists.get(key)
        if leaves is None:
            every = None in key
            leaves = lists[key] = [leaf for leaf, main in mains.items() if every or main in key]
        if leaves:
            found[pk] = leaves
    return found


def round_coverage(
    reviewer,
    appraisal_round: Round,
    *,
    submission_ids: Collection[int] | None = None,
    within: Coverage | None = None,
) -> Coverage:
    """What the round asks of the reviewer: round 1 their whole scope; a later round what was
    asked for before and not settled since. `within`: the reviewer's coverage of the
    submissions wanted, when the caller has read it already."""
    if within is not None:
        covered, submission_ids = within, list(within)
    else:
        covered = coverage(reviewer, appraisal_round.period, submission_ids=submission_ids)
    if appraisal_round.number == 1 or not covered:
        return covered
    earlier = Decision.objects.filter(
        round__period_id=appraisal_round.period_id, round__number__lt=appraisal_round.number
    ).exclude(state=Decision.State.SUPERSEDED)
    if submission_ids is not None:
        earlier = earlier.filter(submission_id__in=list(covered))
    asked: set[tuple[int, int]] = set()
    settled: set[tuple[int, int]] = set()
    for submission, node, kind in earlier.values_list("submission_id", "node_id", "kind"):
        if kind == Decision.Kind.REQUEST:
            asked.add((submission, node))
        elif kind in (Decision.Kind.ACCEPT, Decision.Kind.ADJUST):
            settled.add((submission, node))
    # Asked in one round and settled in a later one: done.
    wanted = _by_submission(asked - settled)
    found: Coverage = {}
    for submission, leaves in covered.items():
        nodes = wanted.get(submission)
        kept = [leaf for leaf in leaves if leaf in nodes] if nodes else []
        if kept:
            found[submission] = kept
    return found


def undecided_coverage(
    reviewer,
    appraisal_round: Round,
    *,
    submission_ids: Collection[int] | None = None,
    within: Coverage | None = None,
) -> Coverage:
    """What the round asks of the reviewer that nobody has decided in it yet."""
    asked = round_coverage(reviewer, appraisal_round, submission_ids=submission_ids, within=within)
    if within is not None:
        submission_ids = list(within)
    if not asked:
        return asked
    decided_rows = Decision.objects.filter(round_id=appraisal_round.pk).exclude(
        state=Decision.State.SUPERSEDED
    )
    if submission_ids is not None:
        decided_rows = decided_rows.filter(submission_id__in=list(asked))
    decided = _by_submission(decided_rows.values_list("submission_id", "node_id"))
    found: Coverage = {}
    for submission, leaves in asked.items():
        nodes = decided.get(submission)
        kept = [leaf for leaf in leaves if leaf not in nodes] if nodes else leaves
        if kept:
            found[submission] = kept
    return found


def size(covered: Coverage) -> int:
    return sum(len(leaves) for leaves in covered.values())


def pairs(covered: Coverage) -> list[tuple[int, int]]:
    return [(submission, leaf) for submission, leaves in covered.items() for leaf in leaves]


def _by_submission(rows) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for submission, node in rows:
        found.setdefault(submission, set()).add(node)
    return found
