import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tumbuh.regions.datafiles import DataFileError
from tumbuh.regions.services import load_regions


class Command(BaseCommand):
    help = (
        "Load Indonesia's provinces, regencies, districts, villages, islands, 3T designations and "
        "priority areas from the shipped data. Idempotent; one transaction; a malformed file "
        "stops the load with its name and line and loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, help="Read the data files from this folder.")
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            metavar="CODE",
            help="Load only this province (repeatable); for tests and small demos.",
        )
        parser.add_argument(
            "--reset-priority-areas",
            action="store_true",
            help="Restore the shipped priority areas, discarding edits made in the console.",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print the report as JSON."
        )

    def handle(
        self, *args, data_dir, provinces, reset_priority_areas, as_json: bool = False, **options
    ):
        try:
            report = load_regions(
                data_dir=data_dir, provinces=provinces, reset_priority_areas=reset_priority_areas
            )
        except DataFileError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        if as_json:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        for level, counts in report.levels.items():
            self.stdout.write(
                f"{level:<9} {counts.total:>6}  (new {counts.created}, updated {counts.updated}, "
                f"unchanged {counts.unchanged}, in database but not in data {counts.not_in_data})"
            )
        self.stdout.write(
            f"3T designations {report.designations}; priority areas: new {report.areas_created}, "
            f"updated {report.areas_updated}, unchanged {report.areas_unchanged}, "
            f"kept as edited {report.areas_kept_edited}; {report.seconds:.1f} s"
        )
