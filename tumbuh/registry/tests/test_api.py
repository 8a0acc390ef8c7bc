"""The registry API at /api/v1/registry/: exact bodies that expose no personal data, the console's
filters, limit/offset pages with a constant number of queries, and one error shape."""

import pytest
from django.db import connection
from django.utils import translation

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership
from tumbuh.accounts.permissions import Capability
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import COUNT_QUERIES, make_enterprise, make_user
from tumbuh.core import keyset
from tumbuh.registry import queries, services
from tumbuh.registry.models import Enterprise, Milestone
from tumbuh.registry.tests.console_helpers import (
    DAYEUHKOLOT,
    GEGERKALONG,
    NAMOSAIN,
    import_rows,
    nik,
    partner,
    plan_on_the_words_index_only,
    record_milestone,
    row,
)

API = "/api/v1/registry"


@pytest.fixture
def batch(tmp_path, office_32):
    sender = partner("32", name="Mitra Pasar Digital")
    batch = import_rows(
        tmp_path,
        sender,
        [
            row("Warung Sari", owner="Siti Aminah", nik=nik("320412", female=True),
                phone="0812-3456-7890", kbli="56101 10792", nib="9120001234567", scale="mikro",
                address="Jl. Mawar 5"),
            row("Toko Maju", village=GEGERKALONG, kbli="47111", scale="kecil"),
            row("Toko Majoe", village=GEGERKALONG),
            row("Ditolak", village="32.04.12.9999"),
        ],
        name="jabar.csv",
    )  # fmt: skip
    services.merge_enterprises(
        keep=Enterprise.objects.get(name="Toko Maju"),
        drop=Enterprise.objects.get(name="Toko Majoe"),
        by=system_actor(),
    )
    return batch


def get(client, path, status=200, **params):
    response = client.get(f"{API}{path}", params)
    assert response.status_code == status, response.content
    return response.json()


def test_the_list_has_each_business_once_with_exactly_these_fields(client_of, officer_32, batch):
    sari = Enterprise.objects.get(name="Warung Sari")
    maju = Enterprise.objects.get(name="Toko Maju")

    body = get(client_of(officer_32), "/enterprises")

    assert body == {
        "count": 2,
        "count_is_exact": True,
        "count_as_of": None,
        "limit": 50,
        "offset": 0,
        "next_cursor": None,
        "items": [
            {
                "public_id": maju.public_id,
                "name": "Toko Maju",
                "trade_names": ["Toko Majoe"],
                "kind": "umkm",
                "scale": "kecil",
                "nib": None,
                "village_code": GEGERKALONG,
                "kbli": ["47111"],
            },
            {
                "public_id": sari.public_id,
                "name": "Warung Sari",
                "trade_names": [],
                "kind": "umkm",
                "scale": "mikro",
                "nib": "9120001234567",
                "village_code": DAYEUHKOLOT,
                "kbli": ["10792", "56101"],
            },
        ],
    }


def test_a_business_in_full_without_people_phone_or_row_values(client_of, officer_32, batch):
    sari = Enterprise.objects.get(name="Warung Sari")
    registered = sari.milestones.get(kind="registered")

    body = get(client_of(officer_32), f"/enterprises/{sari.public_id}")

    imported_at = body["sources"][0]["imported_at"]
    assert body == {
        "public_id": sari.public_id,
        "name": "Warung Sari",
        "trade_names": [],
        "kind": "umkm",
        "scale": "mikro",
        "nib": "9120001234567",
        "village_code": DAYEUHKOLOT,
        "kbli": [
            {"code": "10792", "version": "2020", "title": "Industri kue basah"},
            {"code": "56101", "version": "2020", "title": "Restoran"},
        ],
        "address": "Jl. Mawar 5",
        "place": {
            "village_code": DAYEUHKOLOT,
            "village_name": "Dayeuhkolot",
            "district_code": "32.04.12",
            "district_name": "Dayeuhkolot",
            "regency_code": "32.04",
            "regency_name": "Kabupaten Bandung",
            "province_code": "32",
            "province_name": "Jawa Barat",
        },
        # The NIB in the partner's row counts on the journey from the import on.
        "milestones": [
            {"kind": "registered", "occurred_at": body["milestones"][0]["occurred_at"]},
            {"kind": "nib_issued", "occurred_at": body["milestones"][0]["occurred_at"]},
        ],
        "sources": [
            {
                "organisation": batch.organisation.slug,
                "file_name": "jabar.csv",
                "row_number": 2,
                "imported_at": imported_at,
            }
        ],
        "merged_into": None,
    }
    assert body["milestones"][0]["occurred_at"].startswith(
        registered.occurred_at.strftime("%Y-%m-%dT%H:%M:%S")
    )


