"""The one source of a period's results, for every page, report, export and the API.

Three kinds of results:
- provisional: the live tables with the units' own scores (before the appraisal settles any);
- settled: the live tables with what the appraisal settled (the final results until approval);
- frozen: the approved snapshot's rows (read through publication, which registers a reader here:
  publication sits above results, so results cannot import it).

`final(period)` is the snapshot when the period has one, else the settled results, and
`previous(period)` applies the same rule to the previous period: every reader compares with the
same previous results.

A live kind is computed once per results revision (`periods.revision`: every write that can
change a result raises it in its transaction) and kept in the database for every process, with a
small cache in this process in front of it (results.store). A frozen kind is keyed by the hash of
the snapshot's rows, which never change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from opendti.periods import revision
from opendti.periods.models import Period
from opendti.scoring import ENGINE_VERSION, score_period
from opendti.scoring.compare import PeriodChange, compare_periods
from opendti.scoring.incremental import apply_edit
from opendti.scoring.model import Assessment, PeriodResult, Value
from opendti.workbook.parse import ParsedWorkbook, parse_workbook
from opendti.workbook.sheets import raw_from_rows
from opendti.workbook.validate import appraised_error, leaves_of

from . import store
from .models import StoredResult
from .overrides import engine_changes
from .selectors import Rows, period_parsed, rows_hash, unit_input_texts, unit_settled_scores

Kind = StoredResult.Kind


@dataclass(frozen=True, eq=False)
class Computed:
    """One computation: the engine's input as parsed, its result, and the inputs' hash ('' for
    results advanced from an earlier revision by value edits: their rows were not all read)."""

    key: store.Key
    parsed: ParsedWorkbook
    result: PeriodResult
    inputs_hash: str

    @property
    def assessment(self) -> Assessment:
        return self.parsed.assessment


@dataclass(frozen=True)
class PeriodScores:
    assessment: Assessment
    result: PeriodResult
    change: PeriodChange | None  # against the previous period, when the period names one
    previous: PeriodResult | None = None  # the previous period's results the change is against


class FrozenRows(Protocol):
    """A period's snapshot as results reads it: the hash of its rows (checked against the seal)
    and the rows themselves, read and checked only when they must be computed."""

    @property
    def rows_sha256(self) -> str: ...

    def rows(self) -> Rows: ...


# publication registers it (AppConfig.ready): period, optional snapshot → its frozen rows or None
FrozenReader = Callable[[Period, object | None], FrozenRows | None]
_frozen_reader: FrozenReader | None = None


def register_frozen_reader(reader: FrozenReader) -> None:
    global _frozen_reader
    _frozen_reader = reader


# Counted, not mocked: the tests check that a revision is computed once.
engine_calls = 0
_calls_lock = threading.Lock()


def _engine(assessment: Assessment) -> PeriodResult:
    global engine_calls
    with _calls_lock:
        engine_calls += 1
    return score_period(assessment)


def parse_rows(rows: Rows) -> ParsedWorkbook:
    return parse_workbook(raw_from_rows(rows))


def score_rows(rows: Rows) -> tuple[Assessment, PeriodResult]:
    """Rows scored now and kept nowhere: the what-if and the preview of unsaved values."""
    return score_parsed(parse_rows(rows))


def score_parsed(parsed: ParsedWorkbook) -> tuple[Assessment, PeriodResult]:
    """Checked input scored now and kept nowhere."""
    return parsed.assessment, _engine(parsed.assessment)


def edit(
    assessment: Assessment,
    result: PeriodResult,
    unit: str,
    changes: Mapping[str, Mapping[str, Value]],
) -> tuple[Assessment, PeriodResult]:
    """`result` with one unit's inputs of some indicators replaced, re-scoring only what they
    change (scoring.incremental; equal to scoring the edited assessment whole). Kept nowhere."""
    return apply_edit(assessment, result, unit, changes)


def _compute(key: store.Key, parsed: ParsedWorkbook, inputs_hash: str) -> store.Fresh:
    computed = Computed(key, parsed, _engine(parsed.assessment), inputs_hash)
    return store.Fresh(computed, inputs_hash)


def live(period: Period, *, appraised: bool = True) -> Computed:
    """The live results: settled (`appraised`) or the units' own scores (provisional)."""
    kind = Kind.SETTLED if appraised else Kind.PROVISIONAL
    key: store.Key = (period.pk, str(kind), revision.current(period.pk), "")

    def compute() -> store.Fresh:
        return _compute(key, *period_parsed(period, appraised=appraised))

    return store.read(key, ENGINE_VERSION, compute, advance=lambda: _advance(period, key))


# An advanced result is kept in this process; every this many revisions one is stored for every
# process (pickling a national period takes about a second: not on every save).
STORE_EVERY = 25
# More changed cells than this since the results held: the period is scored whole.
MAX_CELLS = 400


def _advance(period: Period, key: store.Key) -> store.Fresh | None:
    """The results of `key`'s revision reached from the newest ones held of an earlier revision
    when every raise between them changed only logged cells (periods.revision: input values, or
    scores the appraisal settled): each unit's cells re-scored by `apply_edit`, equal to scoring
    the period whole. The cells are read now: a write committed since the revision was read is
    applied too, and its own raise applies it again (the same value), so the result never misses
    a logged change."""
    for base in store.bases(key, ENGINE_VERSION):
        steps = revision.value_edits(period.pk, base.revision, key[2])
        if steps is not None:
            return _apply(period, key, base, set().union(*steps))
    return None


