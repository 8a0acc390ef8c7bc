"""Cart, checkout and order status pages: the whole purchase with plain form posts (no
JavaScript), refusals shown on the page, page budgets, no personal data on the status page,
and the seller's order pages."""

import re

import pytest
from django.core import mail

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_owner, make_store
from tumbuh.core.tests.weight import served_size
from tumbuh.stores import qris, queries
from tumbuh.stores.models import Order, Product
from tumbuh.stores.services import orders
from tumbuh.stores.tests.builders import make_product
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
BUDGET = 14 * 1024


def _checkout_form(payment="cod", **changes):
    form = {
        "action": "order",
        "name": "Rina Wulandari",
        "phone": "0857-1111-2222",
        "province": "32",
        "regency": "32.04",
        "district": "32.04.12",
        "village": DAYEUHKOLOT,
        "address": "Gang Melati 3",
        "delivery": "pickup",
        "payment": payment,
    }
    form.update(changes)
    return form


def test_buy_with_plain_forms_from_product_page_to_order_status(
    client, django_capture_on_commit_callbacks
):
    store, product = shop_with_product(stock=4)
    seller = make_owner(store.enterprise, email="toko@example.id")
    page = client.get(product.get_absolute_url())
    assert 'action="/keranjang/"' in page.content.decode()
    added = client.post("/keranjang/", {"product": product.public_id, "quantity": "3"})
    assert added.status_code == 302
    cart = client.get("/keranjang/")
    html = cart.content.decode()
    assert (
        product.title in html and "Rp45.000" in html and f"/keranjang/{store.slug}/bayar/" in html
    )
    assert served_size(cart, page="cart") <= BUDGET
    checkout = client.get(f"/keranjang/{store.slug}/bayar/")
    assert checkout.status_code == 200 and served_size(checkout, page="checkout") <= BUDGET
    html = checkout.content.decode()
    # the region picker starts at the store's district, its villages listed without JavaScript
    assert 'name="village"' in html and "<script" not in html.split("<main")[1]
    with django_capture_on_commit_callbacks(execute=True):
        placed = client.post(f"/keranjang/{store.slug}/bayar/", _checkout_form())
    assert placed.status_code == 302
    order = Order.objects.get()
    assert placed["Location"] == f"/pesanan/{order.code}/"
    assert "0857" not in placed["Location"]
    assert Product.objects.get(pk=product.pk).stock == 1
    assert order.buyer_name == "Rina Wulandari" and order.village_id == DAYEUHKOLOT
    status = client.get(placed["Location"])
    html = status.content.decode()
    assert (
        status.status_code == 200
        and order.code in html
        and served_size(status, page="order status (cash)") <= BUDGET
    )
    assert "Rina" not in html and "Gang Melati" not in html and "1111" not in html
    assert order.buyer_phone_masked in html
    assert "https://wa.me/6281234567890?text=" in html
    assert client.get("/keranjang/").content.decode().count(product.title) == 0  # cart emptied
    assert mail.outbox and mail.outbox[0].to == [seller.email]


def test_checkout_refusal_is_shown_and_changes_nothing(client):
    store, product = shop_with_product(stock=4)
    client.post("/keranjang/", {"product": product.public_id, "quantity": "2"})
    response = client.post(f"/keranjang/{store.slug}/bayar/", _checkout_form(phone="12", name=""))
    html = response.content.decode()
    assert response.status_code == 400 and "Enter your name" in html and "phone number" in html
    assert "Gang Melati 3</textarea>" in html  # the form keeps what was typed
    assert not Order.objects.exists() and Product.objects.get(pk=product.pk).stock == 4


