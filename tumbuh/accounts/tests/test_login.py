"""Signing in with an e-mail address or a phone number written any common way."""

import pytest

from tumbuh.conftest import PASSWORD, make_user


@pytest.fixture
def seller(db):
    return make_user(email="Simon@Contoh.id", phone="0812-3456-7890", full_name="Simon Tefa")


@pytest.mark.parametrize(
    "login",
    [
        "simon@contoh.id",
        "SIMON@CONTOH.ID",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "081234567890",
    ],
)
def test_sign_in_with_email_or_phone(client, seller, login):
    response = client.post("/masuk/", {"username": login, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/konsol/"
    assert client.session["_auth_user_id"] == str(seller.pk)


def test_phone_is_stored_in_e164(seller):
    assert seller.phone == "+6281234567890"


@pytest.mark.parametrize("login", ["simon@contoh.id", "0812-3456-7891", "not a login", ""])
def test_wrong_login_or_password_is_refused_with_one_message(client, seller, login):
    response = client.post("/masuk/", {"username": login, "password": "wrong-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 or login == ""


def test_inactive_user_cannot_sign_in(client, seller):
    seller.is_active = False
    seller.save()
    client.post("/masuk/", {"username": "simon@contoh.id", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_phone_never_appears_in_pages_or_api(client_of, seller, office_32):
    from tumbuh.accounts import services

    services.grant_membership(user=seller, organisation=office_32, role="officer")
    client = client_of(seller)
    for url in [
        "/konsol/",
        "/konsol/organisasi/",
        f"/konsol/organisasi/{office_32.slug}/",
        "/api/v1/accounts/me",
        "/api/v1/accounts/organisations",
    ]:
        body = client.get(url).content.decode()
        for form in ("6281234567890", "81234567890", "0812-3456-7890", "3456"):
            assert form not in body, (url, form)


def test_console_home_lists_what_the_role_may_do(client_of, officer_32):
    response = client_of(officer_32).get("/konsol/")
    assert response.status_code == 200
    labels = [capability.value for capability, _url, _m in response.context["capabilities"]]
    assert labels == [
        "view_organisations", "import_businesses", "run_programmes", "plan_infrastructure"
    ]  # fmt: skip
    links = {capability.value: url for capability, url, _m in response.context["capabilities"]}
    assert links["view_organisations"] == "/konsol/organisasi/"
    assert links["plan_infrastructure"] == "/konsol/konektivitas/"


def test_console_home_of_national_admin_includes_priority_areas(client_of, national_admin):
    response = client_of(national_admin).get("/konsol/")
    links = {capability.value: url for capability, url, _m in response.context["capabilities"]}
    assert links["manage_priority_areas"] == "/konsol/kawasan/"
    assert "issue_api_keys" in links


def test_logout_is_a_post(client_of, officer_32):
    client = client_of(officer_32)
    assert client.get("/keluar/").status_code == 405
    response = client.post("/keluar/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
