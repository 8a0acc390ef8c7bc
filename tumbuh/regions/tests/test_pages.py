"""The region picker: public at /wilayah/ (plain GET forms, no JavaScript) and in the console at
/konsol/wilayah/, where htmx gets only the picker fragment."""

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from tumbuh.regions.tests.helpers import chosen, read_page, shipped_rows

# Pages in English (the language switch's cookie), so assertions match the msgids whether or not
# the Indonesian catalogue is compiled.
pytestmark = pytest.mark.usefixtures("english")

CHOOSE = ("", "— choose —", False)
POLYGON = "(centre of the region's (simplified) boundary)"


def regency_options(province: str, selected: str = "") -> list[tuple[str, str, bool]]:
    """The regency select for a province, as the shipped file says: sorted by name."""
    rows = [row for row in shipped_rows("regencies.csv") if row["province_code"] == province]
    return [CHOOSE] + [
        (row["code"], row["name"], row["code"] == selected)
        for row in sorted(rows, key=lambda row: row["name"])
    ]


# --- the public picker ----------------------------------------------------------------------------


def test_the_picker_starts_with_the_provinces_and_needs_no_javascript(client, db, query_count):
    with query_count() as queries:
        response = client.get("/wilayah/")

    assert response.status_code == 200
    assert len(queries) == 1
    assert read_page(response).selects == {
        "province": [
            CHOOSE,
            ("32", "Jawa Barat", False),
            ("53", "Nusa Tenggara Timur", False),
            ("91", "Papua", False),
        ]
    }
    assertContains(response, '<form method="get" action="/wilayah/" class="picker">')
    assertNotContains(response, "<script")
    assertNotContains(response, "hx-")
    assertNotContains(response, "<section")


def test_the_picker_speaks_bahasa_indonesia_by_default(db):
    response = Client().get("/wilayah/")

    assert response["Content-Language"] == "id"
    assertContains(response, '<html lang="id">')


def test_choosing_a_province_lists_its_regencies_and_shows_the_province(client, db, query_count):
    with query_count() as queries:
        response = client.get("/wilayah/", {"province": "32"})

    page = read_page(response)
    assert chosen(response) == {"province": "32", "regency": ""}
    assert page.selects["regency"] == regency_options("32")
    assert len(page.selects["regency"]) == 28
    assertContains(response, '<h2>Jawa Barat <span class="muted">32</span></h2>', html=True)
    assert page.definitions == {
        "Time zone": "WIB (UTC+7)",
        "Population": "51.316.378",
        "Centre point": f"-6.9206, 107.6033 {POLYGON}",
    }
    # The two option lists, then the chosen province in full.
    assert len(queries) == 3


def test_a_village_code_alone_fills_in_its_parents_and_shows_the_village(client, db, query_count):
    with query_count() as queries:
        response = client.get("/wilayah/", {"village": "32.04.12.2002"})

    assert chosen(response) == {
        "province": "32",
        "regency": "32.04",
        "district": "32.04.12",
        "village": "32.04.12.2002",
    }
    page = read_page(response)
    assert page.selects["village"] == [
        CHOOSE,
        ("32.04.12.2004", "Cangkuang Kulon", False),
        ("32.04.12.2003", "Cangkuang Wetan", False),
        ("32.04.12.2006", "Citeureup", False),
        ("32.04.12.2002", "Dayeuhkolot", True),
        ("32.04.12.1001", "Pasawahan", False),
        ("32.04.12.2005", "Sukapura", False),
    ]
    assertContains(
        response, '<h2>Dayeuhkolot <span class="muted">32.04.12.2002</span></h2>', html=True
    )
    assert page.definitions == {
        "Kind": "village (desa)",
        "District": "Dayeuhkolot",
        "Regency or city": "Kabupaten Bandung",
        "Province": "Jawa Barat",
        "Postal code": "40258",
        "Time zone": "WIB (UTC+7)",
        "3T status": "not 3T",
        "Centre point": f"-6.9848, 107.6220 {POLYGON}",
    }
    assertNotContains(response, 'class="badge t3"')
    # Four option lists, the village with its parents, its regency's 3T designations.
    assert len(queries) == 6


def test_a_3t_village_shows_the_3t_badge(client, db):
    response = client.get("/wilayah/", {"village": "53.04.01.2001"})

    assertContains(
        response,
        '<h2>Kewar <span class="muted">53.04.01.2001</span> <span class="badge t3">3T</span></h2>',
        html=True,
    )
    assert read_page(response).definitions == {
        "Kind": "village (desa)",
        "District": "Lamaknen",
        "Regency or city": "Kabupaten Belu",
        "Province": "Nusa Tenggara Timur",
        "Postal code": "85772",
        "Time zone": "WITA (UTC+8)",
        "3T status": "Disadvantaged region 2020–2024; Land border",
        "Centre point": f"-9.0896, 125.1623 {POLYGON}",
    }


def test_a_regency_shows_why_it_is_3t(client, db, query_count):
    with query_count() as queries:
        response = client.get("/wilayah/", {"regency": "53.04"})

    assert chosen(response) == {"province": "53", "regency": "53.04", "district": ""}
    assertContains(
        response,
        '<h2>Kabupaten Belu <span class="muted">53.04</span> <span class="badge t3">3T</span></h2>',
        html=True,
    )
    assert read_page(response).definitions == {
        "Kind": "regency (kabupaten)",
        "Province": "Nusa Tenggara Timur",
        "Population": "232.788",
        "Area": "1,127 km²",
        "3T status": "Disadvantaged region 2020–2024; Land border",
        "Centre point": f"-9.1551, 124.9674 {POLYGON}",
    }
    assert len(queries) == 5  # three option lists, the regency, its designations


