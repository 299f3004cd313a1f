"""What a page works out over every unit of a period's results (a ranking table and its sorted
rows, the component levels, the year-on-year statistics), kept in this process so that a request
only does the work of its own page's units (docs/performance.md, "Pages over stored results").

An entry is keyed by the results' key (`Computed.key`: the period, the kind and the results
revision, or the hash of the snapshot's rows, which change whenever the results may), the
language (the tables carry translated labels), a name and whatever else it was built from. What
it was compared with (the `PeriodChange` against the previous period, itself kept by both
periods' keys in results.source) is held by the entry and must be the very object the reader
holds now: a previous period whose results changed gives a new change, and the entry is built
again. So an entry is never stale, only unused, and the oldest are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.utils.translation import get_language

from . import store

T = TypeVar("T")

# A national period's ranking tables (one per view and group) are a few megabytes each; a page
# asks for one view, group and sort at a time.
CACHE_SIZE = 64
# The rendered parts of one page of a ranking (its rows, charts, levels, findings: a few hundred
# KB at national size): every page of a 3,400-unit ranking in two sorts.
PAGES_SIZE = 128

_kept = store.Cache(CACHE_SIZE)
_pages = store.Cache(PAGES_SIZE)


def kept(
    results_key: store.Key,
    name: str,
    build: Callable[[], T],
    *,
    against: object | None = None,
    extra: tuple[Hashable, ...] = (),
    page: bool = False,
) -> T:
    """`build()` once per results, language, `name`, `extra` and comparison `against` (the
    change the value was built with, compared by identity: the entry holds it, so its id cannot
    be reused while the entry lives). `page`: the value is one page's, kept among the pages (so
    that many pages do not push the whole-period values out)."""
    cache = _pages if page else _kept
    key: tuple[Any, ...] = (results_key, get_language(), name, id(against), extra)
    entry = cache.get(key)
    if entry is not None and entry[0] is against:
        return entry[1]
    value = build()
    store.keep(key, (against, value), cache)  # not what a transaction worked out (store.keep)
    return value


def clear() -> None:
    """Forget what was kept (tests: as a new process)."""
    _kept.clear()
    _pages.clear()
