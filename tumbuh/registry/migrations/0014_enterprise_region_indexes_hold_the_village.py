"""The province's and the regency's name indexes of the live businesses also hold the village
code (``INCLUDE``), so a list filtered on another table reads its page's ids from the index alone
(``queries.reads_keys_first``, docs/scale.md).

On PostgreSQL each index is rebuilt beside the one it replaces, concurrently, then swapped in
(``core.online_indexes.replace``): a live registry keeps its lists and its writes meanwhile
(145 s for both at 30 M businesses). SQLite has no covering indexes; Django's operations run
there as they would.
"""

from django.db import migrations, models
from django.db.models.functions import Substr

from tumbuh.core import online_indexes

LIVE = "WHERE merged_into_id IS NULL"
DEFINITIONS = {
    "enterprise_province_name_idx": (
        "registry_enterprise (SUBSTRING(village_id, 1, 2), name, id) INCLUDE (village_id) " + LIVE,
        "registry_enterprise (SUBSTRING(village_id, 1, 2), name, id) " + LIVE,
    ),
    "enterprise_regency_name_idx": (
        "registry_enterprise (SUBSTRING(village_id, 1, 5), name, id) INCLUDE (village_id) " + LIVE,
        "registry_enterprise (SUBSTRING(village_id, 1, 5), name, id) " + LIVE,
    ),
}
REGIONS = (("enterprise_province_name_idx", 2), ("enterprise_regency_name_idx", 5))


def _index(name: str, length: int, *, holding: bool) -> models.Index:
    return models.Index(
        Substr("village_id", 1, length),
        models.F("name"),
        models.F("id"),
        condition=models.Q(("merged_into__isnull", True)),
        include=("village",) if holding else (),
        name=name,
    )


STATE = [
    *(migrations.RemoveIndex(model_name="enterprise", name=name) for name, _length in REGIONS),
    *(
        migrations.AddIndex(model_name="enterprise", index=_index(name, length, holding=True))
        for name, length in REGIONS
    ),
]


def _switch(apps, schema_editor, *, forwards: bool):
    if schema_editor.connection.vendor == "postgresql":
        for name, (holding, plain) in DEFINITIONS.items():
            online_indexes.replace(schema_editor, name, holding if forwards else plain)
        return
    model = apps.get_model("registry", "Enterprise")
    for name, length in REGIONS:
        schema_editor.remove_index(model, _index(name, length, holding=not forwards))
        schema_editor.add_index(model, _index(name, length, holding=forwards))


def hold_the_village(apps, schema_editor):
    _switch(apps, schema_editor, forwards=True)


def drop_the_village(apps, schema_editor):
    _switch(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("regions", "0002_priorityarea_edited_at"),
        ("registry", "0013_enterprise_name_words_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=STATE,
            database_operations=[migrations.RunPython(hold_the_village, drop_the_village)],
        )
    ]
