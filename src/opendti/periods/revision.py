"""The results revision of a period: one integer that changes whenever the period's results may.

Every write that can change a result (a value, an evidence-required flag, a reviewer's decision,
an upheld objection, the framework or its bands, a participation) calls `bump` inside the same
transaction as the write, so a reader that sees the new data also sees the new revision, and a
stored result computed for an older revision is never served for the new data.

Who raises it (docs/performance.md, "Bản sửa đổi kết quả"):
- the services that write what the engine reads below the periods app's models, explicitly
  (values: `assessments.services.answers.values_write`; settled scores: `appraisal.services.settle`;
  bulk loads: the workbook import and the demo loaders);
- every save or delete of the period's own rows and of the framework and unit rows it reads,
  whoever makes it (the console, the admin, an import), through the receivers in
  `periods/revision_receivers.py`;
- a restore (`after_restore`).

Raising twice is harmless (a stored result is only recomputed); missing one is the defect.

A raise whose only change is some units' input values or the scores the appraisal settled for
them (`bump_values`: the workspace's save, a reviewer's decision) is logged with its cells
(`RevisionEdit`), and so is a raise of a period only because its previous
period changed (no cells: its own inputs did not): a reader holding the results of an earlier
revision applies the logged cells (`value_edits`) rather than scoring the period whole. Any other
raise leaves no row, which tells readers to score the period whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import F, Q

from .models import Period, RevisionEdit

# The period's own settings that the results are computed from (results/selectors.period_rows),
# with the status (which says which scores a reader counts) and the previous period (the change
# the results are compared with).
RESULT_FIELDS = (
    "title",
    "framework",
    "year",
    "label",
    "cadence",
    "quarter",
    "decimals",
    "display",
    "not_deployed_policy",
    "band_on",
    "status",
    "previous",
)

# A reader further behind than this scores the period whole rather than apply the logged edits.
MAX_LOGGED_STEPS = 200

# (unit code, indicator code, what changed: VALUES or SETTLED)
Cells = set[tuple[str, str, str]]
VALUES = "values"  # the unit's input values of the indicator
SETTLED = "settled"  # the score the appraisal settled for the unit at the indicator


@dataclass
class _Raises:
    """The raises a writer asked for: by lookups on Period (anything may have changed), and by
    period id with the only cells that changed, input values or settled scores (logged: see
    RevisionEdit)."""

    lookups: dict[str, set[int]] = field(default_factory=dict)
    cells: dict[int, Cells] = field(default_factory=dict)

    def add(self, other: _Raises) -> None:
        for lookup, values in other.lookups.items():
            self.lookups.setdefault(lookup, set()).update(values)
        for period_id, cells in other.cells.items():
            self.cells.setdefault(period_id, set()).update(cells)


# Inside `batch`: the raises to make when the block ends.
_pending: ContextVar[_Raises | None] = ContextVar("results_revision", default=None)


def _raise(raises: _Raises) -> None:
    lookups = {lookup: values for lookup, values in raises.lookups.items() if values}
    if not lookups and not raises.cells:
        return
    pending = _pending.get()
    if pending is not None:
        pending.add(_Raises(lookups, raises.cells))
        return
    # A period's results include the change against its previous period (results.source
    # .final_scores): the periods that name a raised one as their previous are raised with it
    # (one step: the change compares with the previous period's own results only).
    unlogged: set[int] = set()
    if lookups:
        where = reduce(or_, (Q(**{f"{lookup}__in": sorted(v)}) for lookup, v in lookups.items()))
        unlogged = set(Period.objects.filter(where).values_list("pk", flat=True))
    raised = unlogged | set(raises.cells)
    if not raised:
        return
    followers = set(
        Period.objects.filter(previous__in=raised)
        .exclude(pk__in=raised)
        .values_list("pk", flat=True)
    )
    # One UPDATE adding one, never read-then-write: concurrent writers each add their own step
    # (the rows stay locked until their transaction ends) and none is lost. Read back inside
    # the transaction, each revision is this writer's own.
    everyone = raised | followers
    Period.objects.filter(pk__in=everyone).update(results_revision=F("results_revision") + 1)
    now = dict(Period.objects.filter(pk__in=everyone).values_list("pk", "results_revision"))
    logged = [
        RevisionEdit(period_id=pk, revision=now[pk], cells=sorted(map(list, cells)))
        for pk, cells in raises.cells.items()
        if pk not in unlogged
    ]
    logged += [RevisionEdit(period_id=pk, revision=now[pk], cells=[]) for pk in followers]
    RevisionEdit.objects.bulk_create(logged)


def bump(period_ids: Iterable[int | None]) -> None:
    """Raise the results revision of these periods, and of the periods that follow them, by one
    (an UPDATE, so concurrent writers each add their own step and none is lost)."""
    bump_where("pk", period_ids)


def bump_where(lookup: str, values: Iterable[int | None]) -> None:
    """Raise the revision of every period matching `lookup` in `values` (e.g. "framework", the
    framework ids): one query finds them, so a writer need not read them first."""
    _raise(_Raises(lookups={lookup: {v for v in values if v is not None}}))


def bump_values(period_id: int, unit: str, indicators: Iterable[str], what: str = VALUES) -> None:
    """Raise the revision of a period whose only change is these input values of one unit (or,
    `what` = SETTLED, the scores the appraisal settled for it): the raise is logged with its
    cells, so readers holding the previous revision's results apply the cells instead of scoring
    the period again (results.source)."""
    assert what in (VALUES, SETTLED)
    cells = {(unit, code, what) for code in indicators}
    if cells:
        _raise(_Raises(cells={period_id: cells}))


def value_edits(period_id: int, after: int, upto: int) -> list[Cells] | None:
    """The cells changed by each raise of the period from revision `after` to `upto`, in order;
    None when one of those raises changed anything other than values (or is not kept)."""
    if upto - after > MAX_LOGGED_STEPS or upto < after:
        return None
    rows = list(
        RevisionEdit.objects.filter(period_id=period_id, revision__gt=after, revision__lte=upto)
        .order_by("revision")
        .values_list("cells", flat=True)
    )
    if len(rows) != upto - after:
        return None
    return [{(unit, code, what) for unit, code, what in cells} for cells in rows]


def forget_edits(period_id: int, before: int) -> None:
    """Drop the log of raises up to `before` (no reader starts from an older revision)."""
    RevisionEdit.objects.filter(period_id=period_id, revision__lte=before).delete()


@contextmanager
def batch() -> Iterator[None]:
    """A transaction whose writes raise the revisions once, at its end: for writes of many rows
    (an upload, accepting the rest, a carry-over). The period rows are then locked last and for
    the shortest time, so concurrent savers wait on them only for the commit, and two writers
    never hold a period and wait for each other's other rows (a deadlock). Nested: the outermost
    block raises them."""
    if _pending.get() is not None:
        yield
        return
    pending = _Raises()
    token = _pending.set(pending)
    done = False
    try:
        with transaction.atomic():
            yield
            _pending.reset(token)
            done = True
            _raise(pending)
    finally:
        if not done:
            _pending.reset(token)


def current(period_id: int) -> int:
    """The period's results revision as the database holds it now (not a cached instance's)."""
    return Period.objects.values_list("results_revision", flat=True).get(pk=period_id)


def revisions() -> dict[int, int]:
    """Every period's revision now, by id."""
    return dict(Period.objects.values_list("pk", "results_revision"))


def after_restore(before: dict[int, int]) -> None:
    """After the tables were replaced by a backup's (same transaction): every period's revision
    above any this database held before (`before`, read before the tables were emptied), so
    nothing stored for a revision of the replaced data is taken for the restored data's."""
    if not before:
        # An empty installation: no process can hold results of periods it never had, and a
        # backup of the restored installation must read as the one restored.
        return
    offset = max(before.values()) + 1
    Period.objects.update(results_revision=F("results_revision") + offset)
    # The log tells how the restored data's revisions followed each other, not how to reach
    # them from results a process kept of the replaced data: readers score them whole.
    RevisionEdit.objects.all().delete()
