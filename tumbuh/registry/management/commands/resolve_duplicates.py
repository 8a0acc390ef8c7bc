import json

from django.core.management.base import BaseCommand

from tumbuh.accounts.services import system_actor
from tumbuh.registry.services import resolve_duplicates


class Command(BaseCommand):
    help = (
        "Find duplicate businesses in the registry with the trained model (training one first if "
        "there is none): merge sure duplicates, queue doubtful pairs for review."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retrain", action="store_true", help="Train a new model first.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(self, *args, retrain: bool, as_json: bool, **options):
        summary = resolve_duplicates(retrain=retrain, by=system_actor())
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(
            f"{summary['records']} records, {summary.get('comparisons', 0)} comparisons: "
            f"{summary['merged']} merged, {summary['queued']} pairs queued for review; "
            f"{summary.get('businesses', summary['records'])} businesses "
            f"({summary.get('seconds', 0)} s)"
        )
