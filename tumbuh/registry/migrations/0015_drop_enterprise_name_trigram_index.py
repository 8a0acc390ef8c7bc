"""Drop the trigram index on the live businesses' names (migration 0008), PostgreSQL only.

Every search of business names now reads them as a phrase of whole words through the words
index of migration 0013: the registry's list and API since 0013, and the licensing pages'
business pickers and case lists since this migration (``name_search.holding_phrase``). Nothing
searches by substring any more, so the trigram index only cost every insert its entries (about
11 µs a business, measured on 20,000 inserts) and the disk it took. The ranking of matches
(``TrigramWordDistance``) computes on the rows found and needs no index; ``pg_trgm`` stays.
"""

from django.db import migrations

from tumbuh.core import online_indexes

TRIGRAM_INDEX = (
    "enterprise_name_trgm_idx",
    "registry_enterprise USING gin ((UPPER(name::text)) gin_trgm_ops) "
    "WHERE merged_into_id IS NULL",
)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        online_indexes.drop(schema_editor, TRIGRAM_INDEX[0])


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        online_indexes.build(schema_editor, *TRIGRAM_INDEX)


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("registry", "0014_enterprise_region_indexes_hold_the_village")]

    operations = [migrations.RunPython(drop, create, elidable=False)]
