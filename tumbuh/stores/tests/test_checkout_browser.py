"""Buying in a real Chromium: (a) with JavaScript disabled, from the product page to the order
status page; (b) paying with QRIS and seeing the order confirmed by the seller.

One browser per module, a fresh context per buyer or seller. The live server's database is
flushed after each test, so the test provinces are reloaded (see tumbuh/conftest.py).
Run with ``TUMBUH_REQUIRE_BROWSER=1`` to fail instead of skipping when Chromium is missing.
"""

import re

import pytest

from tumbuh.conftest import DAYEUHKOLOT, PASSWORD, make_owner
from tumbuh.stores import qris
from tumbuh.stores.models import Order, Product
from tumbuh.stores.tests.order_builders import shop_with_product

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]


def _buy(page, product, *, payment: str) -> str:
    """Add the product to the cart, check out with ``payment``; return the order code."""
    page.goto(product.get_absolute_url())
    page.fill("input[name=quantity]", "2")
    page.click("form[action='/keranjang/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/keranjang/$"))
    page.click(f"a[href='/keranjang/{product.store.slug}/bayar/']")
    page.wait_for_url(re.compile(r"/bayar/$"))
    page.fill("input[name=name]", "Maria Bere")
    page.fill("input[name=phone]", "0852-3333-4444")
    page.select_option("select[name=village]", DAYEUHKOLOT)
    page.fill("textarea[name=address]", "Dekat masjid")
    page.check(f"input[name=payment][value={payment}]")
    page.click("button[name=action][value=order]")
    page.wait_for_url(re.compile(r"/pesanan/[A-Z0-9]{10}/$"))
    return page.url.rstrip("/").rsplit("/", 1)[1]


def test_buy_a_product_with_javascript_disabled(new_context):
    store, product = shop_with_product(stock=5)
    page = new_context(java_script_enabled=False, viewport={"width": 360, "height": 640}).new_page()
    code = _buy(page, product, payment="cod")
    assert page.locator("#order-status").get_attribute("data-status") == "new"
    order = Order.objects.get(code=code)
    assert order.store == store and order.lines.get().quantity == 2
    assert Product.objects.get(pk=product.pk).stock == 3
    body = page.content()
    assert "Maria" not in body and "4444" not in body and order.buyer_phone_masked in body


def test_pay_with_qris_and_see_the_order_confirmed_by_the_seller(new_context):
    store, product = shop_with_product(stock=5)
    seller = make_owner(store.enterprise)
    buyer = new_context().new_page()
    code = _buy(buyer, product, payment="qris")
    order = Order.objects.get(code=code)
    assert buyer.locator("#qris svg").count() == 1
    assert qris.parse(order.payment.qr_string).amount_idr == order.amount_due_idr
    assert buyer.locator("#order-status").get_attribute("data-status") == "awaiting_payment"

    seller_page = new_context().new_page()
    seller_page.goto("/masuk/?next=/toko-saya/pesanan/")
    seller_page.locator("#id_username").fill(seller.email)
    seller_page.locator("#id_password").fill(PASSWORD)
    seller_page.locator("#id_password").press("Enter")
    seller_page.wait_for_url(re.compile(r"/toko-saya/pesanan/$"))
    seller_page.click(f"a[href='/toko-saya/pesanan/{code}/']")
    seller_page.click("button[name=to][value=paid]")
    seller_page.wait_for_selector("#order-status[data-status=paid]")

    buyer.reload()
    assert buyer.locator("#order-status").get_attribute("data-status") == "paid"
    assert buyer.locator("#qris svg").count() == 0
    assert Order.objects.get(code=code).payment.status == "received"
