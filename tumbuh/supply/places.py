"""Where a business is, for matching: the centre of its village (or, where the shipped data has
no centroid, of its district or regency), the distance between two centres, and the priority
areas (core and surrounding regencies) a business lies in."""

import math

from django.conf import settings
from django.db.models import Q

from tumbuh.regions.models import PriorityAreaRegency, Village

EARTH_RADIUS_KM = 6371.0088


def match_km() -> float:
    """How far apart an offer and a request may be and still match when they share no priority
    area (``TUMBUH_SUPPLY_MATCH_KM``, default 100 km)."""
    return float(getattr(settings, "TUMBUH_SUPPLY_MATCH_KM", 100))


def centre(village: Village) -> tuple[float, float] | None:
    """The village's centroid, else its district's, else its regency's; None if none is known."""
    if village.latitude is not None and village.longitude is not None:
        return village.latitude, village.longitude
    for parent in (village.district, village.regency):
        if parent.latitude is not None and parent.longitude is not None:
            return parent.latitude, parent.longitude
    return None


def distance_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    """Great-circle distance between two (latitude, longitude) centres, in km."""
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def areas_of_regency(regency_code: str) -> set[int]:
    """The priority areas whose core or surrounding regencies include ``regency_code`` (an area
    made of whole provinces is too wide to bound a supply chain and is left out)."""
    return areas_of_regencies([regency_code]).get(regency_code, set())


def areas_of_regencies(regency_codes) -> dict[str, set[int]]:
    """``areas_of_regency`` for many regencies at once: one query."""
    areas: dict[str, set[int]] = {}
    rows = (
        PriorityAreaRegency.objects.filter(regency_id__in=set(regency_codes))
        .exclude(role=PriorityAreaRegency.Role.PROVINCE)
        .values_list("regency_id", "area_id")
    )
    for regency, area in rows:
        areas.setdefault(regency, set()).add(area)
    return areas


def area_regencies(area_ids) -> set[str]:
    """The core and surrounding regencies of the areas ``area_ids``."""
    return set(
        PriorityAreaRegency.objects.filter(area_id__in=set(area_ids))
        .exclude(role=PriorityAreaRegency.Role.PROVINCE)
        .values_list("regency_id", flat=True)
    )


def near_q(prefix: str, enterprise) -> Q:
    """The condition on ``<prefix>village`` that keeps every business that may be near
    ``enterprise``: in a regency of one of its areas, or in a box around its centre as wide as
    the matching distance, or without a centroid of its own (decided in Python). It narrows what
    is read; ``Nearness`` decides."""
    regencies = area_regencies(areas_of_regency(enterprise.village.regency_id))
    condition = Q(**{f"{prefix}village__latitude__isnull": True})
    if regencies:
        condition |= Q(**{f"{prefix}village__regency_id__in": sorted(regencies)})
    here = centre(enterprise.village)
    if here is not None:
        latitude, longitude = here
        reach = match_km() / 111.0  # degrees of latitude
        wide = reach / max(math.cos(math.radians(latitude)), 0.01)
        condition |= Q(
            **{
                f"{prefix}village__latitude__range": (latitude - reach, latitude + reach),
                f"{prefix}village__longitude__range": (longitude - wide, longitude + wide),
            }
        )
    return condition


class Nearness:
    """How near other businesses are to one business, with its centre and areas read once and
    the others' areas read in one query (``prepare``) rather than two queries each."""

    def __init__(self, enterprise):
        self.enterprise = enterprise
        self.centre = centre(enterprise.village)
        self.areas = areas_of_regency(enterprise.village.regency_id)
        self._areas: dict[str, set[int]] = {}

    def prepare(self, others) -> None:
        codes = {other.village.regency_id for other in others}
        self._areas.update({code: set() for code in codes})
        self._areas.update(areas_of_regencies(codes))

    def of(self, other) -> tuple[float | None, int | None, bool]:
        """(distance in km, the area shared with ``other`` or else this business's own,
        whether the two are near enough to match)."""
        regency = other.village.regency_id
        if regency not in self._areas:
            self._areas[regency] = areas_of_regency(regency)
        km = distance_km(centre(other.village), self.centre)
        shared = self.areas & self._areas[regency]
        area = min(shared or self.areas) if (shared or self.areas) else None
        near = bool(shared) or (km is not None and km <= match_km())
        return km, area, near
