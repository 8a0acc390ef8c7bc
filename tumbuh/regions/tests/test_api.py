"""The public regions API at /api/v1/regions/: exact bodies for real codes, one error shape, and a
constant number of queries however many rows a list has."""

import pytest

from tumbuh.regions.services import COLLECTION_DESCRIPTIONS
from tumbuh.regions.tests.helpers import in_session, shipped_rows

# Pages in English (the language switch's cookie), so assertions match the msgids whether or not
# the Indonesian catalogue is compiled.
pytestmark = pytest.mark.usefixtures("english")

API = "/api/v1/regions"

JAWA_BARAT = {
    "code": "32",
    "name": "Jawa Barat",
    "time_zone": "WIB",
    "latitude": -6.920631,
    "longitude": 107.603319,
    "centroid_precision": "polygon_centroid",
    "population": 51316378,
}
KABUPATEN_BANDUNG = {
    "code": "32.04",
    "name": "Kabupaten Bandung",
    "kind": "kabupaten",
    "province_code": "32",
    "latitude": -7.097588,
    "longitude": 107.608727,
    "centroid_precision": "polygon_centroid",
    "population": 3839721,
    "is_3t": False,
    "is_disadvantaged": False,
    "is_land_border": False,
    "has_outermost_small_island": False,
}
DAYEUHKOLOT_DISTRICT = {
    "code": "32.04.12",
    "name": "Dayeuhkolot",
    "regency_code": "32.04",
    "latitude": -6.972578,
    "longitude": 107.612854,
    "centroid_precision": "polygon_centroid",
}


def get_json(client, path, status=200):
    response = client.get(f"{API}{path}")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def shipped_villages_of(district: str) -> list[dict]:
    """What /districts/<code>/villages should answer, assembled from the shipped files."""
    postal = {
        row["village_code"]: row["postal_code"]
        for row in shipped_rows("village_postal_codes.csv.gz")
        if row["village_code"].startswith(district + ".")
    }
    centroids = {
        row["code"]: row
        for row in shipped_rows("village_centroids.csv.gz")
        if row["code"].startswith(district + ".")
    }
    kinds = {"1": "kelurahan", "2": "desa", "3": "desa_adat"}
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "kind": kinds[row["code"][9]],
            "district_code": district,
            "postal_code": postal[row["code"]],
            "latitude": float(centroids[row["code"]]["latitude"]),
            "longitude": float(centroids[row["code"]]["longitude"]),
            "centroid_precision": centroids[row["code"]]["precision"],
        }
        for row in shipped_rows("villages.csv.gz")
        if row["district_code"] == district
    ]


# --- one region at each level -------------------------------------------------------------------


def test_provinces_lists_the_loaded_provinces_in_one_query(client, db, query_count):
    with query_count() as queries:
        provinces = get_json(client, "/provinces")

    assert len(queries) == 1
    assert [province["code"] for province in provinces] == ["32", "53", "91"]
    assert provinces[0] == JAWA_BARAT
    assert provinces[2] == {
        "code": "91",
        "name": "Papua",
        "time_zone": "WIT",
        "latitude": -2.617878,
        "longitude": 138.532156,
        "centroid_precision": "polygon_centroid",
        "population": 1102360,
    }


def test_province(client, db):
    assert get_json(client, "/provinces/32") == JAWA_BARAT


def test_regency(client, db):
    assert get_json(client, "/regencies/32.04") == KABUPATEN_BANDUNG
    assert get_json(client, "/regencies/53.04") == {
        "code": "53.04",
        "name": "Kabupaten Belu",
        "kind": "kabupaten",
        "province_code": "53",
        "latitude": -9.155098,
        "longitude": 124.967422,
        "centroid_precision": "polygon_centroid",
        "population": 232788,
        "is_3t": True,
        "is_disadvantaged": True,
        "is_land_border": True,
        "has_outermost_small_island": False,
    }


