"""Published pages kept as they were rendered (docs/performance.md, "Published pages").

A published period never changes, so neither does its public ranking, a unit's scorecard, its
open-data files or its embed: each is rendered once per period, language and address, kept in the
database (`StoredPage`, shared by every server process) and served from there. What the bytes
were made from besides the request:

- the snapshot: the page records the seal it was rendered under and is served only while the
  snapshot still has it;
- the language and the address with its query (in the key);
- the other published periods (a page also shows the previous period, the quarters of the year
  and the years of a unit): publishing a period removes every kept page (`Publication.save`);
- the templates, translations and code (`template_version`, in the key), so that a new release
  never serves a page rendered by the old one.

The seal is still checked before a kept page is served: the one query that reads the page reads
the snapshot's record with it (not its texts), checked as every served snapshot is
(`seal.snapshot_check`, once per process for each state of the record, the texts read for it), so
a tampered snapshot is refused here too.

A kept row is never changed (only created, and deleted when a period is published or a release
changes the pages), so its body is kept in this process with the row's id, ETag and seal
(`_bodies`, bounded in bytes): once a process holds it, the one query reads the row's record
without the body (a 14 MB JSON was read from PostgreSQL and copied for every reader). Whether the
page is still served (its period published, its seal unchanged, the same row) is still asked of
the database on every request, so a withdrawn period or a page rendered again is seen at once.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

import opendti
from opendti.periods.models import Period

from .models import TEXTS, Snapshot, StoredPage
from .seal import checked_before, snapshot_check

# Beyond this many pages of one snapshot (filters, sorts and pages of a large ranking), a page is
# rendered for the request but not kept: the table cannot be grown without bound from outside.
MAX_PAGES_PER_SNAPSHOT = 5000
# What a stored page is rendered from besides the database: templates, translations, code, static
# files (their hashed names appear in the pages).
_VERSIONED = {".py", ".html", ".mo", ".js", ".css", ".txt", ".json"}


@functools.cache
def template_version() -> str:
    """A digest of the package's templates, translations, code and static files, computed once
    per process (a few hundred small files)."""
    root = Path(opendti.__file__).resolve().parent
    digest = hashlib.sha256(opendti.__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in _VERSIONED and "__pycache__" not in path.parts and path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def published_for_serving(code: str) -> Snapshot | None:
    """The published snapshot of period `code` with its period and publication, its texts not
    loaded; None when the period is not published. SealBroken when it does not match its seal
    (the texts are read for the check the first time a process meets this state of the record)."""
    snapshot = (
        Snapshot.objects.filter(
            period__code=code,
            period__status=Period.Status.PUBLISHED,
            publication__isnull=False,
        )
        .select_related("period__framework__level", "publication")
        .defer(*TEXTS)
        .first()
    )
    if snapshot is None:
        return None
    if not checked_before(snapshot):
        snapshot_check(Snapshot.objects.select_related("period").get(pk=snapshot.pk))
    return snapshot


def page_key(code: str, *, view: str, language: str, address: str) -> str:
    parts = [code, language, view, address, template_version()]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# Where base.html leaves the header of a kept page (portal/published.py puts the reader's in).
HEADER_MARKER = b"<!--opendti:page-header-->"


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
    disposition: str
    etag: str
    modified: datetime.datetime
    # Whether the body has the header's marker: looked for once, not in 14 MB per request.
    headed: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "headed", HEADER_MARKER in self.body)


def _page(row: StoredPage) -> Page:
    return Page(bytes(row.body), row.content_type, row.disposition, row.etag, row.created_at)


Identity = tuple[int, str, str]  # the kept row's id, ETag and seal


class Bodies:
    """The kept pages this process served, by page key, each with the identity of the row it was
    read from (a row is never updated: the same identity is the same bytes); the least recently
    served dropped first beyond `limit` bytes of bodies. An entry is used only when the query
    of the request names the same row, so it is never stale: a page rendered again is a new row,
    and a body larger than the limit is simply read each time."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[str, tuple[Identity, Page]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[Identity, Page] | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, identity: Identity, page: Page) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old[1].body)
            if len(page.body) > self.limit:
                return
            self.entries[key] = (identity, page)
            self.size += len(page.body)
            while self.size > self.limit:
                _key, (_identity, dropped) = self.entries.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


# Per gunicorn worker: the national period's ranking pages (tens of KB each), its CSV (0.6 MB)
# and JSON (14 MB) in both languages fit with room to spare.
BODY_CACHE_BYTES = 64 * 1024 * 1024
_bodies = Bodies(BODY_CACHE_BYTES)


