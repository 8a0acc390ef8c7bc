"""The onboarding dashboards of the console: figures from the rollups, scoped, drilled down by
links, every table downloadable; the facts come through the registry's real paths."""

import csv
import datetime
import io
import math

import openpyxl
import pytest

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership, Organisation
from tumbuh.conftest import (
    DAYEUHKOLOT,
    NAMOSAIN,
    SENTANI_KOTA,
    make_enterprise,
    make_organisation,
    make_user,
)
from tumbuh.dashboards import queries, rollups, sections, services
from tumbuh.dashboards.models import RollupClock
from tumbuh.registry import services as registry_services
from tumbuh.registry.models import Enterprise, Milestone

pytestmark = pytest.mark.django_db

SARMI_VILLAGE = "91.10.13.2003"  # Kabupaten Sarmi, a 3T regency
STORE_LIVE = Milestone.Kind.STORE_LIVE
WIB = datetime.timezone(datetime.timedelta(hours=7))


def live(business, day: datetime.date, kind=STORE_LIVE):
    registry_services.record_milestone(
        enterprise=business,
        kind=kind,
        source="test",
        by=None,
        occurred_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=WIB),
    )


def build_world(national_admin):
    """Five businesses in three provinces (one in 3T Sarmi), three stores live in March 2026,
    and targets set by the national admin (the national one set twice)."""
    year = queries.current_year()
    jabar_umkm = make_enterprise("Keripik Ani", village=DAYEUHKOLOT, scale="mikro")
    jabar_bumdes = make_enterprise(
        "BumDes Dayeuhkolot", village=DAYEUHKOLOT, kind=Enterprise.Kind.BUMDES, scale="kecil"
    )
    make_enterprise("Tenun Kupang", village=NAMOSAIN)
    sarmi = make_enterprise("Sagu Sarmi", village=SARMI_VILLAGE, scale="mikro")
    make_enterprise("Noken Sentani", village=SENTANI_KOTA)
    live(jabar_umkm, datetime.date(2026, 3, 2))
    live(sarmi, datetime.date(2026, 3, 4))
    live(jabar_bumdes, datetime.date(2026, 3, 18))
    live(jabar_umkm, datetime.date(2026, 2, 20), kind=Milestone.Kind.TRAINED)
    for region, count in (("", 100), ("", 60), ("32", 10)):
        services.set_target(
            region_code=region, year=year, milestone=STORE_LIVE, count=count, by=national_admin
        )
    services.set_target(
        region_code="", year=year, milestone="registered", count=1000, by=national_admin
    )
    return year


@pytest.fixture
def world(national_admin):
    return build_world(national_admin)


def test_the_national_admin_sees_the_national_figures(client_of, national_admin, world):
    page = client_of(national_admin).get("/konsol/dasbor/")

    assert page.status_code == 200
    data = page.context["data"]
    assert (data.region.code, data.region.level_name) == ("", "national")
    figures = {f.milestone: (f.count, f.count_3t, f.target, f.progress) for f in data.figures}
    assert figures == {
        "": (5, 1, None, None),
        "registered": (0, 0, 1000, 0.0),
        "assessed": (0, 0, None, None),
        "trained": (1, 0, None, None),
        "nib_issued": (0, 0, None, None),
        "halal_certified": (0, 0, None, None),
        "store_live": (3, 1, 60, 0.05),
        "first_online_sale": (0, 0, None, None),
        "paid_digitally": (0, 0, None, None),
    }
    assert data.by_kind == {
        "umkm": {"": 4, "store_live": 2, "trained": 1},
        "bumdes": {"": 1, "store_live": 1},
        "cooperative": {},
    }
    assert data.by_scale == {
        "mikro": {"": 2, "store_live": 2, "trained": 1},
        "kecil": {"": 1, "store_live": 1},
        "menengah": {},
        "": {"": 2},
    }
    children = [(c.region.code, c.count(""), c.count(STORE_LIVE), c.targets) for c in data.children]
    assert children == [
        ("32", 2, 2, {"store_live": 10}),
        ("53", 1, 0, {}),
        ("91", 2, 1, {}),
    ]
    assert data.as_of == RollupClock.objects.get(name=rollups.CLOCK).as_of
    html = page.content.decode()
    assert '<progress max="60" value="3">' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 220"' in html  # the series
    assert 'href="/konsol/dasbor/wilayah/32/"' in html  # a table row and a map shape
    assert html.count('<figure class="map">') == 1


