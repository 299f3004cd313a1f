"""Scoring a period stored in the database, keeping the output with its engine version and hash."""

from __future__ import annotations

from opendti.periods.models import Period
from opendti.scoring import score_period
from opendti.scoring.model import Assessment, PeriodResult
from opendti.workbook.output import result_document

from .models import ResultRun
from .selectors import period_assessment


def period_score(*, period: Period) -> tuple[Assessment, PeriodResult]:
    """Compute a period's results from its stored inputs (nothing is written)."""
    assessment, _ = period_assessment(period)
    return assessment, score_period(assessment)


def period_recompute(*, period: Period) -> ResultRun:
    """Compute and store a period's results with the engine version and the inputs' hash."""
    assessment, inputs_hash = period_assessment(period)
    result = score_period(assessment)
    return ResultRun.objects.create(
        period=period,
        engine_version=result.engine_version,
        inputs_hash=inputs_hash,
        document=result_document(assessment, result),
    )