def _apply(
    period: Period, key: store.Key, base: store.Base, cells: set[tuple[str, str, str]]
) -> store.Fresh | None:
    """`base` with the logged cells applied (None: too many, or one the checks must name)."""
    if key[1] != Kind.SETTLED:  # the units' own scores: what the appraisal settles is not read
        cells = {cell for cell in cells if cell[2] == revision.VALUES}
    if len(cells) > MAX_CELLS:
        return None
    held: Computed = base.value
    assessment, result = held.assessment, held.result
    by_unit: dict[str, dict[str, set[str]]] = {}
    for unit, code, what in cells:
        by_unit.setdefault(unit, {}).setdefault(what, set()).add(code)
    for unit, edits in sorted(by_unit.items()):
        if not any(u.code == unit for u in assessment.units):
            return None
        changes = _values(period, assessment, unit, edits.get(revision.VALUES, set()))
        appraised = _settled(period, assessment, unit, edits.get(revision.SETTLED, set()))
        if changes is None or appraised is None:  # the checks must name what is wrong
            return None
        assessment, result = apply_edit(assessment, result, unit, changes, appraised)
    parsed = ParsedWorkbook(assessment, None, held.parsed.predecessors)
    stored = base.stored_revision is None or key[2] - base.stored_revision >= STORE_EVERY
    return store.Fresh(Computed(key, parsed, result, ""), "", stored=stored)


def _values(
    period: Period, assessment: Assessment, unit: str, codes: set[str]
) -> dict[str, dict[str, Value]] | None:
    """The unit's input values of these indicators now, as the engine reads them (None: one
    the engine cannot take as it is)."""
    if not codes:
        return {}
    texts = unit_input_texts(period, unit)
    return engine_changes(
        assessment,
        {code: {name: v for (c, name), v in texts.items() if c == code} for code in codes},
    )


def _settled(
    period: Period, assessment: Assessment, unit: str, codes: set[str]
) -> dict[str, Decimal | None] | None:
    """The scores the appraisal settled for the unit at these leaves now, read as the database
    path reads them (None: one the checks would refuse)."""
    if not codes:
        return {}
    found = unit_settled_scores(period, unit, codes)
    leaves = leaves_of(assessment.framework.nodes)
    decimals = assessment.settings.decimals
    scores: dict[str, Decimal | None] = {}
    for code in codes:
        score = found.get(code)
        if score is not None:  # checked as the workbook checks it
            leaf = leaves.get(code)
            if leaf is None or appraised_error(leaf, score, decimals) is not None:
                return None
        scores[code] = score
    return scores


def fresh(period: Period, *, appraised: bool = True) -> Computed:
    """Computed now from the live tables, neither read from nor kept in the store (`opendti
    recompute`, and the tests' reference)."""
    parsed, inputs_hash = period_parsed(period, appraised=appraised)
    kind = Kind.SETTLED if appraised else Kind.PROVISIONAL
    return _compute((period.pk, str(kind), -1, inputs_hash), parsed, inputs_hash).value


def settled(period: Period) -> Computed:
    return live(period, appraised=True)


def provisional(period: Period) -> Computed:
    return live(period, appraised=False)


def frozen(period: Period, snapshot: object | None = None) -> Computed | None:
    """The approved snapshot's results (recomputed from its frozen rows, never from the live
    tables), or None without a snapshot. publication.seal.SealBroken when it fails its seal."""
    if _frozen_reader is None:
        return None
    found = _frozen_reader(period, snapshot)
    if found is None:
        return None
    key: store.Key = (period.pk, str(Kind.FROZEN), 0, found.rows_sha256)

    def compute() -> store.Fresh:
        rows = found.rows()
        return _compute(key, parse_rows(rows), rows_hash(rows))

    return store.read(key, ENGINE_VERSION, compute)


def final(period: Period) -> Computed:
    """The results that count: the snapshot's once approved, else the settled live ones."""
    return frozen(period) or settled(period)


def previous(period: Period) -> Computed | None:
    """The previous period's results every reader compares with (the rule of `final`)."""
    if period.previous_id is None:
        return None
    before = Period.objects.select_related("framework__level").get(pk=period.previous_id)
    return final(before)


def scores(period: Period, computed: Computed) -> PeriodScores:
    """`computed` with the change against the previous period (units followed through lineage: a
    merged unit is compared with the mean of its predecessors)."""
    before = previous(period)
    if before is None:
        return PeriodScores(computed.assessment, computed.result, None)
    # Both keys carry their revision or rows' hash: a kept change is never stale.
    key = (computed.key, before.key)
    found = _changes.get(key)
    if found is None:
        decimals = computed.assessment.settings.decimals
        change = compare_periods(
            computed.result, before.result, computed.parsed.predecessors, decimals
        )
        found = PeriodScores(computed.assessment, computed.result, change, before.result)
        store.keep(key, found, _changes)
    return found


_changes = store.Cache(store.CACHE_SIZE)


def final_scores(period: Period) -> PeriodScores:
    """The results that count with the change against the previous period: the snapshot's once
    approved (for reports, scorecards, the approval page), else the settled live ones."""
    return scores(period, final(period))


def live_scores(period: Period) -> PeriodScores:
    """The settled live results with the change, even when a snapshot exists (provisional pages
    of a period whose snapshot was set aside)."""
    return scores(period, settled(period))


def frozen_scores(period: Period, snapshot: object | None = None) -> PeriodScores | None:
    computed = frozen(period, snapshot)
    return scores(period, computed) if computed is not None else None


def clear_process_cache() -> None:
    """Forget what this process read (the stored rows stay): tests, and a memory-bound worker."""
    store.cache.clear()
    _changes.clear()
