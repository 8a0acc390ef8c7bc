"""The oversell race on PostgreSQL: 200 buyers for the last 10 items give exactly 10 orders."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from tumbuh.stores.models import Order, OrderLine, Product
from tumbuh.stores.services import orders
from tumbuh.stores.tests.order_builders import shop_with_product

BUYERS = 200
STOCK = 10
# Concurrent connections: the server allows 100 and is shared; 40 keep the race real.
WORKERS = 40


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers with one database lock, so there is no race to test; "
    "row locks and concurrent UPDATEs need PostgreSQL",
)
@pytest.mark.parametrize("payment", ["cod", "qris"])
def test_two_hundred_buyers_for_ten_items_give_ten_orders(regions_after_flush, payment):
    store, product = shop_with_product(stock=STOCK)
    barrier = threading.Barrier(WORKERS)
    outcomes = []
    lock = threading.Lock()

    def buy(number):
        # Each thread starts in the default language; refusals are read in English here.
        translation.activate("en")
        try:
            if number < WORKERS:
                barrier.wait(timeout=30)  # the first wave starts together
            orders.place_order(
                store=store,
                items=[orders.Item(product=product.public_id, quantity=1)],
                buyer_name=f"Pembeli {number}",
                buyer_phone=f"0812{number:08d}",
                village_code=store.village_id,
                delivery="pickup",
                payment_method=payment,
            )
            result = "ordered"
        except ValidationError as error:
            result = "sold out" if "left" in str(error) or "sold out" in str(error) else str(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(buy, range(BUYERS)))
    assert outcomes.count("ordered") == STOCK
    assert outcomes.count("sold out") == BUYERS - STOCK, set(outcomes)
    assert Product.objects.get(pk=product.pk).stock == 0
    assert Order.objects.filter(store=store).count() == STOCK
    assert OrderLine.objects.filter(product=product).count() == STOCK
    if payment == "qris":
        suffixes = list(Order.objects.values_list("payment_suffix_idr", flat=True))
        assert len(set(suffixes)) == STOCK


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers with one database lock, so there is no race to test",
)
def test_the_same_idempotency_key_sent_at_once_makes_one_order(regions_after_flush):
    store, product = shop_with_product(stock=STOCK)
    data = {"items": [{"product": product.public_id, "quantity": 1}], "buyer": "x"}
    senders = 8
    barrier = threading.Barrier(senders)
    codes, lock = [], threading.Lock()

    def send(number):
        try:
            barrier.wait(timeout=30)
            order, _created = orders.place_order_once(
                key="retry-key-0001",
                store=store,
                data=data,
                items=[orders.Item(product=product.public_id, quantity=1)],
                buyer_name="Pembeli",
                buyer_phone="081200000001",
                village_code=store.village_id,
                delivery="pickup",
                payment_method="cod",
            )
            with lock:
                codes.append(order.code)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=senders) as pool:
        list(pool.map(send, range(senders)))
    assert len(codes) == senders and len(set(codes)) == 1
    assert Order.objects.filter(store=store).count() == 1
    assert Product.objects.get(pk=product.pk).stock == STOCK - 1
