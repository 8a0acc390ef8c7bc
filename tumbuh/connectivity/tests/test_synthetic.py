"""The demo's synthetic network says what it is on every page, export and API answer that shows
the ledger: a note on the page, a badge on each synthetic row, a column in the CSV exports (and
"sintetis" in their file names), a ``synthetic`` field in the API."""

import datetime

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tumbuh.connectivity import coverage, demo, queries
from tumbuh.connectivity.models import (
    SYNTHETIC_SOURCE,
    PointOfPresence,
    Site,
    VillageFact,
)
from tumbuh.connectivity.tests.helpers import filled_ledger  # noqa: F401 - a fixture
from tumbuh.connectivity.tests.test_console import (
    NAMOSAIN,
    NUNBAUN_SABU,
    build_world,
    make_plan,
    make_site,
    read_csv,
)

pytestmark = pytest.mark.usefixtures("filled_ledger", "english")

BASE = "/konsol/konektivitas/"
NOTE = 'id="synthetic-data"'
BADGE = '<span class="badge">synthetic</span>'


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def synthetic_site(world):
    """One site of the demo's synthetic network, on air in Nunbaun Sabu (Kota Kupang)."""
    site = make_site(NUNBAUN_SABU, code="DEMO-53.71.01.1002", operator="Operator A")
    Site.objects.filter(pk=site.pk).update(source=SYNTHETIC_SOURCE)
    coverage.recompute()
    site.refresh_from_db()
    return site


def pages(world, plan, site):
    return [
        BASE,
        f"{BASE}peringkat/",
        f"{BASE}peringkat/?region=53.71",
        f"{BASE}desa/{NAMOSAIN}/",
        f"{BASE}rencana/",
        plan.get_absolute_url(),
        f"{BASE}situs/",
        site.get_absolute_url(),
        f"{BASE}peta/",
        f"{BASE}peta/?province=53",
        f"{BASE}peta/?regency=53.71",
    ]


def test_the_demo_writes_the_source_the_pages_look_for():
    assert demo.SOURCE == SYNTHETIC_SOURCE == "Demo sintetis (bukan data nyata)"


def test_real_data_only_carries_no_note(client_of, officer_53, world):
    plan = make_plan("53", name="Rencana Kupang", picks=[NUNBAUN_SABU])
    client = client_of(officer_53)
    assert queries.synthetic_in_ledger() is False
    for url in pages(world, plan, world["planned"]):
        response = client.get(url)
        assert response.status_code == 200, url
        assertNotContains(response, NOTE)
        assertNotContains(response, BADGE)
    ranking = read_csv(client.get(f"{BASE}peringkat/", {"format": "csv"}))
    assert {row[-1] for row in ranking[1:]} == {"no"}


def test_every_page_that_shows_the_ledger_says_it_is_synthetic(
    client_of, officer_53, world, synthetic_site
):
    plan = make_plan("53", name="Rencana Kupang", picks=[NAMOSAIN])
    client = client_of(officer_53)
    for url in pages(world, plan, synthetic_site):
        response = client.get(url)
        assert response.status_code == 200, url
        assertContains(response, NOTE, count=1)
        assertContains(response, "Synthetic demo data, not real.")
        assertContains(response, "Demo sintetis (bukan data nyata)")


def test_synthetic_rows_carry_a_badge_and_real_rows_do_not(
    client_of, officer_53, world, synthetic_site
):
    client = client_of(officer_53)
    listing = client.get(f"{BASE}situs/").content.decode()
    row_of = {
        line.split('">', 1)[1].split("</a>")[0]: line
        for line in listing.split("<tr>")
        if "/konsol/konektivitas/situs/" in line and "<td>" in line
    }
    assert BADGE in row_of["Operator A DEMO-53.71.01.1002"]
    assert BADGE not in row_of["Telkomsel TSEL-KPG-001"]
    assertContains(client.get(synthetic_site.get_absolute_url()), BADGE, count=1)
    planned = client.get(world["planned"].get_absolute_url())
    assertContains(planned, NOTE)  # the ledger around it is synthetic, this site is not
    assertNotContains(planned, BADGE)
    village = client.get(f"{BASE}desa/{NUNBAUN_SABU}/")
    assertContains(village, BADGE, count=1)  # the synthetic site in the village's table


def test_a_synthetic_fact_or_point_of_presence_is_enough(client_of, officer_53, world):
    client = client_of(officer_53)
    fact = VillageFact.objects.create(
        village_id=NAMOSAIN,
        layer=VillageFact.Layer.ACCESS_POINT,
        value="satelit",
        source=SYNTHETIC_SOURCE,
        observed_on=datetime.date(2026, 1, 31),
    )
    assert queries.synthetic_in_ledger() is True
    village = client.get(f"{BASE}desa/{NAMOSAIN}/")
    assertContains(village, NOTE)
    assertContains(village, BADGE, count=1)  # the fact's row
    fact.delete()
    assert queries.synthetic_in_ledger() is False
    PointOfPresence.objects.create(
        code="DEMO-POP-53.71",
        name="PoP Kota Kupang",
        latitude=-10.17,
        longitude=123.6,
        source=SYNTHETIC_SOURCE,
        source_date=datetime.date(2026, 1, 31),
    )
    assert queries.synthetic_in_ledger() is True
    assertContains(client.get(BASE), NOTE)


def test_the_exports_have_a_synthetic_column_and_say_so_in_their_names(
    client_of, officer_53, world, synthetic_site
):
    plan = make_plan("53", name="Rencana Kupang", picks=[NAMOSAIN, NUNBAUN_SABU])
    client = client_of(officer_53)
    ranking = client.get(f"{BASE}peringkat/", {"format": "csv", "region": "53.71"})
    assert ranking["Content-Disposition"] == (
        'attachment; filename="peringkat-blank-spot-sintetis.csv"'
    )
    rows = read_csv(ranking)
    assert rows[0][-1] == "Synthetic data"
    assert len(rows) > 1 and {row[-1] for row in rows[1:]} == {"yes: demo data, not real"}
    export = client.get(f"{plan.get_absolute_url()}rencana.csv")
    assert export["Content-Disposition"] == (
        f'attachment; filename="rencana-{plan.public_id}-sintetis.csv"'
    )
    rows = read_csv(export)
    assert rows[0][-1] == "Synthetic data"
    assert [row[-1] for row in rows[1:]] == ["yes: demo data, not real"] * 2


def test_the_api_says_synthetic_in_every_answer_that_shows_the_ledger(
    client, client_of, officer_53, world, synthetic_site
):
    plan = make_plan("53", name="Rencana Kupang", picks=[NAMOSAIN])
    api = "/api/v1/connectivity"
    aggregates = [
        client.get(f"{api}/aggregates/provinces").json(),
        client.get(f"{api}/aggregates/regencies", {"province": "53"}).json(),
    ]
    assert all(row["synthetic"] is True for rows in aggregates for row in rows)
    planner = client_of(officer_53)
    assert planner.get(f"{api}/villages/{NAMOSAIN}").json()["synthetic"] is True
    assert planner.get(f"{api}/ranking").json()["synthetic"] is True
    assert [p["synthetic"] for p in planner.get(f"{api}/plans").json()] == [True]
    assert planner.get(f"{api}/plans/{plan.public_id}").json()["synthetic"] is True
    Site.objects.filter(pk=synthetic_site.pk).update(source="Data uji")
    assert planner.get(f"{api}/plans/{plan.public_id}").json()["synthetic"] is False
    assert client.get(f"{api}/aggregates/provinces").json()[0]["synthetic"] is False


def test_the_check_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert queries.synthetic_in_ledger() is False
