"""``tumbuh rebuild_rollups``: count the dashboards' rollups again from the registry.

Needed after the triggers were switched off for a bulk load (``bench/registry_scale.py``), after
the 3T lists changed, or to check the incremental figures (the test suite does that on every
run). Registry writes wait while it runs on PostgreSQL, so that no change is lost or counted
twice.
"""

import json

from django.core.management.base import BaseCommand

from tumbuh.dashboards import rollups
from tumbuh.dashboards.sections import refresh_sections


class Command(BaseCommand):
    help = (
        "Rebuild the dashboards' rollups (onboarding counts and series) from the registry, and "
        "the sections' figures from the other apps."
    )

    def handle(self, *args, **options):
        fold = rollups.rebuild()
        sections = refresh_sections()
        self.stdout.write(
            json.dumps(
                {
                    "facts": fold.changes,
                    "groups": fold.groups,
                    "seconds": round(fold.seconds, 3),
                    "sections": sections,
                }
            )
        )
