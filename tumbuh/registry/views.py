"""The registry console: businesses, partner imports, the review queue and data quality.

Every page needs ``Capability.IMPORT_BUSINESSES`` (403 without it); every record comes through
a scoped read of ``queries``, so a record outside the person's regions is a 404, exactly like a
record that does not exist. Changes go through ``services``; nothing here writes a model.
"""

import tempfile
from itertools import islice
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tumbuh.accounts.permissions import Capability, require
from tumbuh.core import keyset
from tumbuh.core.exports import streaming_csv_response, xlsx_response
from tumbuh.core.hooks import hooks
from tumbuh.core.htmx import is_htmx, render_page
from tumbuh.core.storage import local_path
from tumbuh.registry import personal_data, queries, services
from tumbuh.registry.columns import FIELDS_BY_KEY, PERSONAL_FIELDS, recognise
from tumbuh.registry.forms import EnterpriseFilterForm, ImportUploadForm, MappingForm
from tumbuh.registry.importing.reading import FileProblem, open_table
from tumbuh.registry.models import Enterprise, ImportBatch, MatchCandidate

ACTIVE_STATUSES = (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
PREVIEW_ROWS = 5
REJECTIONS_SHOWN = 20
NIK_FLAGS = {
    "birth_date_mismatch": gettext_lazy("the NIK disagrees with the birth date"),
    "sex_mismatch": gettext_lazy("the NIK disagrees with the sex"),
}


def _require_registry(request) -> None:
    require(request.user, Capability.IMPORT_BUSINESSES)


# --- businesses -------------------------------------------------------------------------------


@login_required
@require_GET
def enterprise_list(request):
    _require_registry(request)
    form = EnterpriseFilterForm(request.GET, actor=request.user)
    filters = form.filters()
    enterprises = queries.registry_enterprises(request.user, filters).select_related(
        "village__regency"
    )
    page = keyset.page_from_request(
        request,
        enterprises,
        ordering=queries.enterprise_order(enterprises),
        size=queries.PAGE_SIZE,
        keys_first=queries.reads_keys_first(filters, enterprises),
    )
    return render_page(
        request,
        "registry/enterprise_list.html",
        {
            "form": form,
            "page": page,
            "count": queries.list_count(request.user, filters, enterprises, page=page),
            "sampled_search": queries.is_sampled_search(enterprises),
            "oob": is_htmx(request),
        },
        partial="results",
    )


def _detail_of(enterprise: Enterprise) -> dict:
    """What a business looks like on a page: codes with titles, owners with flags, rows."""
    return {
        "enterprise": enterprise,
        "address": queries.redact(enterprise.address),
        "kbli": [(k.code, queries.kbli_title(k.code)) for k in enterprise.kbli_codes.all()],
        "owners": [
            (ownership, [NIK_FLAGS.get(flag, flag) for flag in ownership.person.nik_flags])
            for ownership in enterprise.ownerships.all()
        ],
        "records": [
            (
                record,
                queries.shown_values(record.values, record.batch.mapping if record.batch else {}),
            )
            for record in enterprise.records.all()
        ],
    }


@login_required
@require_GET
def enterprise_detail(request, public_id):
    _require_registry(request)
    enterprise = queries.visible_enterprise(request.user, public_id, with_details=True)
    if enterprise is None:
        raise Http404
    merged_into = enterprise.merged_into
    if merged_into and not queries.all_in_scope(request.user, merged_into.pk):
        merged_into = None
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            **_detail_of(enterprise),
            "merged_into": merged_into,
            "merges": queries.merge_history(enterprise),
            "zone": enterprise.village.regency.province.zoneinfo,
            "may_reveal_nik": personal_data.may_handle(request.user, enterprise),
            "panels": _panels(enterprise, request.user),
        },
    )