def test_evenness_over_the_regencies_of_a_province(client_of, national_admin, world):
    data = client_of(national_admin).get("/konsol/dasbor/wilayah/32/").context["data"]

    evenness = data.evenness
    # Kabupaten Bandung (32.04) has both businesses, the 26 other regencies none: the
    # coefficient of variation of one non-zero value among n is sqrt(n - 1).
    assert evenness.regencies == 27
    assert evenness.cv == pytest.approx(math.sqrt(26))
    assert evenness.mean == pytest.approx(2 * 1000 / 3839721 / 27)
    assert [rate.code for rate in evenness.lagging] == [
        "32.01", "32.02", "32.03", "32.05", "32.06", "32.07", "32.08", "32.09", "32.10",
        "32.11", "32.12", "32.13", "32.14", "32.15", "32.16", "32.17", "32.18", "32.71",
        "32.72", "32.73",
    ]  # fmt: skip
    assert {rate.count for rate in evenness.lagging} == {0}


def test_the_weekly_series_is_cumulative_since_the_first_fact(world):
    region = queries.find_region("")
    rollups.refresh()
    points = queries.series(region, (STORE_LIVE,))[STORE_LIVE]
    assert [(p.start, p.new, p.cumulative) for p in points] == [
        (datetime.date(2026, 3, 2), 2, 2),
        (datetime.date(2026, 3, 9), 0, 2),
        (datetime.date(2026, 3, 16), 1, 3),
    ]
    regency = queries.find_region("32.04")
    months = queries.series(regency, (STORE_LIVE,))[STORE_LIVE]
    assert [(p.start, p.new, p.cumulative) for p in months] == [(datetime.date(2026, 3, 1), 2, 2)]


