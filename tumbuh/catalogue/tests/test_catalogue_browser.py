"""The catalogue in a real Chromium with JavaScript off: search, filter, page on, open a campaign.

The shared browser fixtures of tumbuh/conftest.py: one browser per module, a fresh context per
test, a live server on a transactional database (regions reloaded before and after).
"""

import pytest

from tumbuh.catalogue.tests.conftest import make_campaign, make_product, village_3t
from tumbuh.conftest import make_store

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]


def test_search_filter_and_campaign_without_javascript(new_page, live_server):
    from playwright.sync_api import expect

    remote = make_store(
        "BumDes Pelosok", village=village_3t("53"), kind="bumdes", opening_product=False
    )
    city = make_store("Dapur Kota", opening_product=False)
    madu = make_product(remote, "Madu Hutan Timor", price_idr=80_000, category="food")
    make_product(city, "Madu Kelengkeng", price_idr=60_000, category="food")
    for number in range(30):
        make_product(city, f"Kerupuk Udang {number}", category="food")
    campaign = make_campaign("Hari Belanja Produk Lokal", products=[madu])

    page = new_page(java_script_enabled=False, locale="id-ID")
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