def _panels(enterprise: Enterprise, user) -> list[str]:
    """The panels higher apps show on a business's page (``settings.ENTERPRISE_PANELS``: the
    rendered HTML of each, or None when it has nothing to show)."""
    shown = (panel(enterprise=enterprise, user=user) for panel in hooks("ENTERPRISE_PANELS"))
    return [html for html in shown if html]


@login_required
@require_POST
def merge_undo(request, public_id, merge_id):
    _require_registry(request)
    enterprise = queries.visible_enterprise(request.user, public_id)
    if enterprise is None:
        raise Http404
    record = queries.merge_of(enterprise, merge_id)
    if record is None or not queries.all_in_scope(request.user, record.kept_id, record.dropped_id):
        raise Http404
    try:
        services.unmerge(record=record, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The merge was undone: %(name)s is a separate business again.")
            % {"name": record.dropped.name},
        )
    return redirect(enterprise)


# --- imports ----------------------------------------------------------------------------------


def _start_import(form: ImportUploadForm, user) -> ImportBatch:
    upload = form.cleaned_data["file"]
    organisation = form.cleaned_data["organisation"]
    if hasattr(upload, "temporary_file_path"):
        path = Path(upload.temporary_file_path())
        return services.start_import(
            organisation=organisation, path=path, file_name=form.file_name, by=user
        )
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "upload"
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return services.start_import(
            organisation=organisation, path=path, file_name=form.file_name, by=user
        )


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    _require_registry(request)
    organisations = queries.upload_organisations(request.user)
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = _start_import(form, request.user)
        except FileProblem as problem:
            form.add_error("file", problem.message_text)
        else:
            return redirect(batch)
    page = keyset.page_from_request(
        request, queries.visible_imports(request.user), ordering=("-created_at", "-pk")
    )
    return render(
        request,
        "registry/import_list.html",
        {"form": form if organisations else None, "page": page},
    )


def _visible_batch(request, public_id) -> ImportBatch:
    _require_registry(request)
    batch = queries.visible_imports(request.user).filter(public_id=public_id).first()
    if batch is None:
        raise Http404
    return batch


