"""Coverage from sites on hand-made villages at known distances, and the ledger it writes."""

import datetime

import pytest

from tumbuh.connectivity import coverage
from tumbuh.connectivity.models import (
    Backhaul,
    PointOfPresence,
    Site,
    Technology,
    Terrain,
    VillageConnectivity,
    VillageFact,
)
from tumbuh.connectivity.tests.helpers import KM_PER_DEGREE, site_at, village_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def line():
    """Villages 0, 4, 8 and 20 km east of the first one."""
    return [village_at(number, km) for number, km in enumerate([0, 4, 8, 20], start=1)]


def ledger(village) -> VillageConnectivity:
    return VillageConnectivity.objects.get(village=village)


def test_distances_on_the_sphere_are_right():
    assert coverage.arc_km(coverage.chord(5.0)) == pytest.approx(5.0)
    points = coverage.unit_vectors([0.0, 0.0], [105.0, 105.0 + 10 / KM_PER_DEGREE])
    distance = coverage.arc_km(((points[0] - points[1]) ** 2).sum() ** 0.5)
    assert distance == pytest.approx(10.0, rel=1e-3)


def test_a_4g_site_covers_the_villages_within_its_radius_only(line):
    first, second, third, far = line
    site_at(0, first)  # 4G on flat ground: 5 km
    summary = coverage.recompute()
    assert ledger(first).last_mile == ledger(second).last_mile == Technology.G4
    assert ledger(third).last_mile == ledger(far).last_mile == Technology.NONE
    assert ledger(second).last_mile_site.code.startswith("S-")
    assert summary["villages"] == VillageConnectivity.objects.count()


def test_terrain_shrinks_the_radius_and_2g_carries_farther(line):
    first, second, third, far = line
    site_at(0, first, terrain=Terrain.MOUNTAINOUS)  # 4G in the mountains: 2 km
    site_at(20, far, technology=Technology.G2)  # 2G on flat ground: 10 km
    coverage.recompute()
    assert ledger(first).last_mile == Technology.G4
    assert ledger(second).last_mile == Technology.NONE  # 4 km: beyond 2 km
    assert ledger(third).last_mile == Technology.NONE  # 12 km from the 2G site
    assert ledger(far).last_mile == Technology.G2


def test_the_best_technology_wins_where_sites_overlap(line):
    first, second, *_ = line
    site_at(0, first, technology=Technology.G2)
    site_at(4, second, technology=Technology.G4)
    coverage.recompute()
    assert ledger(first).last_mile == Technology.G4  # 4 km from the 4G site
    assert ledger(first).last_mile_site.technology == Technology.G4


def test_only_sites_on_air_cover(line):
    first, *_ = line
    for status in (Site.Status.PLANNED, Site.Status.UNDER_CONSTRUCTION, Site.Status.OFF_AIR):
        site_at(0, first, status=status, code=f"S-{status}")
    coverage.recompute()
    assert ledger(first).last_mile == Technology.NONE


def test_radius_is_configurable(line, settings):
    first, _second, third, _far = line
    settings.TUMBUH_COVERAGE_RADIUS_KM = {
        Technology.G4: {"flat": 9.0, "hilly": 3.0, "mountainous": 2.0},
        Technology.G3: {"flat": 6.0, "hilly": 3.5, "mountainous": 2.5},
        Technology.G2: {"flat": 10.0, "hilly": 6.0, "mountainous": 4.0},
    }
    site_at(0, first)
    coverage.recompute()
    assert ledger(third).last_mile == Technology.G4


def test_reported_facts_fold_in_and_the_latest_report_counts(line):
    first, _second, third, far = line
    site_at(0, first)
    source = {"source": "Laporan operator", "village": far}
    VillageFact.objects.create(
        layer=VillageFact.Layer.LAST_MILE, value="4g", observed_on=datetime.date(2024, 1, 1),
        **source,
    )  # fmt: skip
    VillageFact.objects.create(
        layer=VillageFact.Layer.LAST_MILE, value="3g", observed_on=datetime.date(2025, 1, 1),
        **source,
    )  # fmt: skip
    VillageFact.objects.create(
        village=third, layer=VillageFact.Layer.MIDDLE_MILE, value=Backhaul.SATELLITE,
        source="BAKTI", observed_on=datetime.date(2025, 1, 1),
    )  # fmt: skip
    for kind in ("satelit", "wifi publik"):
        VillageFact.objects.create(
            village=third, layer=VillageFact.Layer.ACCESS_POINT, value=kind, source="BAKTI",
            observed_on=datetime.date(2025, 1, 1),
        )  # fmt: skip
    # A mentor's signal check is shown, but it does not change the ledger.
    VillageFact.objects.create(
        village=third, layer=VillageFact.Layer.SIGNAL_CHECK, value="4g", source="Pendamping",
        observed_on=datetime.date(2025, 2, 1),
    )  # fmt: skip
    coverage.recompute()
    assert ledger(far).last_mile == Technology.G3
    assert ledger(far).last_mile_basis == "Laporan operator (2025-01-01)"
    assert ledger(third).last_mile == Technology.NONE
    assert ledger(third).middle_mile == Backhaul.SATELLITE
    assert ledger(third).access_points == 2


def test_nearest_fibre_point_and_its_distance(line):
    first, _second, third, far = line
    PointOfPresence.objects.create(
        code="POP-1", name="PoP", latitude=0.0, longitude=105.0 + 20 / KM_PER_DEGREE,
        source="uji", source_date=datetime.date(2026, 1, 1),
    )  # fmt: skip
    coverage.recompute()
    assert ledger(first).fibre_distance_km == pytest.approx(20.0, abs=0.02)
    assert ledger(third).fibre_distance_km == pytest.approx(12.0, abs=0.02)
    assert ledger(far).nearest_pop.code == "POP-1"


def test_4g_since_is_the_day_coverage_arrived_and_recomputing_changes_nothing(line):
    first, second, *_ = line
    site = site_at(0, first, on_air_on=datetime.date(2025, 6, 1))
    first_run = coverage.recompute()
    assert ledger(second).covered_4g_since == datetime.date(2025, 6, 1)
    again = coverage.recompute()
    assert again["created"] == 0 and again["changed"] == 0
    assert first_run["created"] == again["villages"]
    site.status = Site.Status.OFF_AIR
    site.save()
    lost = coverage.recompute()
    assert lost["changed"] == 2
    assert ledger(second).covered_4g_since is None
    assert ledger(second).last_mile == Technology.NONE