def test_district(client, db):
    assert get_json(client, "/districts/32.04.12") == DAYEUHKOLOT_DISTRICT


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "32.04.12.2002",
            {
                "code": "32.04.12.2002",
                "name": "Dayeuhkolot",
                "kind": "desa",
                "postal_code": "40258",
                "latitude": -6.984774,
                "longitude": 107.621954,
                "centroid_precision": "polygon_centroid",
                "is_3t": False,
                "time_zone": "WIB",
                "district": {"code": "32.04.12", "name": "Dayeuhkolot"},
                "regency": {"code": "32.04", "name": "Kabupaten Bandung"},
                "province": {"code": "32", "name": "Jawa Barat"},
            },
        ),
        (
            "53.04.01.2001",
            {
                "code": "53.04.01.2001",
                "name": "Kewar",
                "kind": "desa",
                "postal_code": "85772",
                "latitude": -9.089569,
                "longitude": 125.162329,
                "centroid_precision": "polygon_centroid",
                "is_3t": True,
                "time_zone": "WITA",
                "district": {"code": "53.04.01", "name": "Lamaknen"},
                "regency": {"code": "53.04", "name": "Kabupaten Belu"},
                "province": {"code": "53", "name": "Nusa Tenggara Timur"},
            },
        ),
        (
            "91.03.01.3007",
            {
                "code": "91.03.01.3007",
                "name": "Desa Adat Yoboi",
                "kind": "desa_adat",
                "postal_code": "99352",
                "latitude": -2.603871,
                "longitude": 140.488224,
                "centroid_precision": "polygon_centroid",
                "is_3t": False,
                "time_zone": "WIT",
                "district": {"code": "91.03.01", "name": "Sentani"},
                "regency": {"code": "91.03", "name": "Kabupaten Jayapura"},
                "province": {"code": "91", "name": "Papua"},
            },
        ),
        (
            # No boundary in the source: the centre of its district stands in.
            "91.10.13.2003",
            {
                "code": "91.10.13.2003",
                "name": "Waskey/ Tanjung Batu",
                "kind": "desa",
                "postal_code": "99377",
                "latitude": -2.039791,
                "longitude": 138.7884,
                "centroid_precision": "district_centroid_fallback",
                "is_3t": True,
                "time_zone": "WIT",
                "district": {"code": "91.10.13", "name": "Sarmi Timur"},
                "regency": {"code": "91.10", "name": "Kabupaten Sarmi"},
                "province": {"code": "91", "name": "Papua"},
            },
        ),
    ],
)
def test_village_with_its_parents(client, db, query_count, code, expected):
    with query_count() as queries:
        village = get_json(client, f"/villages/{code}")

    assert village == expected
    # The village with its district, regency and province in one query.
    assert len(queries) == 1


# --- lists: exact rows, and the same number of queries for 6 rows as for 31 ---------------------


def test_regencies_of_a_province(client, db, query_count):
    with query_count() as queries:
        regencies = get_json(client, "/provinces/32/regencies")
    with query_count() as fewer:
        papua = get_json(client, "/provinces/91/regencies")

    assert (len(queries), len(fewer)) == (2, 2)
    assert [regency["code"] for regency in regencies] == [
        row["code"] for row in shipped_rows("regencies.csv") if row["province_code"] == "32"
    ]
    assert len(regencies) == 27
    assert regencies[3] == KABUPATEN_BANDUNG
    assert len(papua) == 9


def test_districts_of_a_regency(client, db, query_count):
    with query_count() as queries:
        districts = get_json(client, "/regencies/32.04/districts")
    with query_count() as fewer:
        kota_jayapura = get_json(client, "/regencies/91.71/districts")

    assert (len(queries), len(fewer)) == (2, 2)
    assert [district["code"] for district in districts] == [
        row["code"] for row in shipped_rows("districts.csv.gz") if row["regency_code"] == "32.04"
    ]
    assert len(districts) == 31
    assert next(d for d in districts if d["code"] == "32.04.12") == DAYEUHKOLOT_DISTRICT
    assert len(kota_jayapura) == 5


