"""Registry API: the deduplicated businesses in the caller's regions, and import status.

Callers are a person signed in to the console or a partner's machine client with an API key;
both need a role that may import businesses, and both see only their regions (a partner's staff
and keys: the businesses it brought, serves or mentors; docs/permissions.md). A record outside
them answers 404, like one that does not exist.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Query, Router

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import APIKey
from tumbuh.accounts.permissions import Capability, has_capability
from tumbuh.core import keyset
from tumbuh.core.errors import ErrorOut
from tumbuh.core.refusals import Refused
from tumbuh.registry import queries
from tumbuh.registry.models import Enterprise, ImportBatch
from tumbuh.registry.schemas import (
    EnterpriseDetailOut,
    EnterpriseFilterIn,
    EnterprisePageOut,
    RegistryImportOut,
)

router = Router(tags=["registry"], auth=api_auth)


def _require_registry(actor) -> None:
    if isinstance(actor, APIKey):
        allowed = actor.is_active and actor.role in queries.REGISTRY_ROLES
    else:
        allowed = has_capability(actor, Capability.IMPORT_BUSINESSES)
    if not allowed:
        raise PermissionDenied(str(Capability.IMPORT_BUSINESSES.label))


def _enterprise_out(enterprise: Enterprise) -> dict:
    return {
        "public_id": enterprise.public_id,
        "name": enterprise.name,
        "trade_names": enterprise.trade_names,
        "kind": enterprise.kind,
        "scale": enterprise.scale,
        "nib": enterprise.nib,
        "village_code": enterprise.village_id,
        # In code order: the rows' order is the order an import happened to write them in.
        "kbli": sorted(k.code for k in enterprise.kbli_codes.all()),
    }


@router.get(
    "/enterprises",
    response={200: EnterprisePageOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Deduplicated businesses in my regions",
    description="Each business once, however many partners reported it; merged records are "
    "left out. Filters are those of the console's registry list.",
)
def enterprises(request, filters: Query[EnterpriseFilterIn]):
    _require_registry(request.auth)
    wanted = queries.EnterpriseFilters(
        region=filters.region,
        kind=filters.kind or "",
        scale=filters.scale or "",
        kbli_section=filters.kbli_section,
        milestone=filters.milestone or "",
        source=filters.source,
        q=filters.q,
    )
    found = queries.registry_enterprises(request.auth, wanted)
    order = queries.enterprise_order(found)
    if filters.cursor and filters.offset:
        raise Refused("bad_cursor", "Give either a cursor or an offset, not both.", field="cursor")
    rows = found.prefetch_related("kbli_codes")
    page = None
    if filters.offset:
        window = list(rows[filters.offset : filters.offset + filters.limit + 1])
        more, window = len(window) > filters.limit, window[: filters.limit]
        next_cursor = keyset.cursor_after(found, window[-1], order) if more else None
    else:
        page = keyset.keyset_page(
            rows,
            ordering=order,
            cursor=filters.cursor,
            size=filters.limit,
            keys_first=queries.reads_keys_first(wanted, found),
        )
        window, next_cursor = page.items, page.next_cursor
    count = queries.list_count(request.auth, wanted, found, page=page)
    return {
        "count": count.value,
        "count_is_exact": count.is_exact,
        "count_as_of": count.as_of,
        "limit": filters.limit,
        "offset": filters.offset,
        "next_cursor": next_cursor,
        "items": [_enterprise_out(enterprise) for enterprise in window],
    }


@router.get(
    "/enterprises/{public_id}",
    response={200: EnterpriseDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One business: place, KBLI codes, journey and the partners' rows (without values)",
)
def enterprise(request, public_id: str):
    _require_registry(request.auth)
    found = queries.visible_enterprise(request.auth, public_id, with_details=True)
    if found is None:
        raise Http404(f"No business {public_id!r} in your regions.")
    village = found.village
    return {
        **_enterprise_out(found),
        "address": queries.redact(found.address),
        "place": {
            "village_code": village.code,
            "village_name": village.name,
            "district_code": village.district.code,
            "district_name": village.district.name,
            "regency_code": village.regency.code,
            "regency_name": village.regency.name,
            "province_code": village.regency.province.code,
            "province_name": village.regency.province.name,
        },
        "kbli": [
            {"code": k.code, "version": k.version, "title": queries.kbli_title(k.code)}
            for k in found.kbli_codes.all()
        ],
        "milestones": [
            {"kind": m.kind, "occurred_at": m.occurred_at} for m in found.milestones.all()
        ],
        "sources": [
            {
                "organisation": record.organisation.slug,
                "file_name": record.file_name,
                "row_number": record.row_number,
                "imported_at": record.imported_at,
            }
            for record in found.records.all()
        ],
        "merged_into": found.merged_into.public_id if found.merged_into else None,
    }


@router.get(
    "/imports/{public_id}",
    response={200: RegistryImportOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="An import's status and counts",
)
def import_status(request, public_id: str):
    _require_registry(request.auth)
    batch: ImportBatch | None = (
        queries.visible_imports(request.auth).filter(public_id=public_id).first()
    )
    if batch is None:
        raise Http404(f"No import {public_id!r} of your organisation or regions.")
    return {
        "public_id": batch.public_id,
        "organisation": batch.organisation.slug,
        "file_name": batch.file_name,
        "status": batch.status,
        "total_rows": batch.total_rows,
        "processed_rows": batch.processed_rows,
        "created": batch.created_count,
        "linked": batch.linked_count,
        "already_imported": batch.already_imported_count,
        "rejected": batch.rejected_count,
        "error": batch.error,
        "created_at": batch.created_at,
        "started_at": batch.started_at,
        "finished_at": batch.finished_at,
    }
