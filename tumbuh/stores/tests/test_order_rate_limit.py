"""Orders per client address per minute (stores.ratelimit): the API and the checkout form answer
429 past TUMBUH_ORDER_RATE_PER_MINUTE, place nothing, and leave other addresses alone."""

import pytest
from django.core.management import call_command

from tumbuh.conftest import DAYEUHKOLOT
from tumbuh.stores import ratelimit
from tumbuh.stores.models import Order, Product
from tumbuh.stores.tests.order_builders import shop_with_product

pytestmark = pytest.mark.django_db

NOON = 1_780_000_040.0  # 20 seconds into a minute


@pytest.fixture
def clock(monkeypatch):
    """The rate limit's clock, fixed (a test never straddles two windows by chance)."""
    now = {"t": NOON}
    monkeypatch.setattr(ratelimit, "_clock", lambda: now["t"])
    return now


def _order(client, store, product, address="198.51.100.7", **headers):
    body = {
        "items": [{"product": product.public_id, "quantity": 1}],
        "buyer_name": "Dewi Lestari",
        "buyer_phone": "0813-2222-3333",
        "village_code": DAYEUHKOLOT,
        "delivery": "pickup",
        "payment_method": "cod",
    }
    return client.post(
        f"/api/v1/stores/{store.slug}/orders",
        body,
        content_type="application/json",
        REMOTE_ADDR=address,
        headers=headers,
    )


def test_the_order_past_the_limit_is_429_and_places_nothing(client, settings, clock):
    settings.TUMBUH_ORDER_RATE_PER_MINUTE = 3
    settings.TUMBUH_PROXY_COUNT = 0
    store, product = shop_with_product(stock=10)
    assert [_order(client, store, product).status_code for _ in range(3)] == [201, 201, 201]
    refused = _order(client, store, product)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"  # the rest of the minute
    body = refused.json()
    assert body["code"] == "rate_limited" and body["reason"] == "too_many_orders"
    assert body["detail"]  # in the caller's language
    assert Order.objects.count() == 3 and Product.objects.get(pk=product.pk).stock == 7
    # another address is not affected; the next minute, the first may order again
    assert _order(client, store, product, address="203.0.113.9").status_code == 201
    clock["t"] += 40
    assert _order(client, store, product).status_code == 201
    assert Order.objects.count() == 5


def test_the_detail_is_in_english_for_an_english_caller(client, settings, clock, english):
    settings.TUMBUH_ORDER_RATE_PER_MINUTE = 1
    store, product = shop_with_product(stock=10)
    _order(client, store, product)
    refused = _order(client, store, product)
    assert refused.json()["detail"] == (
        "Too many orders from your connection in one minute. Try again in 40 seconds."
    )


def test_the_address_is_the_one_the_proxy_saw(client, settings, clock):
    """Behind one proxy every request comes from the proxy: the client is in X-Forwarded-For."""
    settings.TUMBUH_ORDER_RATE_PER_MINUTE = 1
    settings.TUMBUH_PROXY_COUNT = 1
    store, product = shop_with_product(stock=10)
    proxy = "10.0.0.2"
    first = _order(client, store, product, proxy, **{"X-Forwarded-For": "198.51.100.7"})
    second = _order(client, store, product, proxy, **{"X-Forwarded-For": "198.51.100.8"})
    third = _order(client, store, product, proxy, **{"X-Forwarded-For": "198.51.100.7"})
    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 429)
    assert Order.objects.count() == 2


def test_zero_turns_the_limit_off(client, settings, clock):
    settings.TUMBUH_ORDER_RATE_PER_MINUTE = 0
    store, product = shop_with_product(stock=20)
    assert {_order(client, store, product).status_code for _ in range(12)} == {201}


def test_the_limit_works_on_the_database_cache(client, settings, clock):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tumbuh_test_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    settings.TUMBUH_ORDER_RATE_PER_MINUTE = 2
    store, product = shop_with_product(stock=10)
    codes = [_order(client, store, product).status_code for _ in range(3)]
    assert codes == [201, 201, 429] and Order.objects.count() == 2


def test_the_checkout_form_has_the_same_limit(client, settings, clock, english):
    settings.TUMBUH_ORDER_RATE_PER_MINUTE = 1
    store, product = shop_with_product(stock=10)
    assert _order(client, store, product).status_code == 201  # the API counts too
    client.post("/keranjang/", {"product": product.public_id, "quantity": "2"})
    form = {
        "action": "order",
        "name": "Rina Wulandari",
        "phone": "0857-1111-2222",
        "province": "32",
        "regency": "32.04",
        "district": "32.04.12",
        "village": DAYEUHKOLOT,
        "delivery": "pickup",
        "payment": "cod",
    }
    refused = client.post(f"/keranjang/{store.slug}/bayar/", form, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429 and refused["Retry-After"] == "40"
    assert "Too many orders from your connection" in refused.content.decode()
    assert Order.objects.count() == 1 and Product.objects.get(pk=product.pk).stock == 9
    # the region picker's submit is not an order
    found = client.post(
        f"/keranjang/{store.slug}/bayar/", {**form, "action": "find"}, REMOTE_ADDR="198.51.100.7"
    )
    assert found.status_code == 200
    placed = client.post(f"/keranjang/{store.slug}/bayar/", form, REMOTE_ADDR="203.0.113.9")
    assert placed.status_code == 302 and Order.objects.count() == 2


def test_openapi_declares_the_429(client):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/stores/{slug}/orders"]["post"]["responses"]
    assert responses["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
