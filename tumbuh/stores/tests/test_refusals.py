"""Refusals of the stores app: a code from StoresError on every refusal, in the API's one error
body with the field at fault; idempotent orders kept by core.idempotency."""

import re
from pathlib import Path

import pytest

from tumbuh.conftest import DAYEUHKOLOT, make_owner, make_store
from tumbuh.core.models import IdempotencyRecord
from tumbuh.core.refusals import Refused
from tumbuh.stores import qris
from tumbuh.stores.error_codes import StoresError
from tumbuh.stores.models import Order, Product
from tumbuh.stores.services import orders, shop
from tumbuh.stores.tests.builders import make_product
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_every_qris_codec_code_has_its_refusal_code():
    source = (Path(qris.__file__)).read_text()
    codes = set(re.findall(r'code="([a-z_.]+)"', source))
    assert len(codes) == 18
    assert {f"qris.{code}" for code in codes} == {
        str(member) for member in StoresError if member.startswith("qris.")
    }


def test_a_dynamic_qris_is_refused_with_the_codecs_code():
    store = make_store(live=False)
    dynamic = qris.with_amount(store.qris_payload, 15_000)
    with pytest.raises(Refused) as refused:
        shop.read_static_qris(dynamic)
    assert refused.value.reason == StoresError.QRIS_POINT_OF_INITIATION_DYNAMIC
    assert refused.value.field == "qris_payload"


def test_an_order_with_one_problem_has_its_code_and_several_have_order_invalid():
    store, product = shop_with_product(stock=5)
    with pytest.raises(Refused) as one:
        order_for(store, product, quantity=6)
    assert one.value.reason == "not_enough_stock"
    assert one.value.messages == [f"Only 5 of “{product.title}” left; you asked for 6."]
    with pytest.raises(Refused) as several:
        order_for(store, product, quantity=6, buyer_name=" ", village_code="99.99.99.9999")
    assert several.value.reason == "order_invalid"
    assert len(several.value.messages) == 3
    assert Product.objects.get(pk=product.pk).stock == 5 and not Order.objects.exists()


def _post_order(client, store, product, *, key=None, quantity=1, **changes):
    body = {
        "items": [{"product": product.public_id, "quantity": quantity}],
        "buyer_name": "Dewi Lestari",
        "buyer_phone": "0813-2222-3333",
        "village_code": DAYEUHKOLOT,
        "delivery": "pickup",
        "payment_method": "cod",
        **changes,
    }
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        f"/api/v1/stores/{store.slug}/orders",
        body,
        content_type="application/json",
        headers=headers,
    )


def test_api_refusals_carry_the_reason_and_the_field(client):
    store, product = shop_with_product(stock=5)
    refused = _post_order(client, store, product, village_code="00.00")
    assert refused.status_code == 422
    assert refused.json() == {
        "code": "invalid",
        "detail": "Choose your village from the list: the village code is unknown.",
        "reason": "village_unknown",
    }
    owner = make_owner(store.enterprise)
    client.force_login(owner)
    own = make_product(store, "Dodol", stock=2)
    too_cheap = client.patch(
        f"/api/v1/stores/seller/products/{own.public_id}",
        {"price_idr": 0},
        content_type="application/json",
    )
    assert too_cheap.status_code == 422
    assert too_cheap.json() == {
        "code": "invalid",
        "detail": "Price must be above Rp0 (a free product cannot be ordered).",
        "reason": "price_invalid",
        "field": "price_idr",
    }
    stale = client.patch(
        f"/api/v1/stores/seller/products/{own.public_id}",
        {"stock": 1, "base_version": 7},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json() == {
        "code": "conflict",
        "detail": "This product was changed elsewhere meanwhile; reload it and try again.",
        "reason": "version_conflict",
    }
    assert Product.objects.get(pk=own.pk).price_idr == 15_000


def test_an_order_key_is_kept_by_core_with_the_orders_code(client):
    store, product = shop_with_product(stock=5)
    first = _post_order(client, store, product, key="key-0042-abcdef")
    assert first.status_code == 201
    code = first.json()["code"]
    record = IdempotencyRecord.objects.get()
    assert (record.scope, record.key, record.status_code, record.response) == (
        f"stores.order:{store.pk}",
        "key-0042-abcdef",
        201,
        {"order": code},
    )
    order, created = orders.place_order_once(
        key="key-0042-abcdef",
        store=store,
        data={
            "items": [{"product": product.public_id, "quantity": 1}],
            "buyer_name": "Dewi Lestari",
            "buyer_phone": "0813-2222-3333",
            "village_code": DAYEUHKOLOT,
            "delivery": "pickup",
            "payment_method": "cod",
            "address": "",
            "note": "",
        },
        items=[orders.Item(product=product.public_id, quantity=1)],
        buyer_name="Dewi Lestari",
        buyer_phone="0813-2222-3333",
        village_code=DAYEUHKOLOT,
        delivery="pickup",
        payment_method="cod",
    )
    assert (order.code, created) == (code, False)
    assert Order.objects.count() == 1 and Product.objects.get(pk=product.pk).stock == 4


def test_the_same_key_at_another_store_is_another_order(client):
    store, product = shop_with_product(stock=5)
    other, other_product = shop_with_product(stock=5)
    assert _post_order(client, store, product, key="key-0043-abcdef").status_code == 201
    assert _post_order(client, other, other_product, key="key-0043-abcdef").status_code == 201
    assert Order.objects.count() == 2 and IdempotencyRecord.objects.count() == 2


@pytest.mark.parametrize("key", ["", "short-7", "k" * 101])
def test_a_key_of_the_wrong_length_is_refused_and_nothing_is_written(client, key):
    store, product = shop_with_product(stock=5)
    refused = _post_order(client, store, product, key=key)
    assert refused.status_code == 422
    assert refused.json() == {
        "code": "invalid",
        "detail": "The Idempotency-Key must have 8 to 100 characters.",
        "reason": "idempotency_key_length",
        "field": "Idempotency-Key",
    }
    assert not Order.objects.exists() and not IdempotencyRecord.objects.exists()
    assert Product.objects.get(pk=product.pk).stock == 5


def test_a_reused_key_names_the_order_request(client):
    store, product = shop_with_product(stock=5)
    assert _post_order(client, store, product, key="key-0044-abcdef").status_code == 201
    refused = _post_order(client, store, product, key="key-0044-abcdef", quantity=2)
    assert refused.status_code == 422
    assert refused.json() == {
        "code": "invalid",
        "detail": "This Idempotency-Key was already used for a different order request.",
        "reason": "idempotency_key_reused",
        "field": "Idempotency-Key",
    }
    assert Order.objects.count() == 1 and Product.objects.get(pk=product.pk).stock == 4
