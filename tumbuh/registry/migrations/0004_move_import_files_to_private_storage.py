"""Move the existing ImportBatch files (file) out of the public media into the private storage.

Until 0003 they were kept under the public media root and reachable at /media/…; after
it, new ones are private. Same names, so the rows need no change; run again, it moves nothing.
"""

from django.db import migrations


def move(apps, schema_editor):
    from tumbuh.core.storage import move_to_private_storage

    move_to_private_storage(apps.get_model("registry", "ImportBatch").objects.all(), "file")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_import_file_private_storage")]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
