"""A GIN index on the words of the live businesses' names, PostgreSQL only: the registry's search.

A search finds the names that hold its words as a phrase, the last word possibly cut short
(``registry.name_search``). The index holds, for each live business, the keys of its name:
every run of one, two or three adjacent words, its last word cut to its first three letters
and marked ``*`` ("maj*", "cv maj*", "cv maju jay*"); ``registry_name_keys`` computes them, as
``name_search.name_keys`` does in Python (a test compares the two). A query asks for the rarest keys of its phrase, so a whole
name reads a few thousand index entries instead of every entry of its trigrams.

The trigram index of 0008 stays: the licensing pages' business pickers still look names up by
``icontains``. SQLite keeps its own path (a scan, fine at the sizes SQLite serves).
"""

from django.db import migrations

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
    "CREATE INDEX IF NOT EXISTS enterprise_name_words_idx ON registry_enterprise "
    "USING gin (registry_name_keys(name::text)) WHERE merged_into_id IS NULL",
    # The planner does not use a partial index's statistics: without these it took every key
    # for one name in 200, "kop*" (one in 20) as much as "kopi berkah sit*" (one in 30,000).
    "CREATE STATISTICS IF NOT EXISTS enterprise_name_keys_stats "
    "ON (registry_name_keys(name::text)) FROM registry_enterprise",
)
BACKWARD = (
    "DROP STATISTICS IF EXISTS enterprise_name_keys_stats",
    "DROP INDEX IF EXISTS enterprise_name_words_idx",
    "DROP FUNCTION IF EXISTS registry_name_keys(text)",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("registry", "0012_unique_without_pattern_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
