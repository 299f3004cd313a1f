"""A submission's values or scores changed: its period's results revision is raised (in the
caller's transaction; periods/revision.py)."""

from __future__ import annotations

from collections.abc import Iterable

from opendti.periods import revision

from .models import Submission


def submissions_results_changed(submission_ids: Iterable[int]) -> None:
    """The periods of these submissions, found by the UPDATE itself (no read first)."""
    revision.bump_where("participations__submission", submission_ids)


def submission_results_changed(submission: Submission) -> None:
    submissions_results_changed([submission.pk])


def submission_values_changed(
    submission: Submission, indicators: Iterable[str], what: str = revision.VALUES
) -> None:
    """Only the submission's input values of these indicators changed (or, `what` =
    revision.SETTLED, the scores the appraisal settled): the raise is logged with its cells, so
    readers apply them to the results they hold (periods.revision.bump_values)."""
    period_id, unit = (
        Submission.objects.filter(pk=submission.pk)
        .values_list("participation__period_id", "participation__unit__code")
        .get()
    )
    revision.bump_values(period_id, unit, indicators, what)
