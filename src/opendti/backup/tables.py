"""Every table of the installation as JSON lines, and back: the database part of a backup.

The format knows nothing of the database it came from, so a backup of the embedded SQLite
installation restores into PostgreSQL and the other way round. For each model (Django's and
ours, many-to-many tables included) a header line names the model and its columns, then one
line per row holds the values in that order: text for dates, times and decimals (never a
float), base64 for bytes. Loading turns each value back through its field (`to_python`, then the
database's own form), inserts rows in batches inside the caller's transaction, exactly as they
were (no automatic timestamps), and sets the id sequences past the largest id.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import uuid
from collections.abc import Iterator
from typing import IO, Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connections
from django.db.models import Model
from django.utils.duration import duration_iso_string

from opendti.audit.triggers import TABLE as AUDIT_TABLE
from opendti.audit.triggers import statements

# Sessions are not kept: they are only who is logged in now. Stored pages are copies rendered
# from the snapshots (publication/pages.py), made again on the first request after a restore.
SKIPPED = {"sessions.Session", "publication.StoredPage"}
# What `migrate` fills in an empty database: their rows do not make an installation non-empty
# (a restore replaces them with the backup's own, whose ids its other rows refer to).
MIGRATE_FILLED = {"auth.Permission", "contenttypes.ContentType"}
BATCH = 2000


def models() -> list[type[Model]]:
    """The models whose rows are kept, in a fixed order."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.label not in SKIPPED
    ]
    return sorted(found, key=lambda model: model._meta.label)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"no backup form for {type(value).__name__}")


def _columns(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def tables_dump(out: IO[str], *, using: str = "default") -> dict[str, int]:
    """Write every table to out; returns the number of rows of each model (by label)."""
    counts: dict[str, int] = {}
    for model in models():
        columns = _columns(model)
        out.write(json.dumps({"model": model._meta.label, "columns": columns}) + "\n")
        count = 0
        rows = (
            model._base_manager.using(using)
            .order_by(model._meta.pk.attname)
            .values_list(*columns)
            .iterator(chunk_size=BATCH)
        )
        for row in rows:
            out.write(json.dumps(row, default=_encode, ensure_ascii=False) + "\n")
            count += 1
        counts[model._meta.label] = count
    return counts


def _batches(lines: IO[str]) -> Iterator[tuple[type[Model], list[list[Any]] | None]]:
    """(model, rows) in batches; a model without rows gives (model, None) once."""
    model: type[Model] | None = None
    batch: list[list[Any]] = []
    for line in lines:
        item = json.loads(line)
        if isinstance(item, dict):
            if model is not None:
                yield model, batch or None
            model, batch = apps.get_model(item["model"]), []
            if item["columns"] != _columns(model):
                raise ValueError(
                    f"{item['model']}: the backup's columns differ from this version's "
                    "(restore with the version that made it, then upgrade)"
                )
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            assert model is not None
            yield model, batch
            batch = []
    if model is not None:
        yield model, batch or None


def _existing(using: str) -> list[type[Model]]:
    """The models whose tables exist in the database (all of them once it is migrated)."""
    present = set(connections[using].introspection.table_names())
    return [model for model in models() if model._meta.db_table in present]


def tables_load(lines: IO[str], *, using: str = "default") -> dict[str, int]:
    """Replace every table's rows by the dump's, in the caller's transaction; returns the rows
    loaded by model. The tables are emptied first (the caller has decided they may be)."""
    connection = connections[using]
    every = _existing(using)
    tables = [model._meta.db_table for model in every]
    # Replacing the database replaces its audit log too. SQLite empties a table row by row,
    # which the log's append-only trigger refuses: the guard is lifted for the emptying only,
    # inside the caller's transaction (PostgreSQL truncates, which row triggers do not see).
    guarded = connection.vendor == "sqlite" and AUDIT_TABLE in tables
    with connection.cursor() as cursor:
        for statement in statements("sqlite", install=False) if guarded else ():
            cursor.execute(statement)
        for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(statement)
        for statement in statements("sqlite", install=True) if guarded else ():
            cursor.execute(statement)
    counts = {model._meta.label: 0 for model in every}
    quote = connection.ops.quote_name
    for model, rows in _batches(lines):
        if not rows:
            continue
        # Plain INSERTs with each field's own conversion: the ORM's bulk_create would stamp
        # auto_now fields with the time of the restore.
        fields = model._meta.concrete_fields
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(str(f.column)) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        params = [
            [
                f.get_db_prep_save(f.to_python(v), connection)
                for f, v in zip(fields, row, strict=True)
            ]
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        counts[model._meta.label] += len(rows)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), every):
            cursor.execute(statement)
    # SQLite checks foreign keys only when asked; PostgreSQL at commit (deferred constraints).
    connection.check_constraints(table_names=tables)
    return counts


def tables_counts(*, using: str = "default") -> dict[str, int]:
    """Rows by model, for the tables that exist (none in a database never migrated)."""
    return {
        model._meta.label: model._base_manager.using(using).count() for model in _existing(using)
    }
