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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import F, Q

from .models import Period

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

# Inside `batch`: the periods to raise when the block ends, as lookups on Period and their values.
_pending: ContextVar[dict[str, set[int]] | None] = ContextVar("results_revision", default=None)


def _raise(lookups: dict[str, set[int]]) -> None:
    lookups = {lookup: values for lookup, values in lookups.items() if values}
    if not lookups:
        return
    pending = _pending.get()
    if pending is not None:
        for lookup, values in lookups.items():
            pending.setdefault(lookup, set()).update(values)
        return
    # One UPDATE, never read-then-write: concurrent writers each add their own step (the row is
    # locked until their transaction ends) and none is lost. A period's results include the
    # change against its previous period (results.source.final_scores): the periods that
    # name a raised one as their previous are raised with it (one step: the change compares
    # with the previous period's own results only).
    where = reduce(or_, (Q(**{f"{lookup}__in": sorted(v)}) for lookup, v in lookups.items()))
    raised = Period.objects.filter(where).values("pk")
    Period.objects.filter(Q(pk__in=raised) | Q(previous__in=raised)).update(
        results_revision=F("results_revision") + 1
    )


def bump(period_ids: Iterable[int | None]) -> None:
    """Raise the results revision of these periods, and of the periods that follow them, by one
    (an UPDATE, so concurrent writers each add their own step and none is lost)."""
    bump_where("pk", period_ids)


def bump_where(lookup: str, values: Iterable[int | None]) -> None:
    """Raise the revision of every period matching `lookup` in `values` (e.g. "framework", the
    framework ids): one UPDATE that finds them itself, so a writer need not read them first."""
    _raise({lookup: {v for v in values if v is not None}})


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
    pending: dict[str, set[int]] = {}
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
