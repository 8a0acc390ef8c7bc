"""The checkout form's one-time token: a form sent again gives the same order (core.idempotency
through place_order_once, scope stores.checkout:<store id>), never a second one."""

import re

import pytest

from tumbuh.core.models import IdempotencyRecord
from tumbuh.stores.models import Order, OrderEvent, Product
from tumbuh.stores.tests.order_builders import shop_with_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _hidden(html: str, name: str) -> str:
    return re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', html).group(1)


def _open_checkout(client, store, product, quantity=2) -> dict:
    """Put ``quantity`` of ``product`` in the cart and open the checkout: the form as drawn."""
    client.post("/keranjang/", {"product": product.public_id, "quantity": str(quantity)})
    html = client.get(f"/keranjang/{store.slug}/bayar/").content.decode()
    return {
        "action": "order",
        "token": _hidden(html, "token"),
        "lines": _hidden(html, "lines"),
        "name": "Rina Wulandari",
        "phone": "0857-1111-2222",
        "province": "32",
        "regency": "32.04",
        "district": "32.04.12",
        "village": "32.04.12.2002",
        "delivery": "pickup",
        "payment": "qris",
    }


def test_the_form_carries_a_fresh_token_and_the_cart_it_shows(client):
    store, product = shop_with_product(stock=5)
    form = _open_checkout(client, store, product, quantity=2)
    assert len(form["token"]) >= 32 and form["lines"] == f"{product.public_id}:2"
    again = client.get(f"/keranjang/{store.slug}/bayar/").content.decode()
    assert _hidden(again, "token") != form["token"]


def test_the_form_sent_twice_gives_one_order_and_takes_stock_once(client):
    store, product = shop_with_product(stock=5)
    form = _open_checkout(client, store, product, quantity=2)
    first = client.post(f"/keranjang/{store.slug}/bayar/", form)
    # the reply was lost: the buyer sends the same form again (the cart is empty by now)
    second = client.post(f"/keranjang/{store.slug}/bayar/", form)
    order = Order.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/pesanan/{order.code}/"
    assert Product.objects.get(pk=product.pk).stock == 3
    assert order.lines.get().quantity == 2 and order.channel == "web"
    assert OrderEvent.objects.filter(order=order, to_status="new").count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.scope == f"stores.checkout:{store.pk}" and record.key == form["token"]
    assert record.response == {"order": order.code}


def test_sent_again_before_the_cart_was_emptied_gives_the_same_order(client):
    """The order was placed but the session kept the cart (the reply and the session's save were
    lost together): the same token and the same cart are the same order."""
    store, product = shop_with_product(stock=5)
    form = _open_checkout(client, store, product, quantity=2)
    first = client.post(f"/keranjang/{store.slug}/bayar/", form)
    client.post("/keranjang/", {"product": product.public_id, "quantity": "2"})
    second = client.post(f"/keranjang/{store.slug}/bayar/", form)
    assert second["Location"] == first["Location"]
    assert Order.objects.count() == 1 and Product.objects.get(pk=product.pk).stock == 3
    assert product.title not in client.get("/keranjang/").content.decode()  # emptied again


def test_the_same_token_with_another_cart_is_refused(client):
    store, product = shop_with_product(stock=10)
    form = _open_checkout(client, store, product, quantity=2)
    client.post(f"/keranjang/{store.slug}/bayar/", form)
    order = Order.objects.get()
    # back to the old page with another cart in the session, and sent again
    client.post("/keranjang/", {"product": product.public_id, "quantity": "3"})
    refused = client.post(f"/keranjang/{store.slug}/bayar/", form)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "already used to place an order with other products" in html
    assert Order.objects.get() == order and Product.objects.get(pk=product.pk).stock == 8
    # the page shows the cart as it is now, with a new token that places it
    assert _hidden(html, "lines") == f"{product.public_id}:3"
    assert _hidden(html, "token") != form["token"]
    placed = client.post(
        f"/keranjang/{store.slug}/bayar/",
        {**form, "token": _hidden(html, "token"), "lines": _hidden(html, "lines")},
    )
    assert placed.status_code == 302 and placed["Location"] != f"/pesanan/{order.code}/"
    assert Order.objects.count() == 2 and Product.objects.get(pk=product.pk).stock == 5


def test_a_refused_order_keeps_the_token_usable(client):
    store, product = shop_with_product(stock=5)
    form = _open_checkout(client, store, product, quantity=2)
    refused = client.post(f"/keranjang/{store.slug}/bayar/", {**form, "name": ""})
    assert refused.status_code == 400 and "Enter your name" in refused.content.decode()
    assert _hidden(refused.content.decode(), "token") == form["token"]
    assert not IdempotencyRecord.objects.exists() and not Order.objects.exists()
    placed = client.post(f"/keranjang/{store.slug}/bayar/", form)
    assert placed.status_code == 302 and Order.objects.count() == 1


def test_an_unused_token_with_an_empty_cart_places_nothing(client):
    store, product = shop_with_product(stock=5)
    form = _open_checkout(client, store, product, quantity=2)
    client.post("/keranjang/", {"product": product.public_id, "action": "remove"})
    response = client.post(f"/keranjang/{store.slug}/bayar/", form, follow=True)
    assert response.redirect_chain == [("/keranjang/", 302)]
    assert "Your cart has nothing from this store" in response.content.decode()
    assert not Order.objects.exists() and Product.objects.get(pk=product.pk).stock == 5
    assert not IdempotencyRecord.objects.exists()
