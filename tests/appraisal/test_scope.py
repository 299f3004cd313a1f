"""A reviewer's scope read through the database (appraisal.services.coverage) gives the same
(submission, indicator) rows as the Python computation it replaced, for every kind of
assignment, in round 1 and in a later round; units outside it stay refused."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from opendti import numbers
from opendti.accounts.models import User
from opendti.accounts.roles import REVIEWER
from opendti.appraisal import selectors
from opendti.appraisal.models import Decision
from opendti.appraisal.services import (
    accept_rest,
    decide,
    items_for_round,
    reviewer_assign,
    round_current,
    round_open_next,
    round_sign_off,
    scope,
    undecided,
    workload,
)
from opendti.appraisal.services import coverage as cover
from opendti.appraisal.services.settle import settle, settle_many
from opendti.assessments import history_codes
from opendti.assessments.access import main_index
from opendti.assessments.models import AppraisedScore, Change, Submission
from opendti.frameworks.models import Node
from opendti.periods import revision
from opendti.periods.models import Membership, Participation, Period, ReviewerAssignment

from .conftest import OTHER_UNIT, UNIT

pytestmark = pytest.mark.django_db(transaction=False)


def old_scope(reviewer, period) -> list[tuple[int, int]]:
    """The computation `scope` made before (every participation and leaf in Python), as ids."""
    assignments = list(ReviewerAssignment.objects.filter(period=period, reviewer=reviewer))
    if not assignments:
        return []
    leaves = list(
        Node.objects.filter(framework_id=period.framework_id, scored=True)
        .exclude(rule="")
        .order_by("order", "pk")
    )
    mains = {n.pk: main_index(n).pk for n in leaves}
    own = set(
        Membership.objects.filter(participation__period=period, user=reviewer).values_list(
            "participation_id", flat=True
        )
    )
    everywhere = {a.node_id for a in assignments if a.unit_id is None}
    found = []
    for participation in Participation.objects.filter(period=period):
        if participation.pk in own:
            continue
        indices = everywhere | {
            a.node_id for a in assignments if a.unit_id == participation.unit_id
        }
        submission = Submission.objects.filter(participation=participation).first()
        if not indices or submission is None:
            continue
        found += [
            (submission.pk, leaf.pk)
            for leaf in leaves
            if None in indices or mains[leaf.pk] in indices
        ]
    return found


def old_round(reviewer, appraisal_round) -> list[tuple[int, int]]:
    items = old_scope(reviewer, appraisal_round.period)
    if appraisal_round.number == 1:
        return items
    earlier = Decision.objects.filter(
        round__period=appraisal_round.period, round__number__lt=appraisal_round.number
    ).exclude(state=Decision.State.SUPERSEDED)
    asked = set(earlier.filter(kind="request").values_list("submission_id", "node_id"))
    settled = set(
        earlier.filter(kind__in=["accept", "adjust"]).values_list("submission_id", "node_id")
    )
    return [p for p in items if p in asked and p not in settled]


def old_undecided(reviewer, appraisal_round) -> list[tuple[int, int]]:
    decided = set(
        Decision.objects.filter(round=appraisal_round)
        .exclude(state=Decision.State.SUPERSEDED)
        .values_list("submission_id", "node_id")
    )
    return [p for p in old_round(reviewer, appraisal_round) if p not in decided]


def ids(items) -> list[tuple[int, int]]:
    return [(s.pk, n.pk) for s, n in items]


def reviewer(username: str) -> User:
    user = User.objects.create(username=username, full_name=username, email=f"{username}@x.vn")
    user.groups.add(Group.objects.get(name=REVIEWER))
    return user


@pytest.fixture
def kinds(demo, appraisal):
    """Every kind of assignment beside the fixture's (thamdinh: both units; second: one unit):
    a main index everywhere by someone who belongs to one unit; a main index of one unit with
    another everywhere; a unit and a main index of it; nobody assigned."""
    period = appraisal.period
    mains = list(Node.objects.filter(framework=period.framework, kind=Node.Kind.MAIN))
    assert len(mains) >= 2
    member, mixed, both, idle = (reviewer(n) for n in ("td-member", "td-mixed", "td-both", "td-0"))
    reviewer_assign(period=period, reviewer=member, actor=demo.dieuphoi, node_code=mains[1].code)
    Membership.objects.create(
        participation=appraisal.theirs.participation, user=member, role="focal_point"
    )
    reviewer_assign(
        period=period, reviewer=mixed, actor=demo.dieuphoi, unit_code=UNIT, node_code=mains[0].code
    )
    reviewer_assign(period=period, reviewer=mixed, actor=demo.dieuphoi, node_code=mains[1].code)
    reviewer_assign(period=period, reviewer=both, actor=demo.dieuphoi, unit_code=OTHER_UNIT)
    reviewer_assign(
        period=period,
        reviewer=both,
        actor=demo.dieuphoi,
        unit_code=OTHER_UNIT,
        node_code=mains[0].code,
    )
    return [demo.thamdinh, appraisal.second, member, mixed, both, idle]


def test_scope_equals_the_python_computation_for_every_kind_of_assignment(demo, appraisal, kinds):
    period = appraisal.period
    sizes = []
    for person in kinds:
        expected = old_scope(person, period)
        assert ids(scope(person, period)) == expected, person.username
        assert cover.pairs(cover.coverage(person, period)) == expected
        for submission in (appraisal.ours, appraisal.theirs):
            assert ids(scope(person, period, submission=submission)) == [
                p for p in expected if p[0] == submission.pk
            ]
        sizes.append(len(expected))
    # The kinds differ: both units, one unit, a main index without the member's own unit, …
    thamdinh, second, member, mixed, both, idle = sizes
    assert thamdinh == 2 * second and idle == 0
    assert 0 < member < second and 0 < mixed < thamdinh
    assert both == second  # its main-index assignment adds nothing to the whole unit
    # The coordinator's workload counts the same (the unassigned reviewer is not listed).
    assert {w.reviewer.username: w.assigned for w in workload(period)} == {
        p.username: n for p, n in zip(kinds[:-1], sizes[:-1], strict=True)
    }


def test_the_member_never_covers_their_own_unit(demo, appraisal, kinds):
    member = kinds[2]
    period = appraisal.period
    theirs = appraisal.theirs
    everyone = set(
        Submission.objects.filter(participation__period=period).values_list("pk", flat=True)
    )
    assert {s.pk for s, _n in scope(member, period)} == everyone - {theirs.pk}
    assert cover.coverage(member, period, submission_ids=[theirs.pk]) == {}
    assert (
        accept_rest(appraisal_round=round_current(period), reviewer=member, submission=theirs) == 0
    )
    leaf = next(n for s, n in scope(member, period))
    with pytest.raises(PermissionDenied):
        decide(submission=theirs, node=leaf, reviewer=member, kind="accept")
    queue = selectors.reviewer_queue(member, period)
    assert theirs.pk not in {row.submission.pk for row in queue}
    assert [row.submission.pk for row in queue] == list(
        dict.fromkeys(s for s, _n in old_scope(member, period))
    )


def test_rounds_and_undecided_equal_the_python_computation(demo, appraisal, kinds):
    period = appraisal.period
    first = round_current(period)
    leaves = [n for _s, n in scope(demo.thamdinh, period, submission=appraisal.ours)]
    decide(submission=appraisal.ours, node=leaves[0], reviewer=demo.thamdinh, kind="accept")
    decide(
        submission=appraisal.ours,
        node=leaves[1],
        reviewer=demo.thamdinh,
        kind="request",
        reason="Bổ sung",
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    decide(
        submission=appraisal.theirs,
        node=leaves[2],
        reviewer=demo.thamdinh,
        kind="request",
        reason="Bổ sung",
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    for person in kinds:
        assert ids(items_for_round(person, first)) == old_round(person, first)
        assert ids(undecided(person, first)) == old_undecided(person, first)
    for person in kinds:
        if ReviewerAssignment.objects.filter(reviewer=person).exists():
            accept_rest(appraisal_round=first, reviewer=person)
            round_sign_off(appraisal_round=first, reviewer=person)
    second_round = round_open_next(period=period, actor=demo.dieuphoi)
    assert old_round(demo.thamdinh, second_round)  # the two requests
    for person in kinds:
        assert ids(items_for_round(person, second_round)) == old_round(person, second_round)
        assert ids(undecided(person, second_round)) == old_undecided(person, second_round)
        for submission in (appraisal.ours, appraisal.theirs):
            assert ids(items_for_round(person, second_round, submission=submission)) == [
                p for p in old_round(person, second_round) if p[0] == submission.pk
            ]
    # A node outside round 2 is refused as before; one inside is decided.
    with pytest.raises(Exception, match="chỉ xem xét"):
        decide(submission=appraisal.ours, node=leaves[0], reviewer=demo.thamdinh, kind="accept")
    decide(submission=appraisal.ours, node=leaves[1], reviewer=demo.thamdinh, kind="accept")
    assert old_undecided(demo.thamdinh, second_round) == [(appraisal.theirs.pk, leaves[2].pk)]
    assert ids(undecided(demo.thamdinh, second_round)) == old_undecided(demo.thamdinh, second_round)


def test_the_queue_counts_as_before_a_page_at_a_time(demo, appraisal, monkeypatch):
    period, current = appraisal.period, round_current(appraisal.period)
    leaf = scope(demo.thamdinh, period, submission=appraisal.ours)[0][1]
    decide(
        submission=appraisal.ours,
        node=leaf,
        reviewer=demo.thamdinh,
        kind="request",
        reason="Bổ sung",
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    whole = old_scope(demo.thamdinh, period)
    left = old_undecided(demo.thamdinh, current)
    queue = selectors.reviewer_queue(demo.thamdinh, period)
    assert [r.submission.pk for r in queue] == list(dict.fromkeys(s for s, _n in whole))
    for row in queue:
        pk = row.submission.pk
        assert row.indicators == row.in_round == sum(1 for s, _n in whole if s == pk)
        assert row.undecided == sum(1 for s, _n in left if s == pk)
        assert row.open_requests == (1 if pk == appraisal.ours.pk else 0)
        assert row.answered == 0
        assert row.submission.participation.unit.code in (UNIT, OTHER_UNIT)
    assert queue[0].undecided == queue[0].indicators - 1
    # One unit a page: the second page holds the other unit.
    monkeypatch.setattr(selectors, "QUEUE_PAGE", 1)
    first, second = (selectors.reviewer_queue(demo.thamdinh, period, n) for n in (1, 2))
    assert first.paginator.num_pages == 2 and first.has_next() and not second.has_next()
    assert [r.submission.pk for r in (*first, *second)] == [r.submission.pk for r in queue]


def test_accepting_the_rest_writes_every_row_a_decision_would(demo, appraisal):
    period, current, ours = appraisal.period, round_current(appraisal.period), appraisal.ours
    own = selectors.unit_scores(period, appraised=False)[0][UNIT]
    before = revision.current(period.pk)
    accepted = accept_rest(appraisal_round=current, reviewer=demo.thamdinh, submission=ours)
    items = scope(demo.thamdinh, period, submission=ours)
    assert accepted == len(items) > 0
    rows = Decision.objects.filter(round=current, submission=ours).order_by("pk")
    assert [(d.node_id, d.kind, d.state, d.reviewer_id, d.self_score) for d in rows] == [
        (n.pk, "accept", "effective", demo.thamdinh.pk, own.get(n.code)) for _s, n in items
    ]
    assert all(d.created_at is not None and d.score is None and d.reason == "" for d in rows)
    history = Change.objects.filter(submission=ours, kind="appraisal").order_by("pk")
    assert [(c.node_id, c.field, c.after, c.actor_id) for c in history] == [
        (n.pk, "round 1", history_codes.decision("accept"), demo.thamdinh.pk) for _s, n in items
    ]
    assert [c.before for c in history] == [numbers.plain(own.get(n.code)) for _s, n in items]
    # Nothing settled changed: the results stay at their revision.
    assert revision.current(period.pk) == before


def test_settling_many_equals_settling_each(demo, appraisal):
    """Accepting an indicator that had a settled score gives the computed score back: the
    bulk path deletes the row, writes the history and raises the period as `settle` does."""
    period, ours, theirs = appraisal.period, appraisal.ours, appraisal.theirs
    node = appraisal.node("2.1")
    Period.objects.filter(pk=period.pk).update(adjustment_threshold=None)
    period.adjustment_threshold = None  # the submissions hold this object
    for submission in (ours, theirs):
        decide(
            submission=submission,
            node=node,
            reviewer=demo.thamdinh,
            kind="adjust",
            score=Decimal(45),
            reason="Chậm",
        )
        # As a later acceptance would leave it (the adjustment no longer counts).
        Decision.objects.filter(submission=submission, node=node).update(kind="accept", score=None)
    assert AppraisedScore.objects.filter(node=node).count() == 2
    before = revision.current(period.pk)
    settle(ours, node, demo.thamdinh, "")
    assert settle_many([(theirs.pk, node.pk)], demo.thamdinh) == 1
    assert settle_many([(theirs.pk, node.pk)], demo.thamdinh) == 0
    assert not AppraisedScore.objects.filter(node=node).exists()
    one, many = (
        Change.objects.filter(submission=s, node=node, kind="score").order_by("-pk").first()
        for s in (ours, theirs)
    )
    assert (
        (one.field, one.before, one.after, one.actor_id)
        == (
            many.field,
            many.before,
            many.after,
            many.actor_id,
        )
        == ("appraised", "45", "", demo.thamdinh.pk)
    )
    assert revision.current(period.pk) > before


def test_unassigned_reviewer_sees_nothing(demo, appraisal):
    stranger = reviewer("td-stranger")
    period = appraisal.period
    assert scope(stranger, period) == [] and cover.coverage(stranger, period) == {}
    assert not list(selectors.reviewer_queue(stranger, period))
    assert accept_rest(appraisal_round=round_current(period), reviewer=stranger) == 0
    assert not Decision.objects.filter(reviewer=stranger).exists()


def test_rows_written_in_bulk_keep_the_constraints(demo, appraisal):
    """A second current decision on an indicator is refused as `bulk_create` refused it (the
    service turns it into "decided meanwhile"), and nothing of the statement is kept."""
    from django.db import IntegrityError, transaction

    from opendti.core.bulk import insert_rows

    current = round_current(appraisal.period)
    node = appraisal.node("2.1")
    constant = {"round": current, "reviewer": demo.thamdinh, "kind": "accept", "state": "effective"}
    rows = [(appraisal.ours.pk, node.pk, Decimal("1.5")), (appraisal.theirs, node, None)]
    assert insert_rows(Decision, constant, ("submission", "node", "self_score"), rows) == 2
    written = Decision.objects.filter(round=current).order_by("pk")
    assert [(d.submission_id, d.node_id, d.self_score) for d in written] == [
        (appraisal.ours.pk, node.pk, Decimal("1.5")),
        (appraisal.theirs.pk, node.pk, None),
    ]
    assert all(d.created_at is not None and d.reason == "" for d in written)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Decision, constant, ("submission", "node", "self_score"), rows[1:])
    assert Decision.objects.filter(round=current).count() == 2
