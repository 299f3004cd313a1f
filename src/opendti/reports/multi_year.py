"""The report's chart of each group's average across the years (results.multi_year), with its
numbers as a table: every year the period's `previous` chain reaches, each read as the report
reads its own period (the approved snapshot where there is one, else the live results). Kept
apart from build.py so that it can move into any layout of Part II as one block."""

from __future__ import annotations

from collections.abc import Callable

from opendti import numbers
from opendti.periods.models import Period
from opendti.publication.models import Snapshot
from opendti.publication.selectors import ResultSource
from opendti.results.multi_year import group_averages
from opendti.results.source import PeriodScores
from opendti.scoring.model import PeriodResult

from .charts import multi_year_png
from .content import Chart, Section, Table

MISSING = "—"


def _read(period: Period) -> PeriodResult:
    snapshot = Snapshot.objects.filter(period=period).first()
    return ResultSource(period, snapshot).scores().result


def multi_year_sections(
    period: Period, scores: PeriodScores, number: Callable[[], int], heading: str
) -> list[Section]:
    """The section, when the period has at least one earlier year."""
    years = group_averages(period, scores.result, _read)
    if len(years.labels) < 2:
        return []
    header = ("Nhóm", *years.labels)
    rows = tuple(
        (name or "Tất cả đơn vị", *(numbers.vi(v, missing=MISSING) for v in years.averages[code]))
        for code, name in years.groups
    )
    table = Table(number(), "Điểm trung bình của các nhóm qua các năm", header, rows)
    chart = Chart("Điểm trung bình của các nhóm qua các năm", multi_year_png(years))
    paragraph = (
        f"Điểm trung bình của các nhóm từ năm {years.labels[0]} đến năm {years.labels[-1]} "
        f"(Bảng {table.number})."
    )
    return [Section(heading, (paragraph,), (table,), (chart,), level=1)]
