"""An officer of one province never sees another province's records, on a page or the API."""

import pytest

from tumbuh.accounts import services
from tumbuh.accounts.models import Organisation
from tumbuh.accounts.scoping import NATIONAL, NOWHERE, RegionScope, scope_for, scoped
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_organisation, make_user


def test_scope_allows_codes_inside_and_nothing_else():
    scope = RegionScope(frozenset({"32", "53.10"}))
    assert scope.allows("32")
    assert scope.allows("32.04")
    assert scope.allows("32.04.12.2001")
    assert scope.allows("53.10.01")
    assert not scope.allows("53")
    assert not scope.allows("53.11")
    assert not scope.allows("320")  # a prefix without the dot is another code
    assert not scope.allows("")
    assert NATIONAL.allows("")
    assert not NOWHERE.allows("32")


@pytest.mark.django_db
def test_scope_of_a_user_is_the_union_of_memberships(office_32, office_53):
    user = make_user(organisation=office_32)
    services.grant_membership(
        user=user, organisation=office_53, role="officer", region_code="53.10", by=system_actor()
    )
    assert scope_for(user).codes == frozenset({"32", "53.10"})
    assert scope_for(user, roles={"mentor"}) == NOWHERE


@pytest.mark.django_db
def test_regency_scope_inside_a_province_scope_is_merged(office_32):
    user = make_user(organisation=office_32)
    services.grant_membership(
        user=user, organisation=office_32, role="admin", region_code="32.04", by=system_actor()
    )
    assert scope_for(user).codes == frozenset({"32"})


@pytest.mark.django_db
def test_national_membership_and_superuser_see_everything(national_admin):
    assert scope_for(national_admin) == NATIONAL
    root = make_user(is_superuser=True)
    assert scope_for(root) == NATIONAL


@pytest.mark.django_db
def test_anonymous_and_inactive_see_nothing(officer_32):
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser()) == NOWHERE
    officer_32.is_active = False
    assert scope_for(officer_32) == NOWHERE


@pytest.fixture
def organisations(db):
    return {
        "32": make_organisation(
            kind=Organisation.Kind.UNIVERSITY, region_code="32", name="Kampus Jabar"
        ),
        "32.04": make_organisation(
            kind=Organisation.Kind.COMMUNITY, region_code="32.04", name="Komunitas Bandung"
        ),
        "53": make_organisation(
            kind=Organisation.Kind.UNIVERSITY, region_code="53", name="Kampus NTT"
        ),
        "": make_organisation(
            kind=Organisation.Kind.MARKETPLACE, region_code="", name="Pasar Nasional"
        ),
    }


def test_scoped_queryset_filters_by_code_prefix(organisations, officer_32, national_admin):
    visible = set(scoped(Organisation.objects.all(), officer_32).values_list("name", flat=True))
    assert visible == {"Kampus Jabar", "Komunitas Bandung", "Dinas Jawa Barat"}
    everything = set(
        scoped(Organisation.objects.all(), national_admin).values_list("name", flat=True)
    )
    assert everything >= {"Kampus Jabar", "Komunitas Bandung", "Kampus NTT", "Pasar Nasional"}


def test_console_list_shows_only_own_province(organisations, officer_32, officer_53, client_of):
    response = client_of(officer_32).get("/konsol/organisasi/")
    assert response.status_code == 200
    names = [o.name for o in response.context["organisations"]]
    assert names == ["Dinas Jawa Barat", "Kampus Jabar", "Komunitas Bandung"]
    assert b"Kampus NTT" not in response.content
    assert b"Pasar Nasional" not in response.content


def test_console_detail_of_another_province_is_404(organisations, officer_32, client_of):
    client = client_of(officer_32)
    assert client.get(f"/konsol/organisasi/{organisations['32'].slug}/").status_code == 200
    assert client.get(f"/konsol/organisasi/{organisations['53'].slug}/").status_code == 404
    assert client.get(f"/konsol/organisasi/{organisations[''].slug}/").status_code == 404


