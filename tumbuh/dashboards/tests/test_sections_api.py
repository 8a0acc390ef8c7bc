"""The sections beyond onboarding through the API (``/api/v1/stats/<area>``) and the console's
downloads of their tables: exact figures from ``SectionFigure``, scoped like the dashboards.

The facts are made through the apps' own paths (the shared ``scenarios``), then the worker's
recomputation runs once; every answer is compared whole.
"""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership, Organisation
from tumbuh.conftest import make_organisation
from tumbuh.dashboards import sections
from tumbuh.dashboards.models import RollupClock
from tumbuh.dashboards.tests.scenarios import (
    connectivity_scenario,
    flagship_scenario,
    monthly_scenario,
    partners_scenario,
    ready_plan,
    stores_scenario,
)
from tumbuh.regions.models import Village
from tumbuh.registry.models import Milestone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1/stats"
NATIONAL = {"code": "ID", "name": "National", "level": "national"}
JAWA_BARAT = {"code": "32", "name": "Jawa Barat", "level": "province"}
BANDUNG = {"code": "32.04", "name": "Kabupaten Bandung", "level": "regency"}


def as_of(body, area: str) -> None:
    """The answer's as_of is the section's clock; removed from ``body`` for exact comparisons."""
    answered = datetime.datetime.fromisoformat(body.pop("as_of").replace("Z", "+00:00"))
    clock = RollupClock.objects.get(name=f"{sections.CLOCK_PREFIX}{area}").as_of
    assert answered == clock.replace(microsecond=clock.microsecond // 1000 * 1000)  # JSON: ms


def figure(measure, dimension, label, value, unit="count") -> dict:
    return {
        "measure": measure,
        "dimension": dimension,
        "label": label,
        "value": value,
        "unit": unit,
    }


def month(measure, value, cumulative, unit="count", *, start: str | None = None) -> dict:
    """A month of a series as the API answers it (this month unless ``start``, "YYYY-MM-DD")."""
    return {
        "month": start or timezone.localdate().replace(day=1).isoformat(),
        "measure": measure,
        "value": value,
        "cumulative": cumulative,
        "unit": unit,
    }


# --- the API ----------------------------------------------------------------------------------


PARTNERS_NOTE = (
    "After the areas: the 10 partners with the most enrolments, each in the area where it runs "
    "cohorts (its quota: its share of the area's quota)."
)


def test_the_flagship_programme_of_the_country(client_of, national_admin):
    programme, bandung, kupang, partners = flagship_scenario()
    west, east, spare = (str(partner.pk) for partner in partners)
    sections.refresh_sections()

    response = client_of(national_admin).get(f"{API}/programme")

    assert response.status_code == 200
    body = response.json()
    as_of(body, "programme")
    in_bandung = f"{west}:{bandung.slug}"
    in_kupang = f"{east}:{kupang.slug}"
    spare_in_bandung = f"{spare}:{bandung.slug}"
    assert body == {
        "area": "programme",
        "region": NATIONAL,
        "figures": sorted(
            [
                figure("completed", bandung.slug, "Kawasan Bandung", 1),
                figure("completed", kupang.slug, "Kawasan Kupang", 0),
                figure("enrolled", bandung.slug, "Kawasan Bandung", 3),
                figure("enrolled", kupang.slug, "Kawasan Kupang", 1),
                figure("partner_completed", in_bandung, "Mitra Bandung · Kawasan Bandung", 1),
                figure("partner_completed", in_kupang, "Mitra Timur · Kawasan Kupang", 0),
                figure("partner_enrolled", in_bandung, "Mitra Bandung · Kawasan Bandung", 3),
                figure("partner_enrolled", in_kupang, "Mitra Timur · Kawasan Kupang", 1),
                figure("partner_quota", in_bandung, "Mitra Bandung · Kawasan Bandung", 120),
                figure("partner_quota", spare_in_bandung, "Mitra Cadangan · Kawasan Bandung", 30),
                figure("partner_quota", in_kupang, "Mitra Timur · Kawasan Kupang", 60),
                figure("programme", programme.public_id, "Program Unggulan", 30_000),
                figure("quota", bandung.slug, "Kawasan Bandung", 200),
                figure("quota", kupang.slug, "Kawasan Kupang", 100),
            ],
            key=lambda item: (item["measure"], item["dimension"]),
        ),
        "columns": ["Priority area", "Quota", "Enrolled", "Completed", "% of quota"],
        "rows": [
            {"label": "Kawasan Bandung", "values": [200, 3, 1, 1.5]},
            {"label": "Kawasan Kupang", "values": [100, 1, 0, 1.0]},
            {"label": "All areas", "values": [300, 4, 1, 1.3]},
            {"label": "Mitra Bandung · Kawasan Bandung", "values": [120, 3, 1, 2.5]},
            {"label": "Mitra Timur · Kawasan Kupang", "values": [60, 1, 0, 1.7]},
            {"label": "Mitra Cadangan · Kawasan Bandung", "values": [30, 0, 0, 0.0]},
        ],
        "note": PARTNERS_NOTE,
        # Everything happened this month (the completion without a stamp: when it last changed).
        "series": [month("enrolled", 4, 4), month("completed", 1, 1)],
    }


def test_the_programme_of_a_province_for_its_officer(client_of, officer_32):
    _programme, bandung, _kupang, (west, _east, _spare) = flagship_scenario()
    sections.refresh_sections()

    body = client_of(officer_32).get(f"{API}/programme", {"region": "32"}).json()

    as_of(body, "programme")
    in_bandung = f"{west.pk}:{bandung.slug}"
    assert body == {
        "area": "programme",
        "region": JAWA_BARAT,
        "figures": [
            figure("completed", bandung.slug, "Kawasan Bandung", 1),
            figure("enrolled", bandung.slug, "Kawasan Bandung", 3),
            figure("partner_completed", in_bandung, "Mitra Bandung · Kawasan Bandung", 1),
            figure("partner_enrolled", in_bandung, "Mitra Bandung · Kawasan Bandung", 3),
        ],
        "columns": ["Priority area", "Enrolled", "Completed"],
        "rows": [
            {"label": "Kawasan Bandung", "values": [3, 1]},
            {"label": "All areas", "values": [3, 1]},
            {"label": "Mitra Bandung · Kawasan Bandung", "values": [3, 1]},
        ],
        "note": "Quotas are set for whole priority areas: see the national dashboard. "
        + PARTNERS_NOTE,
        "series": [month("enrolled", 3, 3), month("completed", 1, 1)],
    }


def test_stores_of_a_regency_in_rupiah(client_of, national_admin):
    stores_scenario()
    sections.refresh_sections()

    body = client_of(national_admin).get(f"{API}/stores", {"region": "32.04"}).json()

    as_of(body, "stores")
    assert body == {
        "area": "stores",
        "region": BANDUNG,
        "figures": [
            figure("orders", "", "", 3),
            figure("orders_paid", "", "", 1),
            figure("paid_value", "", "", 15_000, "idr"),
            figure("paid_value_3t", "", "", 0, "idr"),
            figure("paid_value_bumdes", "", "", 0, "idr"),
            figure("products_listed", "", "", 2),
            figure("stores_live", "", "", 1),
        ],
        "columns": ["", "Value"],
        "rows": [
            {"label": "Live stores", "values": [1]},
            {"label": "Products in the BBI catalogue", "values": [2]},
            {"label": "Orders placed", "values": [3]},
            {"label": "Orders paid", "values": [1]},
            {"label": "Paid value", "values": [15_000]},
            {"label": "Share of paid value from 3T regions", "values": [0.0]},
            {"label": "Share of paid value from BumDes", "values": [0.0]},
        ],
        "note": "",
        "series": [month("orders_paid", 1, 1), month("paid_value", 15_000, 15_000, "idr")],
    }


def test_the_monthly_series_of_the_country_and_of_a_regency(
    client_of, national_admin, officer_32, officer_53
):
    monthly_scenario(officer_32=officer_32, officer_53=officer_53, planner=national_admin)
    sections.refresh_sections()
    client = client_of(national_admin)

    stores = client.get(f"{API}/stores").json()
    programme = client.get(f"{API}/programme", {"region": "32.04"}).json()
    capability = client.get(f"{API}/capability").json()

    assert stores["series"] == [
        month("orders_paid", 1, 1, start="2026-01-01"),
        month("orders_paid", 2, 3, start="2026-02-01"),
        month("paid_value", 15_000, 15_000, "idr", start="2026-01-01"),
        month("paid_value", 55_000, 70_000, "idr", start="2026-02-01"),
    ]
    # Every month from the regency's first to its last, the months between filled.
    assert programme["series"] == [
        month("enrolled", 1, 1, start="2026-01-01"),
        month("enrolled", 1, 2, start="2026-02-01"),
        month("enrolled", 0, 2, start="2026-03-01"),
        month("enrolled", 0, 2, start="2026-04-01"),
        month("completed", 0, 0, start="2026-01-01"),
        month("completed", 0, 0, start="2026-02-01"),
        month("completed", 0, 0, start="2026-03-01"),
        month("completed", 1, 1, start="2026-04-01"),
    ]
    assert capability["series"] == []  # a stock, without a series


def test_the_partners_scorecard_names_the_partners(client_of, national_admin, tmp_path):
    first, second = partners_scenario(tmp_path)
    sections.refresh_sections()
    client = client_of(national_admin)

    body = client.get(f"{API}/partners").json()

    as_of(body, "partners")
    one, two = str(first.pk), str(second.pk)
    assert body["figures"] == [
        figure("businesses", one, "Mitra Pertama", 3),
        figure("businesses", two, "Mitra Kedua", 2),
        figure("carried", f"{one}:registered", "Mitra Pertama · registered", 3),
        figure("carried", f"{one}:trained", "Mitra Pertama · trained", 1),
        figure("carried", f"{two}:registered", "Mitra Kedua · registered", 2),
        figure("carried", f"{two}:trained", "Mitra Kedua · trained", 1),
        figure("duplicates", one, "Mitra Pertama", 1),  # Batik Sari Dua, merged later
        figure("duplicates", two, "Mitra Kedua", 1),  # Keripik Maju, matched at import
    ]
    kinds = [str(kind.label) for kind in Milestone.Kind if kind != Milestone.Kind.REGISTERED]
    assert body["columns"] == ["Partner", "Businesses brought", *kinds, "Duplicates sent"]
    assert body["rows"] == [
        {"label": "Mitra Pertama", "values": [3, 0, 1, 0, 0, 0, 0, 0, 1]},
        {"label": "Mitra Kedua", "values": [2, 0, 1, 0, 0, 0, 0, 0, 1]},
    ]
    in_ntt = client.get(f"{API}/partners", {"region": "53"}).json()
    assert in_ntt["figures"] == [
        figure("businesses", one, "Mitra Pertama", 1),
        figure("carried", f"{one}:registered", "Mitra Pertama · registered", 1),
    ]
    below = client.get(f"{API}/partners", {"region": "32.04"})
    assert below.status_code == 422
    assert below.json() == {
        "code": "invalid",
        "detail": "The partners' scorecard is kept for the country and the provinces.",
    }


def test_connectivity_of_the_country_per_province_and_against_the_plan(client_of, national_admin):
    first, second, _third, _far = connectivity_scenario()
    plan = ready_plan("Rencana Uji", [first.code, second.code])
    sections.refresh_sections()
    client = client_of(national_admin)

    body = client.get(f"{API}/connectivity").json()

    as_of(body, "connectivity")
    counts = {
        code: Village.objects.filter(code__startswith=code).count() for code in ("32", "53", "91")
    }
    total = sum(counts.values())
    assert body["columns"] == ["Province", "Villages", "Backbone within reach", "Middle mile",
                               "Last mile", "Without 4G", "BTS sites on air"]  # fmt: skip
    assert body["rows"] == [
        {"label": "Jawa Barat", "values": [counts["32"], 0, 0, 0, counts["32"], 0]},
        {"label": "Nusa Tenggara Timur", "values": [counts["53"], 3, 2, 3, counts["53"] - 2, 2]},
        {"label": "Papua", "values": [counts["91"], 0, 0, 0, counts["91"], 0]},
        {"label": "All provinces", "values": [total, 3, 2, 3, total - 2, 2]},
    ]
    # The figures are the country's own; the plan's picks are labelled with the plan's name.
    assert [item for item in body["figures"] if item["measure"].startswith("plan")] == [
        figure("plan_picks", plan.public_id, "Rencana Uji", 2)
    ]
    assert {item["measure"] for item in body["figures"]} == {
        "businesses_waiting", "plan_picks", "sites", "villages", "villages_backbone",
        "villages_last_mile", "villages_middle_mile", "villages_signal", "villages_without_4g",
    }  # fmt: skip
    in_kupang = client.get(f"{API}/connectivity", {"region": "53.71"}).json()
    assert in_kupang["columns"] == ["", "Villages", "Share"]
    assert in_kupang["rows"][0]["label"] == "Backbone within reach (fibre point of presence)"
    downloaded = rows_of(download(client, "ID", "connectivity"))
    assert downloaded[0] == body["columns"]
    assert downloaded[2] == ["Nusa Tenggara Timur", *map(str, body["rows"][1]["values"])]
    assert len(downloaded) == 5


def test_a_section_never_computed_answers_without_figures(client_of, national_admin):
    from django.core.cache import cache

    cache.add(sections.ENQUEUED_KEY, "queued", 300)  # a refresh is queued, not yet run

    body = client_of(national_admin).get(f"{API}/capability").json()

    assert body["as_of"] is None
    assert body["figures"] == []
    assert [row["values"] for row in body["rows"]] == [[0, None]] * 5
    cache.delete(sections.ENQUEUED_KEY)


@pytest.mark.parametrize("region", ["53", "53.71", "99", "32.99"])
def test_a_region_outside_the_scope_is_not_found(client_of, officer_32, region):
    response = client_of(officer_32).get(f"{API}/licensing", {"region": region})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_area_or_a_district_is_invalid(client_of, national_admin):
    client = client_of(national_admin)

    unknown = client.get(f"{API}/weather")
    district = client.get(f"{API}/stores", {"region": "32.04.12"})

    assert (unknown.status_code, unknown.json()["code"]) == (422, "invalid")
    assert (district.status_code, district.json()["code"]) == (422, "invalid")


def test_who_may_ask(client, client_of, mentor_32):
    assert client.get(f"{API}/stores").status_code == 401
    response = client_of(mentor_32).get(f"{API}/stores", {"region": "32"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_an_api_key_of_a_partner_may_not_ask(client):
    partner = make_organisation(kind=Organisation.Kind.MARKETPLACE, region_code="", name="Pasar")
    _key, secret = account_services.issue_api_key(
        organisation=partner,
        label="pasar",
        role=Membership.Role.OFFICER,
        by=account_services.system_actor(),
    )

    response = client.get(f"{API}/partners", headers={"Authorization": f"Bearer {secret}"})

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_an_api_key_of_a_provincial_office_sees_its_province(client, office_53):
    flagship_scenario()
    sections.refresh_sections()
    _key, secret = account_services.issue_api_key(
        organisation=office_53,
        label="dasbor",
        role=Membership.Role.OFFICER,
        by=account_services.system_actor(),
    )
    headers = {"Authorization": f"Bearer {secret}"}

    body = client.get(f"{API}/programme", {"region": "53"}, headers=headers).json()

    assert body["rows"] == [
        {"label": "Kawasan Kupang", "values": [1, 0]},
        {"label": "All areas", "values": [1, 0]},
        {"label": "Mitra Timur · Kawasan Kupang", "values": [1, 0]},
    ]
    refused = client.get(f"{API}/programme", {"region": "32"}, headers=headers)
    assert refused.status_code == 404


# The session, the user, their memberships, the region, the clocks, the figures and the monthly
# series (none for the stocks: capability, partners); then the names: of the priority areas and
# the programme's partners (for the table and the labels) and of the programme (for the
# labels), of the scorecard's partners (the same).
QUERIES = {"programme": 12, "capability": 6, "partners": 8, "supply": 6}


def test_a_call_runs_a_fixed_number_of_queries(
    client_of, national_admin, tmp_path, django_assert_num_queries
):
    partners_scenario(tmp_path)
    flagship_scenario()
    sections.refresh_sections()
    client = client_of(national_admin)
    for area in sections.SECTIONS:
        with django_assert_num_queries(QUERIES.get(area, 7)):
            assert client.get(f"{API}/{area}", {"region": "32"}).status_code == 200


def test_the_openapi_lists_the_areas(client):
    schema = client.get("/api/v1/openapi.json").json()

    parameters = schema["paths"]["/api/v1/stats/{area}"]["get"]["parameters"]
    area = next(parameter for parameter in parameters if parameter["name"] == "area")
    enum = area["schema"].get("enum") or schema["components"]["schemas"]["Area"]["enum"]
    assert enum == list(sections.SECTIONS)


# --- the console's downloads ------------------------------------------------------------------


def download(client, code: str, table: str, fmt: str = "csv"):
    return client.get(f"/konsol/dasbor/wilayah/{code}/unduh/{table}.{fmt}")


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_section_table_downloads_as_csv_and_xlsx(client_of, national_admin):
    import openpyxl

    flagship_scenario()
    sections.refresh_sections()
    client = client_of(national_admin)

    response = download(client, "ID", "programme")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dasbor-ID-programme.csv"'
    assert rows_of(response) == [
        ["Priority area", "Quota", "Enrolled", "Completed", "% of quota"],
        ["Kawasan Bandung", "200", "3", "1", "1.5"],
        ["Kawasan Kupang", "100", "1", "0", "1.0"],
        ["All areas", "300", "4", "1", "1.3"],
        ["Mitra Bandung · Kawasan Bandung", "120", "3", "1", "2.5"],
        ["Mitra Timur · Kawasan Kupang", "60", "1", "0", "1.7"],
        ["Mitra Cadangan · Kawasan Bandung", "30", "0", "0", "0.0"],
    ]
    workbook = download(client, "32", "programme", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet.title == "Flagship programme by priority "  # cut to Excel's 31 characters
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Priority area", "Enrolled", "Completed"],
        ["Kawasan Bandung", 3, 1],
        ["All areas", 3, 1],
        ["Mitra Bandung · Kawasan Bandung", 3, 1],
    ]


def test_the_region_page_links_every_section_table(client_of, officer_32, tmp_path):
    flagship_scenario()
    partners_scenario(tmp_path)
    sections.refresh_sections()

    page = client_of(officer_32).get("/konsol/dasbor/wilayah/32/").content.decode()

    for key in sections.SECTIONS:
        for fmt in ("csv", "xlsx"):
            assert f'href="/konsol/dasbor/wilayah/32/unduh/{key}.{fmt}"' in page


def test_a_section_download_outside_the_scope_or_unknown_is_not_found(client_of, officer_32):
    sections.refresh_sections()
    client = client_of(officer_32)

    assert download(client, "53", "programme").status_code == 404
    assert download(client, "32", "weather").status_code == 404
    assert download(client, "32.04", "partners").status_code == 404  # kept down to provinces
    assert download(client, "32.04", "connectivity").status_code == 200


def test_a_section_series_downloads_as_its_months(
    client_of, national_admin, officer_32, officer_53
):
    import openpyxl

    monthly_scenario(officer_32=officer_32, officer_53=officer_53, planner=national_admin)
    sections.refresh_sections()
    client = client_of(national_admin)

    response = download(client, "ID", "stores-bulanan")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dasbor-ID-stores-bulanan.csv"'
    assert rows_of(response) == [
        [
            "Month",
            "Orders paid",
            "Orders paid (cumulative)",
            "Paid value",
            "Paid value (cumulative)",
        ],
        ["2026-01", "1", "1", "15000", "15000"],
        ["2026-02", "2", "3", "55000", "70000"],
    ]
    sheet = openpyxl.load_workbook(
        io.BytesIO(download(client, "ID", "stores-bulanan", "xlsx").content)
    ).active
    assert list(sheet.iter_rows(values_only=True))[1] == ("2026-01", 1, 1, 15000, 15000)
    page = client.get("/konsol/dasbor/").content.decode()
    assert 'href="/konsol/dasbor/wilayah/ID/unduh/stores-bulanan.csv"' in page
    # A stock has no months; neither has a region where nothing happened.
    assert download(client, "ID", "capability-bulanan").status_code == 404
    assert download(client, "ID", "weather-bulanan").status_code == 404
