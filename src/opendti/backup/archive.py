"""`opendti backup FILE` and `opendti restore FILE` (docs/deployment.md, "Backup and restore").

A backup is one tar file:

    manifest.json                 what is inside: row counts, migrations, every file's SHA-256
    database.jsonl.gz             every table (tables.py), read in one consistent view
    files/<storage>/<name>        every stored file a row points at (evidence, report files)

Consistent while the site runs: the tables are read in one snapshot (a REPEATABLE READ, read-only
transaction on PostgreSQL; an online copy of the database file on SQLite, so writers are never
held up), and stored files are never changed once written (new names for new files), so the
files the snapshot's rows name are exactly those copied after it.

A restore goes into an empty installation (refused otherwise, unless `replace`): it checks every
member against the manifest before touching anything, brings the database to the backup's
migrations, puts the files back under the same names, loads the tables in one transaction,
checks the row counts, raises every period's results revision above any held before (so nothing
stored for the replaced data is served for the restored), then applies any newer migration.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import Storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from opendti.assessments.models import Evidence
from opendti.core.storage import EVIDENCE, REPORTS, storage, stored_exists, stored_sha256
from opendti.periods import revision
from opendti.periods.models import Period
from opendti.reports.models import ReportFile

from .tables import MIGRATE_FILLED, tables_counts, tables_dump, tables_load

FORMAT = "opendti-backup/1"
MANIFEST = "manifest.json"
DATABASE = "database.jsonl.gz"
SNAPSHOT_ALIAS = "opendti_backup_snapshot"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class FileSet:
    """Stored files that rows point at: the storage, and (name, SHA-256) pairs read in the
    database snapshot."""

    storage: str
    names: Callable[[str], Iterator[tuple[str, str]]]


def _evidence_files(using: str) -> Iterator[tuple[str, str]]:
    rows = Evidence.objects.using(using).filter(kind=Evidence.Kind.FILE).exclude(storage_path="")
    yield from rows.values_list("storage_path", "sha256").order_by("storage_path").distinct()


def _report_files(using: str) -> Iterator[tuple[str, str]]:
    rows = ReportFile.objects.using(using).filter(status=ReportFile.Status.DONE)
    yield from rows.exclude(storage_path="").values_list("storage_path", "sha256").order_by("pk")


FILE_SETS = (FileSet(EVIDENCE, _evidence_files), FileSet(REPORTS, _report_files))


class _Hashing(io.RawIOBase):
    """Reads through a file, hashing what passes."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.digest.update(data)
        return data


# --- backup ------------------------------------------------------------------------------------


@contextlib.contextmanager
def _snapshot(folder: Path) -> Iterator[str]:
    """A database alias whose reads all see one moment of the database."""
    default = connections[DEFAULT_DB_ALIAS]
    if default.vendor == "sqlite":
        # SQLite's online backup copies the pages under a read lock for an instant; the copy is
        # then read at leisure while the site goes on writing to the original.
        copy = folder / "snapshot.sqlite3"
        default.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            default.connection.backup(target)
        finally:
            target.close()
        connections.databases[SNAPSHOT_ALIAS] = {
            **connections.databases[DEFAULT_DB_ALIAS],
            "NAME": str(copy),
        }
        try:
            yield SNAPSHOT_ALIAS
        finally:
            connections[SNAPSHOT_ALIAS].close()
            del connections[SNAPSHOT_ALIAS]
            del connections.databases[SNAPSHOT_ALIAS]
        return
    if default.vendor != "postgresql":
        raise BackupError(f"backups support SQLite and PostgreSQL, not {default.vendor}")
    with transaction.atomic():
        with default.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield DEFAULT_DB_ALIAS


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_stored(tar: tarfile.TarFile, store: Storage, alias: str, name: str) -> dict[str, Any]:
    info = tarfile.TarInfo(f"files/{alias}/{name}")
    info.size = store.size(name)
    info.mtime = int(datetime.datetime.now().timestamp())
    info.mode = 0o600
    with store.open(name, "rb") as handle:
        reader = _Hashing(handle)
        tar.addfile(info, reader)
    return {"storage": alias, "name": name, "size": info.size, "sha256": reader.digest.hexdigest()}


