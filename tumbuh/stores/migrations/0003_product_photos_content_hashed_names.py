"""Give the existing product photos and thumbnails content-hashed names.

New uploads are stored as ``<public id>.<first 16 hex of their SHA-256>.webp`` and served as
immutable for a year; this stores the older ``<public id>.webp`` files again under such names
and deletes the old ones, so every product photo can be cached. Run again, it renames nothing.
"""

from django.db import migrations


def rename(apps, schema_editor):
    from tumbuh.core.storage import rename_to_content_hashes

    products = apps.get_model("stores", "Product").objects.exclude(photo="", thumbnail="")
    rename_to_content_hashes(products, ["photo", "thumbnail"])


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0002_order_idempotencyrecord_orderevent_orderline_payment_and_more")
    ]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
