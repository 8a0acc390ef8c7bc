"""``tumbuh resume_imports``: requeue the imports whose worker stopped in the middle.

Run it every few minutes (cron: ``*/5 * * * * tumbuh resume_imports``). An import whose worker
shows no sign of life for ``--stalled-after`` minutes resumes after the rows it already wrote;
one that stopped three times fails with its rows accounted for. A run with nothing stalled
changes nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tumbuh.accounts.services import system_actor
from tumbuh.registry.services import STALLED_AFTER, resume_stalled_imports


class Command(BaseCommand):
    help = (
        "Requeue the partner imports whose worker stopped (no progress for --stalled-after "
        "minutes), or fail those that stopped too often."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stalled-after",
            type=float,
            default=STALLED_AFTER.total_seconds() / 60,
            help="Minutes without progress after which a running import has lost its worker "
            "(default: %(default)s). A chunk of 10,000 rows must take less.",
        )

    def handle(self, *args, stalled_after, **options):
        if stalled_after < 0:
            raise CommandError("--stalled-after is a number of minutes, 0 or more")
        outcome = resume_stalled_imports(
            stalled_after=datetime.timedelta(minutes=stalled_after), by=system_actor()
        )
        self.stdout.write(f"{outcome['resumed']} imports resumed, {outcome['failed']} failed")
