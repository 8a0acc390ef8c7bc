"""API shapes for regions: each output schema lists exactly the fields it exposes."""

from ninja import Schema


class RegionRef(Schema):
    code: str
    name: str


class ProvinceOut(Schema):
    code: str
    name: str
    time_zone: str
    latitude: float | None
    longitude: float | None
    centroid_precision: str
    population: int | None


class RegencyOut(Schema):
    code: str
    name: str
    kind: str
    province_code: str
    latitude: float | None
    longitude: float | None
    centroid_precision: str
    population: int | None
    is_3t: bool
    is_disadvantaged: bool
    is_land_border: bool
    has_outermost_small_island: bool


class DistrictOut(Schema):
    code: str
    name: str
    regency_code: str
    latitude: float | None
    longitude: float | None
    centroid_precision: str


class VillageOut(Schema):
    code: str
    name: str
    kind: str
    district_code: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    centroid_precision: str


class VillageDetailOut(Schema):
    code: str
    name: str
    kind: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    centroid_precision: str
    is_3t: bool
    time_zone: str
    district: RegionRef
    regency: RegionRef
    province: RegionRef


class RegionHitOut(Schema):
    code: str
    name: str
    level: str
    context: str


class PriorityAreaOut(Schema):
    slug: str
    name: str
    collection: str
    description: str
    regency_codes: list[str]
