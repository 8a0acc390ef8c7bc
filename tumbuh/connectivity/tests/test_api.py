"""The connectivity API at /api/v1/connectivity/: a village's ledger, the ranking with its
weights, plans, CSV imports, and the open aggregates; the caller's regions only, one error
shape, and no personal data anywhere."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership
from tumbuh.accounts.permissions import Capability
from tumbuh.conftest import make_user
from tumbuh.connectivity import coverage
from tumbuh.connectivity.models import ConnectivityImport, Site, VillageConnectivity
from tumbuh.connectivity.tests.helpers import filled_ledger  # noqa: F401 - a fixture
from tumbuh.connectivity.tests.test_console import (
    DAYEUHKOLOT,
    GEGERKALONG,
    NAMOSAIN,
    NUNBAUN_SABU,
    SUKAPURA,
    build_world,
    make_plan,
)
from tumbuh.regions.models import Village

pytestmark = pytest.mark.usefixtures("filled_ledger")

API = "/api/v1/connectivity"


@pytest.fixture
def world(db):
    return build_world()


def get(client, path, status=200, **params):
    response = client.get(f"{API}{path}", params)
    assert response.status_code == status, response.content
    return response.json()


# --- access -----------------------------------------------------------------------------------


def test_callers_without_a_key_or_session_are_refused(client, db):
    body = get(client, "/ranking", status=401)

    assert body == {
        "code": "unauthenticated",
        "detail": "Sign in, or send an API key: Authorization: Bearer <key>.",
    }


@pytest.mark.parametrize("path", [f"/villages/{NAMOSAIN}", "/ranking", "/plans", "/plans/x"])
def test_a_role_that_may_not_plan_is_forbidden(client_of, office_53, path):
    mentor = make_user(organisation=office_53, role=Membership.Role.MENTOR)

    body = get(client_of(mentor), path, status=403)

    with translation.override("id"):
        assert body == {"code": "forbidden", "detail": str(Capability.PLAN_INFRASTRUCTURE.label)}


def test_an_officer_of_32_gets_404_for_53s_village_plan_and_import(
    client_of, officer_32, office_53, world
):
    plan = make_plan("53", name="Rencana NTT", picks=[NUNBAUN_SABU])
    batch = ConnectivityImport.objects.create(
        kind=ConnectivityImport.Kind.SITES,
        organisation=office_53,
        file_name="ntt.csv",
        file_sha256="0" * 64,
    )
    client = client_of(officer_32)

    assert get(client, f"/villages/{NAMOSAIN}", status=404) == {
        "code": "not_found",
        "detail": f"No village '{NAMOSAIN}' in your regions.",
    }
    assert get(client, f"/plans/{plan.public_id}", status=404)["code"] == "not_found"
    assert get(client, f"/imports/{batch.public_id}", status=404)["code"] == "not_found"
    assert get(client, "/plans") == []


# --- the ledger -------------------------------------------------------------------------------


def test_a_village_ledger_has_exactly_these_fields(client_of, officer_32, world):
    site = world["on_air"]
    ledger = VillageConnectivity.objects.get(village_id=GEGERKALONG)

    body = get(client_of(officer_32), f"/villages/{GEGERKALONG}")

    assert body == {
        "code": GEGERKALONG,
        "name": "Gegerkalong",
        "district_code": "32.73.01",
        "regency_code": "32.73",
        "regency_name": "Kota Bandung",
        "province_code": "32",
        "province_name": "Jawa Barat",
        "is_3t": False,
        "computed": True,
        "last_mile": "4g",
        "last_mile_site": site.public_id,
        "last_mile_basis": "sites",
        "middle_mile": "fibre",
        "fibre_distance_km": None,
        "nearest_point_of_presence": None,
        "access_points": 0,
        "covered_4g_since": "2025-06-30",
        "computed_at": body["computed_at"],
        "sites": [site.public_id],
        "businesses": 1,
        "businesses_without_store": 1,
        "synthetic": False,
    }
    assert body["computed_at"].startswith(ledger.computed_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_the_ranking_follows_the_weights_and_stays_in_my_regions(client_of, officer_32, world):
    client = client_of(officer_32)

    default = get(client, "/ranking", region="32.04", limit=2)
    no_bumdes = get(client, "/ranking", region="32.04", limit=2, bumdes=0)
    everything = get(client, "/ranking", limit=500)
    elsewhere = get(client, "/ranking", region="53.71")

    assert [item["code"] for item in default["items"]] == [SUKAPURA, DAYEUHKOLOT]
    assert [item["code"] for item in no_bumdes["items"]] == [DAYEUHKOLOT, SUKAPURA]
    assert default["weights"] == {"enterprise": 1.0, "bumdes": 5.0, "people": 1.0, "three_t": 10.0}
    assert no_bumdes["weights"]["bumdes"] == 0.0
    first = default["items"][0]
    assert {key: first[key] for key in ("rank", "name", "regency", "last_mile", "enterprises",
                                        "bumdes", "is_3t")} == {
        "rank": 1, "name": "Sukapura", "regency": "Kabupaten Bandung", "last_mile": "none",
        "enterprises": 1, "bumdes": 1, "is_3t": False,
    }  # fmt: skip
    assert first["reasons"][:2] == ["1 usaha menunggu", "1 BumDes"]  # the default language
    assert len(everything["items"]) == 500
    assert all(item["code"].startswith("32.") for item in everything["items"])
    assert everything["count"] == Village.objects.filter(code__startswith="32.").count() - (
        VillageConnectivity.objects.filter(village__code__startswith="32.", last_mile="4g").count()
    )
    assert (elsewhere["count"], elsewhere["items"]) == (0, [])


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"limit": 501}, "limit: Input should be less than or equal to 500"),
        ({"bumdes": -1}, "bumdes: Input should be greater than or equal to 0"),
        ({"region": "32.04.12"}, "region: String should match pattern"),
    ],
)
def test_bad_ranking_parameters_answer_422(client_of, officer_32, params, detail):
    body = get(client_of(officer_32), "/ranking", status=422, **params)

    assert body["code"] == "invalid"
    assert detail in body["detail"]


def test_an_api_key_sees_its_regions_ranking(client, office_53, world):
    _key, secret = account_services.issue_api_key(
        organisation=office_53,
        label="bakti",
        role=Membership.Role.PLANNER,
        by=account_services.system_actor(),
    )

    response = client.get(
        f"{API}/ranking",
        {"limit": 500, "people": 0, "three_t": 0},
        headers={"Authorization": f"Bearer {secret}"},
    )

    items = response.json()["items"]
    assert response.status_code == 200
    assert items[0]["code"] == NUNBAUN_SABU  # the one village with a business waiting
    assert all(item["code"].startswith("53.") for item in items)


# --- plans ------------------------------------------------------------------------------------


def test_plans_list_mine_and_a_plan_has_its_picks(client_of, officer_53, world):
    plan = make_plan(
        "53", name="Rencana Kupang", picks=[NUNBAUN_SABU, NAMOSAIN],
        comparison={"solver": "greedy", "objective": 20.0, "ratio": 0.909091},
        objective=22.0, bound=22.0, gap=0.0, seconds=0.5,
    )  # fmt: skip
    make_plan("32", name="Rencana Jabar")
    client = client_of(officer_53)

    listed = get(client, "/plans")
    detail = get(client, f"/plans/{plan.public_id}")

    summary = {
        "public_id": plan.public_id,
        "name": "Rencana Kupang",
        "region_code": "53",
        "budget_idr": 10_000_000_000,
        "cost_idr": 5_300_000_000,
        "solver": "milp",
        "status": "optimal",
        "run_status": "ready",
        "phase": "",
        "progress_percent": 100,
        "error_code": "",
        "error": "",
        "cancel_requested": False,
        "sites": 2,
        "covered_enterprises": 0,
        "covered_people": 0,
        "objective": 22.0,
        "bound": 22.0,
        "gap": 0.0,
        "seconds": 0.5,
        "comparison": {"solver": "greedy", "objective": 20.0, "ratio": 0.909091},
        "created_at": listed[0]["created_at"],
        "synthetic": False,
    }
    assert listed == [summary]
    assert detail == {
        **summary,
        "parameters": {},
        "picks": [
            {
                "rank": 1,
                "village_code": NUNBAUN_SABU,
                "label": "Nunbaun Sabu",
                "is_3t": False,
                "backhaul": "satellite",
                "backhaul_detail": "satellite backhaul",
                "cost_idr": 2_650_000_000,
                "covered_villages": [NUNBAUN_SABU],
                "enterprises": 1,
                "people": 1000,
                "value": 11.0,
                "reason": "Nunbaun Sabu: 1 business",
                "site": None,
            },
            {
                "rank": 2,
                "village_code": NAMOSAIN,
                "label": "Namosain",
                "is_3t": False,
                "backhaul": "satellite",
                "backhaul_detail": "satellite backhaul",
                "cost_idr": 2_650_000_000,
                "covered_villages": [NAMOSAIN],
                "enterprises": 1,
                "people": 1000,
                "value": 11.0,
                "reason": "Namosain: 1 business",
                "site": None,
            },
        ],
    }


# --- imports ----------------------------------------------------------------------------------


def sites_csv(*rows) -> SimpleUploadedFile:
    header = "operator,kode_site,latitude,longitude,teknologi,status,pendanaan,tanggal_sumber"
    text = "\n".join([header, *rows]) + "\n"
    return SimpleUploadedFile("situs.csv", text.encode(), content_type="text/csv")


def test_an_import_answers_201_with_its_counts_and_rejections(
    client_of, officer_53, office_53, world
):
    namosain = Village.objects.get(code=NAMOSAIN)
    upload = sites_csv(
        f"Indosat,ISAT-KPG-1,{namosain.latitude},{namosain.longitude},4G,rencana,operator,"
        "2025-06-30",
        f"Indosat,ISAT-KPG-2,52.1,{namosain.longitude},4G,rencana,operator,2025-06-30",
    )
    client = client_of(officer_53)

    response = client.post(f"{API}/imports", {"kind": "sites", "file": upload})

    assert response.status_code == 201, response.content
    body = response.json()
    batch = ConnectivityImport.objects.get()
    rejection = batch.rejections.get()
    assert body == {
        "public_id": batch.public_id,
        "kind": "sites",
        "organisation": office_53.slug,
        "file_name": "situs.csv",
        "total_rows": 2,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "created_at": body["created_at"],
        "rejections": [
            {"row": 3, "column": rejection.column, "value": "52.1", "reason": rejection.reason}
        ],
    }
    assert Site.objects.get(code="ISAT-KPG-1").village_id == NAMOSAIN
    assert get(client, f"/imports/{batch.public_id}") == body


def test_an_unreadable_file_answers_422_and_writes_nothing(client_of, officer_53):
    upload = SimpleUploadedFile("situs.csv", b"bukan,kolom\n1,2\n", content_type="text/csv")

    response = client_of(officer_53).post(f"{API}/imports", {"kind": "sites", "file": upload})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not ConnectivityImport.objects.exists()


def test_an_import_of_an_unknown_kind_answers_422(client_of, officer_53):
    upload = sites_csv()

    response = client_of(officer_53).post(f"{API}/imports", {"kind": "towers", "file": upload})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


# --- open data --------------------------------------------------------------------------------


def test_the_aggregates_are_open_and_count_only(client, world, officer_53):
    with_4g_32 = VillageConnectivity.objects.filter(
        village__code__startswith="32.", last_mile="4g"
    ).count()

    provinces = client.get(f"{API}/aggregates/provinces")
    regencies = client.get(f"{API}/aggregates/regencies", {"province": "53"})

    assert provinces.status_code == regencies.status_code == 200
    by_code = {row["code"]: row for row in provinces.json()}
    villages_32 = Village.objects.filter(code__startswith="32.").count()
    assert by_code["32"] == {
        "code": "32",
        "name": "Jawa Barat",
        "villages": villages_32,
        "villages_by_last_mile": {
            "4g": with_4g_32, "3g": 0, "2g": 0, "none": villages_32 - with_4g_32,
        },
        "share_4g": round(with_4g_32 / villages_32, 6),
        "blank_spots": villages_32 - with_4g_32,
        "businesses_waiting": 4,
        "synthetic": False,
    }  # fmt: skip
    kupang = next(row for row in regencies.json() if row["code"] == "53.71")
    assert (kupang["villages"], kupang["blank_spots"], kupang["businesses_waiting"]) == (51, 51, 1)
    assert len(regencies.json()) == 22
    for response in (provinces, regencies):
        text = response.content.decode()
        for name in ("Tenun Ikat", "Warung", "BumDes Sukapura", "Maria NTT", "Ratna", "@"):
            assert name not in text


def test_the_aggregates_of_an_unknown_province_answer_404(client, db):
    response = client.get(f"{API}/aggregates/regencies", {"province": "99"})

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No province has the code '99'."}


def test_the_aggregates_cost_a_constant_number_of_queries(client, world, query_count):
    with query_count() as queries:
        client.get(f"{API}/aggregates/provinces")

    # provinces, villages by last mile, businesses waiting, synthetic rows in the ledger
    assert len(queries) == 4


def test_dates_are_iso(client_of, officer_53, world):
    site = world["planned"]
    Site.objects.filter(pk=site.pk).update(status="on_air", on_air_on=datetime.date(2025, 7, 1))
    coverage.recompute()

    body = get(client_of(officer_53), f"/villages/{NAMOSAIN}")

    assert (body["last_mile"], body["covered_4g_since"]) == ("4g", "2025-07-01")


def test_every_error_status_is_declared_with_the_one_error_body():
    from tumbuh.api import api

    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    paths = api.get_openapi_schema()["paths"]
    declared = {
        (method.upper(), path.removeprefix(API)): {
            int(code) for code, answer in operation["responses"].items() if int(code) >= 400
        }
        for path, methods in paths.items()
        if path.startswith(API)
        for method, operation in methods.items()
    }
    # Besides each operation's own: 429 (lockout) on every authenticated operation, 403 (CSRF
    # with a session) on every change, 400 on every body that cannot be parsed (tumbuh/api.py).
    assert declared == {
        ("GET", "/villages/{code}"): {401, 403, 404, 429},
        ("GET", "/ranking"): {401, 403, 422, 429},
        ("GET", "/plans"): {401, 403, 429},
        ("GET", "/plans/{public_id}"): {401, 403, 404, 429},
        ("POST", "/imports"): {400, 401, 403, 422, 429},
        ("GET", "/imports/{public_id}"): {401, 403, 404, 429},
        ("GET", "/aggregates/provinces"): set(),
        ("GET", "/aggregates/regencies"): {404, 422},
    }
    for methods in paths.values():
        for operation in methods.values():
            for code, answer in operation["responses"].items():
                if int(code) >= 400:
                    assert answer["content"] == error