def test_a_merged_record_names_the_business_it_was_merged_into(client_of, officer_32, batch):
    majoe, maju = (
        Enterprise.objects.get(name="Toko Majoe"),
        Enterprise.objects.get(name="Toko Maju"),
    )

    body = get(client_of(officer_32), f"/enterprises/{majoe.public_id}")

    assert body["merged_into"] == maju.public_id
    assert body["sources"] == []  # its row moved with the merge


def test_an_imports_status_and_counts(client_of, officer_32, batch):
    body = get(client_of(officer_32), f"/imports/{batch.public_id}")

    assert body == {
        "public_id": batch.public_id,
        "organisation": batch.organisation.slug,
        "file_name": "jabar.csv",
        "status": "done",
        "total_rows": 4,
        "processed_rows": 4,
        "created": 3,
        "linked": 0,
        "already_imported": 0,
        "rejected": 1,
        "error": "",
        "created_at": body["created_at"],
        "started_at": body["started_at"],
        "finished_at": body["finished_at"],
    }
    assert body["created_at"] <= body["started_at"] <= body["finished_at"]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"region": "32.73"}, ["Toko Maju"]),
        ({"region": "32.04.12"}, ["Warung Sari"]),
        ({"region": "53"}, []),
        ({"scale": "mikro"}, ["Warung Sari"]),
        ({"kind": "umkm"}, ["Toko Maju", "Warung Sari"]),
        ({"kbli_section": "I"}, ["Warung Sari"]),
        ({"milestone": "nib_issued"}, ["Toko Maju", "Warung Sari"]),  # Sari's NIB came in its row
        ({"q": "MAJU"}, ["Toko Maju"]),
        ({"source": "organisation-none"}, []),
    ],
)
def test_the_list_filters_like_the_console(client_of, officer_32, batch, params, names):
    record_milestone(Enterprise.objects.get(name="Toko Maju"), Milestone.Kind.NIB_ISSUED)

    body = get(client_of(officer_32), "/enterprises", **params)

    assert [item["name"] for item in body["items"]] == names
    assert body["count"] == len(names)


def test_a_list_filtered_on_a_milestone_reads_its_ids_first_and_pages_by_cursor(
    client_of, officer_32, query_count
):
    for number in range(6):
        enterprise = make_enterprise(f"Usaha {number}", village=DAYEUHKOLOT)
        if number % 2:
            record_milestone(enterprise, Milestone.Kind.STORE_LIVE)
    client = client_of(officer_32)
    client.get(f"{API}/enterprises")

    # The captured queries are read from the log, which the next request empties: counted at once.
    with query_count() as plain:
        get(client, "/enterprises", limit=2)
    plain = len(plain)
    with query_count() as filtered:
        first = get(client, "/enterprises", milestone="store_live", limit=2)
    filtered = len(filtered)
    second = get(
        client, "/enterprises", milestone="store_live", limit=2, cursor=first["next_cursor"]
    )

    assert [item["name"] for item in first["items"] + second["items"]] == [
        "Usaha 1",
        "Usaha 3",
        "Usaha 5",
    ]
    assert second["next_cursor"] is None
    assert filtered == plain + 1  # the page's ids, then its rows (queries.reads_keys_first)


