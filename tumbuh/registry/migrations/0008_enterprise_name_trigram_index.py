"""A GIN trigram index on the live businesses' names, PostgreSQL only: the registry's search.

The registry list's search is ``name__icontains``, which PostgreSQL runs as
``UPPER(name::text) LIKE UPPER('%kopi%')``; a ``gin_trgm_ops`` index on that same expression
finds the matches among 30 million names without reading them all. SQLite keeps its own path
(a scan, fine at the sizes SQLite serves).
"""

from django.db import migrations

FORWARD = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS enterprise_name_trgm_idx ON registry_enterprise "
    "USING gin ((UPPER(name::text)) gin_trgm_ops) WHERE merged_into_id IS NULL",
)
BACKWARD = ("DROP INDEX IF EXISTS enterprise_name_trgm_idx",)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_enterprise_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
