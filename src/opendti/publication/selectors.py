"""Which results a person reads for a period, written once for the portal and the API.

Once a period is approved its snapshot is the result, for everyone (coordinators included): the
pages never read the live tables again, so a later edit of a framework, a value, a band or an
appraised score changes nothing approved. The public (anyone without a provisional-results role)
sees a period only once it is published. Before approval, coordinators, approvers and
administrators see the results computed now from the live tables (provisional).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from opendti.periods.models import Period
from opendti.results import source as results
from opendti.results.access import can_view_provisional_results
from opendti.results.preview import (
    Overrides,
    edited_preview,
    rows_with_overrides,
    unit_preview,
)
from opendti.results.selectors import Rows, period_rows, unit_input_texts
from opendti.results.source import PeriodScores
from opendti.scoring.model import Assessment, PeriodResult
from opendti.workbook.parse import ParsedWorkbook

from .models import TEXTS, Snapshot
from .seal import SealBroken, snapshot_check, text_checked
from .services import published_snapshot
from .snapshots import frozen_rows


class Stage(StrEnum):
    PROVISIONAL = "provisional"  # computed now from the live tables, before approval
    APPROVED = "approved"  # the snapshot, approved but not yet published
    PUBLISHED = "published"  # the snapshot, published on the portal


@dataclass
class ResultSource:
    """A period's results as the asking user may read them: the snapshot, or the live tables."""

    period: Period
    snapshot: Snapshot | None  # None: provisional, computed from the live tables
    published: bool = False
    _live_rows: Rows | None = field(default=None, repr=False)
    _computed: results.Computed | None = field(default=None, repr=False)
    _scores: PeriodScores | None = field(default=None, repr=False)

    @property
    def stage(self) -> Stage:
        if self.snapshot is None:
            return Stage.PROVISIONAL
        return Stage.PUBLISHED if self.published else Stage.APPROVED

    def rows(self) -> Rows:
        """The workbook rows the results come from (a fresh copy: callers may change it)."""
        if self.snapshot is not None:
            snapshot = self.snapshot
            return frozen_rows(text_checked(snapshot, snapshot.rows, snapshot.rows_sha256))
        if self._live_rows is None:
            self._live_rows = period_rows(self.period)
        return json.loads(json.dumps(self._live_rows))

    def computed(self) -> results.Computed:
        """The results as results.source keeps them (the snapshot's, or the settled live ones)."""
        if self._computed is None:
            if self.snapshot is not None:
                found = results.frozen(self.period, self.snapshot)
                assert found is not None  # a snapshot is always read as one
                self._computed = found
            else:
                self._computed = results.settled(self.period)
        return self._computed

    def parsed(self) -> ParsedWorkbook:
        return self.computed().parsed

    def scores(self) -> PeriodScores:
        """Assessment, result and the change against the previous period."""
        if self._scores is None:
            self._scores = results.scores(self.period, self.computed())
        return self._scores

    def preview(self, unit_code: str, overrides: Overrides) -> tuple[Assessment, PeriodResult]:
        """The what-if: the period's results with one unit's inputs replaced. Nothing is written;
        the page's own results are edited (re-scoring only what the edit changes), so an
        unchanged input changes nothing."""
        if self.snapshot is None:  # the live results: the workspace's own preview
            return unit_preview(period=self.period, unit_code=unit_code, overrides=overrides)
        computed = self.computed()
        return edited_preview(
            computed.assessment,
            computed.result,
            unit_code,
            overrides,
            full=lambda: results.score_rows(rows_with_overrides(self.rows(), unit_code, overrides)),
        )

    def unit_values(self, unit_code: str) -> dict[tuple[str, str], str]:
        """(indicator, input name) -> value of one unit, as the results read them: the
        snapshot's text, or the live table's."""
        if self.snapshot is None:
            return unit_input_texts(self.period, unit_code)
        sheet = self.parsed().raw.get("values")  # the parse is kept: no second read of the rows
        return {
            (row["indicator"], row["input"]): row["value"]
            for row in (sheet.rows if sheet is not None else [])
            if row["unit"] == unit_code
        }


def _source(period: Period, provisional: bool) -> ResultSource | None:
    public = published_snapshot(period)
    if public is not None:
        public.period = period  # already loaded: spares the frozen reader a query
        return ResultSource(period, public, published=True)
    if not provisional:
        return None
    frozen = Snapshot.objects.filter(period=period).defer(*TEXTS).first()
    if frozen is not None:
        frozen.period = period
        snapshot_check(frozen)
    return ResultSource(period, frozen)


def final_scores(period: Period) -> tuple[PeriodScores, Snapshot | None]:
    """The numbers that count, for reports, scorecards and the approval page: the approved
    snapshot's when the period has one, else the settled live results; with the snapshot."""
    snapshot = Snapshot.objects.filter(period=period).select_related("approved_by").first()
    return ResultSource(period, snapshot).scores(), snapshot


def result_source(user, period: Period) -> ResultSource | None:
    """Where `user` reads `period`'s results from, or None when they may not see them at all."""
    return _source(period, can_view_provisional_results(user))


class YearReader:
    """Reads each year of a unit's comparison across years as `user` may see it (the snapshot
    where there is one; a year the user may not see ends the comparison), and keeps what it read
    by period code so that the trend chart reuses it."""

    def __init__(self, user, first: ResultSource | None = None) -> None:
        self.provisional = can_view_provisional_results(user)
        self.read: dict[str, tuple[ParsedWorkbook, PeriodResult]] = {}
        if first is not None:  # the period of the page, already read: not read twice
            self.read[first.period.code] = (first.parsed(), first.scores().result)

    def __call__(self, period: Period) -> tuple[ParsedWorkbook, PeriodResult] | None:
        if period.code not in self.read:
            source = _source(period, self.provisional)
            if source is None:
                return None
            self.read[period.code] = (source.parsed(), source.scores().result)
        return self.read[period.code]


def published_periods() -> list[Snapshot]:
    """The published snapshots that match their seal, newest year first, with their period (for
    the home page and the open-data index; a broken one is left out, and reported)."""
    snapshots = (
        Snapshot.objects.filter(period__status=Period.Status.PUBLISHED, publication__isnull=False)
        .select_related("period__framework__level")
        .order_by("-period__year", "period__code")
        .defer(*TEXTS)  # megabytes each, read only for a record this process has not checked
    )
    intact = []
    for snapshot in snapshots:
        try:
            intact.append(snapshot_check(snapshot))
        except SealBroken:
            continue
    return intact
