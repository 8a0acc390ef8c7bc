"""The registry of work (``accounts.work``) and the sign-in that lands on it.

These tests replace ``settings.WORK_PROVIDERS`` with providers of their own, so they test the
mechanism of accounts alone; ``test_landing.py`` tests the providers of the apps with personas.
"""

import pytest
from django.conf import settings as django_settings

from tumbuh.accounts import work
from tumbuh.accounts.permissions import Capability
from tumbuh.accounts.work import Specificity, Work
from tumbuh.conftest import PASSWORD, make_user

calls_made = []


def store_work(user, held):
    calls_made.append(("store", user.pk, sorted(held)))
    return [Work("Toko", "/toko-saya/", Specificity.STORE)]


def caseload_work(user, held):
    calls_made.append(("caseload", user.pk, sorted(held)))
    return [Work("Binaan", "/pendamping/", Specificity.CASELOAD)]


def unbuilt_store_work(user, held):
    return [Work("Toko", None, Specificity.STORE)]


def second_caseload_work(user, held):
    return [Work("Binaan lain", "/pendamping/binaan/", Specificity.CASELOAD)]


def no_work(user, held):
    return []


HERE = "tumbuh.accounts.tests.test_work"


@pytest.fixture(autouse=True)
def forget_calls():
    calls_made.clear()


def sign_in(client, user, **extra):
    return client.post("/masuk/", {"username": user.email, "password": PASSWORD, **extra})


def test_the_registry_is_listed_in_the_docstring_of_accounts_work():
    assert django_settings.WORK_PROVIDERS == [
        "tumbuh.capability.work.work_for",
        "tumbuh.programmes.work.work_for",
        "tumbuh.licensing.work.work_for",
        "tumbuh.stores.work.work_for",
        "tumbuh.supply.work.work_for",
        "tumbuh.dashboards.work.work_for",
    ]
    for path in django_settings.WORK_PROVIDERS:
        assert f"``{path}``" in work.__doc__


def test_providers_are_called_explicitly_with_the_capabilities_held(settings, officer_32):
    settings.WORK_PROVIDERS = [f"{HERE}.caseload_work", f"{HERE}.store_work"]
    found = work.work_of(officer_32)
    held = sorted(
        [
            Capability.VIEW_ORGANISATIONS,
            Capability.IMPORT_BUSINESSES,
            Capability.RUN_PROGRAMMES,
            Capability.PLAN_INFRASTRUCTURE,
            Capability.VIEW_DASHBOARDS,
            Capability.SET_TARGETS,
        ]
    )
    assert calls_made == [("caseload", officer_32.pk, held), ("store", officer_32.pk, held)]
    assert [(w.title, w.url, w.specificity) for w in found] == [
        ("Toko", "/toko-saya/", Specificity.STORE),
        ("Binaan", "/pendamping/", Specificity.CASELOAD),
        (str(Capability.VIEW_ORGANISATIONS.label), "/konsol/organisasi/", Specificity.CONSOLE),
        (str(Capability.IMPORT_BUSINESSES.label), "/konsol/registri/impor/", Specificity.CONSOLE),
        (str(Capability.RUN_PROGRAMMES.label), "/konsol/program/", Specificity.CONSOLE),
        (str(Capability.PLAN_INFRASTRUCTURE.label), "/konsol/konektivitas/", Specificity.CONSOLE),
    ]  # the dashboard is declared by its own provider (not listed here), with its figures
    assert work.landing_url(officer_32) == "/toko-saya/"


def test_ties_go_to_the_earlier_provider_and_work_without_a_page_is_skipped(settings, db):
    user = make_user()
    settings.WORK_PROVIDERS = [f"{HERE}.caseload_work", f"{HERE}.second_caseload_work"]
    assert work.landing_url(user) == "/pendamping/"
    settings.WORK_PROVIDERS = [f"{HERE}.second_caseload_work", f"{HERE}.caseload_work"]
    assert work.landing_url(user) == "/pendamping/binaan/"
    settings.WORK_PROVIDERS = [f"{HERE}.unbuilt_store_work", f"{HERE}.caseload_work"]
    assert work.landing_url(user) == "/pendamping/"


def test_nobody_signed_out_or_inactive_has_work(settings, db):
    from django.contrib.auth.models import AnonymousUser

    settings.WORK_PROVIDERS = [f"{HERE}.store_work"]
    inactive = make_user(is_active=False)
    assert work.work_of(AnonymousUser()) == [] and work.work_of(inactive) == []
    assert calls_made == []


def test_sign_in_lands_on_the_most_specific_work(settings, client, db):
    settings.WORK_PROVIDERS = [f"{HERE}.caseload_work", f"{HERE}.store_work"]
    response = sign_in(client, make_user())
    assert (response.status_code, response["Location"]) == (302, "/toko-saya/")


def test_console_work_alone_lands_on_the_console_home(settings, client, officer_32):
    settings.WORK_PROVIDERS = [f"{HERE}.no_work"]
    response = sign_in(client, officer_32)
    assert (response.status_code, response["Location"]) == (302, "/konsol/")


def test_a_signed_in_visit_to_the_sign_in_page_goes_to_the_work(settings, client_of, db):
    settings.WORK_PROVIDERS = [f"{HERE}.caseload_work"]
    response = client_of(make_user()).get("/masuk/")
    assert (response.status_code, response["Location"]) == (302, "/pendamping/")


@pytest.mark.parametrize(
    "next_url", ["/konsol/konektivitas/", "/toko/?q=kopi", "/sertifikat/abcd/"]
)
def test_a_safe_next_wins(settings, client, db, next_url):
    settings.WORK_PROVIDERS = [f"{HERE}.store_work"]
    page = client.get("/masuk/", {"next": next_url})
    assert f'name="next" value="{next_url}"'.replace("&", "&amp;") in page.content.decode()
    response = sign_in(client, make_user(), next=next_url)
    assert (response.status_code, response["Location"]) == (302, next_url)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/konsol/",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "https://testserver.evil.example/",
    ],
)
def test_an_unsafe_next_is_ignored_for_the_work(settings, client, db, next_url):
    settings.WORK_PROVIDERS = [f"{HERE}.store_work"]
    page = client.get("/masuk/", {"next": next_url})
    assert 'name="next" value=""' in page.content.decode()
    response = sign_in(client, make_user(), next=next_url)
    assert (response.status_code, response["Location"]) == (302, "/toko-saya/")
    response = client.get("/masuk/", {"next": next_url})
    assert (response.status_code, response["Location"]) == (302, "/toko-saya/")


def test_a_refused_sign_in_goes_nowhere(settings, client, db):
    settings.WORK_PROVIDERS = [f"{HERE}.store_work"]
    user = make_user()
    response = client.post("/masuk/", {"username": user.email, "password": "salah"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session and calls_made == []
