"""Migrations 0004/0005: the orders API's idempotency records move into core.IdempotencyRecord
(the answer is the order's code) and back when reversed; a retried key still finds its order."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tumbuh.conftest import DAYEUHKOLOT, ensure_regions
from tumbuh.core.idempotency import request_sha256
from tumbuh.core.models import IdempotencyRecord
from tumbuh.stores.models import Order
from tumbuh.stores.services import orders
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

BEFORE = [("stores", "0003_product_photos_content_hashed_names")]
AFTER = [("stores", "0005_delete_idempotency_record")]


@pytest.fixture
def regions_reloaded(transactional_db):
    ensure_regions()  # an earlier transactional test may have flushed them


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.usefixtures("regions_reloaded")
def test_order_keys_move_to_core_and_back():
    store, product = shop_with_product(stock=5)
    order = order_for(store, product)
    data = {"items": [{"product": product.public_id, "quantity": 1}], "buyer": "x"}
    placed_at = timezone.now() - datetime.timedelta(days=3)
    try:
        old_apps = _migrate(BEFORE)
        Old = old_apps.get_model("stores", "IdempotencyRecord")
        kept = Old.objects.create(
            scope=f"stores.order:{store.pk}",
            key="retry-key-0001",
            request_hash=request_sha256(data),
            order_id=order.pk,
            status_code=201,
        )
        Old.objects.filter(pk=kept.pk).update(created_at=placed_at)
        Old.objects.create(
            scope="stores.order:0", key="orphan-key-1", request_hash="0" * 64, status_code=201
        )
        _migrate(AFTER)
        rows = sorted(
            IdempotencyRecord.objects.values_list(
                "scope", "key", "request_sha256", "status_code", "response"
            )
        )
        assert rows == [
            ("stores.order:0", "orphan-key-1", "0" * 64, 201, {}),
            (
                f"stores.order:{store.pk}",
                "retry-key-0001",
                request_sha256(data),
                201,
                {"order": order.code},
            ),
        ]
        assert IdempotencyRecord.objects.get(key="retry-key-0001").created_at == placed_at

        # a client retrying after the upgrade gets its first order, and no second one
        again, created = orders.place_order_once(
            key="retry-key-0001",
            store=store,
            data=data,
            items=[orders.Item(product=product.public_id, quantity=1)],
            buyer_name="Pembeli",
            buyer_phone="081200000001",
            village_code=DAYEUHKOLOT,
            delivery="pickup",
            payment_method="cod",
        )
        assert (again.pk, created) == (order.pk, False)
        assert Order.objects.count() == 1

        old_apps = _migrate(BEFORE)
        Old = old_apps.get_model("stores", "IdempotencyRecord")
        back = Old.objects.get(key="retry-key-0001")
        assert (back.scope, back.order_id, back.request_hash, back.created_at) == (
            f"stores.order:{store.pk}",
            order.pk,
            request_sha256(data),
            placed_at,
        )
        assert Old.objects.get(key="orphan-key-1").order_id is None
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