def test_an_officer_sees_their_province_and_nothing_outside(client_of, officer_32, world):
    client = client_of(officer_32)

    page = client.get("/konsol/dasbor/")
    data = page.context["data"]
    assert (data.region.code, data.figure("").count, data.figure(STORE_LIVE).target) == (
        "32",
        2,
        10,
    )
    assert len(data.children) == 27
    assert (data.children[3].region.code, data.children[3].count("")) == ("32.04", 2)
    for path in (
        "/konsol/dasbor/wilayah/53/",
        "/konsol/dasbor/wilayah/53.71/",
        "/konsol/dasbor/wilayah/ID/",
        "/konsol/dasbor/wilayah/99/",
        "/konsol/dasbor/wilayah/53/unduh/tonggak.csv",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/konsol/dasbor/wilayah/32.04/").status_code == 200


def test_without_the_capability_the_dashboard_is_refused(client_of, mentor_32, db):
    partner = make_organisation(kind=Organisation.Kind.UNIVERSITY, region_code="32", name="Mitra")
    partner_officer = make_user(organisation=partner, role=Membership.Role.OFFICER)
    for user in (mentor_32, partner_officer):
        assert client_of(user).get("/konsol/dasbor/").status_code == 403
        assert client_of(user).get("/konsol/dasbor/wilayah/32/").status_code == 403


def test_drilling_down_by_links(client_of, national_admin, world):
    client = client_of(national_admin)
    province = client.get("/konsol/dasbor/wilayah/32/").content.decode()
    assert 'href="/konsol/dasbor/wilayah/32.04/"' in province
    assert province.count('<figure class="map">') == 1  # the regencies of Jawa Barat
    regency = client.get("/konsol/dasbor/wilayah/32.04/")
    html = regency.content.decode()
    assert 'href="/konsol/dasbor/wilayah/32.04.12/"' in html
    assert 'href="/konsol/dasbor/wilayah/32/"' in html  # up again
    assert '<figure class="map">' not in html  # a table only at regency level
    district = client.get("/konsol/dasbor/wilayah/32.04.12/")
    villages = district.context["data"].children
    assert [(v.region.code, v.count("")) for v in villages if v.count("")] == [(DAYEUHKOLOT, 2)]
    assert f'href="/konsol/dasbor/wilayah/{DAYEUHKOLOT}/"' not in district.content.decode()
    assert client.get(f"/konsol/dasbor/wilayah/{DAYEUHKOLOT}/").status_code == 404


def test_a_table_downloads_as_csv(english, client_of, national_admin, world):
    response = client_of(national_admin).get("/konsol/dasbor/wilayah/ID/unduh/tonggak.csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dasbor-ID-tonggak.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    year = queries.current_year()
    assert rows == [
        ["Milestone", "Count", "3T", "Not 3T", f"Target {year}", "Progress (%)"],
        ["Businesses", "5", "1", "4", "", ""],
        ["Registered", "0", "0", "0", "1000", "0.0"],
        ["Capability assessed", "0", "0", "0", "", ""],
        ["Trained", "1", "0", "1", "", ""],
        ["NIB issued", "0", "0", "0", "", ""],
        ["Halal certified", "0", "0", "0", "", ""],
        ["Online store live", "3", "1", "2", "60", "5.0"],
        ["First online sale", "0", "0", "0", "", ""],
        ["Paid digitally", "0", "0", "0", "", ""],
    ]


def test_the_children_table_downloads_as_csv_with_the_chosen_measure(
    english, client_of, officer_32, national_admin, world
):
    response = client_of(officer_32).get(
        "/konsol/dasbor/wilayah/32/unduh/wilayah.csv", {"tonggak": "store_live"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Code", "Name", "Population", "Online store live per 1,000 people",
                           "Businesses"]  # fmt: skip
    assert len(rows) == 28
    assert rows[4] == [
        "32.04", "Kabupaten Bandung", "3839721", "0.0005", "2", "0", "0", "1", "0", "0", "2",
        "0", "0",
    ]  # fmt: skip
    # No regency of 32 has a target: no target columns. The provinces have one each.
    national = client_of(national_admin).get("/konsol/dasbor/wilayah/ID/unduh/wilayah.csv")
    provinces = list(csv.reader(io.StringIO(national.content.decode("utf-8-sig"))))
    year = queries.current_year()
    assert provinces[0][-2:] == [
        f"Target {year}: online store live",
        "Progress (%): online store live",
    ]
    assert [row[-2:] for row in provinces[1:]] == [["10", "20.0"], ["", ""], ["", ""]]


def test_a_table_downloads_as_xlsx(english, client_of, national_admin, world):
    response = client_of(national_admin).get("/konsol/dasbor/wilayah/ID/unduh/jenis.xlsx")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Kind", "Businesses", "Registered"]
    assert rows[1:] == [
        ["UMKM", 4, 0, 0, 1, 0, 0, 2, 0, 0],
        ["BumDes", 1, 0, 0, 0, 0, 0, 1, 0, 0],
        ["Cooperative", 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]
    assert (
        client_of(national_admin).get("/konsol/dasbor/wilayah/ID/unduh/jenis.pdf").status_code
        == 404
    )
    assert (
        client_of(national_admin).get("/konsol/dasbor/wilayah/ID/unduh/nothing.csv").status_code
        == 404
    )


def test_a_page_runs_a_bounded_number_of_queries(
    client_of, national_admin, world, django_assert_max_num_queries
):
    """A fixed number of queries whatever the figures: the onboarding reads themselves, and the
    whole page (session, menu, the other sections' panels) once those panels are warm. A page
    that finds changes pending folds them first, in the rollups' own fixed statements."""
    rollups.apply_changes()
    for code in ("", "32", "32.04", "32.04.12"):
        region = queries.find_region(code)
        with django_assert_max_num_queries(9):
            queries.onboarding(region, measure=STORE_LIVE)
    client = client_of(national_admin)
    paths = ("/konsol/dasbor/", "/konsol/dasbor/wilayah/32/", "/konsol/dasbor/wilayah/32.04/")
    for path in paths:
        client.get(path)  # the other sections' panels are computed on their first read
    for name in ("Satu", "Dua", "Tiga"):
        make_enterprise(name, village=NAMOSAIN)
    rollups.apply_changes()
    for path in paths:
        # 18, and the two stamps of a recently drawn page (the clocks, the latest target)
        with django_assert_max_num_queries(20):
            assert client.get(path).status_code == 200


def test_a_person_with_several_regions_starts_on_the_first_and_links_the_others(
    client_of, office_32, office_53, world
):
    officer = make_user(organisation=office_53)
    account_services.grant_membership(
        user=officer,
        organisation=office_32,
        role=Membership.Role.OFFICER,
        region_code="32.04",
        by=account_services.system_actor(),
    )
    page = client_of(officer).get("/konsol/dasbor/")

    assert page.context["data"].region.code == "32.04"
    assert page.context["others"] == [
        {"name": "Nusa Tenggara Timur", "url": "/konsol/dasbor/wilayah/53/"}
    ]
    assert client_of(officer).get("/konsol/dasbor/wilayah/53/").status_code == 200
    assert client_of(officer).get("/konsol/dasbor/wilayah/32/").status_code == 404
    assert client_of(officer).get("/konsol/dasbor/wilayah/32.01/").status_code == 404


def test_a_kept_page_body_changes_with_what_it_shows(client_of, national_admin, world):
    client = client_of(national_admin)
    first = client.get("/konsol/dasbor/").content.decode()
    again = client.get("/konsol/dasbor/")
    assert "data" not in again.context  # the body was kept: no figures were drawn again
    assert again.content.decode().partition("<main")[2] == first.partition("<main")[2]

    make_enterprise("Kopi Baru", village=NAMOSAIN)  # folded when the page is read
    services.set_target(
        region_code="",
        year=queries.current_year(),
        milestone=STORE_LIVE,
        count=90,
        by=national_admin,
    )
    second = client.get("/konsol/dasbor/").content.decode()

    assert '<progress max="60" value="3">' in first
    assert '<progress max="90" value="3">' in second
    assert "<strong>5</strong>" in first and "<strong>6</strong>" in second


def test_a_recently_drawn_page_is_shown_again_while_the_rollups_move_on(
    settings, client_of, national_admin, world, django_assert_max_num_queries
):
    """Within TUMBUH_DASHBOARD_REDRAW_SECONDS a fold does not draw the page again: it is shown
    as drawn, "as of" its figures, in a few small queries. A target set draws it at once, and so
    does the end of the delay."""
    settings.TUMBUH_DASHBOARD_REDRAW_SECONDS = 60
    sections.refresh_sections()  # the sections' clocks are fresh: the page may be kept
    client = client_of(national_admin)
    first = client.get("/konsol/dasbor/").content.decode()
    assert "<strong>5</strong>" in first

    make_enterprise("Kopi Baru", village=NAMOSAIN)
    rollups.apply_changes()  # the rollups move on (a page would fold it first)
    # session, user, memberships, the region, pending changes, two stamps, the menu
    with django_assert_max_num_queries(8):
        kept = client.get("/konsol/dasbor/")
    assert "data" not in kept.context
    assert kept.content.decode().partition("<main")[2] == first.partition("<main")[2]
    assert RollupClock.objects.get(name=rollups.CLOCK).changes_applied >= 1  # it was folded

    services.set_target(
        region_code="", year=queries.current_year(), milestone=STORE_LIVE, count=90,
        by=national_admin,
    )  # fmt: skip
    redrawn = client.get("/konsol/dasbor/").content.decode()
    assert "<strong>6</strong>" in redrawn and '<progress max="90" value="3">' in redrawn

    make_enterprise("Kopi Lagi", village=NAMOSAIN)
    assert "<strong>6</strong>" in client.get("/konsol/dasbor/").content.decode()
    settings.TUMBUH_DASHBOARD_REDRAW_SECONDS = 0  # the delay is over
    assert "<strong>7</strong>" in client.get("/konsol/dasbor/").content.decode()