def test_a_city_that_is_not_3t_says_so(client, db):
    response = client.get("/wilayah/", {"regency": "32.73"})

    assertContains(response, '<h2>Kota Bandung <span class="muted">32.73</span></h2>', html=True)
    assert read_page(response).definitions["3T status"] == "not 3T"
    assert read_page(response).definitions["Kind"] == "city (kota)"


@pytest.mark.parametrize(
    ("params", "expected", "heading"),
    [
        # The visitor changed the province without JavaScript: the old regency and below go.
        (
            {"province": "53", "regency": "32.04", "district": "32.04.12", "village": "32.04.12.2002"},
            {"province": "53", "regency": ""},
            '<h2>Nusa Tenggara Timur <span class="muted">53</span></h2>',
        ),
        # The visitor changed the regency: the district and village of the old one go.
        (
            {"province": "32", "regency": "32.73", "district": "32.04.12", "village": "32.04.12.2002"},
            {"province": "32", "regency": "32.73", "district": ""},
            '<h2>Kota Bandung <span class="muted">32.73</span></h2>',
        ),
    ],
)  # fmt: skip
def test_an_inconsistent_child_is_dropped(client, db, params, expected, heading):
    response = client.get("/wilayah/", params)

    assert response.status_code == 200
    assert chosen(response) == expected
    assertContains(response, heading, html=True)
    if expected["province"] == "53":
        assert read_page(response).selects["regency"] == regency_options("53")


def test_an_unknown_code_chooses_nothing(client, db):
    response = client.get("/wilayah/", {"village": "99.99.99.9999"})

    assert response.status_code == 200
    assert chosen(response) == {"province": ""}
    assertNotContains(response, "<section")


def test_search_lists_matching_regions_with_links_to_them(client, db, query_count):
    with query_count() as queries:
        response = client.get("/wilayah/", {"q": "kananga"})

    assertContains(
        response,
        '<ul><li><a href="/wilayah/?village=32.08.24.2007">Kananga</a> '
        '<span class="muted">Cimahi, Kabupaten Kuningan, Jawa Barat</span></li>'
        '<li><a href="/wilayah/?village=32.17.04.2006">Kanangasari</a> '
        '<span class="muted">Cikalongwetan, Kabupaten Bandung Barat, Jawa Barat</span></li>'
        '<li><a href="/wilayah/?village=32.08.08.2005">Cikananga</a> '
        '<span class="muted">Garawangi, Kabupaten Kuningan, Jawa Barat</span></li></ul>',
        html=True,
    )
    assert len(queries) == 5  # the provinces, then one search query per level


def test_search_says_when_nothing_matches(client, db):
    response = client.get("/wilayah/", {"q": "Atlantis"})

    assertContains(response, "<h2>Results</h2>", html=True)
    assertContains(response, "<p>No region has that name.</p>", html=True)


def test_search_refuses_a_single_letter_without_searching(client, db, query_count):
    with query_count() as queries:
        response = client.get("/wilayah/", {"q": "a"})

    assertContains(response, "Ensure this value has at least 2 characters (it has 1).")
    assertNotContains(response, "<h2>Results</h2>", html=True)
    assert len(queries) == 1  # only the provinces


# --- the console picker ---------------------------------------------------------------------------


def test_the_console_picker_needs_a_signed_in_user(client, db):
    response = client.get("/konsol/wilayah/", {"province": "32"})

    assert response.status_code == 302
    assert response.url == "/masuk/?next=/konsol/wilayah/%3Fprovince%3D32"


def test_the_console_picker_is_a_whole_page_with_htmx_attributes(client_of, officer_32):
    response = client_of(officer_32).get("/konsol/wilayah/", {"village": "32.04.12.2002"})

    assert response.status_code == 200
    assertContains(response, "<html", count=1)
    assertContains(response, '<div id="picker">', count=1)
    assertContains(response, 'hx-get="/konsol/wilayah/" hx-trigger="change" hx-target="#picker"')
    assertContains(response, 'role="search"')
    assert chosen(response)["village"] == "32.04.12.2002"


def test_htmx_gets_only_the_picker_fragment(client_of, officer_32, query_count):
    client = client_of(officer_32)

    with query_count() as queries:
        response = client.get(
            "/konsol/wilayah/", {"village": "32.04.12.2002"}, headers={"HX-Request": "true"}
        )

    content = response.content.decode().strip()
    assert response.status_code == 200
    assert content.startswith('<div id="picker">')
    assert content.endswith("</div>")
    assertNotContains(response, "<html")
    assertNotContains(response, 'role="search"')
    assert "HX-Request" in response["Vary"]
    assert read_page(response).definitions["Postal code"] == "40258"
    assert len(queries) == 8  # session, user, four option lists, the village, its designations


def test_an_htmx_history_restore_gets_the_whole_page(client_of, officer_32):
    response = client_of(officer_32).get(
        "/konsol/wilayah/",
        {"province": "32"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assertContains(response, "<html", count=1)


@pytest.mark.parametrize("village", ["32.04.12.2002", "91.03.01.3007"])
def test_the_console_picker_query_count_does_not_grow_with_the_options(
    client_of, officer_32, query_count, village
):
    """Kabupaten Bandung lists 31 districts and Dayeuhkolot 6 villages; Sentani 24 villages."""
    client = client_of(officer_32)

    with query_count() as queries:
        client.get("/konsol/wilayah/", {"village": village}, headers={"HX-Request": "true"})

    assert len(queries) == 8
