"""Weight of the storefront and product pages (budget: 14 KB gzip per HTML page).

    .venv/bin/python bench/store_pages.py

Builds a scratch SQLite database (Nusa Tenggara Timur only), opens a BumDes store through the
services with 60 products (long Indonesian titles and descriptions, wholesale tiers,
consignment, photos on some), then fetches the store's pages (every page of 24 products, a
category) and its heaviest product pages with Django's test client, and prints one JSON line
per page: ``page``, ``status``, ``bytes`` (raw HTML) and ``bytes_gzip`` (as the app serves it, compressed, as a
server would send it), then a summary line with the largest page and the budget.
"""

import gzip
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import machine, run  # noqa: E402

BUDGET_BYTES = 14 * 1024
PRODUCTS = 60


def main():
    os.environ.update(
        {
            "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix="tumbuh-store-pages-bench-"),
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    run("migrate", "--verbosity", "0")
    run("load_regions", "--province", "53", "--json")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from PIL import Image

    from tumbuh.accounts.services import system_actor
    from tumbuh.registry.models import Enterprise
    from tumbuh.stores.demo import demo_qris
    from tumbuh.stores.services import shop

    village = "53.71.01.1001"  # Namosain, Kota Kupang
    bumdes = Enterprise.objects.create(
        name="BumDes Sejahtera Bersama Namosain", village_id=village, kind="bumdes"
    )
    member = Enterprise.objects.create(
        name="Kelompok Tenun Ikat Ina Ndao Namosain", village_id=village
    )
    system = system_actor()
    store = shop.start_store(
        enterprise=bumdes,
        name="BumDes Sejahtera Bersama Namosain",
        description="Hasil laut, tenun ikat dan pangan olahan dari warga Namosain, Kota Kupang: "
        "dikemas rapi, bisa diambil di kantor BumDes atau diantar.",
        by=system,
    )
    shop.set_store_delivery(
        store=store,
        offers_pickup=True,
        offers_local_delivery=True,
        zones=[shop.Zone("Kelurahan Namosain", 5_000), shop.Zone("Kota Kupang", 15_000)],
        offers_courier=True,
        courier_rate_idr=35_000,
        by=system,
    )
    shop.set_store_payments(
        store=store,
        whatsapp="0812-3456-7890",
        accepts_cod=True,
        accepts_transfer=True,
        bank_name="Bank NTT",
        bank_account_number="0012345678",
        bank_account_holder="BumDes Sejahtera Bersama",
        accepts_qris=True,
        qris_payload=demo_qris(store.name, 1, "Kupang"),
        by=system,
    )
    categories = ["food", "crafts", "fashion", "agriculture"]
    for number in range(PRODUCTS):
        photo = None
        if number % 3 == 0:
            buffer = io.BytesIO()
            Image.effect_noise((900, 700), 40 + number).convert("RGB").save(buffer, "JPEG")
            photo = SimpleUploadedFile("foto.jpg", buffer.getvalue())
        shop.create_product(
            store=store,
            title=f"Kain Tenun Ikat Motif Sumba Lebar Pewarna Alam Nomor {number:02d}",
            description="Ditenun tangan oleh mama-mama Namosain dengan pewarna alam dari akar "
            "mengkudu dan daun nila; setiap kain berbeda. " * 12,
            category=categories[number % 4],
            price_idr=150_000 + number * 2_500,
            unit="lembar",
            weight_grams=450,
            stock=number % 7,
            producer=member if number % 2 else None,
            consignment_share_percent=80 if number % 2 else 0,
            photo=photo,
            tiers=[shop.Tier(10, 140_000), shop.Tier(50, 130_000)],
            by=system,
        )
    shop.publish_store(store=store, by=system)  # a store goes live with a product on sale
    client = Client()
    pages = [("store list", "/toko/")]
    pages += [
        (f"storefront page {n}", f"{store.get_absolute_url()}?halaman={n}")
        for n in range(1, PRODUCTS // 24 + 2)
    ]
    pages.append(("storefront category", f"{store.get_absolute_url()}?kategori=crafts"))
    for product in store.products.order_by("-pk")[:3]:
        pages.append((f"product {product.slug}", product.get_absolute_url()))
    largest = 0
    for name, url in pages:
        # As served: the app compresses the page for a browser that accepts gzip.
        response = client.get(url, HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip")
        size = len(response.content)
        largest = max(largest, size)
        line = {
            "page": name,
            "status": response.status_code,
            "bytes": len(gzip.decompress(response.content)),
            "bytes_gzip": size,
        }
        print(json.dumps(line), flush=True)
    print(
        json.dumps(
            {
                "summary": "store pages",
                "pages": len(pages),
                "largest_gzip": largest,
                "budget": BUDGET_BYTES,
                "within_budget": largest <= BUDGET_BYTES,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
