"""The stats API: exact figures from the rollups, scoped like the dashboards, one error shape."""

import datetime

import pytest

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership, Organisation
from tumbuh.conftest import make_organisation
from tumbuh.dashboards import rollups
from tumbuh.dashboards.models import RollupClock
from tumbuh.dashboards.tests.test_console import build_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/onboarding"


@pytest.fixture
def world(national_admin):
    return build_world(national_admin)


def as_of(body) -> None:
    """The answer's as_of is the rollups' clock; removed from ``body`` for exact comparisons."""
    answered = datetime.datetime.fromisoformat(body.pop("as_of").replace("Z", "+00:00"))
    clock = RollupClock.objects.get(name=rollups.CLOCK).as_of
    assert answered == clock.replace(microsecond=clock.microsecond // 1000 * 1000)  # JSON: ms


def test_the_national_figures_with_target_and_children(client_of, national_admin, world):
    response = client_of(national_admin).get(URL, {"milestone": "store_live"})

    assert response.status_code == 200
    body = response.json()
    as_of(body)
    assert body == {
        "region": {"code": "ID", "name": "Nasional", "level": "national"},
        "milestone": "store_live",
        "count": 3,
        "count_3t": 1,
        "target": 60,
        "target_year": world,
        "progress": 0.05,
        "children": [
            {"code": "32", "name": "Jawa Barat", "count": 2, "target": 10},
            {"code": "53", "name": "Nusa Tenggara Timur", "count": 0, "target": None},
            {"code": "91", "name": "Papua", "count": 1, "target": None},
        ],
    }


def test_businesses_of_a_province_for_its_officer(client_of, officer_32, world):
    body = client_of(officer_32).get(URL, {"region": "32"}).json()

    as_of(body)
    children = body.pop("children")
    assert body == {
        "region": {"code": "32", "name": "Jawa Barat", "level": "province"},
        "milestone": "businesses",
        "count": 2,
        "count_3t": 0,
        "target": None,
        "target_year": None,
        "progress": None,
    }
    assert len(children) == 27
    assert [c for c in children if c["count"]] == [
        {"code": "32.04", "name": "Kabupaten Bandung", "count": 2, "target": None}
    ]


@pytest.mark.parametrize("region", ["53", "53.71", "ID", "99", "32.99"])
def test_a_region_outside_the_scope_is_not_found(client_of, officer_32, world, region):
    response = client_of(officer_32).get(URL, {"region": region})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_milestone_is_refused(english, client_of, national_admin, world):
    response = client_of(national_admin).get(URL, {"milestone": "famous"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "detail": "Unknown milestone: famous",
        "reason": "unknown_milestone",
        "field": "milestone",
    }


def test_a_malformed_region_is_invalid(client_of, national_admin, world):
    response = client_of(national_admin).get(URL, {"region": "Jawa"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_who_may_ask(client, client_of, mentor_32, world):
    assert client.get(URL).status_code == 401
    response = client_of(mentor_32).get(URL, {"region": "32"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_an_api_key_of_a_provincial_office_sees_its_province(client, office_53, world):
    _key, secret = account_services.issue_api_key(
        organisation=office_53,
        label="dasbor",
        role=Membership.Role.OFFICER,
        by=account_services.system_actor(),
    )
    headers = {"Authorization": f"Bearer {secret}"}

    body = client.get(URL, {"region": "53"}, headers=headers).json()
    assert (body["region"]["code"], body["count"], len(body["children"])) == ("53", 1, 22)
    assert client.get(URL, {"region": "32"}, headers=headers).status_code == 404


def test_an_api_key_of_a_partner_may_not_ask(client, world):
    partner = make_organisation(kind=Organisation.Kind.MARKETPLACE, region_code="", name="Pasar")
    _key, secret = account_services.issue_api_key(
        organisation=partner,
        label="pasar",
        role=Membership.Role.OFFICER,
        by=account_services.system_actor(),
    )
    response = client.get(URL, headers={"Authorization": f"Bearer {secret}"})
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_the_weekly_series(client_of, national_admin, world):
    response = client_of(national_admin).get(
        f"{URL}/series", {"region": "ID", "milestone": "store_live", "period": "week"}
    )

    body = response.json()
    as_of(body)
    assert body == {
        "region": {"code": "ID", "name": "Nasional", "level": "national"},
        "milestone": "store_live",
        "period": "week",
        "points": [
            {"start": "2026-03-02", "new": 2, "cumulative": 2},
            {"start": "2026-03-09", "new": 0, "cumulative": 2},
            {"start": "2026-03-16", "new": 1, "cumulative": 3},
        ],
    }
    monthly = client_of(national_admin).get(
        f"{URL}/series", {"region": "32.04", "milestone": "store_live", "period": "month"}
    )
    assert monthly.json()["points"] == [{"start": "2026-03-01", "new": 2, "cumulative": 2}]
    weekly = client_of(national_admin).get(f"{URL}/series", {"region": "32.04", "period": "week"})
    assert (weekly.status_code, weekly.json()["code"]) == (422, "invalid")


def test_a_call_runs_a_bounded_number_of_queries(
    client_of, national_admin, world, django_assert_max_num_queries
):
    client = client_of(national_admin)
    rollups.apply_changes()
    for region in ("ID", "32", "32.04"):
        with django_assert_max_num_queries(10):
            assert client.get(URL, {"region": region}).status_code == 200
