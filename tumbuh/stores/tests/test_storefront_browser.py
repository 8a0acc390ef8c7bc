"""The storefront in a real Chromium: bought without JavaScript up to the cart, and the last
visited pages readable offline from the service worker scoped to /toko/.
"""

import re

import pytest

from tumbuh.conftest import ensure_regions
from tumbuh.core.tests.browser import launch, unavailable
from tumbuh.stores.tests.builders import make_product, make_store

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


@pytest.fixture
def new_context(browser, live_server):
    contexts = []

    def open_context(**options):
        context = browser.new_context(base_url=live_server.url, locale="id-ID", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def test_without_javascript_a_buyer_browses_and_adds_to_the_cart(new_context):
    from playwright.sync_api import expect

    store = make_store("Toko Tenun Ina")
    make_product(store, "Selendang Tenun Ikat", price_idr=250_000, stock=4)
    page = new_context(java_script_enabled=False).new_page()
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
    context = new_context()
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
