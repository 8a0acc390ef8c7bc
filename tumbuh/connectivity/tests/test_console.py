"""The connectivity console at /konsol/konektivitas/: the ledger's overview, the blank-spot ranking
with its weights, a village's page, site plans from the form to build tracking, sites and their
status, imports with their rejections, and the maps; all limited to the person's regions."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from tumbuh.accounts.models import Membership
from tumbuh.conftest import make_enterprise, make_user
from tumbuh.connectivity import coverage
from tumbuh.connectivity.forms import parse_province_minimums, parse_rupiah
from tumbuh.connectivity.models import (
    Backhaul,
    ConnectivityImport,
    PlannedSite,
    Site,
    SiteEvent,
    SitePlan,
    Technology,
    Terrain,
    VillageConnectivity,
    VillageFact,
)
from tumbuh.connectivity.tests.helpers import filled_ledger  # noqa: F401 - a fixture
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise, Milestone

pytestmark = pytest.mark.usefixtures("filled_ledger", "english")

HOME = "/konsol/konektivitas/"
RANKING = "/konsol/konektivitas/peringkat/"
PLANS = "/konsol/konektivitas/rencana/"
NEW_PLAN = "/konsol/konektivitas/rencana/baru/"
SITES = "/konsol/konektivitas/situs/"
IMPORTS = "/konsol/konektivitas/impor/"
MAPS = "/konsol/konektivitas/peta/"

# Real villages of the session's provinces: Dayeuhkolot and Sukapura (Kabupaten Bandung, 32),
# Gegerkalong (Kota Bandung, 32, about 12 km north of them), Namosain and Nunbaun Sabu (Kota
# Kupang, 53, about 1.3 km apart), and Supiori (91.19), a 3T regency of 38 villages.
DAYEUHKOLOT = "32.04.12.2002"
SUKAPURA = "32.04.12.2005"
GEGERKALONG = "32.73.01.1002"
NAMOSAIN = "53.71.01.1001"
NUNBAUN_SABU = "53.71.01.1002"
SUPIORI = "91.19"
SOURCE_DATE = datetime.date(2025, 6, 30)


# --- builders ---------------------------------------------------------------------------------


def make_site(village_code, *, code, status=Site.Status.ON_AIR, operator="Telkomsel", **fields):
    village = Village.objects.get(code=village_code)
    fields.setdefault("on_air_on", SOURCE_DATE if status == Site.Status.ON_AIR else None)
    return Site.objects.create(
        operator=operator,
        code=code,
        latitude=village.latitude,
        longitude=village.longitude,
        village=village,
        technology=fields.pop("technology", Technology.G4),
        terrain=fields.pop("terrain", Terrain.FLAT),
        status=status,
        backhaul=fields.pop("backhaul", Backhaul.FIBRE),
        funding=fields.pop("funding", Site.Funding.OPERATOR),
        source="Data uji",
        source_date=SOURCE_DATE,
        **fields,
    )


def make_plan(region_code, *, name, picks=(), **fields):
    """A saved plan as the planner would leave it, without running a solver."""
    plan = SitePlan.objects.create(
        name=name,
        region_code=region_code,
        budget_idr=fields.pop("budget_idr", 10_000_000_000),
        solver=fields.pop("solver", SitePlan.Solver.MILP),
        cost_idr=fields.pop("cost_idr", 2_650_000_000 * len(picks)),
        solver_status="optimal",
        status=fields.pop("status", SitePlan.Status.READY),
        **fields,
    )
    for rank, village_code in enumerate(picks, start=1):
        village = Village.objects.get(code=village_code)
        PlannedSite.objects.create(
            plan=plan,
            rank=rank,
            village=village,
            label=village.name,
            backhaul=Backhaul.SATELLITE,
            backhaul_detail="satellite backhaul",
            cost_idr=2_650_000_000,
            covered_villages=[village_code],
            enterprises=1,
            people=1000,
            value=11.0,
            reason=f"{village.name}: 1 business",
        )
    return plan


def csv_upload(rows, *, name="situs.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def build_world() -> dict:
    """4G on air in Kota Bandung; businesses waiting in Kabupaten Bandung (32) and Kota Kupang
    (53), where a site is still planned."""
    on_air = make_site(GEGERKALONG, code="TSEL-BDG-001")
    planned = make_site(NAMOSAIN, code="TSEL-KPG-001", status=Site.Status.PLANNED)
    for number in range(3):
        make_enterprise(f"Warung Dayeuhkolot {number}", DAYEUHKOLOT)
    make_enterprise("BumDes Sukapura Mandiri", SUKAPURA, kind=Enterprise.Kind.BUMDES)
    make_enterprise("Toko Gegerkalong", GEGERKALONG)
    make_enterprise("Tenun Ikat Namosain", NUNBAUN_SABU)
    coverage.recompute()
    return {"on_air": on_air, "planned": planned}


@pytest.fixture
def world(db):
    return build_world()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- access -----------------------------------------------------------------------------------

ALL_PAGES = [HOME, RANKING, PLANS, NEW_PLAN, SITES, IMPORTS, MAPS]


@pytest.mark.parametrize("path", ALL_PAGES)
def test_pages_need_the_planning_capability(client_of, office_32, path):
    mentor = make_user(organisation=office_32, role=Membership.Role.MENTOR)

    assert client_of(mentor).get(path).status_code == 403


@pytest.mark.parametrize("path", [HOME, RANKING, NEW_PLAN, SITES, IMPORTS])
def test_pages_send_visitors_to_sign_in(client, db, path):
    response = client.get(path)

    assertRedirects(response, f"/masuk/?next={path}", fetch_redirect_response=False)


def test_every_page_renders_for_a_national_admin(client_of, national_admin, world, tmp_path):
    plan = make_plan("53", name="Rencana NTT", picks=[NUNBAUN_SABU])
    batch = ConnectivityImport.objects.create(
        kind=ConnectivityImport.Kind.SITES, file_name="situs.csv", file_sha256="0" * 64
    )
    client = client_of(national_admin)
    paths = [
        *ALL_PAGES,
        f"{MAPS}?province=53",
        f"{MAPS}?regency=53.71",
        f"/konsol/konektivitas/desa/{NAMOSAIN}/",
        plan.get_absolute_url(),
        f"{plan.get_absolute_url()}rencana.csv",
        world["planned"].get_absolute_url(),
        f"{IMPORTS}{batch.public_id}/",
        f"{IMPORTS}{batch.public_id}/laporan.csv",
    ]

    for path in paths:
        assert client.get(path).status_code == 200, path


def test_the_console_nav_links_to_connectivity(client_of, national_admin):
    response = client_of(national_admin).get(HOME)

    assertContains(
        response, '<a href="/konsol/konektivitas/" aria-current="page">Connectivity</a>', html=True
    )


@pytest.mark.parametrize(
    "path",
    [
        f"/konsol/konektivitas/desa/{NAMOSAIN}/",
        f"{MAPS}?province=53",
        f"{MAPS}?regency=53.71",
        f"{MAPS}?regency=53.7",
    ],
)
def test_an_officer_of_32_gets_404_for_53s_villages_and_maps(client_of, officer_32, path):
    assert client_of(officer_32).get(path).status_code == 404


def test_an_officer_of_32_gets_404_for_53s_site_plan_and_import(
    client_of, officer_32, office_53, world
):
    plan = make_plan("53", name="Rencana NTT", picks=[NUNBAUN_SABU])
    national = make_plan("", name="Rencana nasional", picks=[NUNBAUN_SABU])
    batch = ConnectivityImport.objects.create(
        kind=ConnectivityImport.Kind.SITES,
        organisation=office_53,
        file_name="ntt.csv",
        file_sha256="0" * 64,
    )
    site = world["planned"]
    client = client_of(officer_32)

    for path in [
        site.get_absolute_url(),
        plan.get_absolute_url(),
        f"{plan.get_absolute_url()}rencana.csv",
        national.get_absolute_url(),
        f"{IMPORTS}{batch.public_id}/",
        f"{IMPORTS}{batch.public_id}/laporan.csv",
    ]:
        assert client.get(path).status_code == 404, path
    # A refused change changes nothing.
    assert client.post(site.get_absolute_url(), {"to_status": "contracted"}).status_code == 404
    assert client.post(plan.get_absolute_url()).status_code == 404
    site.refresh_from_db()
    assert site.status == Site.Status.PLANNED
    assert not plan.picks.filter(site__isnull=False).exists()
    # Nor do the lists show them.
    assertNotContains(client.get(SITES), "TSEL-KPG-001")
    assertNotContains(client.get(PLANS), "Rencana NTT")
    assertNotContains(client.get(PLANS), "Rencana nasional")
    assertNotContains(client.get(IMPORTS), "ntt.csv")


# --- home -------------------------------------------------------------------------------------


def test_home_counts_the_villages_blank_spots_and_businesses_of_my_regions(
    client_of, officer_32, officer_53, world
):
    with_4g_32 = VillageConnectivity.objects.filter(
        village__code__startswith="32.", last_mile=Technology.G4
    ).count()
    villages_32 = Village.objects.filter(code__startswith="32.").count()
    villages_53 = Village.objects.filter(code__startswith="53.").count()

    counts_32 = client_of(officer_32).get(HOME).context["counts"]
    counts_53 = client_of(officer_53).get(HOME).context["counts"]

    assert with_4g_32 > 0
    assert (counts_32.villages, counts_32.blank_spots) == (villages_32, villages_32 - with_4g_32)
    assert counts_32.by_last_mile == {
        "4g": with_4g_32,
        "3g": 0,
        "2g": 0,
        "none": villages_32 - with_4g_32,
    }
    assert counts_32.businesses_waiting == 4  # 3 warungs and the BumDes; Gegerkalong has 4G
    assert (counts_53.villages, counts_53.blank_spots, counts_53.businesses_waiting) == (
        villages_53,
        villages_53,
        1,
    )


def test_home_maps_provinces_for_national_staff_and_regencies_for_regional_staff(
    client_of, national_admin, officer_53, world
):
    national = client_of(national_admin).get(HOME)
    regional = client_of(officer_53).get(HOME)

    assert len(national.context["maps"]) == 2
    assertContains(national, "<svg", count=2)
    assertContains(national, 'href="/konsol/konektivitas/peta/?province=53"')
    assertContains(regional, "<svg", count=2)
    assertContains(regional, 'href="/konsol/konektivitas/peta/?regency=53.71"')
    assertNotContains(regional, "?regency=32.")


# --- ranking ----------------------------------------------------------------------------------


def ranked_codes(response) -> list[str]:
    return [spot.code for spot in response.context["page"]]


def test_the_ranking_follows_the_weights(client_of, officer_32, world):
    client = client_of(officer_32)

    default = client.get(RANKING, {"region": "32.04"})
    no_bumdes = client.get(RANKING, {"region": "32.04", "bumdes": "0"})

    # Default weights: the BumDes (1 + 5 points) beats three businesses (3 points).
    assert ranked_codes(default)[:2] == [SUKAPURA, DAYEUHKOLOT]
    assert ranked_codes(no_bumdes)[:2] == [DAYEUHKOLOT, SUKAPURA]
    first = default.context["page"][0]
    assert first.reasons[:2] == ("1 business waiting", "1 BumDes")
    assertContains(default, 'value="5"')  # the defaults are shown in the form
    assertContains(default, "Extra points for each BumDes, on top of its point as a business.")


def test_an_officer_sees_only_blank_spots_of_their_province(client_of, officer_32, world):
    response = client_of(officer_32).get(RANKING, {"region": "53.71"})  # not a choice for them

    page = response.context["page"]
    assert page.paginator.count == Village.objects.filter(code__startswith="32.").count() - (
        VillageConnectivity.objects.filter(village__code__startswith="32.", last_mile="4g").count()
    )
    assert all(spot.code.startswith("32.") for spot in page.paginator.object_list)
    assert len(page) == 50
    assert GEGERKALONG not in {spot.code for spot in page.paginator.object_list}


def test_the_ranking_csv_has_every_row_in_the_same_order(client_of, officer_32, world):
    client = client_of(officer_32)
    query = {"region": "32.04", "bumdes": "0"}

    page = client.get(RANKING, query)
    response = client.get(RANKING, {**query, "format": "csv", "page": "3"})

    rows = read_csv(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == [
        "Rank", "Village code", "Village", "Regency or city", "Signal", "Businesses", "BumDes",
        "People", "3T", "Score", "Reasons", "Synthetic data",
    ]  # fmt: skip
    assert len(rows) - 1 == page.context["page"].paginator.count
    assert [row[1] for row in rows[1:51]] == ranked_codes(page)
    assert rows[1][:10] == [
        "1", DAYEUHKOLOT, "Dayeuhkolot", "Kabupaten Bandung", "no signal", "3", "0",
        rows[1][7], "no", rows[1][9],
    ]  # fmt: skip
    assert "Warung" not in response.content.decode()


def test_htmx_gets_the_ranked_results_only(client_of, officer_32, world):
    response = client_of(officer_32).get(
        RANKING, {"region": "32.04"}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="results"')
    assert "<html" not in content


# --- one village ------------------------------------------------------------------------------


def test_a_village_shows_its_ledger_facts_sites_impact_and_businesses(
    client_of, national_admin, world
):
    VillageFact.objects.create(
        village_id=NUNBAUN_SABU,
        layer=VillageFact.Layer.SIGNAL_CHECK,
        value="2g",
        source="Cek pendamping",
        observed_on=SOURCE_DATE,
    )
    tenun = Enterprise.objects.get(name="Tenun Ikat Namosain")
    shop = make_enterprise("Toko Online Sabu", NUNBAUN_SABU)
    Milestone.objects.create(
        enterprise=shop, kind=Milestone.Kind.STORE_LIVE, occurred_at=timezone.now()
    )
    coverage.recompute()

    response = client_of(national_admin).get(f"/konsol/konektivitas/desa/{NUNBAUN_SABU}/")

    assert response.status_code == 200
    assertContains(response, "<h1>Nunbaun Sabu</h1>", html=True)
    assertContains(response, "Cek pendamping")
    assertContains(response, "No 4G yet: every milestone so far came without it.")
    assert [e.name for e in response.context["businesses"]] == ["Tenun Ikat Namosain"]
    assertContains(response, f'href="/konsol/registri/usaha/{tenun.public_id}/"')
    assertNotContains(response, "Toko Online Sabu")


def test_a_village_names_the_site_that_serves_it(client_of, officer_32, world):
    response = client_of(officer_32).get(f"/konsol/konektivitas/desa/{GEGERKALONG}/")

    assert response.context["ledger"].last_mile == Technology.G4
    assertContains(
        response,
        f'<a href="{world["on_air"].get_absolute_url()}">Telkomsel TSEL-BDG-001</a>',
        html=True,
    )
    assert response.context["sites"].get() == world["on_air"]


# --- plans ------------------------------------------------------------------------------------


@pytest.fixture
def supiori(db):
    """Businesses in two villages of Supiori (91.19, 3T), where the ledger has no 4G."""
    villages = list(Village.objects.filter(regency_id=SUPIORI).order_by("code")[:2])
    for number in range(4):
        make_enterprise(f"Usaha Supiori {number}", villages[0].code)
    make_enterprise("BumDes Supiori", villages[1].code, kind=Enterprise.Kind.BUMDES)
    return villages


def plan_form(**fields):
    return {
        "name": "Rencana Supiori",
        "budget_idr": "3.000.000.000",
        "solver": "milp",
        "time_limit": "30",
        "region": SUPIORI,
        "min_3t_percent": "",
        "province_minimums": "",
        "tower_idr": "1.500.000.000",
        "fibre_per_km_idr": "120.000.000",
        "fibre_max_km": "25",
        "satellite_capex_idr": "150.000.000",
        "satellite_yearly_idr": "200.000.000",
        "horizon_years": "5",
        **fields,
    }


def test_the_plan_form_shows_the_default_costs(client_of, national_admin):
    response = client_of(national_admin).get(NEW_PLAN)

    form = response.context["form"]
    assert form["tower_idr"].value() == "1.500.000.000"
    assert form["horizon_years"].value() == 5
    assert form["time_limit"].value() == 30
    assertContains(response, "Tower with 4G radio (Rp)")


def test_a_plan_is_made_from_the_form_end_to_end(
    client_of, national_admin, supiori, django_capture_on_commit_callbacks
):
    client = client_of(national_admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(NEW_PLAN, plan_form())

    plan = SitePlan.objects.get()
    # The request only queued it; its task ran once the request's transaction committed.
    assertRedirects(response, plan.get_absolute_url(), fetch_redirect_response=False)
    assert len(callbacks) == 1
    assert (plan.name, plan.region_code, plan.budget_idr, plan.solver, plan.status) == (
        "Rencana Supiori",
        SUPIORI,
        3_000_000_000,
        "milp",
        "ready",
    )
    assert (plan.language, plan.attempts, plan.phase, plan.error) == ("en", 1, "", "")
    pick = plan.picks.get()  # a satellite site costs Rp2.650.000.000: one fits
    assert (pick.village.regency_id, pick.cost_idr, pick.backhaul) == (
        SUPIORI,
        2_650_000_000,
        "satellite",
    )
    assert plan.cost_idr == 2_650_000_000
    assert plan.covered_enterprises == pick.enterprises
    assert plan.comparison["solver"] == "greedy"
    assert plan.parameters["costs"]["tower_idr"] == 1_500_000_000
    assert plan.parameters["time_limit"] == 30.0
    page = client.get(plan.get_absolute_url())
    assert messages_of(page) == [
        "The plan is being made in the background; this page shows how far."
    ]
    assertContains(page, "Rp3.000.000.000")
    assertContains(page, "Greedy objective ÷ MILP objective")
    assertContains(page, pick.label)
    assertNotContains(page, "plan-progress")


def test_a_budget_too_small_for_any_site_fails_the_plan_which_says_why(
    client_of, national_admin, supiori, django_capture_on_commit_callbacks
):
    client = client_of(national_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW_PLAN, plan_form(budget_idr="1500000000"))

    plan = SitePlan.objects.get()
    assert (plan.status, plan.error_code) == ("failed", "budget_too_small")
    assert not PlannedSite.objects.exists()
    page = client.get(plan.get_absolute_url())
    assertContains(
        page,
        "The plan could not be made: The cheapest site costs Rp2.650.000.000; the budget is "
        "Rp1.500.000.000.",
    )
    assertNotContains(page, "Adopt for build tracking")
    assertNotContains(page, "plan-progress")


def test_a_queued_plan_shows_its_progress_and_polls_until_it_is_ready(
    client_of, national_admin, supiori, query_count, django_capture_on_commit_callbacks
):
    client = client_of(national_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(NEW_PLAN, plan_form())
    plan = SitePlan.objects.get()
    assert plan.status == "queued"
    url = plan.get_absolute_url()
    client.get(url)

    with query_count() as queries:
        page = client.get(url)
    with query_count() as polled:
        fragment = client.get(url, headers={"HX-Request": "true"})

    assertContains(page, f'<div id="plan-progress" hx-get="{url}" hx-trigger="every 2s"')
    assertContains(page, '<noscript><meta http-equiv="refresh" content="5"></noscript>')
    assertContains(page, "Queued: it starts as soon as a worker is free.")
    assertContains(page, '<progress max="100" value="0">0 %</progress>', html=True)
    assertContains(page, f'action="/konsol/konektivitas/rencana/{plan.public_id}/batal/"')
    assertNotContains(page, "Download the plan (CSV)")
    assert fragment.content.decode().lstrip().startswith('<div id="plan-progress"')
    assertNotContains(fragment, "<h1>")
    # session, user, capability, scope, the plan; the page also the region's name, whether the
    # ledger is synthetic and the console menu's memberships
    assert (len(queries), len(polled)) == (8, 5)

    callbacks[0]()  # the worker runs the task
    done = client.get(url, headers={"HX-Request": "true"})
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")
    assertContains(client.get(url), "Adopt for build tracking")


def test_a_running_plan_shows_its_step_and_the_solvers_time(client_of, national_admin, world):
    plan = make_plan("53", name="Rencana Kupang", status=SitePlan.Status.RUNNING)
    SitePlan.objects.filter(pk=plan.pk).update(
        phase=SitePlan.Phase.SOLVING,
        phase_started_at=timezone.now() - datetime.timedelta(seconds=12),
        parameters={"time_limit": 30.0, "compare": True},
    )

    page = client_of(national_admin).get(plan.get_absolute_url())

    assertContains(page, "✓ preparing the data")
    assertContains(page, '<strong aria-current="step">solving</strong>', html=True)
    assertContains(page, "exact (mixed-integer programme, HiGHS): 12 s of its time limit of 30 s")
    # steps done and 12 s of 30: 10 % + 40 % × 40 %
    assertContains(page, '<progress max="100" value="26">26 %</progress>', html=True)


def test_cancelling_a_queued_plan_from_its_page_keeps_nothing(
    client_of, national_admin, supiori, django_capture_on_commit_callbacks
):
    client = client_of(national_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(NEW_PLAN, plan_form())
    plan = SitePlan.objects.get()

    response = client.post(f"{plan.get_absolute_url()}batal/", follow=True)
    callbacks[0]()  # the task starts afterwards and finds nothing to do
    again = client.post(f"{plan.get_absolute_url()}batal/", follow=True)

    plan.refresh_from_db()
    assert (plan.status, plan.attempts, plan.picks.count()) == ("cancelled", 0, 0)
    assert messages_of(response) == [
        "The plan is being made in the background; this page shows how far.",
        "The plan is cancelled.",
    ]
    assertContains(response, "This plan was cancelled; nothing of it was kept.")
    assert messages_of(again) == ["This plan is not being planned any more: it is cancelled."]


def test_an_officer_of_32_cannot_cancel_53s_plan(client_of, officer_32, world):
    plan = make_plan("53", name="Rencana NTT", status=SitePlan.Status.QUEUED)

    response = client_of(officer_32).post(f"{plan.get_absolute_url()}batal/")

    assert response.status_code == 404
    plan.refresh_from_db()
    assert (plan.status, plan.cancel_requested_at) == ("queued", None)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"budget_idr": "1,5 miliar"}, "Write the amount in whole rupiah"),
        ({"budget_idr": "0"}, "The amount must be more than zero."),
        ({"province_minimums": "91-5"}, "“91-5” is not PROVINCE:SITES, e.g. 91:5."),
        ({"province_minimums": "99:2"}, "No province has the code 99."),
        ({"time_limit": "301"}, "Ensure this value is less than or equal to 300."),
        ({"region": "53"}, "Select a valid choice."),
    ],
)
def test_the_plan_form_refuses_bad_input(client_of, officer_32, fields, error):
    response = client_of(officer_32).post(NEW_PLAN, plan_form(**fields))

    assert response.status_code == 200
    assertContains(response, error)
    assert not SitePlan.objects.exists()


def test_rupiah_and_province_minimums_are_parsed(db):
    assert parse_rupiah("1.500.000.000") == parse_rupiah("1500000000") == 1_500_000_000
    assert parse_rupiah("Rp 1.500.000.000") == 1_500_000_000
    assert parse_province_minimums("91:5, 53:3") == {"91": 5, "53": 3}
    assert parse_province_minimums("") == {}


def test_a_plan_page_shows_its_picks_map_and_csv(client_of, officer_53, world):
    plan = make_plan(
        "53", name="Rencana Kupang", picks=[NUNBAUN_SABU, NAMOSAIN],
        comparison={"solver": "greedy", "objective": 20.0, "seconds": 0.01, "ratio": 0.909091},
        objective=22.0, bound=22.0, gap=0.0,
    )  # fmt: skip
    client = client_of(officer_53)

    page = client.get(plan.get_absolute_url())
    export = client.get(f"{plan.get_absolute_url()}rencana.csv")

    assertContains(page, "<svg")
    assertContains(page, "0.9091")
    assertContains(page, "fast (greedy)")
    assertContains(page, "Nunbaun Sabu: 1 business")
    rows = read_csv(export)
    assert rows[0][:4] == ["Rank", "Village code", "Village", "Regency or city"]
    assert [row[:3] for row in rows[1:]] == [
        ["1", NUNBAUN_SABU, "Nunbaun Sabu"],
        ["2", NAMOSAIN, "Namosain"],
    ]


def test_adopting_a_plan_creates_planned_sites_once(client_of, officer_53, world):
    plan = make_plan("53", name="Rencana Kupang", picks=[NUNBAUN_SABU, NAMOSAIN])
    client = client_of(officer_53)

    response = client.post(plan.get_absolute_url(), follow=True)
    again = client.post(plan.get_absolute_url(), follow=True)

    sites = Site.objects.filter(plan=plan).order_by("code")
    assert [(s.code, s.village_id, s.status) for s in sites] == [
        (f"{plan.public_id}-1", NUNBAUN_SABU, "planned"),
        (f"{plan.public_id}-2", NAMOSAIN, "planned"),
    ]
    assert messages_of(response) == ["2 planned sites are now tracked from planned to on air."]
    assert messages_of(again) == ["Every site of this plan is already tracked."]
    assert Site.objects.filter(plan=plan).count() == 2


def test_the_plan_list_shows_my_plans_with_a_constant_number_of_queries(
    client_of, officer_53, query_count, world
):
    for number in range(3):
        make_plan("53", name=f"Rencana {number}", picks=[NUNBAUN_SABU])
    make_plan("32", name="Rencana Jabar")
    client = client_of(officer_53)
    client.get(PLANS)

    with query_count() as queries:
        response = client.get(PLANS)

    assert [plan.name for plan in response.context["page"]] == [
        "Rencana 2", "Rencana 1", "Rencana 0",
    ]  # fmt: skip
    assert [plan.site_count for plan in response.context["page"]] == [1, 1, 1]
    # session, user, capability, scope, rows, synthetic rows in the ledger (no count)
    assert len(queries) == 7  # with the console menu's memberships


# --- sites ------------------------------------------------------------------------------------


def test_the_site_list_filters_by_status_and_operator(client_of, national_admin, world):
    make_site(NUNBAUN_SABU, code="XL-KPG-7", operator="XL Axiata", status=Site.Status.OFF_AIR)
    client = client_of(national_admin)

    def listed(**filters):
        return [str(site) for site in client.get(SITES, filters).context["page"]]

    assert listed() == ["Telkomsel TSEL-BDG-001", "Telkomsel TSEL-KPG-001", "XL Axiata XL-KPG-7"]
    assert listed(status="planned") == ["Telkomsel TSEL-KPG-001"]
    assert listed(operator="XL Axiata") == ["XL Axiata XL-KPG-7"]
    assert client.get(SITES).context["form"].fields["operator"].choices == [
        ("", "All operators"),
        ("Telkomsel", "Telkomsel"),
        ("XL Axiata", "XL Axiata"),
    ]


COUNT_STATEMENTS = (
    "EXPLAIN",
    "SAVEPOINT",
    "RELEASE SAVEPOINT",
    "SELECT current_setting",
    "SELECT set_config",
    "SELECT COUNT(*)",
)


def own_statements(queries) -> list[str]:
    """The page's queries without those of ``core.keyset.capped_count``."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(COUNT_STATEMENTS)]


