"""Where a business is, for matching: the centre of its village (or, where the shipped data has
no centroid, of its district or regency), the distance between two centres, and the priority
areas (core and surrounding regencies) a business lies in."""

import math

from django.conf import settings

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
    return set(
        PriorityAreaRegency.objects.filter(regency_id=regency_code)
        .exclude(role=PriorityAreaRegency.Role.PROVINCE)
        .values_list("area_id", flat=True)
    )
