"""Results computed now, for tests that change the tables behind the services' back (no revision
raised) and for the reference the results source is compared with."""

from __future__ import annotations

from opendti.periods.models import Period
from opendti.results import source
from opendti.results.source import PeriodScores
from opendti.scoring.model import Assessment, PeriodResult


def period_score(*, period: Period, appraised: bool = True) -> tuple[Assessment, PeriodResult]:
    computed = source.fresh(period, appraised=appraised)
    return computed.assessment, computed.result


def snapshot_scores(snapshot) -> PeriodScores:
    """A snapshot's frozen results with their change, through the results source."""
    scores = source.frozen_scores(snapshot.period, snapshot)
    assert scores is not None
    return scores


def period_scores(*, period: Period) -> PeriodScores:
    """The results that count with the change against the previous period (what reports print)."""
    return source.final_scores(period)