def test_console_list_query_count_does_not_grow_with_rows(
    organisations, national_admin, client_of, query_count
):
    client = client_of(national_admin)
    client.get("/konsol/organisasi/")
    with query_count() as few:
        client.get("/konsol/organisasi/")
    for number in range(10):
        make_organisation(region_code="53", name=f"Extra {number}")
    with query_count() as many:
        response = client.get("/konsol/organisasi/")
    assert len(response.context["organisations"]) == 15
    assert len(many) == len(few)


def test_htmx_request_gets_only_the_results_fragment(organisations, officer_32, client_of):
    response = client_of(officer_32).get(
        "/konsol/organisasi/", {"q": "kampus"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body
    assert "Kampus Jabar" in body and "Komunitas Bandung" not in body


def test_mentor_and_seller_may_not_list_organisations(organisations, client_of):
    mentor = make_user(organisation=organisations["53"], role="mentor")
    response = client_of(mentor).get("/konsol/organisasi/")
    assert response.status_code == 403


def test_anonymous_console_redirects_to_login(client):
    response = client.get("/konsol/organisasi/")
    assert response.status_code == 302
    assert response["Location"] == "/masuk/?next=/konsol/organisasi/"


# --- the API ----------------------------------------------------------------------------------


def test_api_lists_only_own_province(organisations, officer_32, client_of):
    response = client_of(officer_32).get("/api/v1/accounts/organisations")
    assert response.status_code == 200
    assert [o["name"] for o in response.json()] == [
        "Dinas Jawa Barat",
        "Kampus Jabar",
        "Komunitas Bandung",
    ]


def test_api_detail_of_another_province_is_404_with_the_error_shape(
    organisations, officer_32, client_of
):
    response = client_of(officer_32).get(
        f"/api/v1/accounts/organisations/{organisations['53'].slug}"
    )
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "detail": f"No organisation '{organisations['53'].slug}' in your regions.",
    }


def test_api_without_credentials_is_401(client):
    response = client.get("/api/v1/accounts/organisations")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_api_key_is_limited_to_its_scope(organisations, client):
    _api_key, secret = services.issue_api_key(
        organisation=organisations["32"], label="CRM upload", role="officer", by=system_actor()
    )
    response = client.get(
        "/api/v1/accounts/organisations", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    # A partner's key sees its own organisation, not the others of its region
    # (docs/permissions.md).
    assert {o["name"] for o in response.json()} == {"Kampus Jabar"}
    me = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {secret}"}).json()
    assert me == {
        "organisation": organisations["32"].slug,
        "label": "CRM upload",
        "role": "officer",
        "region_code": "32",
    }


def test_revoked_or_wrong_api_key_is_refused(organisations, client):
    api_key, secret = services.issue_api_key(
        organisation=organisations["32"], label="old", by=system_actor()
    )
    assert services.revoke_api_key(api_key=api_key, by=system_actor()) is True
    assert services.revoke_api_key(api_key=api_key, by=system_actor()) is False
    for presented in (secret, secret[:-2] + "xx", "tmb_nothing_here", "garbage"):
        response = client.get(
            "/api/v1/accounts/organisations", headers={"Authorization": f"Bearer {presented}"}
        )
        assert response.status_code == 401, presented


def test_every_error_status_is_declared_with_the_one_error_body():
    from tumbuh.api import api

    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    paths = api.get_openapi_schema()["paths"]
    operations = {
        (method.upper(), path.removeprefix("/api/v1/accounts")): operation
        for path, methods in paths.items()
        if path.startswith("/api/v1/accounts" + "/")
        for method, operation in methods.items()
    }
    declared = {
        key: {int(code) for code in operation["responses"] if int(code) >= 400}
        for key, operation in operations.items()
    }
    # Besides each operation's own: 429 (lockout) on every authenticated operation, 403 (CSRF
    # with a session) on every change, 400 on every body that cannot be parsed (tumbuh/api.py).
    assert declared == {
        ("GET", "/me"): {401, 429},
        ("GET", "/organisations"): {401, 429},
        ("GET", "/organisations/{slug}"): {401, 404, 429},
    }
    for operation in operations.values():
        for code, answer in operation["responses"].items():
            if int(code) >= 400:
                assert answer["content"] == error
