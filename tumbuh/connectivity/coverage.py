"""Coverage computed from the sites on air, and the ledger's summary row per village.

A site covers a village when the village's centre lies within the site's radius, which depends
on the site's technology and terrain class (``DEFAULT_RADIUS_KM``, overridable with the setting
``TUMBUH_COVERAGE_RADIUS_KM``; see docs/connectivity.md). The villages sit in a KD-tree over
points on the unit sphere, so one ball query per (technology, terrain) group finds every
village of every site: all 83,762 villages against 10,000 sites take about a second.

``recompute`` then folds in the reported facts (the latest last-mile and middle-mile report per
village; public access points) and writes only the ledger rows that changed.

NumPy and SciPy are imported where the points and trees are built: the connectivity pages and the
API import this module, and SciPy's KD-tree with NumPy costs ~0.5 s at start-up.
"""

import datetime
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tumbuh.connectivity.models import (
    TECHNOLOGY_RANK,
    Backhaul,
    PointOfPresence,
    Site,
    Technology,
    VillageConnectivity,
    VillageFact,
)
from tumbuh.core.bulk import insert_rows
from tumbuh.regions.models import Village

if TYPE_CHECKING:
    import numpy as np
    from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088

# Cell radius in km by technology and terrain: planning rules of thumb for a macro BTS in rural
# Indonesia (lower bands for 2G carry farther; hills and mountains shadow the signal).
DEFAULT_RADIUS_KM = {
    Technology.G4: {"flat": 5.0, "hilly": 3.0, "mountainous": 2.0},
    Technology.G3: {"flat": 6.0, "hilly": 3.5, "mountainous": 2.5},
    Technology.G2: {"flat": 10.0, "hilly": 6.0, "mountainous": 4.0},
}
RECOMPUTE_LOCK = 7_306_001  # advisory lock key of coverage recomputation
MIDDLE_MILE_RANK = {value: rank for rank, value in enumerate(Backhaul.values)}


def radius_km(technology: str, terrain: str) -> float:
    """The coverage radius of a site of ``technology`` on ``terrain``, from settings or defaults."""
    radii = getattr(settings, "TUMBUH_COVERAGE_RADIUS_KM", None) or DEFAULT_RADIUS_KM
    return float(radii[technology][terrain])


def unit_vectors(latitudes, longitudes) -> "np.ndarray":
    """Points on the unit sphere: chord distance there is monotonic in great-circle distance."""
    import numpy as np

    lat = np.radians(np.asarray(latitudes, dtype=float))
    lon = np.radians(np.asarray(longitudes, dtype=float))
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def chord(km: float) -> float:
    """The chord length on the unit sphere of a great-circle distance of ``km``."""
    return 2 * math.sin(km / EARTH_RADIUS_KM / 2)


def arc_km(chord_length):
    """Great-circle km of a chord length (scalar or array) on the unit sphere."""
    import numpy as np

    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord_length) / 2, 0, 1))


@dataclass
class VillagePoints:
    """Village codes and their positions, with a KD-tree over them."""

    codes: list[str]
    tree: "cKDTree"

    @classmethod
    def load(cls, codes: list[str] | None = None, *, box: dict | None = None) -> "VillagePoints":
        """The villages with a position: all, those of ``codes``, or those in ``box`` (field
        lookups from :func:`box_around`)."""
        import numpy as np
        from scipy.spatial import cKDTree

        villages = Village.objects.exclude(latitude=None).order_by("code")
        if codes is not None:
            villages = villages.filter(code__in=codes)
        if box is not None:
            villages = villages.filter(**box)
        rows = list(villages.values_list("code", "latitude", "longitude"))
        points = (
            unit_vectors([r[1] for r in rows], [r[2] for r in rows]) if rows else np.zeros((0, 3))
        )
        return cls([r[0] for r in rows], cKDTree(points))

    def within(self, latitude: float, longitude: float, km: float) -> list[str]:
        """The codes of the villages whose centre is within ``km`` of the point."""
        return self.within_each([latitude], [longitude], km)[0]

    def within_each(self, latitudes, longitudes, km: float) -> list[list[str]]:
        """For each point, the codes of the villages whose centre is within ``km`` of it.

        One ball query for all the points: the planner asks this of every blank-spot village,
        and a query per point cost it a quarter of a second over the country's ~10,000."""
        if not self.codes:
            return [[] for _latitude in latitudes]
        if not len(latitudes):
            return []
        found = self.tree.query_ball_point(unit_vectors(latitudes, longitudes), chord(km))
        return [[self.codes[index] for index in sorted(indexes)] for indexes in found]


