"""Build tracking: a site moves planned → contracted → under construction → on air, and when it
goes on air the villages it covers change status and their businesses are listed to onboard."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.connectivity import coverage, services
from tumbuh.connectivity.models import Site, Technology, VillageConnectivity
from tumbuh.connectivity.tests.helpers import site_at, village_at
from tumbuh.core.models import AuditEvent
from tumbuh.registry.models import Enterprise, Milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned():
    here, near = village_at(1, 0), village_at(2, 3)
    site = site_at(0, here, status=Site.Status.PLANNED)
    coverage.recompute()
    return site, here, near


def test_a_site_goes_on_air_step_by_step_and_its_villages_gain_4g(planned, national_admin):
    site, here, near = planned
    shop = Enterprise.objects.create(name="Toko Kopi Uji", village=near)
    waiting = Enterprise.objects.create(name="Tenun Uji", village=near)
    Milestone.objects.create(
        enterprise=shop, kind=Milestone.Kind.STORE_LIVE, occurred_at=timezone.now(), source="uji"
    )
    day = datetime.date(2026, 3, 1)
    for status in (Site.Status.CONTRACTED, Site.Status.UNDER_CONSTRUCTION):
        changed = services.change_site_status(
            site=site, to_status=status, on=day, by=national_admin
        )
        assert changed == {"gained_4g": [], "lost_4g": []}
    changed = services.change_site_status(
        site=site, to_status=Site.Status.ON_AIR, on=day, by=national_admin
    )
    assert changed["gained_4g"] == [here.code, near.code]
    site.refresh_from_db()
    assert (site.contracted_on, site.on_air_on, site.built_on) == (day, day, day)
    ledger = VillageConnectivity.objects.get(village=near)
    assert (ledger.last_mile, ledger.covered_4g_since) == (Technology.G4, day)
    assert services.villages_served(site) == [here.code, near.code]
    assert list(services.businesses_to_onboard([near.code])) == [waiting]
    assert list(site.events.values_list("from_status", "to_status")) == [
        ("planned", "contracted"),
        ("contracted", "under_construction"),
        ("under_construction", "on_air"),
    ]
    assert AuditEvent.objects.filter(action="connectivity.site_status").count() == 3


def test_a_step_out_of_order_is_refused_with_the_allowed_next_steps(planned):
    site, *_ = planned
    with pytest.raises(ValidationError) as refused:
        services.change_site_status(site=site, to_status=Site.Status.ON_AIR, by=system_actor())
    assert "dikontrak" in refused.value.messages[0]
    site.refresh_from_db()
    assert site.status == Site.Status.PLANNED
    assert not site.events.exists()


def test_a_status_date_in_the_future_is_refused(planned):
    site, *_ = planned
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.change_site_status(
            site=site, to_status=Site.Status.CONTRACTED, on=tomorrow, by=system_actor()
        )
    site.refresh_from_db()
    assert site.status == Site.Status.PLANNED


def test_going_off_air_takes_coverage_away(planned):
    site, here, near = planned
    for status in ("contracted", "under_construction", "on_air"):
        services.change_site_status(site=site, to_status=status, by=system_actor())
    changed = services.change_site_status(
        site=site, to_status=Site.Status.OFF_AIR, by=system_actor()
    )
    assert changed["lost_4g"] == [here.code, near.code]


def test_the_village_view_splits_milestones_at_the_day_4g_arrived(planned):
    site, _here, near = planned
    business = Enterprise.objects.create(name="Kopi Uji", village=near)
    before = timezone.make_aware(datetime.datetime(2026, 1, 10, 12))
    after = timezone.make_aware(datetime.datetime(2026, 3, 10, 12))
    Milestone.objects.create(
        enterprise=business, kind=Milestone.Kind.REGISTERED, occurred_at=before, source="uji"
    )
    Milestone.objects.create(
        enterprise=business, kind=Milestone.Kind.STORE_LIVE, occurred_at=after, source="uji"
    )
    for status in ("contracted", "under_construction", "on_air"):
        services.change_site_status(
            site=site, to_status=status, on=datetime.date(2026, 2, 1), by=system_actor()
        )
    impact = services.village_impact(near)
    rows = {row["kind"]: row for row in impact["rows"]}
    assert impact["covered_4g_since"] == datetime.date(2026, 2, 1)
    assert (rows["registered"]["before"], rows["registered"]["after"]) == (1, 0)
    assert (rows["store_live"]["before"], rows["store_live"]["after"]) == (0, 1)


def test_going_on_air_recomputes_only_the_villages_in_reach_as_a_whole_recomputation_would(
    planned,
):
    site, here, near = planned
    # A village 8 km east, covered by another site 12 km east (5 km flat radius): within reach
    # of the first site's box, and covered through a site outside it.
    covered_by_other = village_at(3, 8)
    site_at(12, covered_by_other, code="LAIN-12")
    far = village_at(4, 60)
    coverage.recompute()
    # The far village's row is stale on purpose: a recomputation around the site leaves it.
    VillageConnectivity.objects.filter(village=far).update(last_mile=Technology.G3)
    for status in ("contracted", "under_construction"):
        services.change_site_status(site=site, to_status=status, by=system_actor())

    changed = services.change_site_status(site=site, to_status="on_air", by=system_actor())

    assert changed == {"gained_4g": [here.code, near.code], "lost_4g": []}
    ledger = dict(VillageConnectivity.objects.values_list("village_id", "last_mile"))
    assert (ledger[covered_by_other.code], ledger[far.code]) == (Technology.G4, Technology.G3)
    # A whole recomputation now changes the far village only: the rest was already exact.
    assert coverage.recompute()["changed"] == 1


def test_a_box_around_a_point_holds_the_circle(db):
    box = coverage.box_around(-8.0, 120.0, 10.0)
    # 10 km north and east of (-8, 120), measured on the sphere, are inside the box.
    assert box["latitude__lte"] > -8.0 + 10 / 111.195 > box["latitude__gte"]
    east = 120.0 + 10 / (111.195 * 0.99027)  # cos 8°
    assert box["longitude__lte"] > east
    assert box["longitude__gte"] < 120.0 - (east - 120.0)