def test_region_picker_narrows_without_javascript(client):
    store, product = shop_with_product()
    client.post("/keranjang/", {"product": product.public_id, "quantity": "1"})
    response = client.post(
        f"/keranjang/{store.slug}/bayar/", {"action": "find", "province": "53", "regency": "53.71"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'name="district"' in html
    assert "53.71.01" in html and not Order.objects.exists()


def test_qris_status_page_draws_the_amount_bearing_qr(client):
    store, product = shop_with_product()
    client.post("/keranjang/", {"product": product.public_id, "quantity": "1"})
    placed = client.post(f"/keranjang/{store.slug}/bayar/", _checkout_form(payment="qris"))
    order = Order.objects.get()
    status = client.get(placed["Location"])
    html = status.content.decode()
    assert "<svg" in html and f"Rp{order.amount_due_idr:,}".replace(",", ".") in html
    assert served_size(status, page="order status (QRIS, with SVG)") <= BUDGET
    assert qris.parse(order.payment.qr_string).amount_idr == order.amount_due_idr


def test_cart_refuses_unknown_products_and_removes_lines(client):
    store, product = shop_with_product()
    assert client.post("/keranjang/", {"product": "nope", "quantity": "1"}).status_code == 302
    client.post("/keranjang/", {"product": product.public_id, "quantity": "2"})
    client.post("/keranjang/", {"product": product.public_id, "action": "remove"})
    assert product.title not in client.get("/keranjang/").content.decode()
    response = client.get(f"/keranjang/{store.slug}/bayar/")
    assert response.status_code == 302  # nothing from this store in the cart


def test_buyer_cancels_from_the_browser_that_ordered(client):
    store, product = shop_with_product(stock=3)
    client.post("/keranjang/", {"product": product.public_id, "quantity": "1"})
    placed = client.post(f"/keranjang/{store.slug}/bayar/", _checkout_form(payment="transfer"))
    order = Order.objects.get()
    html = client.get(placed["Location"]).content.decode()
    assert "0123456789" in html and "Cancel the order" in html
    client.post(f"/pesanan/{order.code}/batal/")
    assert Order.objects.get().status == "cancelled"
    assert Product.objects.get(pk=product.pk).stock == 3


def test_another_browser_cannot_cancel(client, client_of):
    store, product = shop_with_product()
    order = order_for(store, product)
    assert client.post(f"/pesanan/{order.code}/batal/").status_code == 404
    assert Order.objects.get().status == "new"


def test_status_page_of_an_unknown_code_is_404(client):
    assert client.get("/pesanan/ZZZZZZZZZZ/").status_code == 404


# --- seller pages --------------------------------------------------------------------------------


def test_seller_sees_todays_orders_confirms_qris_and_moves_on(client_of):
    store, product = shop_with_product()
    seller = make_owner(store.enterprise)
    order = order_for(store, product, payment="qris")
    client = client_of(seller)
    listing = client.get("/toko-saya/pesanan/")
    html = listing.content.decode()
    assert order.code in html and "https://wa.me/62812" in html
    detail = client.get(f"/toko-saya/pesanan/{order.code}/")
    html = detail.content.decode()
    assert "Payment received" in html and "Siti Aminah" in html
    client.post(f"/toko-saya/pesanan/{order.code}/", {"to": "paid"})
    assert Order.objects.get(pk=order.pk).status == "paid"
    client.post(f"/toko-saya/pesanan/{order.code}/", {"to": "completed"})  # refused: not next
    assert Order.objects.get(pk=order.pk).status == "paid"
    client.post(f"/toko-saya/pesanan/{order.code}/", {"to": "packed"})
    assert Order.objects.get(pk=order.pk).status == "packed"


def test_seller_pages_hide_other_sellers_orders(client_of):
    store, product = shop_with_product()
    order = order_for(store, product)
    stranger = client_of(make_owner(make_enterprise("Usaha Lain")))
    assert order.code not in stranger.get("/toko-saya/pesanan/?tampil=semua").content.decode()
    assert stranger.get(f"/toko-saya/pesanan/{order.code}/").status_code == 404
    assert (
        stranger.post(f"/toko-saya/pesanan/{order.code}/", {"to": "confirmed"}).status_code == 404
    )
    assert Order.objects.get().status == "new"
    assert stranger.get(f"/toko-saya/{store.public_id}/saldo-produsen/").status_code == 404


def test_seller_balances_page_records_a_payout(client_of):
    bumdes = make_enterprise("BUMDes Sejahtera", kind="bumdes")
    member = make_enterprise("Anyaman Pak Dodi")
    store = make_store(enterprise=bumdes)
    product = make_product(
        store, price_idr=50_000, stock=5, producer=member, consignment_share_percent=90
    )
    order = order_for(store, product, quantity=2)
    for status in ("confirmed", "packed", "delivered"):
        orders.transition(order=order, to=status, by=system_actor())
    client = client_of(make_owner(bumdes))
    url = f"/toko-saya/{store.public_id}/saldo-produsen/"
    html = client.get(url).content.decode()
    assert "Anyaman Pak Dodi" in html and "Rp90.000" in html
    client.post(url, {"producer": member.pk, "amount_idr": "40000"})
    html = client.get(url).content.decode()
    assert re.search(r"<strong>Rp50\.000</strong>", html)
    client.post(url, {"producer": member.pk, "amount_idr": "60000"})  # more than owed: refused
    assert queries.consignment_balances(store=store)[0]["owed_idr"] == 50_000