def _preview(batch: ImportBatch, mapping: dict) -> list[list[str]]:
    """The first rows of the uploaded file, personal columns masked, the rest redacted."""
    if not batch.file:
        return []
    try:
        with local_path(batch.file) as path:  # a local copy when in object storage
            table = open_table(path, file_name=batch.file_name)
            try:
                rows = [values for _number, values in islice(table.rows, PREVIEW_ROWS)]
            except FileProblem:
                rows = []
            finally:
                table.rows.close()
    except (FileProblem, OSError):
        return []
    field_of = {header: key for key, header in recognise(batch.headers).items()}
    field_of.update({header: key for key, header in mapping.items()})
    preview = []
    for values in rows:
        cells = []
        for header, text in zip(batch.headers, values, strict=False):
            key = field_of.get(header, "")
            if key in PERSONAL_FIELDS:
                cells.append(queries.masked_cell(key, text))
            elif key in queries.UNREDACTED_FIELDS:
                cells.append(text)
            else:
                cells.append(queries.redact(text))
        preview.append(cells)
    return preview


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request, public_id):
    batch = _visible_batch(request, public_id)
    if is_htmx(request) and batch.status not in ACTIVE_STATUSES:
        # The progress fragment polls; once the import ends, the whole page shows the outcome.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    may_confirm = request.user.is_superuser or batch.organisation in queries.upload_organisations(
        request.user
    )
    form = None
    if batch.status == ImportBatch.Status.UPLOADED and may_confirm:
        form = MappingForm(
            request.POST if request.method == "POST" else None,
            batch=batch,
            regency_groups=queries.regency_groups(request.user),
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.confirm_import(
                    batch=batch,
                    mapping=form.mapping,
                    regency_code=form.cleaned_data["regency"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(batch)
    elif request.method == "POST":
        if not may_confirm:
            raise PermissionDenied(Capability.IMPORT_BUSINESSES.label)
        messages.info(request, _("This import has already started."))
        return redirect(batch)
    mapping = getattr(form, "mapping", None) or batch.mapping
    rejections = [
        (rejection, queries.shown_values(rejection.values, batch.mapping))
        for rejection in batch.rejections.order_by("row_number", "pk")[:REJECTIONS_SHOWN]
    ]
    return render_page(
        request,
        "registry/import_detail.html",
        {
            "batch": batch,
            "form": form,
            "preview": _preview(batch, mapping) if form is not None else [],
            "is_active": batch.status in ACTIVE_STATUSES,
            "rejections": rejections,
            "mapped": [
                (FIELDS_BY_KEY[key].label, header)
                for key, header in batch.mapping.items()
                if key in FIELDS_BY_KEY
            ],
        },
        partial="progress",
    )


def _report_rows(batch: ImportBatch):
    yield [_("Row"), _("Column"), _("Reason"), *queries.report_headers(batch)]
    yield from queries.report_rows(batch)
    if batch.unprocessed_rows:  # a failed import: the rows it did not reach, and why
        yield ["", "", batch.error]


@login_required
@require_GET
def import_report_csv(request, public_id):
    batch = _visible_batch(request, public_id)
    return streaming_csv_response(_report_rows(batch), file_name=f"laporan-{batch.public_id}.csv")


@login_required
@require_GET
def import_report_xlsx(request, public_id):
    batch = _visible_batch(request, public_id)
    return xlsx_response(
        _report_rows(batch),
        file_name=f"laporan-{batch.public_id}.xlsx",
        sheet_title=_("Rejected rows"),
    )


# --- review queue -----------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request):
    _require_registry(request)
    waiting = queries.review_queue(request.user)
    page = keyset.page_from_request(
        request, waiting, ordering=queries.REVIEW_ORDER, size=queries.PAGE_SIZE
    )
    return render(
        request,
        "registry/review_queue.html",
        {"page": page, "count": keyset.capped_count(waiting, page=page)},
    )


def _visible_candidate(request, candidate_id) -> MatchCandidate:
    _require_registry(request)
    candidate = queries.visible_candidate(request.user, candidate_id)
    if candidate is None:
        raise Http404
    return candidate


@login_required
@require_GET
def review_pair(request, candidate_id):
    candidate = _visible_candidate(request, candidate_id)
    pair = {
        enterprise.pk: enterprise
        for enterprise in queries.with_registry_details(
            Enterprise.objects.filter(
                pk__in=[candidate.enterprise_low_id, candidate.enterprise_high_id]
            )
        )
    }
    sides = [
        _detail_of(pair[candidate.enterprise_low_id]),
        _detail_of(pair[candidate.enterprise_high_id]),
    ]
    return render(
        request,
        "registry/review_pair.html",
        {
            "candidate": candidate,
            "sides": sides,
            "evidence": candidate.evidence,
            "is_pending": candidate.status == MatchCandidate.Status.PENDING,
        },
    )


@login_required
@require_POST
def review_decide(request, candidate_id):
    candidate = _visible_candidate(request, candidate_id)
    decision = request.POST.get("decision")
    if decision not in ("merge", "apart"):
        messages.error(request, _("Choose to merge the two records or to keep them apart."))
        return redirect("registry:review-pair", candidate_id=candidate.pk)
    try:
        services.decide_candidate(candidate=candidate, merge=decision == "merge", by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registry:review-pair", candidate_id=candidate.pk)
    if decision == "merge":
        messages.success(request, _("The two records were merged. The merge can be undone."))
    else:
        messages.success(request, _("The two records are kept apart."))
    return redirect("registry:review-queue")


# --- partners' data quality -------------------------------------------------------------------


@login_required
@require_GET
def scorecard(request):
    _require_registry(request)
    return render(request, "registry/scorecard.html", {"rows": queries.scorecard(request.user)})
