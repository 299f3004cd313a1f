"""Where computed results are kept: a small per-process cache in front of a table shared by every
process, and the single flight that makes concurrent readers of a stale revision compute once.

The payload is a pickle (the engine's frozen dataclasses, Decimals included, load several times
faster than any text format we could parse) signed with an HMAC over SECRET_KEY: a row changed in
the database fails the signature and is refused before it is unpickled, so it cannot run code.
"""

from __future__ import annotations

import contextlib
import gc
import hmac
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.crypto import salted_hmac

from opendti.periods import revision as revisions

from .models import StoredResult

logger = logging.getLogger(__name__)

# Raised when the payload's layout changes (not only the engine's version): older rows are then
# recomputed rather than unpickled into a different class layout.
FORMAT = 1
SALT = f"opendti.results.stored.v{FORMAT}"
SIGNATURE_BYTES = 32
KEEP = 3  # revisions kept per period and kind: a reader of a just-replaced revision still finds it
CACHE_SIZE = 8  # whole periods kept in this process (a national one is tens of megabytes)
# pg_advisory_xact_lock(classid, objid): the first number marks our locks among the database's.
LOCK_CLASS = 0x0D71_0000
KINDS = tuple(StoredResult.Kind.values)
# Edits a process applies to its own results before it would rather load the table's newer ones.
NEAR = 50

Key = tuple[int, str, int, str]  # period id, kind, revision, inputs hash ('' for live kinds)


@dataclass(frozen=True)
class Fresh:
    """What a computation gives `read`: the value, its inputs' hash, and whether to store it for
    every process (False: this process only — results advanced by a few value edits, stored in
    full every STORE_EVERY revisions)."""

    value: Any
    inputs_hash: str
    stored: bool = True


@dataclass(frozen=True)
class Base:
    """The newest results of a period's kind older than a revision: where value edits start."""

    revision: int
    value: Any
    stored_revision: int | None  # the newest stored for every process (None: none)


class Tampered(Exception):
    """A stored payload does not carry our signature."""


def dumps(value: Any) -> bytes:
    with _collector_paused():
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _signature(data) + data


def loads(payload: bytes | memoryview) -> Any:
    payload = bytes(payload)
    signature, data = payload[:SIGNATURE_BYTES], payload[SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, _signature(data)):
        raise Tampered
    with _collector_paused():
        return pickle.loads(data)  # signed by us: see the module's docstring


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic collector off: it would walk the growing heap again and again while a whole
    period's objects (or the pickler's tuples) are created, none of them cyclic garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _signature(data: bytes) -> bytes:
    return salted_hmac(SALT, data, algorithm="sha256").digest()


class Cache:
    """The last few results this process read, by key (the revision is in the key: an entry is
    never stale, only unused)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def latest(self, period_id: int, kind: str, below: int) -> tuple[int, Any] | None:
        """The entry of the period's live kind with the highest revision below `below`."""
        with self.lock:
            found = [
                (key[2], value)
                for key, value in self.entries.items()
                if isinstance(key, tuple)
                and key[:2] == (period_id, kind)
                and key[3] == ""
                and key[2] < below
            ]
        return max(found, key=lambda pair: pair[0], default=None)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


cache = Cache(CACHE_SIZE)
_flights: dict[tuple[int, str], threading.Lock] = {}
_flights_lock = threading.Lock()


def _lock(period_id: int, kind: str) -> threading.Lock:
    with _flights_lock:
        return _flights.setdefault((period_id, kind), threading.Lock())


@contextlib.contextmanager
def _process_flight(period_id: int, kind: str) -> Iterator[None]:
    """One reader of a period's kind at a time in this process (others then find its value)."""
    with _lock(period_id, kind):
        yield


@contextlib.contextmanager
def _single_flight(period_id: int, kind: str) -> Iterator[None]:
    """One computation of a period's kind at a time: a lock per process, and on PostgreSQL an
    advisory lock held to the end of a transaction, so readers in other processes wait too. On
    SQLite no transaction is opened around the computation (an IMMEDIATE one would hold the
    database's write lock, and every save, for as long as it lasts): the unique constraint keeps
    one row, and a process that loses the race reads the winner's."""
    with _lock(period_id, kind):
        if connection.vendor != "postgresql":
            yield
            return
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [LOCK_CLASS + KINDS.index(kind), period_id],
                )
            yield


