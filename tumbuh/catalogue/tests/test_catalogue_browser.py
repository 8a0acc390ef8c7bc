"""The catalogue in a real Chromium with JavaScript off: search, filter, page on, open a campaign.

Same pattern as tumbuh/core/tests/test_browser.py: one browser per module, a fresh context per
test, a live server on a transactional database (regions reloaded before and after).
"""

import pytest

from tumbuh.catalogue.tests.conftest import make_campaign, make_product, make_store, village_3t
from tumbuh.conftest import ensure_regions
from tumbuh.core.tests.browser import launch, unavailable

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser(django_db_blocker):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = launch(playwright)
        yield chromium
        chromium.close()
    with django_db_blocker.unblock():
        ensure_regions()


@pytest.fixture(autouse=True)
def regions(live_server, transactional_db):
    ensure_regions()


def test_search_filter_and_campaign_without_javascript(browser, live_server):
    from playwright.sync_api import expect

    remote = make_store("BumDes Pelosok", village=village_3t("53"), kind="bumdes")
    city = make_store("Dapur Kota")
    madu = make_product(remote, "Madu Hutan Timor", price_idr=80_000, category="food")
    make_product(city, "Madu Kelengkeng", price_idr=60_000, category="food")
    for number in range(30):
        make_product(city, f"Kerupuk Udang {number}", category="food")
    campaign = make_campaign("Hari Belanja Produk Lokal", products=[madu])

    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="id-ID"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/bbi/")
    expect(page.locator("li.card")).to_have_count(24)
    page.locator("a[rel=next]").click()  # by attribute: link texts change with translation
    expect(page.locator("li.card")).to_have_count(8)

    page.goto("/bbi/")
    page.locator("#id_q").fill("madu")
    page.locator("#id_q").press("Enter")
    expect(page.locator("li.card")).to_have_count(2)
    page.locator("summary").click()
    page.locator("#id_daerah_3t").check()
    page.locator("details button[type=submit]").click()
    expect(page.locator("li.card")).to_have_count(1)
    expect(page.locator("li.card")).to_contain_text("Madu Hutan Timor")
    expect(page.locator("li.card .badge.t3")).to_be_visible()

    page.locator(f"a[href='{campaign.get_absolute_url()}']").click()
    expect(page).to_have_url(live_server.url + campaign.get_absolute_url())
    expect(page.locator("h1")).to_have_text("Hari Belanja Produk Lokal")
    expect(page.locator("li.card")).to_have_count(1)
    context.close()
