import json

from django.core.management.base import BaseCommand

from tumbuh.connectivity.coverage import recompute


class Command(BaseCommand):
    help = "Recompute every village's connectivity from the sites on air and the reported facts."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(self, *args, as_json: bool, **options):
        summary = recompute()
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(
            f"{summary['villages']:,} villages, {summary['sites_on_air']:,} sites on air: "
            f"{summary['with_4g']:,} with 4G; {summary['created']:,} rows created, "
            f"{summary['changed']:,} changed ({summary['seconds']} s)"
        )
