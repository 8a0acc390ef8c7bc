"""The licensing API: scoped lists and reads, starting and advancing (idempotent), no personal
data in the output."""

import pytest

from tumbuh.accounts import services as account_services
from tumbuh.accounts.models import Membership
from tumbuh.conftest import NAMOSAIN, make_enterprise, make_owner
from tumbuh.licensing.error_codes import LicensingError
from tumbuh.licensing.models import HalalCase, NibCase, NibCaseEvent
from tumbuh.licensing.tests.conftest import (
    APPLICANT,
    NIK,
    halal_case_at,
    halal_ready_enterprise,
    nib_case_at,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/licensing"


def test_lists_are_scoped(client_of, officer_32, officer_53):
    nib_case_at(NibCase.Step.ACCOUNT, enterprise=make_enterprise("Keripik Jabar"), by=officer_32)
    nib_case_at(
        NibCase.Step.ACCOUNT,
        enterprise=make_enterprise("Tenun NTT", village=NAMOSAIN),
        by=officer_53,
    )
    names = [c["business_name"] for c in client_of(officer_32).get(f"{API}/nib-cases").json()]
    assert names == ["Keripik Jabar"]
    names = [c["business_name"] for c in client_of(officer_53).get(f"{API}/nib-cases").json()]
    assert names == ["Tenun NTT"]


def test_read_one_case_and_404_outside(client_of, officer_32, officer_53):
    case = nib_case_at(
        NibCase.Step.KBLI, enterprise=make_enterprise("Keripik Jabar"), by=officer_32
    )
    body = client_of(officer_32).get(f"{API}/nib-cases/{case.public_id}").json()
    assert body["step"] == "kbli"
    assert body["next_steps"] == ["submitted", "business"]
    assert [(e["from_step"], e["to_step"]) for e in body["events"]] == [
        ("", "account"),
        ("account", "business"),
        ("business", "kbli"),
    ]
    text = str(body)
    assert NIK not in text and "3204**" not in text and "812" not in text
    missing = client_of(officer_53).get(f"{API}/nib-cases/{case.public_id}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_advance_is_idempotent_with_a_key(client_of, officer_32):
    case = nib_case_at(NibCase.Step.ACCOUNT, by=officer_32)
    client = client_of(officer_32)
    url = f"{API}/nib-cases/{case.public_id}/advance"
    payload = {"to_step": "business", "data": APPLICANT}
    first = client.post(
        url, payload, content_type="application/json", headers={"Idempotency-Key": "abc"}
    )
    assert first.status_code == 200 and first.json()["step"] == "business"
    again = client.post(
        url, payload, content_type="application/json", headers={"Idempotency-Key": "abc"}
    )
    assert again.status_code == 200 and again.json() == first.json()
    same_without_key = client.post(url, payload, content_type="application/json")
    assert same_without_key.json()["step"] == "business"
    assert NibCaseEvent.objects.filter(case=case).count() == 2


def test_advance_refusal_has_the_reason(client_of, officer_32):
    case = nib_case_at(NibCase.Step.ACCOUNT, by=officer_32)
    response = client_of(officer_32).post(
        f"{API}/nib-cases/{case.public_id}/advance",
        {"to_step": "submitted", "data": {}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"]  # the reason, in the request's language
    case.refresh_from_db()
    assert case.step == NibCase.Step.ACCOUNT


def test_a_refusal_answers_its_licensing_code(client_of, officer_32, english):
    case = nib_case_at(NibCase.Step.ACCOUNT, by=officer_32)
    response = client_of(officer_32).post(
        f"{API}/nib-cases/{case.public_id}/advance",
        {"to_step": "submitted", "data": {}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "reason": LicensingError.TRANSITION_NOT_ALLOWED,
        "detail": "A case in the step “Account and applicant data” cannot move to “Submitted to OSS”; it can move "
        "to: “Business data”.",
    }
    ineligible = make_enterprise("Menengah", scale="menengah")
    response = client_of(officer_32).post(
        f"{API}/halal-cases", {"business_id": ineligible.public_id}, content_type="application/json"
    )
    assert (response.status_code, response.json()["reason"]) == (422, "not_eligible")
    assert not HalalCase.objects.exists()


def test_owner_reads_but_cannot_advance(client_of, officer_32):
    enterprise = make_enterprise("Warung Ani")
    owner = make_owner(enterprise)
    case = nib_case_at(NibCase.Step.ACCOUNT, enterprise=enterprise, by=officer_32)
    client = client_of(owner)
    assert client.get(f"{API}/nib-cases/{case.public_id}").status_code == 200
    response = client.post(
        f"{API}/nib-cases/{case.public_id}/advance",
        {"to_step": "business", "data": APPLICANT},
        content_type="application/json",
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.step == NibCase.Step.ACCOUNT


def test_start_through_the_api(client_of, officer_32, officer_53):
    enterprise = halal_ready_enterprise()
    refused = client_of(officer_53).post(
        f"{API}/halal-cases", {"business_id": enterprise.public_id}, content_type="application/json"
    )
    assert refused.status_code == 404
    created = client_of(officer_32).post(
        f"{API}/halal-cases", {"business_id": enterprise.public_id}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["step"] == "account"
    ineligible = make_enterprise("Menengah", scale="menengah")
    response = client_of(officer_32).post(
        f"{API}/halal-cases", {"business_id": ineligible.public_id}, content_type="application/json"
    )
    assert response.status_code == 422


def test_api_key_of_an_office_works_in_its_region(
    client, office_32, officer_32, officer_53, mentor_32
):
    _key, secret = account_services.issue_api_key(
        organisation=office_32,
        label="dinas",
        role=Membership.Role.OFFICER,
        by=account_services.system_actor(),
    )
    case = halal_case_at(HalalCase.Step.ISSUED, by=officer_32, mentor=mentor_32)
    halal_case_at(
        HalalCase.Step.ACCOUNT,
        enterprise=halal_ready_enterprise("NTT", village=NAMOSAIN, nib="9120003333333"),
        by=officer_53,
    )
    response = client.get(f"{API}/halal-cases", headers={"Authorization": f"Bearer {secret}"})
    body = response.json()
    assert [c["id"] for c in body] == [case.public_id]
    assert body[0]["certificate"]["product_names"] == ["Keripik Pisang"]


def test_list_query_count_does_not_grow_with_rows(client_of, officer_32, query_count):
    client = client_of(officer_32)
    halal_case_at(
        HalalCase.Step.PRODUCTS,
        enterprise=halal_ready_enterprise("Satu", nib="9120000000001"),
        by=officer_32,
    )
    client.get(f"{API}/halal-cases")
    with query_count() as few:
        client.get(f"{API}/halal-cases")
    for number in range(2, 5):
        halal_case_at(
            HalalCase.Step.SUBMITTED,
            enterprise=halal_ready_enterprise(f"U{number}", nib=f"912000000000{number}"),
            by=officer_32,
        )
    with query_count() as many:
        assert len(client.get(f"{API}/halal-cases").json()) == 4
    assert len(many) == len(few)


def test_unauthenticated_is_refused(client):
    response = client.get(f"{API}/nib-cases")
    assert response.status_code == 401


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
    # Besides each operation's own: 429 (lockout) on every authenticated operation, 403 (CSRF
    # with a session) on every change, 400 on every body that cannot be parsed (tumbuh/api.py).
    assert declared == {
        ("GET", "/nib-cases"): {401, 422, 429},
        ("POST", "/nib-cases"): {400, 401, 403, 404, 422, 429},
        ("GET", "/nib-cases/{public_id}"): {401, 404, 429},
        ("POST", "/nib-cases/{public_id}/advance"): {400, 401, 403, 404, 422, 429},
        ("GET", "/halal-cases"): {401, 422, 429},
        ("POST", "/halal-cases"): {400, 401, 403, 404, 422, 429},
        ("GET", "/halal-cases/{public_id}"): {401, 404, 429},
        ("POST", "/halal-cases/{public_id}/advance"): {400, 401, 403, 404, 422, 429},
    }
    for operation in operations.values():
        for code, answer in operation["responses"].items():
            if int(code) >= 400:
                assert answer["content"] == error