def backup_create(path: Path, *, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Write a backup of the database and every stored file to path; returns its manifest."""
    from django.conf import settings

    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="opendti-backup-") as scratch:
        folder = Path(scratch)
        dump = folder / DATABASE
        with _snapshot(folder) as alias:
            with gzip.open(dump, "wt", encoding="utf-8", compresslevel=6) as out:
                counts = tables_dump(out, using=alias)
            migrations = sorted(
                [app, name]
                for app, name in MigrationRecorder.Migration.objects.using(alias).values_list(
                    "app", "name"
                )
            )
            wanted = [(fs.storage, list(fs.names(alias))) for fs in FILE_SETS]
        log(f"database: {sum(counts.values())} rows in {len(counts)} tables")
        partial = path.with_name(path.name + ".part")
        files: list[dict[str, Any]] = []
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                tar.add(dump, arcname=DATABASE)
                for alias_name, names in wanted:
                    store = storage(alias_name)
                    for name, recorded in names:
                        if not stored_exists(store, name):
                            raise BackupError(
                                f"{alias_name}: the file {name} that the database names is "
                                "missing from the storage; the backup was not made"
                            )
                        entry = _add_stored(tar, store, alias_name, name)
                        if recorded and entry["sha256"] != recorded:
                            raise BackupError(
                                f"{alias_name}: the file {name} does not match the SHA-256 the "
                                "database recorded for it (changed or damaged on disk); the "
                                "backup was not made"
                            )
                        files.append(entry)
                manifest = {
                    "format": FORMAT,
                    "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                    "opendti": version("opendti"),
                    "database": {
                        "vendor": connections[DEFAULT_DB_ALIAS].vendor,
                        "sha256": _sha256_file(dump),
                        "rows": counts,
                        "migrations": migrations,
                    },
                    "storage": settings.OPENDTI_STORAGE,
                    "files": files,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    log(f"files: {len(files)}, {sum(f['size'] for f in files)} bytes")
    return manifest


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- restore -----------------------------------------------------------------------------------


def _manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = tar.extractfile(MANIFEST)
    except KeyError:
        raise BackupError("this file is not an OpenDTI backup (no manifest.json)") from None
    assert handle is not None
    manifest = json.loads(handle.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r} (expected {FORMAT})")
    return manifest


def _member_sha256(tar: tarfile.TarFile, name: str) -> str:
    try:
        handle = tar.extractfile(name)
    except KeyError:
        raise BackupError(f"the backup lacks {name}, which its manifest lists") from None
    assert handle is not None
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def backup_verify(tar: tarfile.TarFile) -> dict[str, Any]:
    """The manifest, once every member is checked against it (BackupError otherwise)."""
    manifest = _manifest(tar)
    if _member_sha256(tar, DATABASE) != manifest["database"]["sha256"]:
        raise BackupError(f"{DATABASE} does not match its SHA-256 in the manifest: damaged")
    for entry in manifest["files"]:
        member = f"files/{entry['storage']}/{entry['name']}"
        if _member_sha256(tar, member) != entry["sha256"]:
            raise BackupError(f"{member} does not match its SHA-256 in the manifest: damaged")
    return manifest


def _occupied() -> list[str]:
    """The models with rows here, other than those `migrate` fills."""
    return sorted(
        label for label, count in tables_counts().items() if count and label not in MIGRATE_FILLED
    )


def _migrate_to(applied: set[tuple[str, str]]) -> None:
    """Bring the database to exactly the backup's migrations (from nothing, or back)."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    unknown = applied - set(graph.nodes)
    if unknown:
        first = sorted(unknown)[0]
        raise BackupError(
            f"the backup was made by a newer version (migration {first[0]}.{first[1]} is unknown "
            "here): install that version, restore, then upgrade"
        )
    targets: list[tuple[str, str | None]] = []
    for app in sorted({app for app, _ in graph.nodes}):
        mine = {node for node in applied if node[0] == app}
        if not mine:
            targets.append((app, None))
            continue
        targets.extend(
            node
            for node in mine
            if not any(child.key in mine for child in graph.node_map[node].children)
        )
    executor.migrate(targets)


def _put_files(tar: tarfile.TarFile, manifest: dict[str, Any], *, replace: bool) -> list:
    """Store each file under its own name; returns what was written (to undo on failure)."""
    written: list[tuple[Storage, str]] = []
    try:
        for entry in manifest["files"]:
            store, name = storage(entry["storage"]), entry["name"]
            if stored_exists(store, name):
                if stored_sha256(store, name) == entry["sha256"]:
                    continue
                if not replace:
                    raise BackupError(
                        f"{entry['storage']}: a different file is already stored as {name}"
                    )
                store.delete(name)
            handle = tar.extractfile(f"files/{entry['storage']}/{name}")
            assert handle is not None
            saved = store.save(name, File(handle, name=name))
            written.append((store, saved))
            if saved != name:
                raise BackupError(f"{entry['storage']}: {name} could not be stored under its name")
    except BaseException:
        for store, name in written:
            store.delete(name)
        raise
    return written


def backup_restore(
    path: Path, *, replace: bool = False, log: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Restore a backup into this installation (BackupError if it is not empty, unless
    replace); returns the manifest."""
    with tarfile.open(Path(path), "r:") as tar:
        manifest = backup_verify(tar)
        log(f"backup of {manifest['created_at']} checked: {len(manifest['files'])} files")
        occupied = _occupied()
        if occupied and not replace:
            raise BackupError(
                "this installation is not empty (rows in "
                + ", ".join(occupied[:5])
                + (" …" if len(occupied) > 5 else "")
                + "): restore into an empty database, or give --replace to delete its data"
            )
        # The results revisions held before: the restored ones are set above them all.
        revisions_before = revision.revisions() if _has_revisions() else {}
        _migrate_to({(app, name) for app, name in manifest["database"]["migrations"]})
        written = _put_files(tar, manifest, replace=replace)
        try:
            handle = tar.extractfile(DATABASE)
            assert handle is not None
            with transaction.atomic(), gzip.open(handle, "rt", encoding="utf-8") as lines:
                counts = tables_load(lines)
                expected = manifest["database"]["rows"]
                if {k: counts.get(k) for k in expected} != expected:
                    wrong = sorted(k for k in expected if counts.get(k) != expected[k])
                    raise BackupError(f"row counts differ from the manifest in {wrong}")
                raised = _has_revisions()
                if raised:
                    revision.after_restore(revisions_before)
        except BaseException:
            for store, name in written:
                store.delete(name)
            raise
    log(f"database: {sum(counts.values())} rows restored")
    # Then this version's newer migrations, if any (and the content types of new models).
    call_command("migrate", interactive=False, verbosity=0)
    if not raised:  # a backup made before periods had a revision: raised once it has
        with transaction.atomic():
            revision.after_restore(revisions_before)
    return manifest


def _has_revisions() -> bool:
    """Whether the periods' table has its results revision (not in a backup's older schema)."""
    connection = connections[DEFAULT_DB_ALIAS]
    table = Period._meta.db_table
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return False
        columns = connection.introspection.get_table_description(cursor, table)
    return any(column.name == "results_revision" for column in columns)
