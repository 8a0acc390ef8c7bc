"""Public, read-only API over Indonesia's regions: reference data, no personal data.

An unknown code answers 404 and bad search parameters 422, with the API's one error body
(``core.errors.ErrorOut``), declared for each operation.
"""

from typing import Literal

from django.http import Http404
from ninja import Query, Router

from tumbuh.core.errors import ErrorOut
from tumbuh.regions.models import District, PriorityArea, Province, Regency, Village
from tumbuh.regions.queries import search_regions, village_detail
from tumbuh.regions.schemas import (
    DistrictOut,
    PriorityAreaOut,
    ProvinceOut,
    RegencyOut,
    RegionHitOut,
    VillageDetailOut,
    VillageOut,
)

router = Router(tags=["regions"])


def get_or_404(model, *, code: str):
    """The region with ``code``, or a 404 that says which code and level were not found."""
    found = model.objects.filter(code=code).first()
    if found is None:
        raise Http404(f"No {model._meta.model_name} has the code {code!r}.")
    return found


def _regency_out(regency: Regency) -> dict:
    return {
        **{f: getattr(regency, f) for f in RegencyOut.model_fields if f != "province_code"},
        "province_code": regency.province_id,
    }


@router.get("/provinces", response=list[ProvinceOut], summary="All 38 provinces")
def provinces(request):
    return Province.objects.order_by("code")


@router.get("/provinces/{code}", response={200: ProvinceOut, 404: ErrorOut})
def province(request, code: str):
    return get_or_404(Province, code=code)


@router.get("/provinces/{code}/regencies", response={200: list[RegencyOut], 404: ErrorOut})
def province_regencies(request, code: str):
    get_or_404(Province, code=code)
    return [_regency_out(r) for r in Regency.objects.filter(province_id=code).order_by("code")]


@router.get("/regencies/{code}", response={200: RegencyOut, 404: ErrorOut})
def regency(request, code: str):
    return _regency_out(get_or_404(Regency, code=code))


@router.get("/regencies/{code}/districts", response={200: list[DistrictOut], 404: ErrorOut})
def regency_districts(request, code: str):
    get_or_404(Regency, code=code)
    return [
        {**_region_fields(d), "regency_code": d.regency_id}
        for d in District.objects.filter(regency_id=code).order_by("code")
    ]


@router.get("/districts/{code}", response={200: DistrictOut, 404: ErrorOut})
def district(request, code: str):
    found = get_or_404(District, code=code)
    return {**_region_fields(found), "regency_code": found.regency_id}


@router.get("/districts/{code}/villages", response={200: list[VillageOut], 404: ErrorOut})
def district_villages(request, code: str):
    get_or_404(District, code=code)
    return [
        {
            **_region_fields(v),
            "kind": v.kind,
            "postal_code": v.postal_code,
            "district_code": v.district_id,
        }
        for v in Village.objects.filter(district_id=code).order_by("code")
    ]


@router.get(
    "/villages/{code}",
    response={200: VillageDetailOut, 404: ErrorOut},
    summary="One village with its parents",
)
def village(request, code: str):
    found = village_detail(code)
    if found is None:
        raise Http404(f"No village has the code {code!r}.")
    province = found.regency.province
    return {
        **_region_fields(found),
        "kind": found.kind,
        "postal_code": found.postal_code,
        "is_3t": found.is_3t,
        "time_zone": province.time_zone,
        "district": {"code": found.district_id, "name": found.district.name},
        "regency": {"code": found.regency_id, "name": found.regency.name},
        "province": {"code": province.code, "name": province.name},
    }


@router.get(
    "/search", response={200: list[RegionHitOut], 422: ErrorOut}, summary="Find regions by name"
)
def search(
    request,
    q: str = Query(..., min_length=2, max_length=100),
    level: Literal["province", "regency", "district", "village"] | None = None,
    within: str = Query("", max_length=8, description="Only inside this region code"),
    limit: int = Query(20, ge=1, le=100),
):
    return search_regions(q, level=level, within=within, limit=limit)


@router.get("/priority-areas", response=list[PriorityAreaOut])
def priority_areas(request):
    areas = PriorityArea.objects.prefetch_related("members").order_by("collection", "name")
    return [_area_out(area) for area in areas]


@router.get("/priority-areas/{slug}", response={200: PriorityAreaOut, 404: ErrorOut})
def priority_area(request, slug: str):
    area = PriorityArea.objects.prefetch_related("members").filter(slug=slug).first()
    if area is None:
        raise Http404(f"No priority area has the slug {slug!r}.")
    return _area_out(area)


def _area_out(area: PriorityArea) -> dict:
    return {
        "slug": area.slug,
        "name": area.name,
        "collection": area.collection,
        "description": area.description,
        "regency_codes": sorted(member.regency_id for member in area.members.all()),
    }


def _region_fields(region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "latitude": region.latitude,
        "longitude": region.longitude,
        "centroid_precision": region.centroid_precision,
    }
