"""Storefront and product pages: budget, caching, badges, no-JS ordering, offline pieces."""

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import NAMOSAIN, make_enterprise, make_store
from tumbuh.core.tests.weight import served_size
from tumbuh.stores.models import Store
from tumbuh.stores.services import shop
from tumbuh.stores.services.shop import Tier
from tumbuh.stores.tests.builders import make_product, photo_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BUDGET = 14 * 1024


@pytest.fixture
def bumdes_store():
    bumdes = make_enterprise("BumDes Sejahtera Namosain", village=NAMOSAIN, kind="bumdes")
    store = make_store("BumDes Sejahtera", enterprise=bumdes, village=NAMOSAIN)
    shop.update_store_details(
        store=store,
        name="BumDes Sejahtera",
        description="Hasil laut dan tenun ikat dari Namosain, Kota Kupang. " * 4,
        by=system_actor(),
    )
    return store


def test_a_full_storefront_page_and_a_product_page_fit_the_budget(client, bumdes_store):
    member = make_enterprise("Kelompok Tenun Ikat Ina Ndao", village=NAMOSAIN)
    for number in range(30):
        make_product(
            bumdes_store,
            f"Kain Tenun Ikat Motif Sumba Lebar Nomor {number} Warna Alam",
            price_idr=150_000 + number * 1_000,
            category="crafts" if number % 2 else "food",
            description="Ditenun tangan dengan pewarna alam dari akar mengkudu dan daun nila. "
            * 20,
            producer=member,
            consignment_share_percent=80,
            photo=SimpleUploadedFile("f.jpg", photo_bytes(size=(600, 450), seed=number % 3 + 1))
            if number < 3
            else None,
            tiers=[Tier(10, 140_000), Tier(50, 130_000)],
        )
    page = client.get(bumdes_store.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="price"') == 24  # the first page of 24
    assert served_size(page) <= BUDGET
    assert "<style" in html and ".grid{" in html  # critical CSS inline
    items = html.split('<ul class="grid">')[1].split("</ul>")[0].split("<li>")[1:]
    thumbnails = {
        position: re.search(r"<img [^>]+>", item).group(0)
        for position, item in enumerate(items, start=1)
        if "<img " in item
    }
    # Nomor 0, Nomor 1, then Nomor 10 to 19 before Nomor 2: the photos are 1st, 2nd and 13th.
    assert sorted(thumbnails) == [1, 2, 13]
    for position, tag in thumbnails.items():
        assert re.search(r'width="\d+" height="\d+"', tag) and 'src="/media/' in tag
        # The first two rows (above the fold on a phone) load at once, the rest lazily.
        assert ('loading="lazy"' in tag) == (position > 4)
    product = bumdes_store.products.order_by("title").first()
    page = client.get(product.get_absolute_url())
    assert page.status_code == 200 and served_size(page) <= BUDGET
    html = page.content.decode()
    assert "Wholesale prices" in html and "Rp140.000" in html
    assert "Made in Indonesia" in html and "BumDes" in html
    assert "Made by Kelompok Tenun Ikat Ina Ndao" in html
    # Orderable without JavaScript: a plain form posting to the cart.
    assert '<form method="post" action="/keranjang/">' in html
    assert f'name="product" value="{product.public_id}"' in html


def test_a_conditional_get_returns_304_until_something_changes(client, bumdes_store):
    product = make_product(bumdes_store, "Ikan Asin Kupang", stock=5)
    client.get(product.get_absolute_url())  # a returning visitor: the CSRF cookie is set
    for url in (bumdes_store.get_absolute_url(), product.get_absolute_url()):
        first = client.get(url)
        assert first["ETag"] and first["Cache-Control"] == "private, no-cache"
        again = client.get(url, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304 and again.content == b""
    etag = client.get(product.get_absolute_url())["ETag"]
    shop.restock(product=product, quantity=1, by=system_actor())
    changed = client.get(product.get_absolute_url(), headers={"if-none-match": etag})
    assert changed.status_code == 200 and "In stock: 6" in changed.content.decode()


def test_the_storefront_answers_in_a_fixed_number_of_queries(client, bumdes_store, query_count):
    for number in range(5):
        make_product(bumdes_store, f"Produk {number}")
    client.get(bumdes_store.get_absolute_url())  # session and CSRF cookie settle
    cache.clear()  # rendered, not served from the page cache
    with query_count() as few:
        client.get(bumdes_store.get_absolute_url())
    for number in range(5, 20):
        make_product(bumdes_store, f"Produk {number}")
    cache.clear()
    with query_count() as many:
        client.get(bumdes_store.get_absolute_url())
    assert len(many) == len(few) <= 8


def test_draft_and_suspended_stores_and_hidden_products_are_not_shown(client):
    draft = make_store("Toko Draf", live=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    live = make_store("Toko Tutup")
    hidden = make_product(live, "Produk Lama")
    shop.update_product(product=hidden, by=system_actor(), is_active=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    shop.suspend_store(store=live, by=system_actor())
    assert client.get(live.get_absolute_url()).status_code == 404
    assert Store.objects.live().count() == 0


def test_halal_badge_only_for_a_valid_certificate_of_the_producer(client, monkeypatch):
    from tumbuh.licensing import badges

    store = make_store("Toko Halal")
    certified = make_product(store, "Rendang", halal_certificate_number="ID00410000123450124")
    claimed = make_product(store, "Abon", halal_certificate_number="ID-PALSU-1")

    def valid(ids, on=None):
        found = {pk: [] for pk in ids}
        found[store.enterprise_id] = [
            badges.HalalBadge(store.enterprise_id, "ID00410000123450124", None, ())
        ]
        return found

    monkeypatch.setattr(badges, "valid_halal_certificates", valid)
    assert (
        "Halal certificate ID00410000123450124"
        in client.get(certified.get_absolute_url()).content.decode()
    )
    assert ">Halal<" not in client.get(claimed.get_absolute_url()).content.decode()
    storefront = client.get(store.get_absolute_url()).content.decode()
    assert storefront.count(">Halal<") == 1


def test_whatsapp_link_is_built_at_render_time_and_the_number_not_stored_in_clear(client):
    store = make_store("Toko WA", whatsapp="0852-1111-2222")
    product = make_product(store, "Sambal Roa")
    html = client.get(product.get_absolute_url()).content.decode()
    assert "https://wa.me/6285211112222?text=" in html and "Sambal%20Roa" in html
    stored = Store.objects.filter(pk=store.pk).values_list("whatsapp_masked", flat=True).get()
    assert stored == "+62852*****222"


def test_service_worker_and_manifest(client, bumdes_store):
    worker = client.get("/toko/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"] == "application/javascript"
    assert "caches" in worker.content.decode()
    manifest = client.get(f"/toko/manifest.webmanifest?toko={bumdes_store.slug}").json()
    assert manifest["scope"] == "/toko/" and manifest["start_url"] == "/toko/bumdes-sejahtera/"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert client.get("/toko/manifest.webmanifest?toko=tidak-ada").status_code == 404
    page = client.get(bumdes_store.get_absolute_url()).content.decode()
    assert "/toko/manifest.webmanifest?toko=bumdes-sejahtera" in page and "toko.js" in page
