"""Connectivity per village: one row for every village, from the connectivity ledger.

Facts about places, not businesses: the village's code and name, its regency and whether the
regency is 3T, the last-mile signal, the middle mile, whether the backbone is within reach, and
the BTS sites on air. The definitions are the dashboards' connectivity section's: a village not
yet in the ledger (:class:`~tumbuh.connectivity.models.VillageConnectivity`) has no signal and
no middle mile; the backbone is within reach when a fibre point of presence is within
``Costs.fibre_max_km`` (the distance up to which the site planner allows fibre backhaul). No
count of businesses is published here (a village may have 1 to 9 of them), so nothing needs to
be hidden. When the ledger holds the demo's synthetic network, every row says so
(``connectivity.queries.synthetic_in_ledger``), as the ledger's own exports do.

At the whole country's 83,762 villages the rows are too many to keep inside the kept build,
which every request reads: ``publish`` keeps them beside it.
"""

from __future__ import annotations

from django.db.models import Count

YES, NO = "ya", "tidak"
HEADER = [
    "kode_desa",
    "nama_desa",
    "kode_kabupaten",
    "nama_kabupaten",
    "3t",
    "sinyal",
    "middle_mile",
    "jangkauan_backbone",
    "bts_mengudara",
    "sintetis",
]
COLUMNS = [
    ("kode_desa", "Kode desa/kelurahan Kemendagri"),
    ("nama_desa", "Nama desa/kelurahan"),
    ("kode_kabupaten", "Kode kabupaten/kota"),
    ("nama_kabupaten", "Nama kabupaten/kota"),
    ("3t", "ya: kabupaten/kota 3T (tertinggal, terdepan, terluar)"),
    ("sinyal", "Sinyal seluler terbaik di desa (last mile): none, 2g, 3g, 4g"),
    ("middle_mile", "Jalur ke backbone (middle mile): none, satellite, microwave, fibre"),
    (
        "jangkauan_backbone",
        "ya: titik backbone serat optik (PoP) dalam jarak yang memungkinkan backhaul serat",
    ),
    ("bts_mengudara", "Jumlah BTS yang mengudara (on air) di desa"),
    ("sintetis", "ya: data konektivitas sintetis untuk demo, bukan data nyata"),
]


def rows() -> list[list]:
    """Every village's row, by code (one query for the villages and their ledger rows, one for
    the sites on air)."""
    # The planning package imports the solvers: only the worker and the demo build this.
    from tumbuh.connectivity.models import Backhaul, Site, Technology
    from tumbuh.connectivity.planning.costs import Costs
    from tumbuh.connectivity.queries import synthetic_in_ledger
    from tumbuh.regions.models import Village

    reach_km = Costs().fibre_max_km
    on_air = dict(
        Site.objects.filter(status=Site.Status.ON_AIR)
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    synthetic = YES if synthetic_in_ledger() else NO
    villages = (
        Village.objects.order_by("code")
        .values_list(
            "code",
            "name",
            "regency_id",
            "regency__name",
            "regency__is_3t",
            "connectivity__last_mile",
            "connectivity__middle_mile",
            "connectivity__fibre_distance_km",
        )
        .iterator(chunk_size=10_000)
    )
    return [
        [
            code,
            name,
            regency,
            regency_name,
            YES if is_3t else NO,
            last_mile or Technology.NONE.value,
            middle_mile or Backhaul.NONE.value,
            YES if fibre_km is not None and fibre_km <= reach_km else NO,
            on_air.get(code, 0),
            synthetic,
        ]
        for code, name, regency, regency_name, is_3t, last_mile, middle_mile, fibre_km in villages
    ]