def test_the_site_list_pages_with_a_constant_number_of_queries(
    client_of, officer_53, query_count, world
):
    for number in range(51):
        make_site(NUNBAUN_SABU, code=f"K-{number:02d}", status=Site.Status.PLANNED)
    client = client_of(officer_53)
    client.get(SITES)

    with query_count() as first:
        response = client.get(SITES)
    cursor = response.context["page"].next_cursor
    with query_count() as second:
        next_page = client.get(SITES, {"cursor": cursor})

    assert [str(site) for site in response.context["page"]][:2] == [
        "Telkomsel K-00",
        "Telkomsel K-01",
    ]
    assert len(response.context["page"]) == 50
    assert [str(site) for site in next_page.context["page"]] == [
        "Telkomsel K-50",
        "Telkomsel TSEL-KPG-001",
    ]
    assert not next_page.context["page"].has_next
    assertContains(response, "52 sites")
    assertContains(next_page, 'rel="prev"')
    # session, user, capability, scope, operators, rows, synthetic rows in the ledger and the
    # console menu's memberships; and the capped count (core.keyset's own statements: on
    # PostgreSQL it asks the planner first, under a statement timeout); no OFFSET: the second
    # page starts after a key
    assert len(first) == len(second)
    assert len(own_statements(first)) == len(own_statements(second)) == 8
    rows = [q["sql"] for q in second.captured_queries if 'FROM "connectivity_site"' in q["sql"]]
    assert not any("OFFSET" in sql for sql in rows)


