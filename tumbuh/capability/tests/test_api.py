"""The capability API: instrument, idempotent submission, levels of a business and of regions."""

import pytest

from tumbuh.accounts.models import Membership
from tumbuh.accounts.services import issue_api_key, system_actor
from tumbuh.capability.models import Assessment
from tumbuh.capability.tests.conftest import HIGHEST, LOWEST, MIXED
from tumbuh.conftest import NAMOSAIN, make_enterprise, make_owner
from tumbuh.core.models import AuditEvent

BASE = "/api/v1/capability"


@pytest.fixture
def business(instrument):
    return make_enterprise("Kopi Dayeuhkolot")


def _post(client, body, **headers):
    return client.post(
        f"{BASE}/assessments", body, content_type="application/json", headers=headers
    )


def test_instrument_lists_pillars_questions_and_options(client_of, officer_32, instrument):
    body = client_of(officer_32).get(f"{BASE}/instrument").json()
    assert body["version"] == 1
    assert len(body["pillars"]) == 9
    assert len(body["questions"]) == 18
    first = body["questions"][0]
    assert first["key"] == "skills_smartphone"
    assert first["pillar"] == "digital_skills"
    assert first["weight"] == 2
    assert [o["points"] for o in first["options"]] == [0, 1, 2, 3]


def test_anonymous_callers_are_refused(client, instrument):
    assert client.get(f"{BASE}/instrument").status_code == 401


def test_mentor_submits_once_with_an_idempotency_key(client_of, officer_32, business):
    client = client_of(officer_32)
    body = {"enterprise": business.public_id, "answers": MIXED, "mode": "mentor"}
    first = _post(client, body, **{"Idempotency-Key": "queue-42"})
    assert first.status_code == 201
    out = first.json()
    assert (out["level"], out["overall_score"], out["client_id"]) == (3, 47, "queue-42")
    assert out["pillar_scores"]["online_selling"] == 22
    replay = _post(client, {**body, "answers": HIGHEST}, **{"Idempotency-Key": "queue-42"})
    assert replay.status_code == 200
    assert replay.json()["id"] == out["id"]
    assert Assessment.objects.count() == 1


def test_refusals_name_the_reason_and_change_nothing(client_of, officer_32, business):
    client = client_of(officer_32)
    answers = {**MIXED, "skills_search_v2": "ask"}
    response = _post(client, {"enterprise": business.public_id, "answers": answers})
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "reason": "answers_invalid",
        "field": "answers",
        "detail": "skills_search_v2 bukan pertanyaan dalam instrumen versi 1.",
    }
    unknown_version = _post(
        client, {"enterprise": business.public_id, "answers": MIXED, "version": 9}
    )
    assert unknown_version.json()["detail"] == "No instrument version 9."
    assert unknown_version.json()["reason"] == "unknown_version"
    assert not Assessment.objects.exists()


def test_business_outside_the_callers_regions_is_not_found(client_of, officer_53, business):
    response = _post(client_of(officer_53), {"enterprise": business.public_id, "answers": MIXED})
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_owner_submits_a_self_assessment_but_not_for_someone_else(client_of, business):
    owner = make_owner(business)
    client = client_of(owner)
    body = {"enterprise": business.public_id, "answers": LOWEST, "mode": "self"}
    assert _post(client, body).status_code == 201
    assert _post(client, {**body, "mode": "mentor"}).status_code == 404
    other = make_enterprise("Lain", village=NAMOSAIN)
    assert _post(client, {**body, "enterprise": other.public_id}).status_code == 404
    assert Assessment.objects.get().mode == "self"


def test_staff_cannot_submit_a_self_assessment(client_of, officer_32, business):
    body = {"enterprise": business.public_id, "answers": LOWEST, "mode": "self"}
    assert _post(client_of(officer_32), body).status_code == 403


def test_api_key_of_a_mentor_role_submits_for_its_region(client, office_32, business):
    api_key, secret = issue_api_key(
        organisation=office_32, label="mentor app", role=Membership.Role.MENTOR, by=system_actor()
    )
    auth = {"Authorization": f"Bearer {secret}"}
    body = {"enterprise": business.public_id, "answers": MIXED, "client_id": "device-1-rec-9"}
    response = _post(client, body, **auth)
    assert response.status_code == 201
    assert Assessment.objects.get().recorded_by is None
    event = AuditEvent.objects.get(action="capability.assessed")
    assert event.data["via"] == f"api_key:{api_key.prefix}"
    levels = client.get(f"{BASE}/enterprises/{business.public_id}/levels", headers=auth)
    assert levels.json()["current_level"] == 3


def test_levels_of_a_business_latest_first(client_of, officer_32, business):
    client = client_of(officer_32)
    _post(
        client,
        {"enterprise": business.public_id, "answers": LOWEST, "taken_at": "2026-01-05T03:00:00Z"},
    )
    _post(
        client,
        {"enterprise": business.public_id, "answers": HIGHEST, "taken_at": "2026-06-05T03:00:00Z"},
    )
    body = client.get(f"{BASE}/enterprises/{business.public_id}/levels").json()
    assert body["current_level"] == 5
    assert [a["level"] for a in body["assessments"]] == [5, 1]
    assert set(body["assessments"][0]) == {
        "id", "enterprise", "version", "mode", "taken_at", "level", "level_name",
        "overall_score", "pillar_scores", "client_id",
    }  # fmt: skip


def test_region_levels_are_scoped(client_of, officer_32, national_admin, business):
    _post(client_of(officer_32), {"enterprise": business.public_id, "answers": HIGHEST})
    make_enterprise("Timur", village=NAMOSAIN)
    national = client_of(national_admin).get(f"{BASE}/regions/levels").json()
    assert [
        (r["code"], r["businesses"], r["not_assessed"], r["levels"]["5"]) for r in national
    ] == [
        ("32", 1, 0, 1),
        ("53", 1, 1, 0),
    ]
    regional = client_of(officer_32).get(f"{BASE}/regions/levels", {"region": "32"}).json()
    assert [r["code"] for r in regional] == ["32.04"]
    bad = client_of(officer_32).get(f"{BASE}/regions/levels", {"region": "3x"})
    assert bad.status_code == 422


def test_region_levels_need_a_staff_role(client_of, business):
    owner = make_owner(business)
    assert client_of(owner).get(f"{BASE}/regions/levels").status_code == 403


def test_levels_of_a_business_in_a_fixed_number_of_queries(
    client_of, officer_32, business, query_count
):
    client = client_of(officer_32)
    body = {"enterprise": business.public_id, "answers": MIXED}
    _post(client, body)
    url = f"{BASE}/enterprises/{business.public_id}/levels"
    with query_count() as one:
        client.get(url)
    for _ in range(3):
        _post(client, body)
    with query_count() as four:
        assert len(client.get(url).json()["assessments"]) == 4
    assert len(four) == len(one)


def test_every_operation_declares_its_errors_with_the_one_error_body():
    from tumbuh.api import api

    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    paths = api.get_openapi_schema()["paths"]
    operations = [
        operation
        for path, methods in paths.items()
        if path.startswith(BASE)
        for operation in methods.values()
    ]
    assert len(operations) == 4
    for operation in operations:
        errors = {
            code: answer for code, answer in operation["responses"].items() if int(code) >= 400
        }
        assert {401} <= {int(code) for code in errors}, operation["operationId"]
        assert all(answer["content"] == error for answer in errors.values())
