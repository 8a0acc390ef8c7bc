"""Search support for the catalogue on PostgreSQL only (SQLite uses a plain scan).

- the pg_trgm extension, for typo-tolerant matching of product titles;
- ``stores_product.catalogue_search``: a stored ``tsvector`` of the title and the description in
  the ``indonesian`` configuration, recomputed by a trigger on insert and when the title or
  the description changes, with a GIN index. It is not a model field: only ``catalogue.queries``
  reads it. Storing it avoids computing ``to_tsvector`` again for every candidate row when
  checking and ranking matches (measured on 100,000 products: bench/catalogue_search.py). A
  trigger rather than a generated column, so that the stores app can still change the type of
  ``title`` or ``description`` (PostgreSQL refuses that for a column a generated column or a
  trigger's column list uses);
- a trigram GIN index on the title.

They sit on ``stores_product`` but belong to the catalogue: the stores app does not search.
"""

from django.db import migrations

VECTOR = (
    "to_tsvector('indonesian'::regconfig, "
    "coalesce(NEW.title, '')::text || ' ' || coalesce(NEW.description, '')::text)"
)
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE stores_product ADD COLUMN catalogue_search tsvector",
    # The function, not the trigger, looks at the columns: a trigger "UPDATE OF title" would
    # make PostgreSQL refuse any later change of the column's type.
    "CREATE FUNCTION catalogue_product_search_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'INSERT' OR NEW.title IS DISTINCT FROM OLD.title "
    "OR NEW.description IS DISTINCT FROM OLD.description "
    f"THEN NEW.catalogue_search := {VECTOR}; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER catalogue_product_search BEFORE INSERT OR UPDATE ON stores_product "
    "FOR EACH ROW EXECUTE FUNCTION catalogue_product_search_update()",
    "UPDATE stores_product SET catalogue_search = " + VECTOR.replace("NEW.", ""),
    "CREATE INDEX catalogue_product_search_idx ON stores_product USING gin (catalogue_search)",
    "CREATE INDEX catalogue_product_title_trgm_idx ON stores_product USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalogue_product_title_trgm_idx",
    "DROP INDEX IF EXISTS catalogue_product_search_idx",
    "DROP TRIGGER IF EXISTS catalogue_product_search ON stores_product",
    "DROP FUNCTION IF EXISTS catalogue_product_search_update()",
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