def test_a_site_moves_one_step_through_the_form(client_of, officer_53, world):
    site = world["planned"]

    response = client_of(officer_53).post(
        site.get_absolute_url(),
        {"to_status": "contracted", "on": "2025-07-01", "note": "Kontrak BAKTI"},
        follow=True,
    )

    site.refresh_from_db()
    assert (site.status, site.contracted_on) == ("contracted", datetime.date(2025, 7, 1))
    event = site.events.get()
    assert (event.from_status, event.to_status, event.note, event.by) == (
        "planned",
        "contracted",
        "Kontrak BAKTI",
        officer_53,
    )
    assert messages_of(response) == ["Telkomsel TSEL-KPG-001 is now contracted."]
    assert [value for value, _label in response.context["form"].fields["to_status"].choices] == [
        "under_construction"
    ]


def test_a_refused_step_shows_the_reason_and_changes_nothing(client_of, officer_53, world):
    site = world["planned"]

    response = client_of(officer_53).post(
        site.get_absolute_url(), {"to_status": "on_air", "on": "2025-07-01"}, follow=True
    )

    site.refresh_from_db()
    assert site.status == "planned"
    assert not SiteEvent.objects.filter(site=site).exists()
    assert messages_of(response) == [
        "A site that is planned cannot become on air; next can be: contracted."
    ]