@dataclass(frozen=True)
class SiteCover:
    technology: str
    site_id: int
    backhaul: str
    on_air_on: object


def covered_by_sites(points: VillagePoints, sites) -> dict[str, SiteCover]:
    """Best coverage per village code from ``sites`` (rows of id, latitude, longitude,
    technology, terrain, backhaul, on_air_on): the best technology wins, then the earliest
    on-air date, then the lowest site id, so the result does not depend on the order."""
    best: dict[str, SiteCover] = {}
    groups = defaultdict(list)
    for site in sites:
        groups[(site[3], site[4])].append(site)
    for (technology, terrain), members in groups.items():
        if not points.codes:
            break
        centres = unit_vectors([s[1] for s in members], [s[2] for s in members])
        hits = points.tree.query_ball_point(centres, chord(radius_km(technology, terrain)))
        for site, indexes in zip(members, hits, strict=True):
            cover = SiteCover(technology, site[0], site[5], site[6])
            for index in indexes:
                code = points.codes[index]
                current = best.get(code)
                if current is None or _better(cover, current):
                    best[code] = cover
    return best


def _better(new: SiteCover, old: SiteCover) -> bool:
    new_key = (-TECHNOLOGY_RANK[new.technology], new.on_air_on or _FAR, new.site_id)
    old_key = (-TECHNOLOGY_RANK[old.technology], old.on_air_on or _FAR, old.site_id)
    return new_key < old_key


_FAR = datetime.date.max


def nearest_points_of_presence(points: VillagePoints) -> dict[str, tuple[int, float]]:
    """(point of presence id, distance in km) of the nearest fibre point for every village."""
    from scipy.spatial import cKDTree

    pops = list(PointOfPresence.objects.values_list("pk", "latitude", "longitude"))
    if not pops or not points.codes:
        return {}
    tree = cKDTree(unit_vectors([p[1] for p in pops], [p[2] for p in pops]))
    distances, indexes = tree.query(points.tree.data, k=1)
    kms = arc_km(distances)
    return {
        code: (pops[index][0], round(float(km), 2))
        for code, index, km in zip(points.codes, indexes, kms, strict=True)
    }


def _reported(codes: list[str] | None = None):
    """Latest reported last mile and middle mile per village (of ``codes``, or all), and access
    point counts."""
    last_mile, middle_mile, access = {}, {}, defaultdict(set)
    facts = VillageFact.objects.filter(
        layer__in=[
            VillageFact.Layer.LAST_MILE,
            VillageFact.Layer.MIDDLE_MILE,
            VillageFact.Layer.ACCESS_POINT,
        ]
    ).order_by("observed_on", "pk")
    if codes is not None:
        facts = facts.filter(village_id__in=codes)
    for village, layer, value, detail, source, observed_on in facts.values_list(
        "village_id", "layer", "value", "detail", "source", "observed_on"
    ):
        if layer == VillageFact.Layer.LAST_MILE:
            last_mile[village] = (value, source, observed_on)  # the latest report wins
        elif layer == VillageFact.Layer.MIDDLE_MILE:
            middle_mile[village] = value
        else:
            access[village].add((value, detail, source))
    return last_mile, middle_mile, {code: len(points) for code, points in access.items()}


def _write(created, changed, fields) -> None:
    """Insert the new summary rows and update the changed ones, in one transaction."""
    stamp = connection.ops.adapt_datetimefield_value
    day = connection.ops.adapt_datefield_value
    with transaction.atomic():
        insert_rows(
            VillageConnectivity,
            ["village", *fields, "computed_at"],
            [(*row[:-2], day(row[-2]), row[-1]) for row in created],
        )
        if changed:
            columns = [VillageConnectivity._meta.get_field(name).column for name in fields]
            assignments = ", ".join(f"{column} = %s" for column in [*columns, "computed_at"])
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {VillageConnectivity._meta.db_table} SET {assignments} "  # noqa: S608
                    "WHERE village_id = %s",
                    [(*row[:7], day(row[7]), stamp(row[8]), row[9]) for row in changed],
                )


def longest_radius_km() -> float:
    """The farthest any site reaches, whatever its technology and terrain."""
    radii = getattr(settings, "TUMBUH_COVERAGE_RADIUS_KM", None) or DEFAULT_RADIUS_KM
    return max(float(km) for terrains in radii.values() for km in terrains.values())


