"""Every change to the connectivity ledger checks its actor, failing closed.

A plan, its adoption, a site's status, an import and a recomputation of the ledger need an actor
whose role may plan infrastructure, in the region concerned; a signal check needs a mentor who
covers the village or such a planner. No actor, a role that may not plan
(a mentor, a mentor's API key) or a region outside the actor's is refused, and nothing is
written: no plan, no site, no event, no import, no ledger row, no fact.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_user
from tumbuh.connectivity import coverage, planning, services
from tumbuh.connectivity.error_codes import ConnectivityError
from tumbuh.connectivity.importing import import_csv
from tumbuh.connectivity.models import (
    ConnectivityImport,
    PlannedSite,
    Site,
    SiteEvent,
    SitePlan,
    VillageConnectivity,
    VillageFact,
)
from tumbuh.connectivity.signal_checks import record_signal_check
from tumbuh.connectivity.tests.helpers import (
    HAND_MADE,
    only_hand_made_villages,
    site_at,
    village_at,
)
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise

pytestmark = pytest.mark.django_db
SITE_IDR = planning.backhaul_options(None, planning.Costs())[0].cost_idr
ON = datetime.date(2026, 3, 1)


def snapshot():
    """Everything a connectivity service could write."""
    return {
        "plans": list(SitePlan.objects.order_by("pk").values()),
        "picks": list(PlannedSite.objects.order_by("pk").values()),
        "sites": list(Site.objects.order_by("pk").values()),
        "site_events": SiteEvent.objects.count(),
        "imports": ConnectivityImport.objects.count(),
        "ledger": list(VillageConnectivity.objects.order_by("pk").values()),
        "facts": list(VillageFact.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def world():
    """Two blank villages of Kota Kupang (NTT, 53) with businesses, a planned site in one, the
    ledger computed, and a saved plan for them."""
    only_hand_made_villages()
    here, near = village_at(1, 0), village_at(2, 30)
    for village in (here, near):
        Enterprise.objects.create(name=f"Usaha {village.code}", village=village)
    site = site_at(0, here, status=Site.Status.PLANNED)
    coverage.recompute()
    plan = services.create_plan(
        name="Uji", budget_idr=2 * SITE_IDR, region_code=HAND_MADE, by=system_actor()
    )
    return {"site": site, "plan": plan}


@pytest.fixture
def mentor_key_53(office_53):
    key, _secret = account_services.issue_api_key(
        organisation=office_53, label="aplikasi", role=Membership.Role.MENTOR, by=system_actor()
    )
    return key


def refused_without_change(call):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        call()
    assert snapshot() == before


# --- plans --------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [None, "mentor_53", "mentor_key_53"])
def test_a_plan_needs_an_actor_who_plans(world, actor, request):
    by = request.getfixturevalue(actor) if actor else None
    refused_without_change(
        lambda: services.create_plan(
            name="Tanpa hak", budget_idr=2 * SITE_IDR, region_code=HAND_MADE, by=by
        )
    )


def test_a_plan_outside_the_actors_regions_is_refused_with_its_code(world, officer_32):
    before = snapshot()
    with pytest.raises(Refused) as refused:
        services.create_plan(
            name="Luar", budget_idr=2 * SITE_IDR, region_code=HAND_MADE, by=officer_32
        )
    assert refused.value.code == ConnectivityError.REGION_OUTSIDE_SCOPE
    assert snapshot() == before


@pytest.mark.parametrize("actor", [None, "mentor_53", "officer_32"])
def test_adopting_a_plan_needs_an_actor_who_plans_in_its_region(world, actor, request):
    by = request.getfixturevalue(actor) if actor else None
    refused_without_change(lambda: services.adopt_plan(plan=world["plan"], by=by))


def test_a_regional_officer_adopts_a_plan_of_their_region_not_a_national_one(world, officer_53):
    plan = world["plan"]
    SitePlan.objects.filter(pk=plan.pk).update(region_code="")  # as if planned nationally
    plan.refresh_from_db()
    refused_without_change(lambda: services.adopt_plan(plan=plan, by=officer_53))
    SitePlan.objects.filter(pk=plan.pk).update(region_code=HAND_MADE)
    plan.refresh_from_db()

    sites = services.adopt_plan(plan=plan, by=officer_53)

    assert [site.status for site in sites] == [Site.Status.PLANNED] * world["plan"].picks.count()
    assert {event.by for site in sites for event in site.events.all()} == {officer_53}


# --- build tracking -----------------------------------------------------------------------


@pytest.mark.parametrize("actor", [None, "mentor_53", "officer_32"])
def test_a_site_status_needs_an_actor_who_plans_in_its_village(world, actor, request):
    by = request.getfixturevalue(actor) if actor else None
    refused_without_change(
        lambda: services.change_site_status(
            site=world["site"], to_status=Site.Status.CONTRACTED, on=ON, by=by
        )
    )


def test_an_officer_of_the_sites_province_moves_it(world, officer_53):
    services.change_site_status(
        site=world["site"], to_status=Site.Status.CONTRACTED, on=ON, by=officer_53
    )
    assert list(world["site"].events.values_list("to_status", "by")) == [
        ("contracted", officer_53.pk)
    ]


# --- imports ------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [None, "mentor_53", "mentor_key_53"])
def test_an_import_needs_an_actor_who_plans(world, actor, request, tmp_path):
    by = request.getfixturevalue(actor) if actor else None
    path = tmp_path / "pop.csv"
    path.write_text(
        "kode,nama,latitude,longitude,sumber,tanggal_sumber\n"
        "POP-1,PoP Uji,0.0,105.0,Uji,2024-01-31\n",
        encoding="utf-8",
    )
    refused_without_change(lambda: import_csv(path=path, kind="pops", by=by))


# --- the whole ledger ---------------------------------------------------------------------


@pytest.mark.parametrize("actor", [None, "mentor_53", "officer_53"])
def test_recomputing_the_ledger_is_for_national_staff(world, actor, request):
    by = request.getfixturevalue(actor) if actor else None
    Site.objects.filter(pk=world["site"].pk).update(
        status=Site.Status.ON_AIR, on_air_on=datetime.date(2025, 6, 1)
    )  # a change the ledger has not seen yet
    refused_without_change(lambda: services.recompute_coverage(by=by))


def test_national_staff_recompute_the_ledger(world, national_admin):
    Site.objects.filter(pk=world["site"].pk).update(
        status=Site.Status.ON_AIR, on_air_on=datetime.date(2025, 6, 1)
    )
    summary = services.recompute_coverage(by=national_admin)
    assert summary["changed"] == 1
    here = world["site"].village_id
    assert VillageConnectivity.objects.get(village_id=here).last_mile == "4g"


# --- signal checks ------------------------------------------------------------------------


@pytest.fixture
def field_mentor(world, office_53):
    """A mentor (with an active profile) who covers the planned site's village only."""
    from tumbuh.programmes.models import Mentor

    user = make_user(organisation=office_53, role=Membership.Role.MENTOR)
    mentor = Mentor.objects.create(user=user, organisation=office_53, region_code="53")
    mentor.villages.set([world["site"].village])
    return user


def check_signal(village, by):
    return record_signal_check(
        by=by,
        village=village,
        technology="3g",
        checked_at=timezone.now(),
        download_bytes=32_768,
        download_ms=2_048,
    )


@pytest.mark.parametrize("actor", [None, "mentor_53", "officer_32"])
def test_a_signal_check_needs_a_mentor_of_the_village_or_a_planner_there(world, actor, request):
    by = request.getfixturevalue(actor) if actor else None
    refused_without_change(lambda: check_signal(world["site"].village, by))


def test_a_mentor_checks_the_signal_only_in_their_villages(world, field_mentor):
    covered = world["site"].village
    elsewhere = Village.objects.get(code=f"{covered.district_id}.2902")
    refused_without_change(lambda: check_signal(elsewhere, field_mentor))

    fact = check_signal(covered, field_mentor)

    assert (fact.village_id, fact.value, fact.recorded_by) == (covered.code, "3g", field_mentor)


def test_a_planner_of_the_region_checks_the_signal(world, officer_53):
    fact = check_signal(world["site"].village, officer_53)
    assert (fact.layer, fact.recorded_by) == ("signal_check", officer_53)
