"""``tumbuh resume_plans``: requeue the site plans whose worker stopped in the middle.

Run it every few minutes (cron: ``*/5 * * * * tumbuh resume_plans``). A plan whose worker shows
no sign of life for ``--stalled-after`` minutes starts again from the beginning (it wrote
nothing); one that stopped three times fails with the reason, one whose cancel was asked for is
cancelled. A run with nothing stalled changes nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tumbuh.accounts.services import system_actor
from tumbuh.connectivity.plan_runs import STALLED_AFTER, resume_stalled_plans


class Command(BaseCommand):
    help = (
        "Requeue the site plans whose worker stopped (no sign of life for --stalled-after "
        "minutes), or fail those that stopped too often."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stalled-after",
            type=float,
            default=STALLED_AFTER.total_seconds() / 60,
            help="Minutes without a sign of life after which a running plan has lost its "
            "worker (default: %(default)s). Preparing a national plan's data must take less.",
        )

    def handle(self, *args, stalled_after, **options):
        if stalled_after < 0:
            raise CommandError("--stalled-after is a number of minutes, 0 or more")
        outcome = resume_stalled_plans(
            stalled_after=datetime.timedelta(minutes=stalled_after), by=system_actor()
        )
        self.stdout.write(
            f"{outcome['resumed']} plans resumed, {outcome['failed']} failed, "
            f"{outcome['cancelled']} cancelled"
        )
