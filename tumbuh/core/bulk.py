"""Fast bulk writes for imports: COPY on PostgreSQL, executemany on SQLite.

Django's ``bulk_create`` builds one INSERT per batch and costs tens of microseconds per row;
partner imports of a million rows need the database's own bulk path. These helpers write plain
tuples in the order of ``fields`` and never call ``save()``: callers validate first and own the
transaction. Ids are reserved up front, so related rows can point at rows not yet written.
"""

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection, models
from django.db.models.expressions import RawSQL


def _column(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).column


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``, safe against concurrent writers.

    PostgreSQL draws them from the table's sequence; SQLite runs one writer at a time (immediate
    transactions), so the next ids after the current maximum are free until this transaction
    ends. Call inside ``transaction.atomic()``.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted_pk = connection.ops.quote_name(pk)
        quoted_table = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({quoted_pk}), 0) FROM {quoted_table}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def reserve_many(*wanted: tuple[type[models.Model], int]) -> list[list[int]]:
    """``reserve_ids`` for several models at once: one query on PostgreSQL, whatever the count.

    ``reserve_many((Enterprise, 10), (Person, 4))`` → ``[[10 ids], [4 ids]]``."""
    if connection.vendor != "postgresql":
        return [reserve_ids(model, count) for model, count in wanted]
    longest = max((count for _model, count in wanted), default=0)
    if longest <= 0:
        return [[] for _wanted in wanted]
    # Each sequence is looked up once, not once per id: by name for every id, the lookup cost
    # nine times the ids themselves (psql, 3 × 10,000 ids: 172 ms against 19).
    columns = [f"CASE WHEN n <= %s THEN nextval(s.s{index}) END" for index in range(len(wanted))]
    sequences = [
        f"pg_get_serial_sequence(%s, %s)::regclass AS s{index}" for index in range(len(wanted))
    ]
    params = []
    for model, _count in wanted:
        params += [model._meta.db_table, model._meta.pk.column]
    params += [count for _model, count in wanted]
    with connection.cursor() as cursor:
        cursor.execute(
            # MATERIALIZED: else the planner pulls the lookups up into every row again.
            f"WITH s AS MATERIALIZED (SELECT {', '.join(sequences)}) "  # noqa: S608 - ours
            f"SELECT {', '.join(columns)} FROM s CROSS JOIN generate_series(1, %s) AS n",
            [*params, longest],
        )
        rows = cursor.fetchall()
    return [[row[index] for row in rows[:count]] for index, (_model, count) in enumerate(wanted)]


def select_in(sql: str, values, params: Sequence = ()) -> list[tuple]:
    """Run ``sql`` whose ``{values}`` placeholder stands for a list of values, in one parameter.

    ``WHERE row_hash IN {values}`` becomes ``= ANY(%s)`` with an array on PostgreSQL and
    ``IN (SELECT value FROM json_each(%s))`` on SQLite: one parameter however long the list,
    without the ORM's per-value cost or SQLite's limit on the number of parameters.
    """
    values = list(values)
    if not values:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Typed explicitly: an untyped list of Python ints arrives as numeric[], and
            # "bigint = ANY(numeric[])" cannot use the index.
            array_type = "bigint[]" if isinstance(values[0], int) else "text[]"
            cursor.execute(
                sql.replace("IN {values}", f"= ANY(%s::{array_type})"), [*params, values]
            )
        else:
            cursor.execute(
                sql.replace("{values}", "(SELECT value FROM json_each(%s))"),
                [*params, json.dumps(values)],
            )
        # A DELETE or UPDATE without RETURNING has no rows to give.
        return cursor.fetchall() if cursor.description is not None else []


def in_values(values: Sequence) -> RawSQL:
    """``values`` as a subquery in one parameter, for a queryset's ``field__in=``: an array
    unnested on PostgreSQL, ``json_each`` on SQLite (see ``select_in``). The ORM's own list
    gives every value a placeholder, which psycopg splits out of the query text again: 1.1 s of
    the 3.8 s it took to read 200,000 registry records by id in chunks of 5,000."""
    values = list(values)
    if connection.vendor == "postgresql":
        array_type = "bigint[]" if values and isinstance(values[0], int) else "text[]"
        return RawSQL(f"SELECT unnest(%s::{array_type})", [values])  # noqa: S611 - a constant
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])


