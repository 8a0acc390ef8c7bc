"""Hand-made places for connectivity tests: villages on a line at sea, at known distances.

The test session loads Jawa Barat, Nusa Tenggara Timur and Papua; these villages sit at the
equator near 105° E (the Lingga sea, no loaded village within 300 km), under a real district of
Kota Kupang so that they have a regency. One degree of longitude at the equator is 111.195 km.
"""

import datetime

import pytest

from tumbuh.connectivity import coverage
from tumbuh.connectivity.models import Site, Technology, Terrain, VillageConnectivity
from tumbuh.regions.models import District, Village

KM_PER_DEGREE = 111.195
DISTRICT = "53.71.01"
# A plan or a ranking for this region takes only the helpers' villages once the district's real
# villages are out of the way (``only_hand_made_villages``).
HAND_MADE = DISTRICT


def only_hand_made_villages() -> None:
    """Delete the real villages of the helpers' district (the test's transaction brings them
    back), so that the region ``HAND_MADE`` holds only the villages made by ``village_at``."""
    Village.objects.filter(district_id=DISTRICT).exclude(code__startswith=f"{DISTRICT}.29").delete()


def village_at(number: int, km_east: float, *, name: str | None = None) -> Village:
    """A village ``km_east`` km east of (0°, 105° E), code ``53.71.01.29NN``."""
    district = District.objects.get(code=DISTRICT)
    return Village.objects.create(
        code=f"{DISTRICT}.29{number:02d}",
        name=name or f"Desa Uji {number}",
        district=district,
        regency=district.regency,
        kind=Village.Kind.DESA,
        latitude=0.0,
        longitude=105.0 + km_east / KM_PER_DEGREE,
    )


def site_at(
    km_east: float,
    village: Village,
    *,
    technology=Technology.G4,
    terrain=Terrain.FLAT,
    status=Site.Status.ON_AIR,
    code: str | None = None,
    on_air_on=datetime.date(2025, 6, 1),
) -> Site:
    return Site.objects.create(
        operator="Operator Uji",
        code=code or f"S-{village.code}-{technology}-{km_east}",
        latitude=0.0,
        longitude=105.0 + km_east / KM_PER_DEGREE,
        village=village,
        technology=technology,
        terrain=terrain,
        status=status,
        funding=Site.Funding.OPERATOR,
        on_air_on=on_air_on if status == Site.Status.ON_AIR else None,
        source="uji",
        source_date=datetime.date(2026, 1, 1),
    )


@pytest.fixture(scope="module")
def filled_ledger(django_db_setup, django_db_blocker):
    """Every village of the session's provinces in the ledger (without signal) once for the
    module: a test's ``recompute`` then writes only the rows its sites change. A module imports
    it and marks itself with ``pytest.mark.usefixtures("filled_ledger")``."""
    with django_db_blocker.unblock():
        coverage.recompute()
    yield
    with django_db_blocker.unblock():
        VillageConnectivity.objects.all().delete()
