"""Index changes on a live PostgreSQL table (``core.online_indexes``): built and swapped
concurrently, and finished when run again after an interruption. On a table of a scratch
database, through a connection in autocommit (``CONCURRENTLY`` refuses to run in a
transaction)."""

import os

import psycopg
import pytest
from django.db import connection

from tumbuh.core import online_indexes

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="CREATE INDEX CONCURRENTLY is PostgreSQL's"
)
TABLE = "online_index_probe"


class Editor:
    """What the functions use of a schema editor: ``execute`` and ``connection.cursor()``."""

    def __init__(self, database: psycopg.Connection):
        self.database = database
        self.connection = self

    def cursor(self):
        return self.database.cursor()

    def execute(self, sql: str) -> None:
        self.database.execute(sql)


@pytest.fixture(scope="module")
def scratch_database():
    """A database of this module's own. ``CREATE INDEX CONCURRENTLY`` waits for every older
    transaction of its database, and a test's (``django_db``) never ends while it waits."""
    settings = connection.settings_dict
    server = {
        "user": settings["USER"],
        "host": settings["HOST"],
        "port": settings["PORT"] or 5432,
        "autocommit": True,
    }
    name = f"tumbuh_online_indexes_{os.getpid()}"
    with psycopg.connect(dbname="postgres", **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"dbname": name, **server}
    finally:
        with psycopg.connect(dbname="postgres", **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def editor(scratch_database):
    with psycopg.connect(**scratch_database) as database:
        database.execute(f"DROP TABLE IF EXISTS {TABLE}")
        database.execute(f"CREATE TABLE {TABLE} (a int, b int)")
        rows = "SELECT n, n % 7 FROM generate_series(1, 500) n"
        database.execute(f"INSERT INTO {TABLE} {rows}")
        yield Editor(database)


def indexes(editor) -> dict[str, tuple[bool, str]]:
    """The table's indexes: name → (valid, definition without the name)."""
    with editor.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
            [TABLE],
        )
        return {
            name: (valid, definition.split(" USING ", 1)[1])
            for name, valid, definition in cursor.fetchall()
        }


def test_an_index_is_built_once(editor):
    online_indexes.build(editor, "probe_a_idx", f"{TABLE} (a)")
    online_indexes.build(editor, "probe_a_idx", f"{TABLE} (a, b)")  # exists: kept as it is

    assert indexes(editor) == {"probe_a_idx": (True, "btree (a)")}


def test_a_build_an_interruption_left_invalid_is_made_again(editor):
    with pytest.raises(psycopg.errors.UniqueViolation):  # leaves an invalid index behind
        editor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY probe_b_idx ON {TABLE} (b)")
    assert indexes(editor)["probe_b_idx"][0] is False

    online_indexes.build(editor, "probe_b_idx", f"{TABLE} (b)")

    assert indexes(editor) == {"probe_b_idx": (True, "btree (b)")}


def test_an_index_is_replaced_under_its_name_and_a_second_run_changes_nothing(editor):
    online_indexes.build(editor, "probe_a_idx", f"{TABLE} (a)")

    online_indexes.replace(editor, "probe_a_idx", f"{TABLE} (a) INCLUDE (b)")
    online_indexes.replace(editor, "probe_a_idx", f"{TABLE} (a) INCLUDE (b)")

    assert indexes(editor) == {"probe_a_idx": (True, "btree (a) INCLUDE (b)")}


def test_a_replacement_interrupted_after_its_build_is_finished(editor):
    online_indexes.build(editor, "probe_a_idx", f"{TABLE} (a)")
    online_indexes.build(editor, "probe_a_idx_new", f"{TABLE} (a, b)")  # then stopped

    online_indexes.replace(editor, "probe_a_idx", f"{TABLE} (a, b)")

    assert indexes(editor) == {"probe_a_idx": (True, "btree (a, b)")}


def test_an_index_is_dropped_whether_or_not_it_is_there(editor):
    online_indexes.build(editor, "probe_a_idx", f"{TABLE} (a)")

    online_indexes.drop(editor, "probe_a_idx")
    online_indexes.drop(editor, "probe_a_idx")

    assert indexes(editor) == {}
