"""Seller pages: products and stock, consignment, offline edits synced with conflicts shown."""

import json

import pytest

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import NAMOSAIN, make_enterprise, make_owner, make_store
from tumbuh.stores.models import ProductEdit
from tumbuh.stores.services import shop
from tumbuh.stores.tests.builders import make_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def seller(client_of):
    store = make_store("Toko Bu Ani")
    user = make_owner(store.enterprise)
    return client_of(user), user, store


def _sync(client, edits):
    response = client.post(
        "/toko-saya/sinkron/", json.dumps({"edits": edits}), content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()["results"]


def test_seller_home_lists_the_store_and_products_with_restock_forms(seller):
    client, _user, store = seller
    product = make_product(store, "Kerupuk Udang", stock=4)
    home = client.get("/toko-saya/").content.decode()
    assert "Toko Bu Ani" in home and "/toko-saya/manifest.webmanifest" in home
    page = client.get(f"/toko-saya/{store.public_id}/").content.decode()
    assert "Kerupuk Udang" in page and f'data-version="{product.version}"' in page
    response = client.post(
        f"/toko-saya/{store.public_id}/produk/{product.public_id}/stok/", {"quantity": "6"}
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.stock == 10
    client.post(
        f"/toko-saya/{store.public_id}/produk/{product.public_id}/stok/", {"quantity": "-11"}
    )
    product.refresh_from_db()
    assert product.stock == 10


def test_editing_a_product_page_checks_its_version(seller):
    client, _user, store = seller
    product = make_product(store, "Madu Hutan", price_idr=90_000, stock=3)
    form = {
        "title": "Madu Hutan Timor",
        "category": "food",
        "price_idr": "95000",
        "unit": "botol",
        "stock": "3",
        "is_active": "on",
        "made_in_indonesia": "on",
        "version": "1",
    }
    assert (
        client.post(f"/toko-saya/{store.public_id}/produk/{product.public_id}/", form).status_code
        == 302
    )
    product.refresh_from_db()
    assert (product.title, product.price_idr, product.unit, product.version) == (
        "Madu Hutan Timor",
        95_000,
        "botol",
        2,
    )
    stale = client.post(
        f"/toko-saya/{store.public_id}/produk/{product.public_id}/", {**form, "price_idr": "1000"}
    )
    assert "changed elsewhere" in stale.context["form"].non_field_errors()[0]
    product.refresh_from_db()
    assert product.price_idr == 95_000


def test_offline_edits_apply_once_and_conflicts_are_reported(seller):
    client, _user, store = seller
    product = make_product(store, "Gula Aren", stock=5)
    edit = {
        "client_id": "hp-1",
        "product": product.public_id,
        "base_version": 1,
        "changes": {"stock": 8},
    }
    [applied] = _sync(client, [edit])
    assert (applied["outcome"], applied["version"], applied["current"]["stock"]) == (
        "applied",
        2,
        8,
    )
    # Sent again (the phone did not hear the answer): the same outcome, applied once.
    [again] = _sync(client, [edit])
    assert again["outcome"] == "applied" and ProductEdit.objects.count() == 1
    # Meanwhile the product changed (an order took one): an edit made on version 2 conflicts.
    shop.restock(product=product, quantity=-1, by=system_actor())
    [conflict] = _sync(
        client,
        [
            {
                "client_id": "hp-2",
                "product": product.public_id,
                "base_version": 2,
                "changes": {"stock": 20},
            }
        ],
    )
    assert conflict["outcome"] == "conflict" and conflict["current"]["stock"] == 7
    assert "changed elsewhere" in conflict["detail"]
    [refused] = _sync(
        client,
        [
            {
                "client_id": "hp-3",
                "product": product.public_id,
                "base_version": 3,
                "changes": {"stock": -2},
            }
        ],
    )
    assert refused["outcome"] == "refused" and "negative" in refused["detail"]
    [bad_field] = _sync(
        client,
        [
            {
                "client_id": "hp-4",
                "product": product.public_id,
                "base_version": 3,
                "changes": {"store": 1},
            }
        ],
    )
    assert bad_field["outcome"] == "refused"
    product.refresh_from_db()
    assert (product.stock, product.version) == (7, 3)


def test_offline_edits_cannot_reach_another_sellers_product(seller):
    client, _user, _store = seller
    other = make_product(make_store("Toko Lain"), "Bakso", stock=3)
    [result] = _sync(
        client,
        [
            {
                "client_id": "x",
                "product": other.public_id,
                "base_version": 1,
                "changes": {"stock": 0},
            }
        ],
    )
    assert result["outcome"] == "refused"
    other.refresh_from_db()
    assert other.stock == 3
    assert (
        client.post("/toko-saya/sinkron/", "not json", content_type="application/json").status_code
        == 400
    )


def test_consignment_page_lists_producers_and_shares(client_of):
    bumdes = make_enterprise("BumDes Namosain", village=NAMOSAIN, kind="bumdes")
    store = make_store("BumDes Namosain", enterprise=bumdes, village=NAMOSAIN)
    member = make_enterprise("Tenun Ina", village=NAMOSAIN)
    make_product(store, "Selendang", producer=member, consignment_share_percent=80)
    make_product(store, "Air Mineral")
    page = (
        client_of(make_owner(bumdes))
        .get(f"/toko-saya/{store.public_id}/konsinyasi/")
        .content.decode()
    )
    assert "Tenun Ina" in page and "Selendang (80%)" in page and "Air Mineral" not in page


def test_seller_service_worker_and_manifest(client):
    worker = client.get("/toko-saya/sw.js")
    assert worker["Service-Worker-Allowed"] == "/toko-saya/" and "caches" in worker.content.decode()
    manifest = client.get("/toko-saya/manifest.webmanifest").json()
    assert manifest["scope"] == "/toko-saya/" and len(manifest["icons"]) == 2
