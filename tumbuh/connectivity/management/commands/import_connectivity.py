import json
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.connectivity.importing import import_csv
from tumbuh.connectivity.models import ConnectivityImport

SHOWN_REJECTIONS = 20


class Command(BaseCommand):
    help = (
        "Import a CSV of BTS sites, fibre points of presence or village connectivity facts "
        "(see docs/connectivity-imports.md). Every row ends created, updated, unchanged or "
        "rejected with its row, column and reason; the ledger is recomputed afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", required=True, choices=ConnectivityImport.Kind.values)
        parser.add_argument(
            "--source",
            metavar="ORG_SLUG",
            help="The organisation the file comes from (also the default source of its rows).",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(self, *args, path: Path, kind: str, source: str | None, as_json: bool, **options):
        organisation = None
        if source:
            organisation = Organisation.objects.filter(slug=source).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {source!r}.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        started = time.perf_counter()
        try:
            batch = import_csv(path=path, kind=kind, by=system_actor(), organisation=organisation)
        except ValidationError as error:
            raise CommandError(f"{path.name}: {' '.join(error.messages)}") from None
        seconds = time.perf_counter() - started
        rejections = list(batch.rejections.order_by("row_number", "pk"))
        if as_json:
            summary = {
                "import": batch.public_id,
                "kind": batch.kind,
                "file": batch.file_name,
                "rows": batch.total_rows,
                "created": batch.created_count,
                "updated": batch.updated_count,
                "unchanged": batch.unchanged_count,
                "rejected": batch.rejected_count,
                "rejections": [
                    {
                        "row": rejection.row_number,
                        "column": rejection.column,
                        "value": rejection.value,
                        "reason": rejection.reason,
                    }
                    for rejection in rejections
                ],
                "seconds": round(seconds, 2),
            }
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            f"{batch.file_name}: {batch.total_rows} rows — {batch.created_count} new, "
            f"{batch.updated_count} updated, {batch.unchanged_count} unchanged, "
            f"{batch.rejected_count} rejected ({seconds:.1f} s)"
        )
        for rejection in rejections[:SHOWN_REJECTIONS]:
            column = f" [{rejection.column}]" if rejection.column else ""
            self.stdout.write(f"  row {rejection.row_number}{column}: {rejection.reason}")
        if len(rejections) > SHOWN_REJECTIONS:
            self.stdout.write(f"  … and {len(rejections) - SHOWN_REJECTIONS} more (use --json)")
