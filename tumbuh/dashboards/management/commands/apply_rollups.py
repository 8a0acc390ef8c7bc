"""``tumbuh apply_rollups``: fold the registry's pending changes into the dashboards' rollups.

Pages fold what is pending when they are read; after an import of a million rows, this command
(or a cron line running it every minute) does it ahead of the first reader.
"""

import json

from django.core.management.base import BaseCommand

from tumbuh.dashboards import rollups


class Command(BaseCommand):
    help = "Fold the registry's pending changes into the dashboards' rollups."

    def handle(self, *args, **options):
        fold = rollups.apply_changes()
        self.stdout.write(
            json.dumps(
                {"changes": fold.changes, "groups": fold.groups, "seconds": round(fold.seconds, 3)}
            )
        )
