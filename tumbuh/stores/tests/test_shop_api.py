"""The stores API: public lists without personal data, seller endpoints scoped to the seller."""

import pytest

from tumbuh.conftest import NAMOSAIN, make_enterprise, make_owner, make_store, make_user
from tumbuh.stores.models import Product
from tumbuh.stores.tests.builders import make_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_public_list_of_live_stores_with_slugs_and_no_personal_data(client, query_count):
    bumdes = make_enterprise("BumDes Namosain", village=NAMOSAIN, kind="bumdes")
    live = make_store(
        "BumDes Namosain", enterprise=bumdes, village=NAMOSAIN, whatsapp="0812-9999-8888"
    )
    make_store("Toko Draf", live=False)
    for number in range(3):
        make_store(f"Toko Jabar {number}")
    with query_count() as queries:
        body = client.get("/api/v1/stores/").json()
    assert len(queries) == 2
    assert body["count"] == 4 and {s["slug"] for s in body["results"]} >= {"bumdes-namosain"}
    assert "toko-draf" not in {s["slug"] for s in body["results"]}
    row = next(s for s in body["results"] if s["slug"] == "bumdes-namosain")
    assert (
        row["is_bumdes"] and row["province_code"] == "53" and row["url"] == "/toko/bumdes-namosain/"
    )
    assert row["payment_methods"] == ["qris", "cod"]
    text = client.get("/api/v1/stores/?province=53").content.decode()
    assert "9999" not in text and "8888" not in text and "whatsapp" not in text
    assert client.get("/api/v1/stores/?province=53").json()["count"] == 1
    assert client.get(f"/api/v1/stores/{live.slug}").json()["name"] == "BumDes Namosain"
    assert client.get("/api/v1/stores/toko-draf").json()["code"] == "not_found"


def test_products_of_a_store(client):
    store = make_store("Toko Kopi")
    make_product(store, "Kopi Robusta", price_idr=60_000, stock=4, category="food")
    make_product(store, "Gelang Rotan", category="crafts")
    body = client.get(f"/api/v1/stores/{store.slug}/products").json()
    assert [p["title"] for p in body] == ["Gelang Rotan", "Kopi Robusta", "Produk Pembuka"]
    robusta = body[1]
    assert (robusta["price_idr"], robusta["stock"], robusta["url"]) == (
        60_000,
        4,
        "/toko/toko-kopi/kopi-robusta/",
    )
    assert [
        p["title"]
        for p in client.get(f"/api/v1/stores/{store.slug}/products?category=crafts").json()
    ] == ["Gelang Rotan"]


def test_seller_endpoints_reach_only_the_sellers_products(client_of):
    mine = make_store("Toko Saya")
    theirs = make_store("Toko Orang")
    own = make_product(mine, "Dodol Garut", stock=2)
    other = make_product(theirs, "Bakpia", stock=7)
    client = client_of(make_owner(mine.enterprise))
    opening = mine.products.get(title="Produk Pembuka")
    assert [p["id"] for p in client.get("/api/v1/stores/seller/products").json()] == [
        own.public_id,
        opening.public_id,
    ]

    answer = client.patch(
        f"/api/v1/stores/seller/products/{own.public_id}",
        {"stock": 9, "base_version": 1},
        content_type="application/json",
    )
    assert answer.status_code == 200 and (answer.json()["stock"], answer.json()["version"]) == (
        9,
        2,
    )
    stale = client.patch(
        f"/api/v1/stores/seller/products/{own.public_id}",
        {"stock": 1, "base_version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    refused = client.patch(
        f"/api/v1/stores/seller/products/{own.public_id}",
        {"price_idr": 0},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "above Rp0" in refused.json()["detail"]
    assert (
        client.patch(
            f"/api/v1/stores/seller/products/{other.public_id}",
            {"stock": 0},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/stores/seller/products/{other.public_id}/restock",
            {"quantity": 5},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert Product.objects.get(pk=other.pk).stock == 7
    assert Product.objects.get(pk=own.pk).stock == 9

    created = client.post(
        "/api/v1/stores/seller/products",
        {
            "store": mine.slug,
            "title": "Teh Hijau",
            "price_idr": 25000,
            "stock": 3,
            "wholesale_tiers": [{"min_quantity": 12, "price_idr": 22000}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["wholesale_tiers"] == [
        {"min_quantity": 12, "price_idr": 22000}
    ]
    assert (
        client.post(
            "/api/v1/stores/seller/products",
            {"store": theirs.slug, "title": "Teh", "price_idr": 1, "stock": 1},
            content_type="application/json",
        ).status_code
        == 404
    )
    restocked = client.post(
        f"/api/v1/stores/seller/products/{own.public_id}/restock",
        {"quantity": -10},
        content_type="application/json",
    )
    assert restocked.status_code == 422 and Product.objects.get(pk=own.pk).stock == 9


def test_seller_endpoints_need_a_signed_in_seller(client, client_of):
    assert client.get("/api/v1/stores/seller/products").status_code == 401
    assert client_of(make_user()).get("/api/v1/stores/seller/products").json() == []