def box_around(latitude: float, longitude: float, km: float) -> dict:
    """Field lookups for the rows whose position lies in a latitude-longitude box that holds
    every point within ``km`` of the given one (a little more: the box is a bound, not the
    circle). A degree of latitude is at least 110.5 km; a degree of longitude shrinks with the
    cosine of the latitude, taken at the box's edge farthest from the equator."""
    margin_km = km * 1.01 + 0.1
    latitude_span = margin_km / 110.5
    widest = min(89.0, abs(latitude) + latitude_span)
    longitude_span = margin_km / (111.32 * math.cos(math.radians(widest)))
    return {
        "latitude__gte": latitude - latitude_span,
        "latitude__lte": latitude + latitude_span,
        "longitude__gte": longitude - longitude_span,
        "longitude__lte": longitude + longitude_span,
    }


def recompute(*, around: tuple[float, float] | None = None) -> dict:
    """Recompute the ledger's summary row of every village; write only what changed.

    With ``around`` (the latitude and longitude of a site that went on or off air), only the
    villages that a site there can reach are recomputed, against the sites that can reach them:
    no other village's coverage can change, so the result is that of a whole recomputation, in
    a fraction of its time (a whole one reads every site and village: seconds at national
    scale).

    One recomputation at a time: it runs in one transaction that takes a lock first (an advisory
    lock on PostgreSQL; SQLite's immediate transactions already admit one writer).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK])
        return _recompute(around)


def _recompute(around: tuple[float, float] | None) -> dict:
    started = time.perf_counter()
    sites = Site.objects.filter(status=Site.Status.ON_AIR)
    if around is None:
        points = VillagePoints.load()
    else:
        # The villages within reach of the spot, and every site that can reach one of them.
        reach = longest_radius_km()
        points = VillagePoints.load(box=box_around(*around, reach))
        sites = sites.filter(**box_around(*around, 2 * reach))
    sites = sites.values_list(
        "pk", "latitude", "longitude", "technology", "terrain", "backhaul", "on_air_on"
    )
    covers = covered_by_sites(points, sites)
    nearest = nearest_points_of_presence(points)
    last_mile_reports, middle_mile_reports, access = _reported(
        None if around is None else points.codes
    )
    computed_seconds = time.perf_counter() - started

    today = timezone.localdate()
    now = timezone.now()
    fields = [
        "last_mile", "last_mile_site", "last_mile_basis", "middle_mile", "fibre_distance_km",
        "nearest_pop", "access_points", "covered_4g_since",
    ]  # fmt: skip
    columns = [VillageConnectivity._meta.get_field(name).column for name in fields]
    ledger = VillageConnectivity.objects.all()
    if around is not None:
        ledger = ledger.filter(village_id__in=points.codes)
    existing = {row[0]: row[1:] for row in ledger.values_list("village_id", *columns)}
    created, changed = [], []
    with_4g = 0
    for code in points.codes:
        cover = covers.get(code)
        technology, site_id, basis = Technology.NONE, None, ""
        middle = Backhaul.NONE
        if cover:
            technology, site_id, basis = cover.technology, cover.site_id, "sites"
            middle = cover.backhaul
        report = last_mile_reports.get(code)
        arrived = cover.on_air_on if cover else None
        if report and TECHNOLOGY_RANK.get(report[0], -1) > TECHNOLOGY_RANK[technology]:
            technology, site_id, basis = report[0], None, f"{report[1]} ({report[2].isoformat()})"
            arrived = report[2]
        reported_middle = middle_mile_reports.get(code)
        if MIDDLE_MILE_RANK.get(reported_middle, -1) > MIDDLE_MILE_RANK[middle]:
            middle = reported_middle
        with_4g += technology == Technology.G4
        pop_id, distance = nearest.get(code, (None, None))
        row = existing.get(code)
        since = row[-1] if row else None
        if technology == Technology.G4 and since is None:
            since = arrived or today
        elif technology != Technology.G4:
            since = None
        values = (technology, site_id, basis[:150], middle, distance, pop_id,
                  access.get(code, 0), since)  # fmt: skip
        if row is None:
            created.append((code, *values, now))
        elif tuple(row) != values:
            changed.append((*values, now, code))
    _write(created, changed, fields)
    return {
        "villages": len(points.codes),
        "sites_on_air": len(sites),
        "created": len(created),
        "changed": len(changed),
        "with_4g": with_4g,
        "compute_seconds": round(computed_seconds, 3),
        "seconds": round(time.perf_counter() - started, 3),
    }
