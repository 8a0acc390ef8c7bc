"""``tumbuh purge_import_files``: delete partner files that were uploaded but never imported.

A partner's file holds NIKs and phone numbers in clear. An import deletes its stored copy as soon
as it is done (its rows live on, personal columns encrypted); a file that waits at the column
step, or whose import failed, is deleted by this command once it is older than ``--days``. Run it
daily (cron or a systemd timer); a run with nothing to delete changes nothing.
"""

import datetime

from django.core.management.base import BaseCommand

from tumbuh.accounts.services import system_actor
from tumbuh.registry.personal_data import purge_import_files

DEFAULT_DAYS = 7


class Command(BaseCommand):
    help = (
        "Delete the stored partner files of imports that were uploaded more than --days ago and "
        "never ran, or failed (a done import deleted its file already)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="Default: 7.")

    def handle(self, *args, days: int, **options):
        purged = purge_import_files(
            older_than=datetime.timedelta(days=max(days, 0)), by=system_actor()
        )
        self.stdout.write(f"{purged} partner files deleted")
