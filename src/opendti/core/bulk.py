"""Insert many rows of one model with one statement run many times (`executemany`).

`bulk_create` compiles every value of every object through its field (about 20 µs a row for a
model of a dozen fields): accepting the rest of a province's units writes 65,000 decisions and as
many history rows, 25 s of it. Here each column's value is prepared through the same field once
when it is the same for every row, and once per distinct value otherwise; SQLite gets one
prepared statement run many times, PostgreSQL statements of many rows each.

Like `bulk_create`: no `save()`, no signals; unlike it, no objects and no primary keys come back.
A constraint the rows break raises `django.db.IntegrityError` as `bulk_create` does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

CHUNK = 5000  # rows per executemany: bounded memory for the parameters


def insert_rows(
    model: type[models.Model],
    constant: Mapping[str, Any],
    varying: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Insert one row per item of `rows` (values of the `varying` fields, in that order) with the
    `constant` fields' values in every row. Fields are named as on the model (`node` takes a
    primary key or an object, as does `node_id`). Fields not given take their default; an
    `auto_now`/`auto_now_add` field not given takes one `now()` for every row. Returns the number
    of rows."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    given = dict(constant)
    now = timezone.now()
    for field in meta.concrete_fields:
        if field.primary_key or field.name in given or field.attname in given:
            continue
        if field.name in varying or field.attname in varying:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            given[field.name] = now
        else:
            given[field.name] = field.get_default()
    fixed = [(_field(meta, name), value) for name, value in given.items()]
    moving = [_field(meta, name) for name in varying]
    prepared_fixed = [_prepare(field, value, connection) for field, value in fixed]
    columns = [str(f.column) for f, _value in fixed] + [str(f.column) for f in moving]
    head = "INSERT INTO {} ({}) VALUES ".format(
        connection.ops.quote_name(meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
    )
    one = "({})".format(", ".join(["%s"] * len(columns)))
    # SQLite runs one prepared statement many times fast; PostgreSQL pays a round trip per
    # statement even in a pipeline (65,000 rows: 10 s), so it gets rows many to a statement.
    many = connection.vendor != "sqlite"
    size = max(1, min(CHUNK, 20_000 // len(columns))) if many else CHUNK
    convert = [_converter(field, connection) for field in moving]
    count = 0
    chunk: list[list[Any]] = []
    with connection.cursor() as cursor:

        def flush() -> None:
            if many:
                cursor.execute(
                    head + ", ".join([one] * len(chunk)), [v for values in chunk for v in values]
                )
            else:
                cursor.executemany(head + one, chunk)

        for row in rows:
            chunk.append(prepared_fixed + [c(v) for c, v in zip(convert, row, strict=True)])
            if len(chunk) == size:
                flush()
                count += len(chunk)
                chunk = []
        if chunk:
            flush()
            count += len(chunk)
    return count


def _converter(field: models.Field, connection) -> Callable[[Any], Any]:
    """How a varying column's values are prepared: a primary key of an integer key passes as it
    is (what the field would give back), anything else through the field, once per value."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, models.AutoField | models.BigAutoField | models.IntegerField):

        def integer(value: Any) -> Any:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            return _prepare(field, value, connection)

        return integer
    seen: dict[Any, Any] = {}

    def memo(value: Any) -> Any:
        # Equal values prepare alike (an object is keyed by its primary key).
        try:
            return seen[value]
        except KeyError:
            prepared = seen[value] = _prepare(field, value, connection)
            return prepared

    return memo


def _field(meta: Any, name: str) -> models.Field:
    field = meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{name} is not a column of {meta.label}")
    return field


def _prepare(field: models.Field, value: Any, connection) -> Any:
    if isinstance(value, models.Model):
        value = value.pk
    return field.get_db_prep_save(value, connection=connection)
