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
