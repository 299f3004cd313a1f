"""Scoring a period stored in the database, keeping the output with its engine version and hash."""

from __future__ import annotations

from opendti.periods.models import Period
from opendti.periods.names import group_names
from opendti.workbook.output import result_document

from . import source
from .models import ResultRun
from .source import PeriodScores
from .year_on_year import GroupYearOnYear, YearOnYear, group_sentences, year_on_year


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
    computed = source.fresh(period)
    return ResultRun.objects.create(
        period=period,
        engine_version=computed.result.engine_version,
        inputs_hash=computed.inputs_hash,
        document=result_document(computed.assessment, computed.result),
    )


def year_on_year_groups(
    *, period: Period, scores: PeriodScores
) -> list[tuple[GroupYearOnYear, list[str]]] | None:
    """Each group's statistics with its sentences, for a page (None without a previous period)."""
    statistics = scores_year_on_year(period=period, scores=scores)
    if statistics is None:
        return None
    return [(group, group_sentences(group)) for group in statistics.groups]
