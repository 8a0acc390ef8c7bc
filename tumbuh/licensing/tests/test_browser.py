"""In a browser: a mentor on a phone, JavaScript off, moves a NIB case through the KBLI picker;
with JavaScript on, the picker's results update as the officer types (htmx).

Selectors use names and ids, not wording, so the tests hold whatever the translations say.
"""

import re

import pytest

from tumbuh.conftest import PASSWORD, make_enterprise
from tumbuh.licensing.models import NibCase
from tumbuh.licensing.tests.conftest import nib_case_at

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def sign_in(page, login: str) -> None:
    page.goto("/masuk/")
    page.locator("#id_username").fill(login)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_mentor_on_a_phone_without_javascript_picks_a_kbli(new_page, mentor_32):
    from playwright.sync_api import expect

    case = nib_case_at(
        NibCase.Step.KBLI, enterprise=make_enterprise("Keripik Ani"), by=mentor_32, mentor=mentor_32
    )
    page = new_page(java_script_enabled=False, **PHONE)
    sign_in(page, mentor_32.email)
    page.goto(case.get_absolute_url())
    page.locator("input[name=kbli]").fill("keripik")
    page.locator("input[name=kbli]").press("Enter")
    box = page.locator("input[name=kbli_codes][value='10794']")
    expect(box).to_be_visible()
    box.check()
    page.locator("form:has(input[name=to_step][value=submitted]) button[type=submit]").click()
    page.wait_for_load_state()
    case.refresh_from_db()
    assert case.step == NibCase.Step.SUBMITTED
    assert case.kbli_codes == ["10794"]
    expect(page.locator("input[name=nib]")).to_be_visible()


def test_kbli_picker_updates_as_you_type(new_page, officer_32, live_server):
    from playwright.sync_api import expect

    page = new_page()
    sign_in(page, officer_32.email)
    page.goto("/perizinan/kbli/")
    page.locator("#kbli-q").press_sequentially("kerupuk", delay=30)
    expect(page.locator("#results")).to_contain_text("10794")
    expect(page).to_have_url(re.compile(r"/perizinan/kbli/\?q=kerupuk$"))
