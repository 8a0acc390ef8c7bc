"""Password guessing: after ten wrong passwords in a row, for one account or from one address,
even the right password is refused until the cool-off has passed (django-axes)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from tumbuh.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LIMIT = 10


@pytest.fixture
def seller(db):
    return make_user(email="simon@contoh.id", phone="0812-3456-7890", full_name="Simon Tefa")


def _sign_in(client, login, password, address="10.0.0.1"):
    return client.post("/masuk/", {"username": login, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _cool_off_passes():
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))


def test_ten_wrong_passwords_lock_the_account_until_the_cool_off(client, seller, settings):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    for _ in range(LIMIT - 1):
        assert _sign_in(client, "simon@contoh.id", "tebakan").status_code == 200
    tenth = _sign_in(client, "simon@contoh.id", "tebakan")
    assert tenth.status_code == 429
    right = _sign_in(client, "simon@contoh.id", PASSWORD)
    assert right.status_code == 429 and not _signed_in(client)
    page = right.content.decode()
    assert "Terlalu banyak kata sandi yang salah" in page and "15 menit" in page
    _cool_off_passes()
    assert _sign_in(client, "simon@contoh.id", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_the_account_is_one_however_its_login_is_written(client, seller):
    """Writing the phone or the e-mail differently does not buy more guesses, from anywhere."""
    logins = ["0812-3456-7890", "+62 812 3456 7890", "081234567890", "SIMON@contoh.id"]
    for number in range(LIMIT):
        _sign_in(client, logins[number % len(logins)], "tebakan", address=f"10.0.1.{number}")
    right = _sign_in(client, "6281234567890", PASSWORD, address="10.0.2.1")
    assert right.status_code == 429 and not _signed_in(client)


def test_ten_failures_from_one_address_lock_that_address(client, seller):
    for number in range(LIMIT):
        _sign_in(client, f"orang{number}@contoh.id", "tebakan", address="10.0.3.1")
    assert _sign_in(client, "simon@contoh.id", PASSWORD, address="10.0.3.1").status_code == 429
    assert not _signed_in(client)
    assert _sign_in(client, "simon@contoh.id", PASSWORD, address="10.0.3.2").status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, seller):
    for _ in range(LIMIT - 1):
        _sign_in(client, "simon@contoh.id", "tebakan", address="10.0.4.1")
    assert _sign_in(client, "simon@contoh.id", PASSWORD, address="10.0.4.2").status_code == 302
    client.logout()
    _sign_in(client, "simon@contoh.id", "tebakan", address="10.0.4.3")
    assert _sign_in(client, "simon@contoh.id", PASSWORD, address="10.0.4.4").status_code == 302


def test_no_login_as_typed_is_kept(client, seller):
    """What axes keeps names the account by its id, an unknown login by a keyed hash."""
    _sign_in(client, "0812-3456-7890", "tebakan")
    _sign_in(client, "0899-1111-2222", "tebakan")
    _sign_in(client, "orang@contoh.id", "tebakan")
    kept = " ".join(
        f"{attempt.username} {attempt.get_data} {attempt.post_data}"
        for attempt in AccessAttempt.objects.all()
    )
    assert f"user:{seller.pk}" in kept
    for typed in ("0812", "3456", "0899", "1111", "orang", "contoh", "tebakan"):
        assert typed not in kept


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, seller, settings):
    """One guesser behind the reverse proxy locks out their own address, not everyone's."""
    settings.TUMBUH_PROXY_COUNT = 1

    def through_proxy(login, password, client_address):
        return client.post(
            "/masuk/",
            {"username": login, "password": password},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=client_address,
        )

    for number in range(LIMIT):
        through_proxy(f"orang{number}@contoh.id", "tebakan", "203.0.113.7")
    assert through_proxy("simon@contoh.id", PASSWORD, "203.0.113.7").status_code == 429
    assert through_proxy("simon@contoh.id", PASSWORD, "198.51.100.4").status_code == 302


def test_wrong_api_keys_lock_out_the_address_and_the_key(client, seller, office_32):
    """Guessing keys is guessing passwords: the same limit, per key prefix and per address."""
    from tumbuh.accounts.models import Membership
    from tumbuh.accounts.services import issue_api_key, system_actor

    _api_key, secret = issue_api_key(
        organisation=office_32, label="uji", role=Membership.Role.OFFICER, by=system_actor()
    )
    prefix = secret.split("_")[1]

    def call(token, address):
        return client.get(
            "/api/v1/registry/enterprises",
            headers={"Authorization": f"Bearer {token}"},
            REMOTE_ADDR=address,
        )

    assert call(secret, "10.0.6.1").status_code == 200
    for number in range(LIMIT):
        call(f"tmb_{prefix}_tebakan{number}", f"10.0.7.{number}")
    locked = call(secret, "10.0.7.99")
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited" and locked["Retry-After"] == "900"
    kept = " ".join(attempt.username for attempt in AccessAttempt.objects.all())
    assert f"apikey:{prefix}" in kept and "tebakan" not in kept
    _cool_off_passes()
    assert call(secret, "10.0.7.99").status_code == 200
