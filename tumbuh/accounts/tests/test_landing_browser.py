"""Signing in in a real Chromium, JavaScript off (a 2G phone): a store manager lands on their
store's pages, a mentor in the mentor app, and a page asked for before signing in wins."""

import pytest

from tumbuh.accounts.models import Membership, Organisation
from tumbuh.accounts.services import system_actor
from tumbuh.conftest import PASSWORD, make_enterprise, make_organisation, make_user
from tumbuh.registry.services import link_account

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]


def sign_in(page, user, path="/masuk/"):
    page.goto(path)
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_a_store_manager_lands_on_their_store(new_page, live_server):
    from playwright.sync_api import expect

    from tumbuh.conftest import make_store

    bumdes_org = make_organisation(kind=Organisation.Kind.BUMDES, region_code="53.71")
    user = make_user(organisation=bumdes_org, role=Membership.Role.SELLER)
    enterprise = make_enterprise("BumDes Sehati", kind="bumdes")
    link_account(user=user, enterprise=enterprise, role="manager", by=system_actor())
    make_store("Toko Sehati", enterprise=enterprise, live=False)
    page = new_page(java_script_enabled=False, viewport={"width": 360, "height": 640})
    sign_in(page, user)
    assert page.url == f"{live_server.url}/toko-saya/"
    expect(page.locator("main")).to_contain_text("Toko Sehati")


def test_a_mentor_lands_in_the_mentor_app_and_a_next_page_wins(new_page, live_server):
    from playwright.sync_api import expect

    from tumbuh.programmes.tests.builders import make_mentor

    mentor = make_mentor()
    mentor.user.full_name = "Yosefina Bria"
    mentor.user.save(update_fields=["full_name"])
    page = new_page(java_script_enabled=False, viewport={"width": 360, "height": 640})
    sign_in(page, mentor.user)
    assert page.url == f"{live_server.url}/pendamping/"
    expect(page.locator("h1")).to_contain_text("Yosefina Bria")

    page.context.clear_cookies()
    sign_in(page, mentor.user, "/masuk/?next=/pendamping/binaan/")
    assert page.url == f"{live_server.url}/pendamping/binaan/"

    page.context.clear_cookies()
    sign_in(page, mentor.user, "/masuk/?next=//evil.example/")
    assert page.url == f"{live_server.url}/pendamping/"
