"""The import: one batch with its counts, rejections and audit event, written in one
transaction after every row is checked; then the ledger is recomputed.
"""

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tumbuh.accounts.models import Organisation
from tumbuh.accounts.services import acting_person
from tumbuh.connectivity import coverage
from tumbuh.connectivity.access import Actor, planning_scope
from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.importing.checks import check_rows
from tumbuh.connectivity.importing.common import Kind
from tumbuh.connectivity.importing.reading import map_columns, read_csv
from tumbuh.connectivity.importing.rows import Context
from tumbuh.connectivity.importing.writing import write_facts, write_points_of_presence, write_sites
from tumbuh.connectivity.models import ConnectivityImport, ConnectivityRejection, Site
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event


def import_csv(
    *,
    path: Path,
    kind: str,
    by: Actor,
    organisation: Organisation | None = None,
    file_name: str | None = None,
) -> ConnectivityImport:
    """Import a CSV of ``kind`` (sites, pops, facts) as ``by``; return the batch with its counts.

    ``by`` must be an actor who may plan infrastructure (``PermissionDenied`` otherwise, before
    the file is read); rows about villages outside the regions where it plans are rejected.
    Raises ``Refused`` when the file cannot be read (nothing is written then). Rows are all
    checked first, then the good ones written in one transaction; the ledger is recomputed when
    anything was created or updated.
    """
    scope = planning_scope(by)
    if kind not in Kind.values:
        raise Refused(
            ConnectivityError.UNKNOWN_KIND,
            _("Unknown kind of import “%(kind)s”; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Kind.values)},
            field="kind",
        )
    file_name = file_name or path.name
    table = read_csv(path)
    columns = map_columns(kind, table.headers, source_required=organisation is None)
    context = Context(
        kind=kind,
        headers=table.headers,
        columns=columns,
        today=timezone.localdate(),
        default_source=organisation.name[:150] if organisation else "",
        scope=scope,
    )
    if kind == Kind.SITES:
        for operator in (
            Site.objects.order_by("operator").values_list("operator", flat=True).distinct()
        ):
            context.operators.setdefault(operator.lower(), operator)
    with translation.override(settings.LANGUAGE_CODE):  # reasons are kept in Indonesian
        clean, rejections = check_rows(table, context)
    with transaction.atomic():
        batch = ConnectivityImport.objects.create(
            kind=kind,
            organisation=organisation,
            uploaded_by=acting_person(by),
            file_name=file_name[:255],
            file_sha256=table.sha256,
            total_rows=len(table.rows),
            rejected_count=len(rejections),
        )
        if kind == Kind.SITES:
            written = write_sites(clean, by=acting_person(by), note=f"import {file_name}")
        elif kind == Kind.POINTS_OF_PRESENCE:
            written = write_points_of_presence(clean)
        else:
            written = write_facts(clean, by=acting_person(by), batch=batch)
        ConnectivityRejection.objects.bulk_create(
            (
                ConnectivityRejection(
                    batch=batch,
                    row_number=rejection.row_number,
                    column=rejection.column,
                    value=rejection.value,
                    reason=rejection.reason,
                )
                for rejection in rejections
            ),
            batch_size=1000,
        )
        batch.created_count = written.created
        batch.updated_count = written.updated
        batch.unchanged_count = written.unchanged
        batch.save(update_fields=["created_count", "updated_count", "unchanged_count"])
        record_event(
            actor=by,
            action="connectivity.imported",
            target=batch,
            region_code=organisation.region_code if organisation else "",
            data={
                "kind": kind,
                "file": file_name,
                "rows": batch.total_rows,
                "created": batch.created_count,
                "updated": batch.updated_count,
                "unchanged": batch.unchanged_count,
                "rejected": batch.rejected_count,
            },
        )
    if written.created or written.updated:
        coverage.recompute()  # coverage, fibre distances and reported facts changed
    return batch
