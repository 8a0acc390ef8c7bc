"""The stores demo: live stores (BumDes in 3T first) with products and photos; idempotent."""

import pytest

from tumbuh.conftest import DAYEUHKOLOT, NAMOSAIN, make_enterprise
from tumbuh.core.demodata import DemoReport
from tumbuh.core.region_filter import region_q
from tumbuh.core.storage import is_content_hashed
from tumbuh.regions.models import Village
from tumbuh.registry.models import Milestone
from tumbuh.stores import demo, qris
from tumbuh.stores.models import Product, Store

pytestmark = pytest.mark.django_db


def test_demo_opens_stores_with_products_and_runs_again_without_duplicates(monkeypatch):
    monkeypatch.setattr(demo, "STORES", 4)
    monkeypatch.setattr(demo, "BUMDES_STORES", 1)
    village_3t = (
        Village.objects.filter(region_q("code", "53"), regency__is_3t=True).order_by("code").first()
    )
    bumdes = make_enterprise("BumDes Maju Bersama", village=village_3t.code, kind="bumdes")
    make_enterprise("BumDes Kota", village=NAMOSAIN, kind="bumdes")
    members = [make_enterprise(f"Tenun Ina {n}", village=village_3t.code) for n in range(3)]
    for n in range(4):
        make_enterprise(f"Keripik Bandung {n}", village=DAYEUHKOLOT)
    report = DemoReport()
    demo.load(seed=7, report=report)
    stores = list(Store.objects.order_by("pk"))
    assert len(stores) == 4 and all(s.status == "live" for s in stores)
    assert stores[0].enterprise == bumdes  # the BumDes in a 3T village comes first
    assert Milestone.objects.filter(kind="store_live").count() == 4
    products = Product.objects.filter(store__in=stores)
    assert products.count() >= 4 * 4
    # Thumbnails of the demo's drawn photos: at most 4 KB each, under content-hashed names.
    assert all(p.photo and p.thumbnail.size <= 4 * 1024 for p in products)
    assert all(is_content_hashed(p.photo.name + p.thumbnail.name) for p in products)
    consigned = products.filter(store=stores[0]).exclude(producer=bumdes)
    assert {p.producer for p in consigned} <= set(members)
    for store in stores:
        parsed = qris.parse(store.qris_payload, require_static=True)
        assert parsed.merchant_name == store.qris_merchant_name and parsed.nmid.startswith("IDDEMO")
    assert report.logins[0].login == demo.SELLER_LOGIN
    snapshot = sorted(products.values_list("store__slug", "title", "price_idr", "stock"))

    demo.load(seed=7, report=DemoReport())
    assert Store.objects.count() == 4
    assert (
        sorted(Product.objects.values_list("store__slug", "title", "price_idr", "stock"))
        == snapshot
    )