def test_villages_of_a_district(client, db, query_count):
    with query_count() as queries:
        villages = get_json(client, "/districts/32.04.12/villages")
    with query_count() as more:
        sentani = get_json(client, "/districts/91.03.01/villages")

    assert (len(queries), len(more)) == (2, 2)
    assert villages == shipped_villages_of("32.04.12")
    assert [(v["code"], v["name"], v["kind"]) for v in villages] == [
        ("32.04.12.1001", "Pasawahan", "kelurahan"),
        ("32.04.12.2002", "Dayeuhkolot", "desa"),
        ("32.04.12.2003", "Cangkuang Wetan", "desa"),
        ("32.04.12.2004", "Cangkuang Kulon", "desa"),
        ("32.04.12.2005", "Sukapura", "desa"),
        ("32.04.12.2006", "Citeureup", "desa"),
    ]
    assert sentani == shipped_villages_of("91.03.01")
    assert len(sentani) > len(villages)


# --- unknown codes: 404 with the one error shape, at every level ----------------------------------


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/provinces/99", "No province has the code '99'."),
        ("/provinces/99/regencies", "No province has the code '99'."),
        ("/regencies/32.99", "No regency has the code '32.99'."),
        ("/regencies/32.99/districts", "No regency has the code '32.99'."),
        ("/districts/32.04.99", "No district has the code '32.04.99'."),
        ("/districts/32.04.99/villages", "No district has the code '32.04.99'."),
        ("/villages/32.04.12.9999", "No village has the code '32.04.12.9999'."),
        ("/priority-areas/tidak-ada", "No priority area has the slug 'tidak-ada'."),
        # A real code of a province the session did not load is unknown too.
        ("/provinces/11", "No province has the code '11'."),
    ],
)
def test_an_unknown_code_answers_404_not_found(client, db, path, detail):
    assert get_json(client, path, status=404) == {"code": "not_found", "detail": detail}


# --- search ---------------------------------------------------------------------------------------


def hit(code, name, level, context):
    return {"code": code, "name": name, "level": level, "context": context}


KANANGA = hit("32.08.24.2007", "Kananga", "village", "Cimahi, Kabupaten Kuningan, Jawa Barat")
KANANGASARI = hit(
    "32.17.04.2006", "Kanangasari", "village", "Cikalongwetan, Kabupaten Bandung Barat, Jawa Barat"
)
CIKANANGA = hit(
    "32.08.08.2005", "Cikananga", "village", "Garawangi, Kabupaten Kuningan, Jawa Barat"
)


def test_search_ranks_the_exact_name_before_a_prefix_before_the_rest(client, db, query_count):
    with query_count() as queries:
        hits = get_json(client, "/search?q=kananga")

    # By name alone Cikananga would come first.
    assert hits == [KANANGA, KANANGASARI, CIKANANGA]
    assert len(queries) == 4  # one per level


def test_search_lists_higher_levels_first(client, db):
    assert get_json(client, "/search?q=Ciwidey") == [
        hit("32.04.39", "Ciwidey", "district", "Kabupaten Bandung, Jawa Barat"),
        hit("32.04.39.2002", "Ciwidey", "village", "Ciwidey, Kabupaten Bandung, Jawa Barat"),
    ]
    assert get_json(client, "/search?q=bandung&level=regency") == [
        hit("32.04", "Kabupaten Bandung", "regency", "Jawa Barat"),
        hit("32.17", "Kabupaten Bandung Barat", "regency", "Jawa Barat"),
        hit("32.73", "Kota Bandung", "regency", "Jawa Barat"),
    ]


def test_search_within_a_level(client, db, query_count):
    with query_count() as queries:
        hits = get_json(client, "/search?q=Ciwidey&level=district")

    assert hits == [hit("32.04.39", "Ciwidey", "district", "Kabupaten Bandung, Jawa Barat")]
    assert len(queries) == 1


@pytest.mark.parametrize(
    ("within", "expected"),
    [
        ("32", [KANANGA, KANANGASARI, CIKANANGA]),
        ("32.08", [KANANGA, CIKANANGA]),  # Kabupaten Kuningan
        ("32.17.04", [KANANGASARI]),
        ("53", []),
    ],
)
def test_search_within_a_region(client, db, within, expected):
    assert get_json(client, f"/search?q=kananga&within={within}") == expected


