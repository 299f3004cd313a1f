"""Insert many rows of one model without an object each: `executemany`, or COPY.

`bulk_create` compiles every value of every object through its field (about 20 µs a row for a
model of a dozen fields): accepting the rest of a province's units writes 65,000 decisions and as
many history rows, 25 s of it. Here each column's value is prepared through the same field once
when it is the same for every row, and once per distinct value otherwise; SQLite gets one
prepared statement run many times (`executemany`), PostgreSQL a COPY.

Like `bulk_create`: no `save()`, no signals; unlike it, no objects and no primary keys come back.
A constraint the rows break raises `django.db.IntegrityError` as `bulk_create` does. The rows go
around Django's query wrappers (`connection.execute_wrapper`, the debug query log)."""

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
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    convert = [_converter(field, connection) for field in moving]
    prepared = (prepared_fixed + [c(v) for c, v in zip(convert, row, strict=True)] for row in rows)
    if connection.vendor == "postgresql":
        return _copy(connection, f"COPY {table} ({names}) FROM STDIN", prepared)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(table, names, ", ".join(["%s"] * len(columns)))
    count = 0
    chunk: list[list[Any]] = []
    with connection.cursor() as cursor:
        for values in prepared:
            chunk.append(values)
            if len(chunk) == CHUNK:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
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


def _copy(connection, sql: str, rows: Iterable[list[Any]]) -> int:
    """PostgreSQL: the rows through COPY (a statement per row cost a round trip each, 10 s for
    65,000; one statement of many rows, psycopg's parsing of its text). Errors come as Django's,
    an integrity error included."""
    count = 0
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for values in rows:
            copy.write_row(values)
            count += 1
    return count


def _field(meta: Any, name: str) -> models.Field:
    field = meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{name} is not a column of {meta.label}")
    return field


def _prepare(field: models.Field, value: Any, connection) -> Any:
    if isinstance(value, models.Model):
        value = value.pk
    return field.get_db_prep_save(value, connection=connection)