def _stored(key: Key, engine_version: str) -> Any | None:
    period_id, kind, revision, inputs_hash = key
    row = (
        StoredResult.objects.filter(period_id=period_id, kind=kind, revision=revision)
        .only("payload", "engine_version", "inputs_hash")
        .first()
    )
    if row is None:
        return None
    if row.engine_version != engine_version or (inputs_hash and row.inputs_hash != inputs_hash):
        row.delete()  # another engine, or another snapshot's rows: computed again
        return None
    try:
        return loads(row.payload)
    except Tampered:
        logger.error("stored results of period %s (%s %s) refused: bad signature", *key[:3])
        row.delete()
        return None
    except Exception:  # an older layout that no longer unpickles: computed again
        logger.warning("stored results of period %s (%s %s) unreadable", *key[:3], exc_info=True)
        row.delete()
        return None


def read(
    key: Key,
    engine_version: str,
    compute: Callable[[], Fresh],
    advance: Callable[[], Fresh | None] | None = None,
) -> Any:
    """The value for `key`: this process's cache, else the stored row, else `advance()` (cheap:
    edits applied to results this process or the table holds, under this process's lock only),
    else computed once for every process (under the single flight) and stored (when `compute`
    or `advance` says so)."""
    value = cache.get(key)
    if value is not None:
        return value
    value = _stored(key, engine_version)
    if value is None:
        period_id, kind = key[0], key[1]
        with _process_flight(period_id, kind):
            value = cache.get(key)
            if value is None and advance is not None:
                value = _stored_if_asked(key, engine_version, advance())
        if value is None:
            with _single_flight(period_id, kind):
                value = cache.get(key) or _stored(key, engine_version)  # the winner's
                if value is None:
                    value = _stored_if_asked(key, engine_version, compute())
    keep(key, value)
    return value


def _stored_if_asked(key: Key, engine_version: str, fresh: Fresh | None) -> Any | None:
    if fresh is None:
        return None
    if fresh.stored:
        _store(key, engine_version, fresh.inputs_hash or key[3], fresh.value)
    return fresh.value


def in_transaction() -> bool:
    """Whether the caller is inside a transaction of its own (a test's wrapping transaction
    stands for the committed database and does not count)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def keep(key: Any, value: Any, kept: Cache | None = None) -> None:
    """Keep `value` in this process, unless it was read inside a transaction: it may hold that
    transaction's writes under a revision other processes hold other data for (its raise is not
    committed, or not made yet), and a rollback would leave it behind. A stored row is written
    in the transaction and goes with it."""
    if not in_transaction():
        (kept or cache).put(key, value)


def bases(key: Key, engine_version: str) -> Iterator[Base]:
    """Results of `key`'s period and live kind below its revision to start edits from, nearest
    to hand first: this process's newest, then the table's newest when it is newer (loaded only
    if the first cannot be used: a national payload takes a second or more to load, a few edits
    milliseconds)."""
    period_id, kind, revision, _ = key
    stored = (
        StoredResult.objects.filter(
            period_id=period_id, kind=kind, revision__lt=revision, engine_version=engine_version
        )
        .order_by("-revision")
        .values_list("revision", flat=True)
        .first()
    )
    cached = cache.latest(period_id, kind, revision)
    own = Base(cached[0], cached[1], stored) if cached is not None else None
    # Far behind the table, this process's own would mean many more edits than a load.
    near = own is not None and (stored is None or stored - own.revision <= NEAR)
    if own is not None and near:
        yield own
    if stored is not None and (own is None or stored > own.revision):
        older: Key = (period_id, kind, stored, "")
        value = _stored(older, engine_version)
        if value is not None:
            keep(older, value)
            yield Base(stored, value, stored)
    if own is not None and not near:
        yield own


def _store(key: Key, engine_version: str, inputs_hash: str, value: Any) -> None:
    period_id, kind, revision, _ = key
    try:
        with transaction.atomic():
            StoredResult.objects.create(
                period_id=period_id,
                kind=kind,
                revision=revision,
                engine_version=engine_version,
                inputs_hash=inputs_hash,
                payload=dumps(value),
            )
    except IntegrityError:
        return  # another process stored the same revision first: its row is as good as ours
    kept = StoredResult.objects.filter(period_id=period_id, kind=kind).order_by("-revision")
    old = list(kept.values_list("pk", flat=True)[KEEP:])
    if old:
        StoredResult.objects.filter(pk__in=old).delete()
    if kind != StoredResult.Kind.FROZEN:
        # No reader applies logged edits from further back than this (it scores the period).
        revisions.forget_edits(period_id, before=revision - revisions.MAX_LOGGED_STEPS)
