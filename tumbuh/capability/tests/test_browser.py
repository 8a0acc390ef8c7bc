"""A business owner completes a self-assessment on a small phone, with JavaScript off.

The shared browser fixtures of tumbuh/conftest.py: the system Chromium, a live server on a
transactional database (flushed after each test, so the regions are reloaded before and after).
"""

import re
import tempfile
from pathlib import Path

import pytest

from tumbuh.capability.models import Assessment
from tumbuh.capability.services import load_instrument
from tumbuh.capability.tests.conftest import MIXED
from tumbuh.conftest import PASSWORD, make_enterprise, make_owner

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]

PHONE = {"width": 360, "height": 640}
SCREENSHOT = Path(tempfile.gettempdir()) / "tumbuh-capability-result.png"


def test_owner_completes_a_self_assessment_on_a_phone_without_javascript(new_page):
    from playwright.sync_api import expect

    load_instrument()
    enterprise = make_enterprise("Keripik Bu Ani")
    owner = make_owner(enterprise)
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto("/kecakapan-digital/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.locator('main a[href^="/masuk/?next="]').click()
    page.locator("#id_username").fill(owner.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/kecakapan-digital/$"))
    page.locator(f'main a[href="/kecakapan-digital/{enterprise.public_id}/mulai/"]').click()

    keys = list(MIXED)
    for number, key in enumerate(keys, start=1):
        expect(page).to_have_url(re.compile(rf"/pertanyaan/{number}/$"))
        if number == 6:
            # Stop after five answers and come back later: the assessment resumes here.
            page.goto("/kecakapan-digital/")
            page.locator(f'main a[href="/kecakapan-digital/{enterprise.public_id}/mulai/"]').click()
            expect(page).to_have_url(re.compile(r"/pertanyaan/6/$"))
        choice = page.locator(f'input[name=option][value="{MIXED[key]}"]')
        choice.check()
        box = page.locator("main").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.locator("main form button[type=submit]").first.click()

    expect(page).to_have_url(re.compile(r"/kirim/$"))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/kecakapan-digital/{enterprise.public_id}/hasil/$"))
    expect(page.locator("h1")).to_contain_text("3")
    expect(page.locator("table.scores tbody tr")).to_have_count(9)
    expect(page.locator("ol.offers li").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assessment = Assessment.objects.get()
    assert (assessment.enterprise_id, assessment.mode, assessment.level) == (
        enterprise.pk,
        "self",
        3,
    )
