"""A GIN index on the words of the live businesses' names, PostgreSQL only: the registry's search.

A search finds the names that hold its words as a phrase, the last word possibly cut short
(``registry.name_search``). The index holds, for each live business, the keys of its name:
every run of one, two or three adjacent words, its last word cut to its first three letters
and marked ``*`` ("maj*", "cv maj*", "cv maju jay*"); ``registry_name_keys`` computes them, as
``name_search.name_keys`` does in Python (a test compares the two). A query asks for the rarest keys of its phrase, so a whole
name reads a few thousand index entries instead of every entry of its trigrams.

The index is built concurrently (``core.online_indexes``), so a live registry keeps taking
writes meanwhile; the trigram index of 0008 is dropped by 0015, once nothing searches by
substring. SQLite keeps its own path (a scan, fine at the sizes SQLite serves).
"""

from django.db import migrations

from tumbuh.core import online_indexes

# Separators: ASCII controls, spaces, punctuation and symbols, and the Latin-1 signs
# (name_search.SEPARATORS). PL/pgSQL, about 10 µs a name on this machine.
FORWARD = (
    r"""
CREATE OR REPLACE FUNCTION registry_name_keys(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    words text[] := regexp_split_to_array(
        btrim(regexp_replace(lower(name), '[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\xbf]+', ' ', 'g')),
        ' '
    );
    total int := cardinality(words);
    keys text[] := '{}';
BEGIN
    IF words[1] = '' THEN
        RETURN keys;
    END IF;
    FOR i IN 1..total LOOP
        keys := keys || (left(words[i], 3) || '*');
        IF i > 1 THEN
            keys := keys || (words[i - 1] || ' ' || left(words[i], 3) || '*');
        END IF;
        IF i > 2 THEN
            keys := keys || (words[i - 2] || ' ' || words[i - 1] || ' ' || left(words[i], 3) || '*');
        END IF;
    END LOOP;
    RETURN keys;
END
$$
""",
    # The planner does not use a partial index's statistics: without these it took every key
    # for one name in 200, "kop*" (one in 20) as much as "kopi berkah sit*" (one in 30,000).
    "CREATE STATISTICS IF NOT EXISTS enterprise_name_keys_stats "
    "ON (registry_name_keys(name::text)) FROM registry_enterprise",
)
# The new statistics are empty until the table is analysed, and a large table waits long for
# autovacuum to do it: a registry that has statistics gets them at once. A table never analysed
# (a new database) is left so: "never analysed" is what tells the dashboards a registry is too
# young to be large (dashboards.rollups._registry_is_large).
ANALYSED_BEFORE = (
    "SELECT reltuples >= 0 FROM pg_class WHERE oid = 'registry_enterprise'::regclass"
)
# Built while the registry is written (``core.online_indexes``): 510 s at 30 M businesses.
WORDS_INDEX = (
    "enterprise_name_words_idx",
    "registry_enterprise USING gin (registry_name_keys(name::text)) WHERE merged_into_id IS NULL",
)
BACKWARD = (
    "DROP STATISTICS IF EXISTS enterprise_name_keys_stats",
    "DROP INDEX CONCURRENTLY IF EXISTS enterprise_name_words_idx",
    "DROP FUNCTION IF EXISTS registry_name_keys(text)",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD[0])  # the function, which the index needs
        online_indexes.build(schema_editor, *WORDS_INDEX)
        for statement in FORWARD[1:]:
            schema_editor.execute(statement)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(ANALYSED_BEFORE)
            analysed = cursor.fetchone()[0]
        if analysed:
            schema_editor.execute("ANALYZE registry_enterprise")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("registry", "0012_unique_without_pattern_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
