"""A GiST trigram index on the live businesses' names, PostgreSQL only: search, closest first.

A registry search orders its matches by word-similarity distance to the words asked for
(``queries.registry_enterprises``: ``'kopi' <<-> name``), which a GiST ``gist_trgm_ops`` index
answers nearest first: the first page of a common word reads about as many index entries as it
shows, where an alphabetical order walks the names until fifty contain the word (a million
at 30 M). The GIN index of migration 0008 stays: it finds the matches when a count or a narrow
filter needs all of them.
"""

from django.db import migrations

FORWARD = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS enterprise_name_trgm_gist_idx ON registry_enterprise "
    "USING gist (name gist_trgm_ops) WHERE merged_into_id IS NULL",
)
BACKWARD = ("DROP INDEX IF EXISTS enterprise_name_trgm_gist_idx",)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_enterprise_kind_and_scale_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
