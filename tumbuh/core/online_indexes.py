"""Index changes a migration makes on a live PostgreSQL database without stopping its writes.

``CREATE INDEX`` holds a lock that blocks every insert, update and delete of the table until the
index is built: ten minutes for the words index of 30 M businesses (docs/scale.md). ``CREATE
INDEX CONCURRENTLY`` builds it while the table is written, and ``DROP INDEX CONCURRENTLY`` waits
for the queries using it instead of blocking new ones. Neither runs inside a transaction, so a
migration that uses these is ``atomic = False``, and each step here can be run again after an
interruption: a concurrent build that failed leaves an invalid index behind, which the next run
drops and builds again.

For PostgreSQL only; the callers keep SQLite on Django's own operations.
"""

# Index and table names are the callers' constants, never input.

__all__ = ["build", "drop", "replace"]


def _state(cursor, name: str) -> bool | None:
    """True for a valid index ``name``, False for one an interrupted build left, None for none."""
    cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
    row = cursor.fetchone()
    return None if row is None else bool(row[0])


def build(schema_editor, name: str, definition: str) -> None:
    """``CREATE INDEX CONCURRENTLY name ON definition`` unless a valid index ``name`` exists.
    ``definition``: what follows ``ON`` ("registry_enterprise USING gin (...) WHERE ...")."""
    with schema_editor.connection.cursor() as cursor:
        state = _state(cursor, name)
    if state:
        return
    if state is False:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY {name} ON {definition}")


def drop(schema_editor, name: str) -> None:
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def replace(schema_editor, name: str, definition: str) -> None:
    """Give the index ``name`` a new ``definition`` while it keeps serving: the new index is
    built beside it under another name, then the old one is dropped and the new one renamed.
    Run again after an interruption, it finishes the steps left (an index ``name`` that already
    has the definition, as the catalogue spells it, is kept and the copy dropped)."""
    building = f"{name[:59]}_new"
    build(schema_editor, building, definition)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(to_regclass(%s)), pg_get_indexdef(to_regclass(%s))",
            [name, building],
        )
        current, wanted = cursor.fetchone()
    if current and current.replace(f" {name} ", " ", 1) == wanted.replace(f" {building} ", " ", 1):
        drop(schema_editor, building)
        return
    drop(schema_editor, name)
    schema_editor.execute(f"ALTER INDEX {building} RENAME TO {name}")