def test_going_on_air_names_the_villages_that_gained_4g_and_their_businesses(
    client_of, officer_53, world
):
    site = world["planned"]
    Site.objects.filter(pk=site.pk).update(status=Site.Status.UNDER_CONSTRUCTION)
    today = timezone.localdate().isoformat()

    response = client_of(officer_53).post(
        site.get_absolute_url(), {"to_status": "on_air", "on": today}, follow=True
    )

    gained = set(
        VillageConnectivity.objects.filter(
            last_mile=Technology.G4, village__code__startswith="53."
        ).values_list("village_id", flat=True)
    )
    assert {NAMOSAIN, NUNBAUN_SABU} <= gained
    assert messages_of(response)[0] == "Telkomsel TSEL-KPG-001 is now on air."
    assert messages_of(response)[1].startswith(f"{len(gained)} villages gained 4G: ")
    assert NUNBAUN_SABU in {village.code for village in response.context["served"]}
    assert [e.name for e in response.context["businesses"]] == ["Tenun Ikat Namosain"]


# --- imports ----------------------------------------------------------------------------------


def test_an_upload_with_a_bad_row_shows_its_rejection(client_of, officer_53, office_53, world):
    namosain = Village.objects.get(code=NAMOSAIN)
    upload = csv_upload(
        [
            ["operator", "kode_site", "latitude", "longitude", "teknologi", "status",
             "pendanaan", "tanggal_sumber"],
            ["Indosat", "ISAT-KPG-1", namosain.latitude, namosain.longitude, "4G", "rencana",
             "operator", "2025-06-30"],
            ["Indosat", "ISAT-KPG-2", "52.1", namosain.longitude, "4G", "rencana", "operator",
             "2025-06-30"],
        ]
    )  # fmt: skip
    client = client_of(officer_53)

    response = client.post(IMPORTS, {"kind": "sites", "file": upload}, follow=True)

    batch = ConnectivityImport.objects.get()
    assertRedirects(response, f"{IMPORTS}{batch.public_id}/")
    assert (batch.organisation, batch.uploaded_by, batch.file_name) == (
        office_53,
        officer_53,
        "situs.csv",
    )
    assert (batch.total_rows, batch.created_count, batch.rejected_count) == (2, 1, 1)
    rejection = batch.rejections.get()
    assert (rejection.row_number, rejection.value) == (3, "52.1")
    assertContains(response, rejection.reason)
    report = read_csv(client.get(f"{IMPORTS}{batch.public_id}/laporan.csv"))
    assert report == [
        ["Row", "Column", "Value", "Reason"],
        ["3", rejection.column, "52.1", rejection.reason],
    ]
    assertContains(client.get(IMPORTS), "situs.csv")


