"""Test builders for orders (used by the test_order_*, test_checkout_* and test_payment_* modules)."""

import itertools

from tumbuh.conftest import DAYEUHKOLOT, make_store
from tumbuh.stores.models import Store
from tumbuh.stores.services import orders
from tumbuh.stores.tests.builders import make_product

_phones = itertools.count(1000)


def shop_with_product(*, stock=10, price_idr=15_000, **store_fields):
    """A live store accepting every way to pay, with one product."""
    store = make_store(**store_fields)
    Store.objects.filter(pk=store.pk).update(
        accepts_provider=True,
        accepts_transfer=True,
        bank_name="BRI",
        bank_account_number="0123456789",
        bank_account_holder="BUMDES MAJU",
        offers_courier=True,
        courier_rate_idr=12_000,
    )
    store.refresh_from_db()
    return store, make_product(store, stock=stock, price_idr=price_idr)


def order_for(store, product, *, quantity=1, payment="cod", delivery="pickup", **fields):
    """Place an order through the service with valid buyer details."""
    values = {
        "buyer_name": "Siti Aminah",
        "buyer_phone": f"0812-7777-{next(_phones)}",
        "village_code": DAYEUHKOLOT,
        "delivery": delivery,
        "payment_method": payment,
        "address": "Jl. Raya Dayeuhkolot 12",
    }
    values.update(fields)
    return orders.place_order(
        store=store,
        items=[orders.Item(product=product.public_id, quantity=quantity)],
        **values,
    )
