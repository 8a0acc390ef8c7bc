"""The capability console: levels by region (deduplicated, scoped), history, the mentor's page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.capability import services
from tumbuh.capability.models import Assessment
from tumbuh.capability.tests.conftest import HIGHEST, LOWEST, MIXED, assess
from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise
from tumbuh.registry.services import merge_enterprises


@pytest.fixture
def landscape(instrument):
    """Jawa Barat: one business at level 5 (was 1), one at 3, one merged duplicate, one never
    assessed; NTT: one at level 1."""
    rising = make_enterprise("Naik Kelas", village=DAYEUHKOLOT)
    assess(instrument, rising, LOWEST, days_ago=60)
    assess(instrument, rising, HIGHEST, days_ago=1)
    middle = make_enterprise("Tengah", village=DAYEUHKOLOT)
    duplicate = make_enterprise("Tengah (dobel)", village=DAYEUHKOLOT)
    assess(instrument, duplicate, MIXED, days_ago=2)
    merge_enterprises(keep=middle, drop=duplicate, by=system_actor())
    make_enterprise("Belum", village=DAYEUHKOLOT)
    eastern = make_enterprise("Timur", village=NAMOSAIN)
    assess(instrument, eastern, LOWEST, days_ago=3)
    return {"rising": rising, "middle": middle, "eastern": eastern}


def _rows(response):
    return {
        area.code: (area.level_counts(), area.not_assessed) for area in response.context["areas"]
    }


def test_national_admin_sees_deduplicated_levels_per_province(client_of, national_admin, landscape):
    response = client_of(national_admin).get(reverse("capability:console-home"))
    assert response.status_code == 200
    assert _rows(response) == {"32": ([0, 0, 1, 0, 1], 1), "53": ([1, 0, 0, 0, 0], 0)}
    assert response.context["totals"].businesses == 4
    # The map: Jawa Barat 1 of 2 assessed at level 3+, NTT 0 of 1; links drill down.
    body = response.content.decode()
    assert "<svg" in body
    assert 'href="/konsol/kecakapan/?region=32"' in body


def test_levels_as_of_a_past_date(client_of, national_admin, landscape):
    day = (timezone.now() - timedelta(days=30)).date().isoformat()
    response = client_of(national_admin).get(reverse("capability:console-home"), {"as_of": day})
    assert _rows(response)["32"] == ([1, 0, 0, 0, 0], 2)


def test_officer_sees_only_their_province_and_drills_down(client_of, officer_32, landscape):
    client = client_of(officer_32)
    response = client.get(reverse("capability:console-home"))
    assert _rows(response) == {"32": ([0, 0, 1, 0, 1], 1)}
    regencies = client.get(reverse("capability:console-home"), {"region": "32"})
    assert _rows(regencies) == {"32.04": ([0, 0, 1, 0, 1], 1)}
    assert {a.enterprise.name for a in regencies.context["page"]} == {
        "Naik Kelas",
        "Tengah (dobel)",
    }
    outside = client.get(reverse("capability:console-home"), {"region": "53"})
    assert _rows(outside) == {}
    assert list(outside.context["page"]) == []


def test_console_home_query_count_does_not_grow_with_businesses(
    client_of, national_admin, landscape, query_count, instrument
):
    client = client_of(national_admin)
    with query_count() as first:
        client.get(reverse("capability:console-home"))
    for number in range(5):
        assess(instrument, make_enterprise(f"Baru {number}", village=NAMOSAIN), MIXED)
    with query_count() as second:
        client.get(reverse("capability:console-home"))
    assert len(second) == len(first)


def test_bad_filter_is_explained(client_of, national_admin, landscape):
    response = client_of(national_admin).get(reverse("capability:console-home"), {"region": "3"})
    assert response.status_code == 200
    assert response.context["form"].errors["region"]


def test_console_needs_a_programme_or_mentor_role(client, client_of, seller, landscape):
    assert client.get(reverse("capability:console-home")).status_code == 302
    assert client_of(seller).get(reverse("capability:console-home")).status_code == 403


def test_history_of_a_business_and_scope(client_of, officer_32, officer_53, landscape):
    rising = landscape["rising"]
    url = reverse("capability:enterprise", args=[rising.public_id])
    response = client_of(officer_32).get(url)
    assert response.status_code == 200
    assert [a.level for a in response.context["history"]] == [5, 1]
    assert client_of(officer_53).get(url).status_code == 404


def test_the_registry_record_is_linked_only_for_those_who_may_open_it(
    client_of, officer_32, mentor_32, landscape
):
    rising = landscape["rising"]
    url = reverse("capability:enterprise", args=[rising.public_id])
    record = f'href="{rising.get_absolute_url()}"'

    assert record in client_of(officer_32).get(url).text
    assert client_of(officer_32).get(rising.get_absolute_url()).status_code == 200
    mentor = client_of(mentor_32)
    assert mentor.get(url).status_code == 200
    assert record not in mentor.get(url).text
    assert mentor.get(rising.get_absolute_url()).status_code == 403


def test_merged_record_shows_the_history_of_its_business(client_of, officer_32, landscape):
    middle = landscape["middle"]
    response = client_of(officer_32).get(reverse("capability:enterprise", args=[middle.public_id]))
    assert [a.level for a in response.context["history"]] == [3]


def test_mentor_administers_an_assessment(client_of, mentor_32, landscape):
    enterprise = landscape["middle"]
    client = client_of(mentor_32)
    url = reverse("capability:administer", args=[enterprise.public_id])
    assert client.get(url).status_code == 200
    data = {f"q_{key}": option for key, option in HIGHEST.items()}
    response = client.post(url, data)
    assert response.url == reverse("capability:enterprise", args=[enterprise.public_id])
    latest = services.latest_assessment(enterprise)
    assert (latest.mode, latest.level, latest.recorded_by) == ("mentor", 5, mentor_32)


def test_mentor_form_with_a_missing_answer_records_nothing(client_of, mentor_32, landscape):
    enterprise = landscape["middle"]
    before = Assessment.objects.count()
    data = {f"q_{key}": option for key, option in HIGHEST.items() if key != "safety_otp"}
    response = client_of(mentor_32).post(
        reverse("capability:administer", args=[enterprise.public_id]), data
    )
    assert response.status_code == 422
    assert response.context["form"].errors["q_safety_otp"]
    assert Assessment.objects.count() == before


def test_mentor_cannot_assess_outside_their_region(client_of, mentor_32, landscape):
    url = reverse("capability:administer", args=[landscape["eastern"].public_id])
    assert client_of(mentor_32).get(url).status_code == 404


def test_htmx_filter_gets_only_the_results_fragment(client_of, national_admin, landscape):
    response = client_of(national_admin).get(
        reverse("capability:console-home"), {"level": "5"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "Naik Kelas" in body
    assert "Tengah (dobel)" not in body


def only_middle(user, enterprise) -> bool:
    """A caseload check for the test below: the mentor's caseload is the "middle" business."""
    return enterprise.name == "Tengah"


