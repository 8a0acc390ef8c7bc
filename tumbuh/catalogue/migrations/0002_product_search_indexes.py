"""Search support for the catalogue on PostgreSQL only (SQLite uses a plain scan).

- the pg_trgm extension, for typo-tolerant matching of product titles;
- ``stores_product.catalogue_search``: a stored generated ``tsvector`` of the title and the
  description in the ``indonesian`` configuration, kept up to date by PostgreSQL itself, with a
  GIN index. It is not a model field: only ``catalogue.queries`` reads it. Storing it avoids
  computing ``to_tsvector`` again for every candidate row when checking and ranking matches
  (measured on 100,000 products: bench/catalogue_search.py);
- a trigram GIN index on the title.

They sit on ``stores_product`` but belong to the catalogue: the stores app does not search.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE stores_product ADD COLUMN catalogue_search tsvector GENERATED ALWAYS AS "
    "(to_tsvector('indonesian'::regconfig, coalesce(title, '')::text || ' ' || coalesce(description, '')::text)) STORED",
    "CREATE INDEX catalogue_product_search_idx ON stores_product USING gin (catalogue_search)",
    "CREATE INDEX catalogue_product_title_trgm_idx ON stores_product USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalogue_product_title_trgm_idx",
    "DROP INDEX IF EXISTS catalogue_product_search_idx",
    "ALTER TABLE stores_product DROP COLUMN IF EXISTS catalogue_search",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("stores", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