def test_search_stops_at_the_limit(client, db):
    assert get_json(client, "/search?q=kananga&limit=2") == [KANANGA, KANANGASARI]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("q=a", "q: String should have at least 2 characters"),
        ("", "q: Field required"),
        (
            "q=kananga&level=kampung",
            "level: Input should be 'province', 'regency', 'district' or 'village'",
        ),
        ("q=kananga&limit=0", "limit: Input should be greater than or equal to 1"),
        ("q=kananga&limit=101", "limit: Input should be less than or equal to 100"),
        ("q=kananga&within=32.08.24.2007", "within: String should have at most 8 characters"),
    ],
)
def test_search_refuses_invalid_parameters_with_422(client, db, query_count, query, detail):
    with query_count() as queries:
        body = get_json(client, f"/search?{query}", status=422)

    assert body == {"code": "invalid", "detail": detail}
    assert len(queries) == 0


# --- priority areas -------------------------------------------------------------------------------


def test_priority_areas_lists_every_area_with_its_loaded_regencies_in_two_queries(
    client, db, query_count
):
    expected: dict[tuple[str, str], set[str]] = {}
    regencies = [row["code"] for row in shipped_rows("regencies.csv") if in_session(row["code"])]
    for row in shipped_rows("priority_areas.csv"):
        members = expected.setdefault((row["programme"], row["area_name"]), set())
        if row["region_level"] == "regency":
            members.update({row["region_code"]} & set(regencies))
        else:
            members.update(code for code in regencies if code[:2] == row["region_code"])

    with query_count() as queries:
        areas = get_json(client, "/priority-areas")

    assert len(queries) == 2
    assert len(areas) == 28
    assert [(a["collection"], a["name"]) for a in areas] == sorted(expected)
    assert {(a["collection"], a["name"]): set(a["regency_codes"]) for a in areas} == expected
    assert all(a["regency_codes"] == sorted(a["regency_codes"]) for a in areas)
    assert all(a["description"] == COLLECTION_DESCRIPTIONS[a["collection"]] for a in areas)


def test_priority_area(client, db):
    assert get_json(client, "/priority-areas/dpsp-5-labuan-bajo") == {
        "slug": "dpsp-5-labuan-bajo",
        "name": "Labuan Bajo",
        "collection": "dpsp_5",
        "description": "5 Destinasi Pariwisata Super Prioritas (DPSP)",
        "regency_codes": ["53.15"],
    }
    papua = get_json(client, "/priority-areas/atd-2022-13-kawasan-papua")
    assert papua["regency_codes"] == [
        row["code"] for row in shipped_rows("regencies.csv") if row["province_code"] == "91"
    ]


def test_every_error_status_is_declared_with_the_one_error_body():
    from tumbuh.api import api

    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    paths = api.get_openapi_schema()["paths"]
    operations = {
        (method.upper(), path.removeprefix(API)): operation
        for path, methods in paths.items()
        if path.startswith(API + "/")
        for method, operation in methods.items()
    }
    declared = {
        key: {int(code) for code in operation["responses"] if int(code) >= 400}
        for key, operation in operations.items()
    }
    assert declared == {
        ("GET", "/provinces"): set(),
        ("GET", "/provinces/{code}"): {404},
        ("GET", "/provinces/{code}/regencies"): {404},
        ("GET", "/regencies/{code}"): {404},
        ("GET", "/regencies/{code}/districts"): {404},
        ("GET", "/districts/{code}"): {404},
        ("GET", "/districts/{code}/villages"): {404},
        ("GET", "/villages/{code}"): {404},
        ("GET", "/search"): {422},
        ("GET", "/priority-areas"): set(),
        ("GET", "/priority-areas/{slug}"): {404},
    }
    for operation in operations.values():
        for code, answer in operation["responses"].items():
            if int(code) >= 400:
                assert answer["content"] == error
