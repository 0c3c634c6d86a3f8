"""Bulk writes for batches of thousands of rows (the continuity sweep): COPY on PostgreSQL.

Django's `bulk_create` prepares every value of every row in Python, and on PostgreSQL its
psycopg client-side binding quotes them one by one; for a batch of a thousand rows in four
tables that is most of the batch's time. `copy_rows` streams plain tuples with COPY instead
(psycopg's C dumpers), and `update_rows` sets a few columns of many rows in one
`UPDATE ... FROM unnest(...)`. Both are for PostgreSQL (`copy_supported`); callers keep the
ORM path for the other engines. Both go through the connection's execute wrappers, and are
logged as queries when queries are logged (DEBUG, `CaptureQueriesContext`).
"""

import functools
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields import AutoFieldMixin

__all__ = ["copy_rows", "copy_supported", "reserve_ids", "update_rows"]


def copy_supported(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether `copy_rows`, `reserve_ids` and `update_rows` work on this database."""
    return connections[using].vendor == "postgresql"


def _concrete(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    """The concrete field of `model` called `name` ("pk" for the primary key, or an attname)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a concrete field")
    return field


def _column(field: "models.Field[Any, Any]") -> str:
    if not field.column:
        raise ValueError(f"{field} has no column")
    return field.column


def _run(using: str, sql: str, params: Any, action: Callable[[Any], Any]) -> Any:
    """Run `action(cursor)` as one statement: through the execute wrappers, logged, and with
    the driver's errors turned into Django's (IntegrityError...)."""
    connection = connections[using]
    connection.validate_no_broken_transaction()
    with connection.cursor() as wrapper:

        def execute(_sql: str, _params: Any, _many: bool, _context: dict[str, Any]) -> Any:
            with connection.wrap_database_errors:
                return action(wrapper.cursor)

        executor: Callable[..., Any] = execute
        for outer in reversed(connection.execute_wrappers):
            executor = functools.partial(outer, executor)
        started = time.monotonic()
        try:
            return executor(sql, params, False, {"connection": connection, "cursor": wrapper})
        finally:
            if connection.queries_logged:
                connection.queries_log.append(
                    {"sql": sql, "time": f"{time.monotonic() - started:.3f}"}
                )


def copy_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Insert `rows` into `model`'s table with one COPY; PostgreSQL only.

    Each row holds the values of `fields` (names of concrete fields, the primary key
    included if it is given), in that order, ready for the driver: strings, numbers, dates,
    aware datetimes, None; JSON fields take the Python value. Every other concrete field
    gets what Django would give a new object (its default, now for `auto_now_add`), the
    same for every row; an automatic primary key not in `fields` comes from its sequence.
    Constraints are checked as for any insert (a unique violation raises IntegrityError).
    """
    connection = connections[using]
    opts = model._meta
    named = [_concrete(model, name) for name in fields]
    blank = model()
    others = [
        field
        for field in opts.concrete_fields
        if field not in named and not isinstance(field, AutoFieldMixin)
    ]
    constants = [
        field.get_db_prep_save(field.pre_save(blank, add=True), connection) for field in others
    ]
    encoders = {i: f.encoder for i, f in enumerate(named) if isinstance(f, models.JSONField)}
    json_positions = list(encoders)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(field)) for field in [*named, *others])
    sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"

    def copy(cursor: Any) -> None:
        adapt = connection.ops.adapt_json_value
        with cursor.copy(sql) as stream:
            for row in rows:
                values = list(row)
                for i in json_positions:
                    values[i] = adapt(values[i], encoders[i])
                values.extend(constants)
                stream.write_row(values)

    _run(using, sql, None, copy)


def reserve_ids(
    model: type[models.Model], count: int, *, using: str = DEFAULT_DB_ALIAS
) -> list[int]:
    """`count` new primary keys from the sequence of `model`'s table; PostgreSQL only."""
    if count <= 0:
        return []
    opts = model._meta
    sql = (
        "SELECT nextval(sequence) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass "
        "AS sequence) AS s, generate_series(1, %s)"
    )
    params = [connections[using].ops.quote_name(opts.db_table), opts.pk.column, count]

    def select(cursor: Any) -> list[int]:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]

    ids: list[int] = _run(using, sql, params, select)
    return ids


def update_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Set `fields` of many rows in one UPDATE; PostgreSQL only. Returns how many rows.

    Each row is (primary key, value of each of `fields`...), values ready for the driver.
    Like `QuerySet.bulk_update`, it touches no other column (not even `auto_now` ones).
    """
    if not rows:
        return 0
    connection = connections[using]
    opts = model._meta
    quote = connection.ops.quote_name
    targets = [_concrete(model, name) for name in ("pk", *fields)]
    names = [f"c{i}" for i in range(len(targets))]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in targets)
    assignments = ", ".join(
        f"{quote(_column(field))} = v.{name}"
        for field, name in zip(targets[1:], names[1:], strict=True)
    )
    # Names and types come from the model, never from the values (they are parameters).
    table, pk = quote(opts.db_table), quote(_column(targets[0]))
    sql = f"UPDATE {table} AS t SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)}) "  # noqa: S608
    sql += f"WHERE t.{pk} = v.c0"
    params = [list(column) for column in zip(*rows, strict=True)]

    def update(cursor: Any) -> int:
        cursor.execute(sql, params)
        return int(cursor.rowcount)

    updated: int = _run(using, sql, params, update)
    return updated
