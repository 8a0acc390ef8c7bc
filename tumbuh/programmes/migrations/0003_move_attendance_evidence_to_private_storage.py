"""Move the existing Attendance files (evidence) out of the public media into the private storage.

Until 0002 they were kept under the public media root and reachable at /media/…; after
it, new ones are private. Same names, so the rows need no change; run again, it moves nothing.
"""

from django.db import migrations


def move(apps, schema_editor):
    from tumbuh.core.storage import move_to_private_storage

    move_to_private_storage(apps.get_model("programmes", "Attendance").objects.all(), "evidence")


class Migration(migrations.Migration):
    dependencies = [("programmes", "0002_attendance_evidence_private_storage")]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
