"""Connectivity API: the ledger of one village, the blank-spot ranking, plans and imports for
planners; the counts per province and regency as open data.

Callers of the planners' endpoints are a person signed in to the console or a machine client
with an API key; both need a role that may plan infrastructure and both see only their regions
(a record outside them answers 404, like one that does not exist). The aggregates need no
authentication: counts only, no names of people or businesses. Every error answers the API's one
error body (``core.errors.ErrorOut``), declared for each status an operation can answer: 401
without a session or key, 403 for a role that may not plan, 404 for a record outside the
caller's regions, 422 for parameters or a file that cannot be used.
"""

import dataclasses
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.permissions import Capability
from tumbuh.connectivity import importing, queries, services
from tumbuh.connectivity.models import ConnectivityImport, SitePlan
from tumbuh.connectivity.ranking import RankingWeights, rank_blank_spots
from tumbuh.connectivity.schemas import (
    PlanDetailOut,
    PlanOut,
    RankingIn,
    RankingOut,
    RegionAggregateOut,
    SiteImportOut,
    VillageLedgerOut,
)
from tumbuh.core.errors import ErrorOut
from tumbuh.regions.models import Province
from tumbuh.registry.models import Enterprise

router = Router(tags=["connectivity"], auth=api_auth)

REJECTIONS_RETURNED = 1_000


def _require_planning(actor) -> None:
    if not queries.may_plan(actor):
        raise PermissionDenied(str(Capability.PLAN_INFRASTRUCTURE.label))


# --- the ledger -------------------------------------------------------------------------------