def test_the_source_filter_takes_an_organisations_slug(client_of, officer_32, batch):
    body = get(client_of(officer_32), "/enterprises", source=batch.organisation.slug)

    assert [item["name"] for item in body["items"]] == ["Toko Maju", "Warung Sari"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"kind": "pabrik"}, "kind: Input should be 'umkm', 'bumdes' or 'cooperative'"),
        ({"limit": 500}, "limit: Input should be less than or equal to 200"),
        ({"region": "32.4"}, "region: String should match pattern"),
        ({"kbli_section": "Z"}, "kbli_section: String should match pattern"),
    ],
)
def test_invalid_filters_answer_422_in_the_one_error_shape(client_of, officer_32, params, detail):
    body = get(client_of(officer_32), "/enterprises", status=422, **params)

    assert body["code"] == "invalid"
    assert body["detail"].startswith(detail)


def test_pages_by_limit_and_offset_with_a_constant_number_of_queries(
    client_of, officer_32, query_count
):
    Enterprise.objects.bulk_create(
        Enterprise(name=f"Usaha {number:02d}", village_id=DAYEUHKOLOT) for number in range(30)
    )
    client = client_of(officer_32)
    client.get(f"{API}/enterprises")

    with query_count() as small:
        first = get(client, "/enterprises", limit=5)
    with query_count() as large:
        last = get(client, "/enterprises", limit=20, offset=20)

    assert [item["name"] for item in first["items"]] == [f"Usaha {n:02d}" for n in range(5)]
    assert [item["name"] for item in last["items"]] == [f"Usaha {n:02d}" for n in range(20, 30)]
    assert (first["count"], last["count"], last["offset"]) == (30, 30, 20)
    # session, user, capability, scope, rows, their KBLI codes, the dashboards' figure of the
    # whole country (too few to be used: settings.REGISTRY_COUNTS), count
    assert len(small) == len(large) == 7 + COUNT_QUERIES


def test_pages_by_cursor_from_first_to_last_and_refuses_a_cursor_with_an_offset(
    client_of, officer_32
):
    Enterprise.objects.bulk_create(
        Enterprise(name=f"Usaha {number:02d}", village_id=DAYEUHKOLOT) for number in range(12)
    )
    client = client_of(officer_32)

    first = get(client, "/enterprises", limit=5)
    second = get(client, "/enterprises", limit=5, cursor=first["next_cursor"])
    third = get(client, "/enterprises", limit=5, cursor=second["next_cursor"])
    by_offset = get(client, "/enterprises", limit=5, offset=5)
    refused = get(client, "/enterprises", 422, cursor=first["next_cursor"], offset=5)
    garbled = get(client, "/enterprises", 422, cursor="bm90LWEtY3Vyc29y")

    names = [item["name"] for page in (first, second, third) for item in page["items"]]
    assert names == [f"Usaha {n:02d}" for n in range(12)]
    assert third["next_cursor"] is None
    assert by_offset["items"] == second["items"]
    assert by_offset["next_cursor"] == second["next_cursor"]
    assert (first["count"], first["count_is_exact"]) == (12, True)
    assert (refused["reason"], refused["field"]) == ("bad_cursor", "cursor")
    assert (garbled["code"], garbled["reason"]) == ("invalid", "bad_cursor")


