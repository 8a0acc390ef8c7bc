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

    services.grant_membership(
        user=seller, organisation=office_32, role="officer", by=services.system_actor()
    )
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


# What the console home lists for each role: test_landing.py.


def test_logout_is_a_post(client_of, officer_32):
    client = client_of(officer_32)
    assert client.get("/keluar/").status_code == 405
    response = client.post("/keluar/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
