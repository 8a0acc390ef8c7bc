"""The partner API at /api/v1/programmes/: scoped to the partner, idempotent enrolment,
attendance reports with refusal reasons, progress; no personal data in any answer."""

import datetime
import json

import pytest
from django.utils import timezone

from tumbuh.accounts import services as account_services
from tumbuh.conftest import NAMOSAIN
from tumbuh.core.models import IdempotencyRecord
from tumbuh.programmes.attendance import attendance_code
from tumbuh.programmes.models import Attendance, Enrolment
from tumbuh.programmes.tests.builders import (
    food_business,
    make_area,
    make_cohort,
    make_enrolment,
    make_mentor,
    make_partner,
    make_programme_area,
    make_session,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/programmes"


def key_for(organisation, region_code=""):
    _key, secret = account_services.issue_api_key(
        organisation=organisation,
        label="server",
        region_code=region_code,
        by=account_services.system_actor(),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def partner_key(partner):
    return key_for(partner)


def post(client, path, body, headers, **extra):
    return client.post(
        f"{API}{path}", json.dumps(body), content_type="application/json", **headers, **extra
    )


def test_no_key_is_401(client, db):
    assert client.get(f"{API}/cohorts").status_code == 401


def test_partner_lists_only_its_own_cohorts(client, cohort, partner_key, programme_area):
    make_cohort(programme_area=programme_area, partner=make_partner(), name="Angkatan Mitra Lain")
    body = client.get(f"{API}/cohorts", **partner_key).json()
    assert [c["public_id"] for c in body] == [cohort.public_id]
    assert body[0]["places_taken"] == 0


def test_other_partners_cohort_is_404(client, programme_area, partner_key):
    other = make_cohort(programme_area=programme_area, partner=make_partner())
    response = post(
        client, f"/cohorts/{other.public_id}/enrolments", {"enterprises": ["x"]}, partner_key
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_enrol_reports_each_business(client, cohort, partner_key):
    good = food_business("Keripik Oke", phone="0812****0001")
    outside = food_business("Ikan Kupang", village=NAMOSAIN)
    response = post(
        client,
        f"/cohorts/{cohort.public_id}/enrolments",
        {"enterprises": [good.public_id, outside.public_id, "tidakada1234"], "accept": True},
        partner_key,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["enrolled"], body["refused"]) == (1, 2)
    results = {r["enterprise"]: r for r in body["results"]}
    assert results[good.public_id]["status"] == "accepted"
    assert results[outside.public_id]["reason"] == "outside_area"
    assert results["tidakada1234"]["reason"] == "unknown_business"
    assert "0812" not in response.content.decode()


def test_idempotency_key_same_body_same_answer(client, cohort, partner_key):
    business = food_business("Dodol")
    body = {"enterprises": [business.public_id]}
    headers = {**partner_key, "HTTP_IDEMPOTENCY_KEY": "batch-1"}
    first = post(client, f"/cohorts/{cohort.public_id}/enrolments", body, headers)
    second = post(client, f"/cohorts/{cohort.public_id}/enrolments", body, headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second.json()["enrolled"] == 1  # the stored answer, not "already_enrolled"
    assert Enrolment.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_idempotency_key_with_another_body_is_409(client, cohort, partner_key):
    headers = {**partner_key, "HTTP_IDEMPOTENCY_KEY": "batch-2"}
    one, two = food_business("Satu"), food_business("Dua")
    post(
        client, f"/cohorts/{cohort.public_id}/enrolments", {"enterprises": [one.public_id]}, headers
    )
    response = post(
        client, f"/cohorts/{cohort.public_id}/enrolments", {"enterprises": [two.public_id]}, headers
    )
    assert response.status_code == 409
    assert response.json()["reason"] == "idempotency_key_reused"
    assert not Enrolment.objects.filter(enterprise=two).exists()


def test_without_idempotency_key_a_repeat_is_refused_per_business(client, cohort, partner_key):
    business = food_business("Tiga")
    path = f"/cohorts/{cohort.public_id}/enrolments"
    post(client, path, {"enterprises": [business.public_id]}, partner_key)
    body = post(client, path, {"enterprises": [business.public_id]}, partner_key).json()
    assert body["results"][0]["reason"] == "already_enrolled"
    assert Enrolment.objects.count() == 1


def test_attendance_report_valid_expired_and_replayed(client, cohort, partner, partner_key):
    mentor = make_mentor(organisation=partner)
    business = food_business("Hadir")
    make_enrolment(cohort, business, status=Enrolment.Status.ACTIVE)
    session = make_session(mentor=mentor, cohort=cohort)
    path = f"/sessions/{session.public_id}/attendance"
    body = {"enterprise": business.public_id, "code": attendance_code(session), "client_id": "k1"}
    first = post(client, path, body, partner_key)
    assert first.status_code == 201, first.content
    assert first.json()["method"] == "code"
    again = post(client, path, body, partner_key)
    assert again.status_code == 200
    assert Attendance.objects.count() == 1
    earlier = make_session(
        mentor=mentor,
        cohort=cohort,
        starts_at=timezone.now().replace(microsecond=0) - datetime.timedelta(hours=5),
    )
    late = {"enterprise": business.public_id, "code": attendance_code(earlier), "client_id": "k2"}
    path = f"/sessions/{earlier.public_id}/attendance"
    refused = post(client, path, late, partner_key)
    assert refused.status_code == 422
    assert refused.json()["reason"] == "expired"
    assert Attendance.objects.count() == 1
    assert (
        "attendance_secret"
        not in client.get(
            f"{API}/cohorts/{cohort.public_id}/sessions", **partner_key
        ).content.decode()
    )


def test_progress_for_the_partner_only(client, programme, cohort, partner, partner_key):
    other_partner = make_partner(name="Mitra Kedua")
    other = make_cohort(programme_area=cohort.programme_area, partner=other_partner)
    make_enrolment(cohort, food_business("A"), status=Enrolment.Status.ACTIVE)
    make_enrolment(other, food_business("B"), status=Enrolment.Status.ACTIVE)
    body = client.get(f"{API}/programmes/{programme.public_id}/progress", **partner_key).json()
    assert [(r["partner"], r["businesses"], r["active"]) for r in body["rows"]] == [
        (partner.slug, 1, 1)
    ]


def test_regional_key_does_not_see_other_provinces(client, programme, db):
    kupang = make_partner(name="Universitas Kupang", region_code="53")
    area = make_area(regencies=("53.71",))
    programme_area = make_programme_area(programme=programme, area=area)
    make_cohort(programme_area=programme_area, partner=kupang, village=NAMOSAIN)
    bandung_cohort = make_cohort(
        programme_area=make_programme_area(programme=programme), partner=kupang
    )
    body = client.get(f"{API}/cohorts", **key_for(kupang, "53")).json()
    assert bandung_cohort.public_id not in [c["public_id"] for c in body]
    assert len(body) == 1


def test_officer_session_can_use_the_api(client_of, officer_32, cohort):
    body = client_of(officer_32).get(f"{API}/cohorts").json()
    assert [c["public_id"] for c in body] == [cohort.public_id]


def test_cohort_offers_reach_the_capability_next_steps(cohort):
    from tumbuh.capability.nextsteps import offers_for

    business = food_business("Calon Peserta")
    offers = [o for o in offers_for(business, ["digital_skills"]) if o.kind == "cohort"]
    assert len(offers) == 1
    assert cohort.name in offers[0].title
    assert offers[0].url == f"/program/angkatan/{cohort.public_id}/"
    make_enrolment(cohort, business, status=Enrolment.Status.APPLIED)
    assert not [o for o in offers_for(business, []) if o.kind == "cohort"]


def test_full_cohort_is_not_offered(programme_area, officer_32):
    cohort = make_cohort(programme_area=programme_area, capacity=1)
    make_enrolment(cohort, food_business("Sudah"), status=Enrolment.Status.ACTIVE)
    from tumbuh.programmes.offers import open_cohorts

    assert open_cohorts(food_business("Baru")) == []


def test_cohort_list_query_count_does_not_grow(
    client, programme_area, partner, partner_key, query_count
):
    make_cohort(programme_area=programme_area, partner=partner)
    client.get(f"{API}/cohorts", **partner_key)
    with query_count() as few:
        client.get(f"{API}/cohorts", **partner_key)
    for _ in range(4):
        make_cohort(programme_area=programme_area, partner=partner)
    with query_count() as many:
        body = client.get(f"{API}/cohorts", **partner_key).json()
    assert len(body) == 5
    assert len(many) == len(few)


def test_a_reused_key_answers_the_one_error_body_and_keys_are_per_cohort_and_organisation(
    client, cohort, partner, partner_key
):
    headers = {**partner_key, "HTTP_IDEMPOTENCY_KEY": "batch-3"}
    one, two = food_business("Empat"), food_business("Lima")
    path = f"/cohorts/{cohort.public_id}/enrolments"
    post(client, path, {"enterprises": [one.public_id]}, headers)
    record = IdempotencyRecord.objects.get()
    assert (record.scope, record.key, record.status_code) == (
        f"programmes.enrol:{cohort.public_id}:{partner.pk}",
        "batch-3",
        200,
    )
    response = post(client, path, {"enterprises": [two.public_id]}, headers)
    body = response.json()
    assert response.status_code == 409
    assert sorted(body) == ["code", "detail", "field", "reason"]
    assert (body["code"], body["reason"], body["field"]) == (
        "conflict",
        "idempotency_key_reused",
        "Idempotency-Key",
    )
    assert body["detail"]
    assert IdempotencyRecord.objects.count() == 1
    assert not Enrolment.objects.filter(enterprise=two).exists()


def test_an_attendance_refusal_answers_the_one_error_body_with_the_field(
    client, cohort, partner, partner_key
):
    mentor = make_mentor(organisation=partner)
    business = food_business("Terlambat")
    make_enrolment(cohort, business, status=Enrolment.Status.ACTIVE)
    session = make_session(mentor=mentor, cohort=cohort)
    body = {"enterprise": business.public_id, "code": "AAAAAA"}
    response = post(client, f"/sessions/{session.public_id}/attendance", body, partner_key)
    assert response.status_code == 422
    answer = response.json()
    assert sorted(answer) == ["code", "detail", "field", "reason"]
    assert (answer["code"], answer["reason"], answer["field"]) == ("invalid", "wrong_code", "code")
    assert not Attendance.objects.exists()


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
    assert len(operations) == 5
    for operation in operations:
        errors = {
            code: answer for code, answer in operation["responses"].items() if int(code) >= 400
        }
        assert {401, 403} <= {int(code) for code in errors}, operation["operationId"]
        assert all(answer["content"] == error for answer in errors.values())
