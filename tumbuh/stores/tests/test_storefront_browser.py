"""The storefront in a real Chromium: bought without JavaScript up to the cart, and the last
visited pages readable offline from the service worker scoped to /toko/.
"""

import re

import pytest

from tumbuh.conftest import make_store
from tumbuh.stores.tests.builders import make_product

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]


def test_without_javascript_a_buyer_browses_and_adds_to_the_cart(new_page):
    from playwright.sync_api import expect

    store = make_store("Toko Tenun Ina")
    make_product(store, "Selendang Tenun Ikat", price_idr=250_000, stock=4)
    page = new_page(java_script_enabled=False, locale="id-ID")
    page.goto(store.get_absolute_url())
    page.locator(".grid a", has_text="Selendang Tenun Ikat").click()
    expect(page.locator("h1")).to_have_text("Selendang Tenun Ikat")
    expect(page.locator(".price")).to_have_text("Rp250.000")
    page.locator("#quantity").fill("2")
    page.locator("form[action='/keranjang/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/keranjang/"))
    expect(page.locator("main")).to_contain_text("Selendang Tenun Ikat")


def test_the_last_visited_pages_stay_readable_offline(new_context):
    from playwright.sync_api import expect

    store = make_store("Toko Kopi Flores")
    product = make_product(store, "Kopi Arabika Bajawa", price_idr=85_000)
    context = new_context(locale="id-ID")
    page = context.new_page()
    page.goto(store.get_absolute_url())
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker, which keeps a copy of each page visited
    page.goto(product.get_absolute_url())
    expect(page.locator("h1")).to_have_text("Kopi Arabika Bajawa")
    page.wait_for_function(
        "url => caches.open('tumbuh-toko-v1').then(c => c.match(url)).then(Boolean)",
        arg=product.get_absolute_url(),
    )
    context.set_offline(True)
    page.goto(store.get_absolute_url())
    expect(page.locator("h1")).to_have_text("Toko Kopi Flores")
    page.goto(product.get_absolute_url())
    expect(page.locator(".price")).to_have_text("Rp85.000")
