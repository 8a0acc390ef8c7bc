"""A GiST trigram index on the product title, PostgreSQL only: search ranks by it.

``catalogue.queries.search_products`` orders matches by the title's word-similarity distance
to the words asked for (``<<->``), which a GiST ``gist_trgm_ops`` index answers nearest first:
the first page of "kopi" reads about 25 rows of the index instead of ranking every one of
thousands of matches. The GIN indexes of migration 0002 stay: they find the matches when a
filter (a province, a category) leaves few of them.
"""

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS catalogue_product_title_trgm_gist_idx "
    "ON stores_product USING gist (title gist_trgm_ops)"
)
BACKWARD = "DROP INDEX IF EXISTS catalogue_product_title_trgm_gist_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_product_search_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
