import csv
import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.registry.importing.reading import FileProblem
from tumbuh.registry.services import import_file


class Command(BaseCommand):
    help = (
        "Import a partner's CSV or XLSX list of businesses. Every row becomes a source record or "
        "a rejection with its row, column and reason; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--source", required=True, metavar="ORG_SLUG", help="The partner organisation."
        )
        parser.add_argument("--report", type=Path, help="Write the rejected rows to this CSV file.")
        parser.add_argument("--regency", default="", help="Regency code, to find villages by name.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(
        self,
        *args,
        path: Path,
        source: str,
        report: Path | None,
        regency: str,
        as_json: bool,
        **options,
    ):
        organisation = Organisation.objects.filter(slug=source).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {source!r}.")
        if not path.exists():
            raise CommandError(f"{path}: no such file.")
        started = time.perf_counter()
        try:
            batch = import_file(
                path=path, organisation=organisation, regency_code=regency, by=system_actor()
            )
        except FileProblem as problem:
            raise CommandError(f"{path.name}: {problem.message_text}") from None
        seconds = time.perf_counter() - started
        if batch.status != batch.Status.DONE:
            raise CommandError(f"{path.name}: {batch.error}")
        if report:
            write_report(batch, report)
        summary = {
            "import": batch.public_id,
            "file": batch.file_name,
            "rows": batch.processed_rows,
            "created": batch.created_count,
            "linked": batch.linked_count,
            "already_imported": batch.already_imported_count,
            "rejected": batch.rejected_count,
            "seconds": round(seconds, 2),
            "rows_per_second": round(batch.processed_rows / seconds) if seconds else None,
        }
        if as_json:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"{batch.file_name}: {batch.processed_rows} rows — {batch.created_count} new, "
                f"{batch.linked_count} joined an existing business, {batch.already_imported_count} "
                f"already imported, {batch.rejected_count} rejected ({seconds:.1f} s)"
            )


def write_report(batch, path: Path) -> None:
    """The rejected rows: row number, column and reason (no personal data)."""
    handle = sys.stdout if str(path) == "-" else open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115
    with handle:
        writer = csv.writer(handle)
        writer.writerow(["baris (row)", "kolom (column)", "alasan (reason)"])
        for rejection in batch.rejections.order_by("row_number", "pk"):
            writer.writerow([rejection.row_number, rejection.column, rejection.reason])