def test_a_search_gives_whole_words_first_on_postgresql_and_pages_by_cursor(client_of, officer_32):
    for name in ("Warung Kopi", "Kopiah Haji", "Kopi Aceh", "Toko Roti"):
        make_enterprise(name, village=DAYEUHKOLOT)
    client = client_of(officer_32)

    whole = get(client, "/enterprises", q="kopi")
    walked, cursor = [], ""
    while True:
        page = get(
            client, "/enterprises", q="kopi", limit=1, **({"cursor": cursor} if cursor else {})
        )
        walked += [item["name"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break

    names = [item["name"] for item in whole["items"]]
    if connection.vendor == "postgresql":  # closest first: the word itself, then a longer one
        assert names == ["Kopi Aceh", "Warung Kopi", "Kopiah Haji"]
    else:
        assert names == ["Kopi Aceh", "Kopiah Haji", "Warung Kopi"]
    assert walked == names


# With a trusted estimate of 0, any estimate counts as "far more than the cap": the scan path,
# unless the scan may read no row, when the index serves them still.
@pytest.mark.parametrize(
    ("trusted_estimate", "scan_rows"),
    [(10, 50_000), (0, 50_000), (0, 0)],
    ids=["index", "scan", "far-more-by-index"],
)
def test_a_search_with_more_matches_than_it_ranks_ranks_the_first_found(
    client_of, officer_32, monkeypatch, trusted_estimate, scan_rows
):
    monkeypatch.setattr(queries, "RANKED_SEARCH_CAP", 2)
    monkeypatch.setattr(queries, "SEARCH_SCAN_ROWS", scan_rows)
    monkeypatch.setattr(keyset, "TRUSTED_ESTIMATE", trusted_estimate)
    for name in ("Warung Kopi", "Kopiah Haji", "Kopi Aceh", "Toko Roti"):
        make_enterprise(name, village=DAYEUHKOLOT)
    client = client_of(officer_32)

    walked, cursor, pages = [], "", []
    while True:
        page = get(
            client, "/enterprises", q="kopi", limit=1, **({"cursor": cursor} if cursor else {})
        )
        pages.append(page)
        walked += [item["name"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break

    if connection.vendor == "postgresql":
        # Three matches, more than the two it may rank: two of them, closest first, and the
        # count says there are more.
        closeness = ["Kopi Aceh", "Warung Kopi", "Kopiah Haji"]
        assert len(walked) == 2
        assert walked == sorted(walked, key=closeness.index)
        assert (pages[0]["count"], pages[0]["count_is_exact"]) == (2, False)
    else:  # SQLite does not rank: every match, by name
        assert walked == ["Kopi Aceh", "Kopiah Haji", "Warung Kopi"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the words index is PostgreSQL's")
def test_a_search_whose_drawn_index_entries_hold_too_few_matches_reads_them_all(
    client_of, officer_32, monkeypatch
):
    """Far more matches than it ranks, a search reads about ``SEARCH_SAMPLE_ENTRIES`` entries
    the index draws at random; drawing one of 3,000, it then reads all of them instead. (The
    index draws only from a key's posting tree: 3,000 names make one, once the index's list of
    pending entries is merged into it.)"""
    monkeypatch.setattr(queries, "RANKED_SEARCH_CAP", 10)
    monkeypatch.setattr(queries, "SEARCH_SCAN_ROWS", 0)
    monkeypatch.setattr(queries, "SEARCH_SAMPLE_ENTRIES", 1)
    monkeypatch.setattr(keyset, "TRUSTED_ESTIMATE", 0)
    Enterprise.objects.bulk_create(
        Enterprise(name=f"Warung Kopi {number}", village_id=DAYEUHKOLOT) for number in range(3000)
    )
    plan_on_the_words_index_only()

    body = get(client_of(officer_32), "/enterprises", q="warung kopi", limit=50)

    assert len(body["items"]) == 10
    assert (body["count"], body["count_is_exact"]) == (10, False)


# With a trusted estimate of 0, every search takes the path of "far more than it ranks".
@pytest.mark.parametrize(("query", "names"), [("kopi", ["Kopi Aceh", "Warung Kopi"]), ("zzz", [])])
def test_a_search_the_statistics_overrate_lists_every_match_and_counts_them_exactly(
    client_of, officer_32, monkeypatch, query, names
):
    monkeypatch.setattr(keyset, "TRUSTED_ESTIMATE", 0)
    for name in ("Warung Kopi", "Kopi Aceh", "Toko Roti"):
        make_enterprise(name, village=DAYEUHKOLOT)

    body = get(client_of(officer_32), "/enterprises", q=query)

    assert sorted(item["name"] for item in body["items"]) == names
    assert (body["count"], body["count_is_exact"]) == (len(names), True)


def test_an_api_key_needs_no_session_and_costs_a_constant_number_of_queries(
    client, batch, office_32, query_count
):
    _key, secret = account_services.issue_api_key(
        organisation=office_32, label="integrasi", by=account_services.system_actor()
    )
    headers = {"Authorization": f"Bearer {secret}"}

    with query_count() as queries:
        response = client.get(f"{API}/enterprises", headers=headers)

    assert [item["name"] for item in response.json()["items"]] == ["Toko Maju", "Warung Sari"]
    # the lockout (wrong keys per key prefix and per address), the key, its last use, rows, KBLI
    # codes (one page: its rows are the count)
    assert len(queries) == 6


def test_callers_without_a_key_or_session_are_refused(client, batch):
    body = get(client, "/enterprises", status=401)

    assert body == {
        "code": "unauthenticated",
        "detail": "Sign in, or send an API key: Authorization: Bearer <key>.",
    }


def test_a_role_that_may_not_import_is_forbidden(client_of, office_32, batch):
    mentor = make_user(organisation=office_32, role=Membership.Role.MENTOR)

    body = get(client_of(mentor), "/enterprises", status=403)

    with translation.override("id"):  # the API speaks Bahasa Indonesia unless asked otherwise
        assert body == {"code": "forbidden", "detail": str(Capability.IMPORT_BUSINESSES.label)}


def test_a_revoked_key_is_refused(client, office_32):
    key, secret = account_services.issue_api_key(
        organisation=office_32, label="lama", by=account_services.system_actor()
    )
    account_services.revoke_api_key(api_key=key, by=account_services.system_actor())

    response = client.get(f"{API}/enterprises", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 401


def test_unknown_records_answer_404(client_of, officer_32):
    client = client_of(officer_32)

    assert get(client, "/enterprises/tidakada1234", status=404) == {
        "code": "not_found",
        "detail": "No business 'tidakada1234' in your regions.",
    }
    assert get(client, "/imports/tidakada1234", status=404) == {
        "code": "not_found",
        "detail": "No import 'tidakada1234' of your organisation or regions.",
    }


def test_another_provinces_business_is_404_for_the_api(client_of, officer_32, tmp_path):
    import_rows(tmp_path, partner("53"), [row("Kios Kupang", village=NAMOSAIN)], name="ntt.csv")
    kupang = Enterprise.objects.get(name="Kios Kupang")

    assert get(client_of(officer_32), f"/enterprises/{kupang.public_id}", status=404)["code"] == (
        "not_found"
    )


def test_a_business_and_an_import_cost_a_constant_number_of_queries(
    client_of, officer_32, batch, query_count
):
    client = client_of(officer_32)
    sari = Enterprise.objects.get(name="Warung Sari")
    client.get(f"{API}/enterprises/{sari.public_id}")

    with query_count() as business:
        get(client, f"/enterprises/{sari.public_id}")
    with query_count() as status:
        get(client, f"/imports/{batch.public_id}")

    # session, user, capability, scope, the business with its place, owners, codes, journey,
    # rows (with their organisations and files)
    assert len(business) == 9
    # session, user, capability, import access, scope, the import
    assert len(status) == 6


def test_every_operation_declares_its_errors_with_the_one_error_body():
    from tumbuh.api import api

    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    paths = api.get_openapi_schema()["paths"]
    operations = [
        operation
        for path, methods in paths.items()
        if path.startswith(API)
        for operation in methods.values()
    ]
    assert len(operations) == 3
    for operation in operations:
        errors = {
            code: answer for code, answer in operation["responses"].items() if int(code) >= 400
        }
        assert {401, 403} <= {int(code) for code in errors}, operation["operationId"]
        assert all(answer["content"] == error for answer in errors.values())
