"""The unique identifiers (a business's and a person's public id, the NIB, the NIK hash) become
unique constraints in ``Meta`` instead of ``unique=True``.

With ``unique=True`` Django also gives a PostgreSQL ``varchar``/``text`` column a second btree
with ``varchar_pattern_ops``, for ``LIKE 'x%'``. No query looks these columns up by pattern, and at
national scale the four copies cost 171 MB per million businesses (5 GB at 30 M) and a write on
every imported row (docs/scale.md, "Disk"). The unique constraints keep their names, so the
database keeps the indexes it has and only the pattern copies are dropped.
"""

# The SQL is built from this module's constants and names read from the catalogue.
# ruff: noqa: S608

from django.db import migrations, models

import tumbuh.registry.models

PATTERN_INDEXED = (
    ("registry_enterprise", "public_id"),
    ("registry_enterprise", "nib"),
    ("registry_person", "public_id"),
    ("registry_person", "nik_hash"),
)


def drop_pattern_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, column in PATTERN_INDEXED:
            cursor.execute(
                "SELECT indexrelid::regclass::text FROM pg_index "
                "WHERE indrelid = %s::regclass AND pg_get_indexdef(indexrelid) LIKE %s",
                [table, f"%({column} varchar_pattern_ops)%"],
            )
            for (name,) in cursor.fetchall():
                schema_editor.execute(f"DROP INDEX {name}")


def make_pattern_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in PATTERN_INDEXED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_like "
            f"ON {table} ({column} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0002_priorityarea_edited_at"),
        ("registry", "0011_province_code_partition_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="enterprise",
                    name="nib",
                    field=models.CharField(
                        blank=True, max_length=13, null=True, verbose_name="NIB"
                    ),
                ),
                migrations.AlterField(
                    model_name="enterprise",
                    name="public_id",
                    field=models.CharField(
                        default=tumbuh.registry.models.new_public_id,
                        editable=False,
                        max_length=12,
                    ),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="nik_hash",
                    field=models.CharField(blank=True, max_length=64, null=True),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="public_id",
                    field=models.CharField(
                        default=tumbuh.registry.models.new_public_id,
                        editable=False,
                        max_length=12,
                    ),
                ),
                migrations.AddConstraint(
                    model_name="enterprise",
                    constraint=models.UniqueConstraint(
                        fields=("public_id",), name="registry_enterprise_public_id_key"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="enterprise",
                    constraint=models.UniqueConstraint(
                        fields=("nib",), name="registry_enterprise_nib_key"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="person",
                    constraint=models.UniqueConstraint(
                        fields=("public_id",), name="registry_person_public_id_key"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="person",
                    constraint=models.UniqueConstraint(
                        fields=("nik_hash",), name="registry_person_nik_hash_key"
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_pattern_indexes, make_pattern_indexes),
            ],
        ),
    ]
