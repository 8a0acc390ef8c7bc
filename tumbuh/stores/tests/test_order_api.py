"""The orders API: idempotent creation, refusals, status by code, seller endpoints scoped."""

import pytest

from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_owner
from tumbuh.core.models import IdempotencyRecord
from tumbuh.stores.models import Order, Product
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _body(product, quantity=2, **changes):
    body = {
        "items": [{"product": product.public_id, "quantity": quantity}],
        "buyer_name": "Dewi Lestari",
        "buyer_phone": "0813-2222-3333",
        "village_code": DAYEUHKOLOT,
        "delivery": "pickup",
        "payment_method": "qris",
    }
    body.update(changes)
    return body


def _post(client, store, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/stores/{store.slug}/orders",
        body,
        content_type="application/json",
        headers=headers,
    )


def test_same_key_twice_gives_the_same_order(client):
    store, product = shop_with_product(stock=10)
    first = _post(client, store, _body(product), key="key-0001-abcdef")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["status"] == "awaiting_payment" and data["qris"].startswith("000201")
    assert data["amount_due_idr"] == 30_000 + data["payment_suffix_idr"]
    assert "3333" not in first.content.decode() and "Dewi" not in first.content.decode()
    again = _post(client, store, _body(product), key="key-0001-abcdef")
    assert again.status_code == 200 and again.json()["code"] == data["code"]
    assert Order.objects.count() == 1 and Product.objects.get(pk=product.pk).stock == 8


def test_same_key_with_another_body_is_refused(client):
    store, product = shop_with_product(stock=10)
    assert _post(client, store, _body(product), key="key-0002-abcdef").status_code == 201
    refused = _post(client, store, _body(product, quantity=3), key="key-0002-abcdef")
    assert refused.status_code == 422
    assert "different order request" in refused.json()["detail"]
    assert Order.objects.count() == 1 and Product.objects.get(pk=product.pk).stock == 8


def test_refused_order_leaves_the_key_usable(client):
    store, product = shop_with_product(stock=1)
    refused = _post(client, store, _body(product, quantity=2), key="key-0003-abcdef")
    assert refused.status_code == 422 and "Only 1" in refused.content.decode()
    assert not IdempotencyRecord.objects.exists()
    assert (
        _post(client, store, _body(product, quantity=1), key="key-0003-abcdef").status_code == 201
    )


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"village_code": "00.00"}, "village code is unknown"),
        ({"payment_method": "transfer-x"}, "does not accept"),
        ({"delivery": "drone"}, "does not offer that delivery"),
    ],
)
def test_bad_orders_are_refused_with_the_reason(client, changes, reason):
    store, product = shop_with_product(stock=5)
    response = _post(client, store, _body(product, **changes))
    assert response.status_code == 422 and reason in response.json()["detail"]
    assert not Order.objects.exists()


def test_product_of_another_store_is_refused(client):
    store, _ = shop_with_product()
    _, other = shop_with_product()
    response = _post(client, store, _body(other))
    assert response.status_code == 422 and "not sold by this store" in response.json()["detail"]


def test_status_by_code_is_public_and_unknown_code_is_404(client):
    store, product = shop_with_product()
    order = order_for(store, product, payment="cod")
    data = client.get(f"/api/v1/stores/orders/{order.code}").json()
    assert data["status"] == "new" and data["code"] == order.code and data["qris"] == ""
    assert "buyer_name" not in data and "address" not in data
    assert client.get("/api/v1/stores/orders/XXXXXXXXXX").status_code == 404


def test_seller_endpoints_reach_only_their_orders(client_of):
    store, product = shop_with_product()
    mine = order_for(store, product, payment="transfer")
    other_store, other_product = shop_with_product()
    theirs = order_for(other_store, other_product)
    client = client_of(make_owner(store.enterprise))
    listed = client.get("/api/v1/stores/seller/orders").json()
    assert [row["code"] for row in listed] == [mine.code]
    assert listed[0]["buyer_name"] == "Siti Aminah" and "*" in listed[0]["buyer_phone_masked"]
    assert client.get(f"/api/v1/stores/seller/orders/{theirs.code}").status_code == 404
    moved = client.post(
        f"/api/v1/stores/seller/orders/{mine.code}/status",
        {"to": "paid"},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["status"] == "paid"
    assert moved.json()["allowed_next"] == ["packed", "refunded"]
    bad = client.post(
        f"/api/v1/stores/seller/orders/{mine.code}/status",
        {"to": "completed"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "cannot become" in bad.json()["detail"]
    denied = client.post(
        f"/api/v1/stores/seller/orders/{theirs.code}/status",
        {"to": "confirmed"},
        content_type="application/json",
    )
    assert denied.status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == "new"


def test_seller_endpoints_need_a_seller(client, client_of):
    assert client.get("/api/v1/stores/seller/orders").status_code in (401, 403)
    stranger = client_of(make_owner(make_enterprise("Usaha Tanpa Toko")))
    assert stranger.get("/api/v1/stores/seller/orders").json() == []


def test_seller_order_list_queries_do_not_grow_with_orders(client_of, query_count):
    store, product = shop_with_product(stock=100)
    client = client_of(make_owner(store.enterprise))
    order_for(store, product)
    with query_count() as few:
        assert len(client.get("/api/v1/stores/seller/orders").json()) == 1
    for _ in range(6):
        order_for(store, product)
    with query_count() as many:
        assert len(client.get("/api/v1/stores/seller/orders").json()) == 7
    assert len(many) == len(few)
    with query_count() as page_few:
        client.get("/toko-saya/pesanan/")
    order_for(store, product)
    with query_count() as page_many:
        client.get("/toko-saya/pesanan/")
    assert len(page_many) == len(page_few)