def test_a_file_that_cannot_be_read_is_refused_on_the_form(client_of, officer_53):
    upload = csv_upload([["bukan", "kolom"], ["1", "2"]])

    response = client_of(officer_53).post(IMPORTS, {"kind": "sites", "file": upload})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ConnectivityImport.objects.exists()


# --- maps -------------------------------------------------------------------------------------


def test_maps_go_from_provinces_to_regencies_to_villages(client_of, officer_53, world):
    client = client_of(officer_53)

    provinces = client.get(MAPS)
    regencies = client.get(MAPS, {"province": "53"})
    villages = client.get(MAPS, {"regency": "53.71"})

    assert [row.code for row in provinces.context["rows"]] == ["53"]
    assertContains(provinces, "<svg", count=2)
    # Only the province the officer may open is a link; the others are drawn without one.
    assert set(
        re.findall(r'href="/konsol/konektivitas/peta/\?province=(\d+)"', provinces.text)
    ) == {"53"}
    assert len(regencies.context["rows"]) == 22
    assertContains(regencies, 'href="/konsol/konektivitas/peta/?regency=53.71"')
    assertContains(villages, "<svg", count=1)
    assert len(villages.context["villages"]) == Village.objects.filter(regency_id="53.71").count()
    assertContains(villages, "Namosain")
