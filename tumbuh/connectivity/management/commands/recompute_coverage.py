import json

from django.core.management.base import BaseCommand

from tumbuh.accounts.services import system_actor
from tumbuh.connectivity.services import recompute_coverage
from tumbuh.core.money import thousands


class Command(BaseCommand):
    help = "Recompute every village's connectivity from the sites on air and the reported facts."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(self, *args, as_json: bool, **options):
        summary = recompute_coverage(by=system_actor())
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(
            f"{thousands(summary['villages'])} villages, "
            f"{thousands(summary['sites_on_air'])} sites on air: "
            f"{thousands(summary['with_4g'])} with 4G; {thousands(summary['created'])} rows "
            f"created, {thousands(summary['changed'])} changed ({summary['seconds']} s)"
        )
