"""Demo orders: every status, consignment balances, idempotent, deterministic codes."""

import pytest

from tumbuh.conftest import make_enterprise, make_store
from tumbuh.core.demodata import DemoReport
from tumbuh.stores import demo_orders, queries
from tumbuh.stores.models import Order, Store
from tumbuh.stores.tests.builders import make_product

pytestmark = pytest.mark.django_db


def _stores():
    bumdes = make_enterprise("BUMDes Demo", kind="bumdes")
    member = make_enterprise("UMKM Anggota")
    shop_a = make_store(enterprise=bumdes)
    Store.objects.filter(pk=shop_a.pk).update(
        accepts_transfer=True, bank_account_number="123", accepts_provider=True
    )
    shop_a.refresh_from_db()
    make_product(shop_a, stock=100, producer=member, consignment_share_percent=70)
    shop_b = make_store()
    make_product(shop_b, stock=100)
    return [shop_a, shop_b], member


def test_demo_orders_cover_every_status_and_run_once():
    stores, member = _stores()
    report = DemoReport()
    demo_orders.load(seed=7, report=report, stores=stores)
    statuses = set(Order.objects.filter(store=stores[0]).values_list("status", flat=True))
    assert statuses == set(Order.Status.values)
    assert Order.objects.filter(store=stores[0], payment_method="provider").exists()
    codes = set(Order.objects.values_list("code", flat=True))
    assert codes >= {demo_orders._code(7, stores[0], n) for n in range(len(demo_orders.RECIPES))}
    [balance] = queries.consignment_balances(store=stores[0])
    assert balance["producer_id"] == member.pk and balance["owed_idr"] > 0
    count = Order.objects.count()
    demo_orders.load(seed=7, report=DemoReport(), stores=stores)
    assert Order.objects.count() == count
    assert any("demo orders" in line for line in report.lines)
