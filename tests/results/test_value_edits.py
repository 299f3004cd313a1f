"""The save path (issue 15, part 3): a raise that changed only input values is logged with its
cells, and a reader holding the results of an earlier revision applies them (scoring.incremental)
instead of scoring the period whole — equal to a fresh computation after every save, in this
process and in another one, and never when anything else changed."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import transaction

from opendti.assessments.access import access_submission
from opendti.assessments.models import AppraisedScore, Submission
from opendti.assessments.services import answer_get, answer_save, values_write
from opendti.frameworks.models import Node
from opendti.periods import revision
from opendti.periods.models import Period, RevisionEdit
from opendti.results import source
from opendti.results.models import StoredResult
from tests.assessments.conftest import OPEN, OTHER_UNIT, PREVIOUS, UNIT, demo

__all__ = ["demo"]

pytestmark = pytest.mark.django_db


def _period(code: str = OPEN) -> Period:
    return Period.objects.select_related("framework__level").get(code=code)


@pytest.fixture
def w(demo) -> SimpleNamespace:
    ours = access_submission(demo.daumoi, OPEN, UNIT)
    theirs = access_submission(demo.daumoi2, OPEN, OTHER_UNIT)
    framework = ours.participation.period.framework

    def save(submission: Submission, code: str, raw: dict[str, str]) -> None:
        node = Node.objects.prefetch_related("inputs").get(framework=framework, code=code)
        actor = demo.daumoi if submission == ours else demo.daumoi2
        version = answer_get(submission, node).version
        answer_save(submission=submission, node=node, raw=raw, version=version, actor=actor)

    return SimpleNamespace(demo=demo, ours=ours, theirs=theirs, save=save)


def _equal_to_fresh(period: Period) -> int:
    """Both live kinds read now equal a fresh computation; how many of them the engine scored
    whole (the fresh reference itself not counted)."""
    scored = 0
    for appraised in (True, False):
        before = source.engine_calls
        got = source.live(period, appraised=appraised)
        scored += source.engine_calls - before
        want = source.fresh(period, appraised=appraised)
        assert got.result == want.result, appraised
        assert got.assessment == want.assessment, appraised
        assert repr(got.result) == repr(want.result), appraised  # each Decimal's digits too
    return scored


# Saves of every kind of rule: a count, a ratio's two inputs, the best of the group (relative:
# every unit of the group moves), a formula, a value cleared, another unit.
SAVES = [
    ("ours", "1.2", {"": "3"}),
    ("ours", "2.2", {"numerator": "30", "denominator": "42"}),
    ("ours", "6.3", {"": "2"}),
    ("theirs", "6.3", {"": "1"}),
    ("ours", "7.2", {"cashless": "7", "total": "9"}),
    ("ours", "1.2", {"": "5"}),
    ("ours", "6.3", {"": ""}),
    ("ours", "2.2", {"numerator": "", "denominator": ""}),
]


def test_saves_are_applied_to_the_held_results_not_scored_whole(w) -> None:
    period = _period()
    source.settled(period), source.provisional(period)
    for who, code, raw in SAVES:
        before = revision.current(period.pk)
        w.save(getattr(w, who), code, raw)
        assert revision.current(period.pk) == before + 1
        unit = UNIT if who == "ours" else OTHER_UNIT
        logged = RevisionEdit.objects.get(period=period, revision=before + 1)
        assert logged.cells == [[unit, code, "values"]]
        assert _equal_to_fresh(period) == 0  # no save scored the period whole


def test_another_process_starts_from_the_stored_results(w, monkeypatch) -> None:
    monkeypatch.setattr(source, "STORE_EVERY", 3)
    period = _period()
    source.settled(period)
    stored_at = revision.current(period.pk)
    source.provisional(period)
    calls = source.engine_calls
    for who, code, raw in SAVES[:5]:
        w.save(getattr(w, who), code, raw)
        source.settled(period), source.provisional(period)
    assert source.engine_calls == calls
    kept = set(
        StoredResult.objects.filter(period=period, kind=StoredResult.Kind.SETTLED).values_list(
            "revision", flat=True
        )
    )
    # Stored in full for every process only every STORE_EVERY revisions; in between, kept here.
    assert kept == {stored_at, stored_at + 3}
    source.clear_process_cache()  # as another process: only the stored rows
    assert _equal_to_fresh(period) == 0


def test_values_written_after_the_revision_was_read_are_applied_again(w, monkeypatch) -> None:
    """A reader reads the revision, then the values: a save of the same cell committed in
    between is in what it keeps for the older revision, and the save's own logged raise applies
    it again (the same value)."""
    period = _period()
    source.settled(period)
    w.save(w.ours, "6.3", {"": "2"})
    older = revision.current(period.pk)
    w.save(w.ours, "6.3", {"": "1"})  # committed after the reader read `older`
    current = revision.current
    monkeypatch.setattr(revision, "current", lambda pk: older)
    mixed = source.settled(period)  # kept as `older`, with the later save's value in it
    monkeypatch.setattr(revision, "current", current)
    assert mixed.result == source.fresh(period).result
    _equal_to_fresh(period)


def test_several_units_written_in_one_batch_are_one_logged_raise(w) -> None:
    period = _period()
    source.settled(period), source.provisional(period)
    node = Node.objects.get(framework=period.framework, code="1.2")
    before = revision.current(period.pk)
    with revision.batch():
        for submission, value in ((w.ours, "4"), (w.theirs, "6")):
            values_write(
                submission=submission,
                node=node,
                values={"": value},
                actor=w.demo.dieuphoi,
                reason="",
            )
    assert revision.current(period.pk) == before + 1
    logged = RevisionEdit.objects.get(period=period, revision=before + 1)
    assert sorted(logged.cells) == [[UNIT, "1.2", "values"], [OTHER_UNIT, "1.2", "values"]]
    assert _equal_to_fresh(period) == 0


def test_any_other_raise_is_scored_whole(w) -> None:
    period = _period()
    source.settled(period), source.provisional(period)
    w.save(w.ours, "1.2", {"": "3"})
    revision.bump([period.pk])  # e.g. a setting: no cells logged
    w.save(w.ours, "1.2", {"": "4"})
    now = revision.current(period.pk)
    assert revision.value_edits(period.pk, now - 3, now) is None
    assert revision.value_edits(period.pk, now - 1, now) == [{(UNIT, "1.2", "values")}]
    assert _equal_to_fresh(period) == 2  # settled and provisional, each scored whole once


def test_a_value_written_in_the_previous_period_leaves_the_following_period_as_it_was(
    w,
) -> None:
    """2026 names 2025 as its previous period: a value written in 2025 raises 2026 with an empty
    log (its own inputs did not change), so 2026's results are reused and only the change
    against 2025 is worked out again."""
    before_period, period = _period(PREVIOUS), _period()
    source.settled(before_period), source.settled(period)
    submission = Submission.objects.get(
        participation__period=before_period, participation__unit__code=UNIT
    )
    # 2025 is part-way through appraisal: a settled score decides 2.1, a value moves 1.2.
    AppraisedScore.objects.filter(submission=submission).delete()
    revision.bump([before_period.pk])
    for held in (before_period, period):
        source.settled(held), source.provisional(held)
    node = Node.objects.get(framework=before_period.framework, code="1.2")
    raised = revision.current(period.pk)
    with revision.batch():
        values_write(
            submission=submission, node=node, values={"": "9"}, actor=w.demo.dieuphoi, reason="x"
        )
    assert RevisionEdit.objects.get(period=period, revision=raised + 1).cells == []
    # Both advanced: 2025 by its cell, 2026 unchanged.
    assert _equal_to_fresh(before_period) == _equal_to_fresh(period) == 0
    fresh_previous = source.fresh(before_period).result
    scores = source.final_scores(period)
    assert scores.previous == fresh_previous
    assert scores.change is not None
    ours = next(change for change in scores.change.units if change.unit == UNIT)
    assert ours.previous_total == fresh_previous.unit(UNIT).total


def test_the_log_is_pruned_and_a_restore_forgets_it(w) -> None:
    period = _period()
    for value in ("1", "2", "3"):
        w.save(w.ours, "1.2", {"": value})
    now = revision.current(period.pk)
    assert RevisionEdit.objects.filter(period=period).count() == 3
    revision.forget_edits(period.pk, before=now - 1)
    assert list(RevisionEdit.objects.filter(period=period).values_list("revision", flat=True)) == [
        now
    ]
    revision.after_restore(revision.revisions())
    assert not RevisionEdit.objects.exists()
    assert revision.current(period.pk) > now


def test_the_card_after_a_save_shows_the_saved_values_score(w) -> None:
    """After a save the card re-renders from the held results advanced by the one cell: the
    score is the saved value's, as a fresh computation gives it."""
    period = _period()
    source.settled(period)
    w.save(w.ours, "1.2", {"": "3"})
    unit = source.settled(period).result.unit(UNIT)
    assert unit.nodes["1.2"] == source.fresh(period).result.unit(UNIT).nodes["1.2"]
    assert unit.nodes["1.2"] == Decimal(15)  # 3 × 5 points each


class _Undo(Exception):
    pass


def test_results_read_inside_a_rolled_back_write_are_not_kept(w) -> None:
    """A write's transaction reads the results of its own raise, then rolls back: the number
    comes back and the next committed raise reuses it with other data, which must be what is
    read (nothing of the rolled-back transaction was kept in the process)."""
    period = _period()
    source.settled(period)
    with pytest.raises(_Undo), transaction.atomic():
        w.save(w.ours, "1.2", {"": "6"})
        inside = source.settled(period)
        assert inside.result.unit(UNIT).nodes["1.2"] == Decimal(30)
        raised = revision.current(period.pk)
        raise _Undo
    w.save(w.ours, "1.2", {"": "2"})
    assert revision.current(period.pk) == raised  # the same number, other data
    assert source.settled(period).result.unit(UNIT).nodes["1.2"] == Decimal(10)
    _equal_to_fresh(period)
