"""The seller pages in a real Chromium: stock changed offline is queued on the phone and synced
when the connection returns; an edit made on a product that changed meanwhile is shown as a
conflict, not applied.
"""

import pytest

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import PASSWORD, make_owner, make_store
from tumbuh.stores.models import Product
from tumbuh.stores.services import shop
from tumbuh.stores.tests.builders import make_product

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]


def test_stock_changed_offline_is_queued_then_synced_and_conflicts_shown(new_context):
    from playwright.sync_api import expect

    store = make_store("Toko Bu Ani")
    product = make_product(store, "Gula Aren", stock=5)
    user = make_owner(store.enterprise)
    context = new_context(locale="id-ID")
    page = context.new_page()
    page.goto("/masuk/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/toko-saya/{store.public_id}/")
    form = page.locator(f'.stock-form[data-product="{product.public_id}"]')
    expect(form.locator(".stock")).to_have_text("5")

    # Offline: the plain form would fail, so the page queues the change on the phone.
    context.set_offline(True)
    form.locator("input[name=quantity]").fill("3")
    form.locator("button").click()
    expect(form.locator(".stock")).to_have_text("8 ⏳")
    queued = page.evaluate("JSON.parse(localStorage.getItem('tumbuh-seller-queue'))")
    assert [(q["product"], q["base_version"], q["changes"]) for q in queued] == [
        (product.public_id, 1, {"stock": 8})
    ]
    assert Product.objects.get(pk=product.pk).stock == 5

    # Back online: the queue is sent, applied once, and emptied.
    context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text("✓")
    expect(form.locator(".stock")).to_have_text("8")
    assert Product.objects.get(pk=product.pk).stock == 8
    assert page.evaluate("localStorage.getItem('tumbuh-seller-queue')") == "[]"

    # Offline again; meanwhile an order takes one unit on the server.
    context.set_offline(True)
    form.locator("input[name=quantity]").fill("10")
    form.locator("button").click()
    shop.restock(product=product, quantity=-1, by=system_actor())
    context.set_offline(False)
    expect(page.locator("#sync-status")).to_contain_text("conflict")
    expect(form.locator(".stock")).to_have_text("7")
    assert Product.objects.get(pk=product.pk).stock == 7