def test_a_listed_caseload_check_limits_what_a_mentor_assesses(
    client_of, mentor_32, officer_32, landscape, settings
):
    middle, rising = landscape["middle"], landscape["rising"]
    settings.CASELOAD_CHECKS = ["tumbuh.capability.tests.test_console.only_middle"]

    client = client_of(mentor_32)
    assert client.get(reverse("capability:administer", args=[middle.public_id])).status_code == 200
    before = services.assessments_of(rising).count()
    refused = client.post(
        reverse("capability:administer", args=[rising.public_id]),
        {f"q_{key}": option for key, option in HIGHEST.items()},
    )
    assert refused.status_code == 403
    assert services.assessments_of(rising).count() == before
    page = client.get(reverse("capability:enterprise", args=[rising.public_id]))
    assert page.context["may_assess"] is False
    # Programme staff are not limited by caseloads.
    staff = client_of(officer_32)
    assert staff.get(reverse("capability:administer", args=[rising.public_id])).status_code == 200


def test_with_no_caseload_check_listed_a_mentor_assesses_nobody(
    client_of, mentor_32, officer_32, landscape, settings
):
    settings.CASELOAD_CHECKS = []
    middle = landscape["middle"]
    url = reverse("capability:administer", args=[middle.public_id])

    assert client_of(mentor_32).get(url).status_code == 403
    assert client_of(officer_32).get(url).status_code == 200
