"""Scoring a period stored in the database, keeping the output with its engine version and hash."""

from __future__ import annotations

from dataclasses import dataclass

from opendti.periods.models import Period
from opendti.periods.names import group_names
from opendti.scoring import score_period
from opendti.scoring.compare import PeriodChange, compare_periods
from opendti.scoring.model import Assessment, PeriodResult
from opendti.workbook.output import result_document

from .models import ResultRun
from .selectors import period_assessment, period_parsed
from .year_on_year import GroupYearOnYear, YearOnYear, group_sentences, year_on_year


def period_score(*, period: Period, appraised: bool = True) -> tuple[Assessment, PeriodResult]:
    """Compute a period's results from its stored inputs (nothing is written). Without
    `appraised`, the units' own scores before the appraisal settled any."""
    assessment, _ = period_assessment(period, appraised=appraised)
    return assessment, score_period(assessment)


@dataclass(frozen=True)
class PeriodScores:
    assessment: Assessment
    result: PeriodResult
    change: PeriodChange | None  # against the previous period, when the period names one
    previous: PeriodResult | None = None  # the previous period's results the change is against


def period_scores(*, period: Period) -> PeriodScores:
    """A period's results with the change against its previous period (units followed through
    lineage: a merged unit is compared with the mean of its predecessors)."""
    parsed, _ = period_parsed(period)
    result = score_period(parsed.assessment)
    change = None
    if period.previous_id is not None:
        previous = Period.objects.select_related("framework__level").get(pk=period.previous_id)
        _, previous_result = period_score(period=previous)
        change = compare_periods(result, previous_result, parsed.predecessors, period.decimals)
        return PeriodScores(parsed.assessment, result, change, previous_result)
    return PeriodScores(parsed.assessment, result, change)


def scores_year_on_year(*, period: Period, scores: PeriodScores) -> YearOnYear | None:
    """The year-on-year statistics of `scores` (None without a previous period), the ranking
    groups named as the period names them and the bands of its total band scheme."""
    if scores.change is None or scores.previous is None:
        return None
    names = group_names(period, {u.group for u in scores.result.units})
    scheme = scores.assessment.framework.total_bands
    bands = [b.label for b in scheme.bands] if scheme else []
    return year_on_year(
        scores.result, scores.previous, scores.change, bands=bands, group_names=names
    )


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


def year_on_year_groups(
    *, period: Period, scores: PeriodScores
) -> list[tuple[GroupYearOnYear, list[str]]] | None:
    """Each group's statistics with its sentences, for a page (None without a previous period)."""
    statistics = scores_year_on_year(period=period, scores=scores)
    if statistics is None:
        return None
    return [(group, group_sentences(group)) for group in statistics.groups]