@contextmanager
def local_settings(**values: str):
    """PostgreSQL settings for the statements run inside, in the caller's transaction, given
    back to what they were afterwards: ``SET LOCAL`` alone would hold until the transaction
    ends, for every statement after. Run it inside ``transaction.atomic()``; on an error the
    settings go with the savepoint or transaction rolled back. Elsewhere it does nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(
                "SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value]
            )
            before[name] = cursor.fetchone()[0]
    yield
    with connection.cursor() as cursor:
        for name, value in before.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def update_rows(table: str, key: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Set ``columns`` of the rows of ``table`` whose ``key`` is the last value of each of
    ``rows`` (tuples: the columns' values in order, then the key); returns how many were given.

    PostgreSQL: one ``UPDATE … FROM unnest(…)`` with an array per column, typed as the table's
    columns. One statement fires the table's statement-level triggers (the dashboards' change
    triggers on businesses and milestones) once; ``executemany`` fired them once per row, and
    merging 9,000 duplicates spent 17 of its 22 s there at 1 M businesses. SQLite: executemany.
    ``table``, ``key`` and ``columns`` come from the caller's code, never from input.
    """
    rows = list(rows)
    if not rows:
        return 0
    names = [*columns, key]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assignments = ", ".join(f"{column} = %s" for column in columns)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = %s", rows)  # noqa: S608
            return len(rows)
        cursor.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = ANY(%s)",
            [table, names],
        )
        types = dict(cursor.fetchall())
        arrays = ", ".join(f"%s::{types[name]}[]" for name in names)
        # The values are named by position: the key may be one of the columns it sets.
        aliases = [f"v{index}" for index in range(len(names))]
        assignments = ", ".join(
            f"{column} = v.{alias}" for column, alias in zip(columns, aliases, strict=False)
        )
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM unnest({arrays}) "  # noqa: S608
            f"AS v({', '.join(aliases)}) WHERE t.{key} = v.{aliases[-1]}",
            [list(values) for values in zip(*rows, strict=True)],
        )
    return len(rows)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``) into ``model``'s table; return the count.

    JSON fields take Python lists and dicts, or JSON text; binary fields take bytes. No defaults are applied:
    pass every non-null column.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [_column(model, name) for name in fields]
    json_positions = [
        index
        for index, name in enumerate(fields)
        if isinstance(model._meta.get_field(name), models.JSONField)
    ]
    # Datetimes as the ORM would store them (naive UTC text on SQLite; PostgreSQL takes them).
    time_positions = (
        [
            index
            for index, name in enumerate(fields)
            if isinstance(model._meta.get_field(name), models.DateTimeField)
        ]
        if connection.vendor == "sqlite"
        else []
    )
    adapt = connection.ops.adapt_datetimefield_value

    def prepared(row):
        if not json_positions and not time_positions:
            return row
        row = list(row)
        for index in json_positions:
            if not isinstance(row[index], str):  # a str is already JSON text
                row[index] = json.dumps(row[index], ensure_ascii=False)
        for index in time_positions:
            row[index] = adapt(row[index])
        return row

    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepared(row))
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        batch = []
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        for row in rows:
            batch.append(prepared(row))
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def copy_rows(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    types: Sequence[str] | None = None,
) -> int:
    """Write ``rows`` (tuples in the order of ``columns``) into ``table``, which need not be a
    model's (a temporary staging table); return the count. COPY on PostgreSQL, executemany in
    batches on SQLite. Values go as they are: adapt them for the database first.

    ``types``: the PostgreSQL types of the columns (``int8``, ``text``, ``bytea``…); given, the
    COPY is binary, which spares encoding every value as text (bytes especially)."""
    quoted_table = connection.ops.quote_name(table)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            binary = " (FORMAT BINARY)" if types else ""
            with cursor.cursor.copy(f"COPY {quoted_table} ({quoted}) FROM STDIN{binary}") as copy:
                if types:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quoted_table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - our names
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