@router.get(
    "/villages/{code}",
    response={200: VillageLedgerOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One village's connectivity: last mile, middle mile, fibre distance, sites",
)
def village(request, code: str):
    _require_planning(request.auth)
    found = queries.visible_village(request.auth, code)
    if found is None:
        raise Http404(f"No village {code!r} in your regions.")
    ledger = queries.ledger_row(found)
    site = ledger.last_mile_site if ledger else None
    if site is not None and not queries.scope_of(request.auth).allows(site.village_id):
        site = None
    pop = ledger.nearest_pop if ledger else None
    businesses = Enterprise.objects.deduplicated().filter(village=found)
    return {
        "code": found.code,
        "name": found.name,
        "district_code": found.district_id,
        "regency_code": found.regency_id,
        "regency_name": found.regency.name,
        "province_code": found.regency.province_id,
        "province_name": found.regency.province.name,
        "is_3t": found.regency.is_3t,
        "computed": ledger is not None,
        "last_mile": ledger.last_mile if ledger else "none",
        "last_mile_site": site.public_id if site else None,
        "last_mile_basis": ledger.last_mile_basis if ledger else "",
        "middle_mile": ledger.middle_mile if ledger else "none",
        "fibre_distance_km": ledger.fibre_distance_km if ledger else None,
        "nearest_point_of_presence": (
            {"code": pop.code, "name": pop.name, "operator": pop.operator} if pop else None
        ),
        "access_points": ledger.access_points if ledger else 0,
        "covered_4g_since": ledger.covered_4g_since if ledger else None,
        "computed_at": ledger.computed_at if ledger else None,
        "sites": list(
            queries.visible_sites(request.auth)
            .filter(village=found)
            .values_list("public_id", flat=True)
        ),
        "businesses": businesses.count(),
        "businesses_without_store": services.businesses_to_onboard([found.code]).count(),
        "synthetic": queries.synthetic_in_ledger(),
    }


@router.get(
    "/ranking",
    response={200: RankingOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Blank spots in my regions, best first, with the reasons of each score",
)
def ranking(request, params: Query[RankingIn]):
    _require_planning(request.auth)
    weights = RankingWeights(
        enterprise=params.enterprise,
        bumdes=params.bumdes,
        people=params.people,
        three_t=params.three_t,
    )
    spots = rank_blank_spots(request.auth, weights=weights, region_code=params.region)
    return {
        "count": len(spots),
        "weights": dataclasses.asdict(weights),
        "region": params.region,
        "items": [
            {**dataclasses.asdict(spot), "reasons": list(spot.reasons)}
            for spot in spots[: params.limit]
        ],
        "synthetic": queries.synthetic_in_ledger(),
    }


# --- plans ------------------------------------------------------------------------------------


def _plan_out(plan: SitePlan, sites: int, *, synthetic: bool) -> dict:
    return {
        "public_id": plan.public_id,
        "name": plan.name,
        "region_code": plan.region_code,
        "budget_idr": plan.budget_idr,
        "cost_idr": plan.cost_idr,
        "solver": plan.solver,
        "status": plan.solver_status,
        "run_status": plan.status,
        "phase": plan.phase,
        "progress_percent": plan.progress_percent(),
        "error_code": plan.error_code,
        "error": plan.error,
        "cancel_requested": plan.cancel_requested_at is not None,
        "sites": sites,
        "covered_enterprises": plan.covered_enterprises,
        "covered_people": plan.covered_people,
        "objective": plan.objective,
        "bound": plan.bound,
        "gap": plan.gap,
        "seconds": plan.seconds,
        "comparison": plan.comparison,
        "created_at": plan.created_at,
        "synthetic": synthetic,
    }


@router.get(
    "/plans",
    response={200: list[PlanOut], 401: ErrorOut, 403: ErrorOut},
    summary="Site plans for my regions, newest first",
)
def plans(request):
    _require_planning(request.auth)
    synthetic = queries.synthetic_in_ledger()
    return [
        _plan_out(plan, plan.site_count, synthetic=synthetic)
        for plan in queries.visible_plans(request.auth)
    ]


@router.get(
    "/plans/{public_id}",
    response={200: PlanDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A site plan with its picks",
)
def plan(request, public_id: str):
    _require_planning(request.auth)
    found = queries.visible_plan(request.auth, public_id)
    if found is None:
        raise Http404(f"No plan {public_id!r} for your regions.")
    picks = list(queries.plan_picks(found))
    return {
        **_plan_out(found, len(picks), synthetic=queries.synthetic_in_ledger()),
        "parameters": found.parameters,
        "picks": [
            {
                "rank": pick.rank,
                "village_code": pick.village_id,
                "label": pick.label,
                "is_3t": pick.is_3t,
                "backhaul": pick.backhaul,
                "backhaul_detail": pick.backhaul_detail,
                "cost_idr": pick.cost_idr,
                "covered_villages": pick.covered_villages,
                "enterprises": pick.enterprises,
                "people": pick.people,
                "value": pick.value,
                "reason": pick.reason,
                "site": pick.site.public_id if pick.site else None,
            }
            for pick in picks
        ],
    }


# --- imports ----------------------------------------------------------------------------------


def _import_out(batch: ConnectivityImport) -> dict:
    return {
        "public_id": batch.public_id,
        "kind": batch.kind,
        "organisation": batch.organisation.slug if batch.organisation else None,
        "file_name": batch.file_name,
        "total_rows": batch.total_rows,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "rejected": batch.rejected_count,
        "created_at": batch.created_at,
        "rejections": [
            {"row": r.row_number, "column": r.column, "value": r.value, "reason": r.reason}
            for r in queries.rejections(batch)[:REJECTIONS_RETURNED]
        ],
    }


@router.post(
    "/imports",
    response={201: SiteImportOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Import a CSV of BTS sites, fibre points of presence or village facts",
    description="Multipart form: kind (sites, pops or facts) and file (CSV, UTF-8). Every row "
    "ends created, updated, unchanged or rejected with its row, column and reason.",
)
def create_import(
    request, kind: Form[ConnectivityImport.Kind], file: File[UploadedFile]
):  # fmt: skip
    _require_planning(request.auth)
    actor = request.auth
    options = {
        "kind": kind,
        "organisation": queries.upload_organisation(actor),
        "by": actor,
        "file_name": Path(file.name or "upload.csv").name,
    }
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "upload.csv"
        with open(path, "wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        batch = importing.import_csv(path=path, **options)
    return Status(201, _import_out(batch))


@router.get(
    "/imports/{public_id}",
    response={200: SiteImportOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="An import's counts",
)
def import_status(request, public_id: str):
    _require_planning(request.auth)
    batch = queries.visible_imports(request.auth).filter(public_id=public_id).first()
    if batch is None:
        raise Http404(f"No import {public_id!r} of your regions.")
    return _import_out(batch)


# --- open data --------------------------------------------------------------------------------


def _aggregate_out(row: queries.RegionRow, *, synthetic: bool) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "villages": row.villages,
        "villages_by_last_mile": {str(key): value for key, value in row.by_last_mile.items()},
        "share_4g": None if row.share_4g is None else round(row.share_4g, 6),
        "blank_spots": row.blank_spots,
        "businesses_waiting": row.businesses_waiting,
        "synthetic": synthetic,
    }


@router.get(
    "/aggregates/provinces",
    response=list[RegionAggregateOut],
    auth=None,
    summary="Open data: villages by last mile, blank spots and businesses waiting per province",
)
def province_aggregates(request):
    synthetic = queries.synthetic_in_ledger()
    return [_aggregate_out(row, synthetic=synthetic) for row in queries.province_rows()]


@router.get(
    "/aggregates/regencies",
    response={200: list[RegionAggregateOut], 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="Open data: the same counts per regency of one province",
)
def regency_aggregates(request, province: str = Query(..., pattern=r"^\d{2}$")):
    if not Province.objects.filter(code=province).exists():
        raise Http404(f"No province has the code {province!r}.")
    synthetic = queries.synthetic_in_ledger()
    return [_aggregate_out(row, synthetic=synthetic) for row in queries.regency_rows(province)]
