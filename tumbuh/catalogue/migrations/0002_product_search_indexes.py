"""Search indexes for the catalogue on PostgreSQL only (SQLite uses a plain scan).

- the pg_trgm extension, for typo-tolerant matching of product titles;
- a GIN index on the ``indonesian`` full-text vector of a product's title and description, built
  with the same expression ``catalogue.queries.search_vector()`` produces, so searches use it;
- a trigram GIN index on the title.

The indexes sit on ``stores_product`` but belong to the catalogue: the stores app does not search.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import migrations

FTS_INDEX = "catalogue_product_fts_idx"
TRIGRAM_INDEX = "catalogue_product_title_trgm_idx"


def _indexes():
    return [
        GinIndex(SearchVector("title", "description", config="indonesian"), name=FTS_INDEX),
        GinIndex(OpClass("title", name="gin_trgm_ops"), name=TRIGRAM_INDEX),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    product = apps.get_model("stores", "Product")
    for index in _indexes():
        schema_editor.add_index(product, index)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    product = apps.get_model("stores", "Product")
    for index in _indexes():
        schema_editor.remove_index(product, index)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("stores", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