def forget_bodies() -> None:
    """As a new process: no kept body in memory (tests)."""
    _bodies.clear()


# The snapshot's fields its seal check reads (seal._fingerprint), read with the page.
_RECORD = (
    "snapshot_id",
    "snapshot__period_id",
    "snapshot__seal_version",
    "snapshot__seal",
    "snapshot__rows_sha256",
    "snapshot__document_sha256",
    "snapshot__decision_number",
    "snapshot__decision_date",
    "snapshot__signer",
    "snapshot__approved_by_id",
)
_PAGE = ("pk", "seal", "content_type", "disposition", "etag", "created_at")


_KEY = "\x00key"  # stands for the key in the query compiled once


@functools.cache
def _stored_query(alias: str, body: bool) -> tuple[str, tuple[Any, ...]]:
    """The SQL of `stored`, compiled once per process (building a query through the ORM costs
    more than running it, on a path that does nothing else); with the body last, or without it
    when this process holds the body already."""
    query = (
        StoredPage.objects.using(alias)
        .filter(
            key=_KEY,
            snapshot__period__status=Period.Status.PUBLISHED,
            snapshot__publication__isnull=False,
        )
        .values_list(*_PAGE, *_RECORD, *(["body"] if body else []))[:1]
    )
    sql, params = query.query.get_compiler(alias).as_sql()
    return sql, tuple(params)


@functools.cache
def _body_query(alias: str) -> str:
    query = StoredPage.objects.using(alias).filter(pk=0).values_list("body")
    sql, _params = query.query.get_compiler(alias).as_sql()
    return sql


def _date(value: object) -> object:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: object) -> datetime.datetime:
    # The driver's value, as the ORM would convert it (SQLite gives text, in UTC).
    if isinstance(value, str):
        moment = parse_datetime(value)
        assert moment is not None
        value = moment if timezone.is_aware(moment) else moment.replace(tzinfo=datetime.UTC)
    assert isinstance(value, datetime.datetime)
    return value


def stored(key: str) -> Page | None:
    """The kept page, in one query with its snapshot's record, if its period is still published
    and its snapshot has the seal it was rendered under; SealBroken if the snapshot no longer
    matches its seal. The query reads the body only when this process does not hold it."""
    connection = connections[StoredPage.objects.db]
    held = _bodies.get(key)
    sql, template = _stored_query(connection.alias, held is None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key if p == _KEY else p for p in template])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, seal, content_type, disposition, etag, created_at = row[: len(_PAGE)]
    record = dict(zip(_RECORD, row[len(_PAGE) : len(_PAGE) + len(_RECORD)], strict=True))
    record["snapshot__decision_date"] = _date(record["snapshot__decision_date"])
    snapshot = Snapshot(
        pk=record["snapshot_id"],
        **{name.removeprefix("snapshot__"): record[name] for name in _RECORD[1:]},
    )
    if not checked_before(snapshot):
        snapshot_check(Snapshot.objects.select_related("period").get(pk=snapshot.pk))
    if seal != snapshot.seal:
        return None  # rendered under another seal: rendered again
    identity = (pk, etag, seal)
    if held is not None and held[0] == identity:
        return held[1]
    if held is None:
        body = row[-1]
    else:  # rendered again since this process read it: another row
        with connection.cursor() as cursor:
            cursor.execute(_body_query(connection.alias), [pk])
            found = cursor.fetchone()
        if found is None:
            return None  # deleted since the first query: rendered again
        body = found[0]
    page = Page(bytes(body), content_type, disposition, etag, _moment(created_at))
    _bodies.put(key, identity, page)
    return page


def store(
    snapshot: Snapshot,
    key: str,
    body: bytes,
    *,
    content_type: str,
    disposition: str = "",
    etag: str | None = None,
) -> Page:
    """Keep a rendered page (unless the snapshot has too many already) and return it as kept.
    Two processes rendering the same page at once keep the first one's."""
    version = template_version()
    row = StoredPage(
        key=key,
        snapshot=snapshot,
        seal=snapshot.seal,
        version=version,
        content_type=content_type,
        disposition=disposition,
        etag=etag or hashlib.sha256(body).hexdigest(),
        body=body,
    )
    # Pages rendered by an earlier release are never asked for again.
    StoredPage.objects.filter(snapshot=snapshot).exclude(version=version).delete()
    if StoredPage.objects.filter(snapshot=snapshot).count() >= MAX_PAGES_PER_SNAPSHOT:
        return Page(body, content_type, disposition, row.etag, timezone.now())
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # another process kept it first: the same bytes
        pass
    return _page(row)
