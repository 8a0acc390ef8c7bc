"""Catalogue search under gunicorn on PostgreSQL with 100,000 products: requests/s and p95.

Builds the scratch PostgreSQL database (``bench/scratch.py``: dropped, migrated, regions loaded),
fills it with synthetic live stores and products (titles and descriptions drawn from a fixed
Indonesian vocabulary, producers in villages across every province, one regency in four 3T by
the real flags), runs ``gunicorn tumbuh.wsgi`` with DEBUG off, and has a few concurrent clients
request ``/bbi/`` with a mix of searches (plain words, typos, filters, page 2) for a fixed time.
Prints JSON lines: the data set, the query plans' use of the search indexes, the compressed page
bytes, and requests/s with p50/p95/p99 latency.

    uv run python bench/catalogue_search.py [--products 100000] [--seconds 15] [--clients 4] [--workers 2]
    TUMBUH_BENCH_KEEP=1 uv run python bench/catalogue_search.py   # keeps its database, says its name
    uv run python bench/catalogue_search.py --reuse NAME   # measure that database again
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import fresh_database, machine
from serving import gunicorn, measure, server_env, wait_for

PRODUCTS = [
    "Keripik Pisang",
    "Keripik Singkong",
    "Kopi Bubuk Robusta",
    "Kopi Arabika Gayo",
    "Madu Hutan",
    "Gula Aren",
    "Sambal Roa",
    "Abon Ikan Tuna",
    "Dodol Rumput Laut",
    "Kain Tenun Ikat",
    "Selendang Songket",
    "Tas Anyaman Pandan",
    "Keranjang Rotan",
    "Batik Tulis",
    "Sabun Sereh",
    "Minyak Kelapa Murni",
    "Teh Daun Kelor",
    "Beras Merah Organik",
    "Jagung Bose",
    "Ikan Asin",
    "Kerupuk Udang",
    "Rendang Kering",
    "Bawang Goreng",
    "Cokelat Batangan",
    "Garam Krosok",
]
QUALITIES = [
    "Pedas",
    "Manis",
    "Original",
    "Premium",
    "Asli",
    "Super",
    "Khas Desa",
    "Rumahan",
    "Asap",
    "Segar",
]
SIZES = ["100 gram", "250 gram", "500 gram", "1 kg", "Kecil", "Besar", "Paket Hemat", "Isi 10"]
DESCRIPTIONS = [
    "Dibuat oleh ibu-ibu desa dengan bahan pilihan dari kebun sendiri.",
    "Digoreng dengan minyak kelapa, dikemas rapat supaya tetap renyah.",
    "Ditenun tangan dengan pewarna alami dari akar mengkudu.",
    "Dipanen dari hutan adat dan disaring tanpa pemanasan.",
    "Diolah secara tradisional tanpa bahan pengawet.",
    "Cocok untuk oleh-oleh dan hampers lebaran.",
]
CATEGORIES = ["food", "crafts", "fashion", "beauty", "agriculture", "household", "other"]

# The searches the clients send: words, stemmed forms, typos, filters and a second page.
SEARCHES = [
    {"q": "keripik pisang"},
    {"q": "kopi"},
    {"q": "kripik singkong"},  # typo
    {"q": "madu hutan", "daerah_3t": "1"},
    {"q": "tenunan"},  # stem of "tenun"
    {"q": "gula aren", "provinsi": "53"},
    {"q": "sambal", "harga_maks": "50000"},
    {"q": "arabica"},  # typo
    {"kategori": "crafts", "provinsi": "32"},
    {"q": "batik", "halaman": "2"},
    {},
]


def build(count: int, seed: int) -> dict:
    from django.contrib.auth.hashers import make_password  # noqa: F401  (Django is set up)
    from django.db import connection

    from tumbuh.regions.models import Village
    from tumbuh.registry.models import Enterprise
    from tumbuh.stores.models import Product, Store

    rng = random.Random(seed)
    villages = list(Village.objects.order_by("?").values_list("code", flat=True)[:3000])
    stores_count = max(1, count // 100)
    enterprises = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"Usaha Bench {number}",
                village_id=villages[number % len(villages)],
                kind="bumdes" if number % 5 == 0 else "umkm",
            )
            for number in range(stores_count)
        ],
        batch_size=2000,
    )
    stores = Store.objects.bulk_create(
        [
            Store(
                slug=f"toko-bench-{number}",
                name=f"Toko Bench {number}",
                enterprise=enterprise,
                village_id=enterprise.village_id,
                status=Store.Status.LIVE,
            )
            for number, enterprise in enumerate(enterprises)
        ],
        batch_size=2000,
    )
    started = time.perf_counter()
    batch = []
    for number in range(count):
        store = stores[number % len(stores)]
        title = f"{rng.choice(PRODUCTS)} {rng.choice(QUALITIES)} {rng.choice(SIZES)}"
        batch.append(
            Product(
                store=store,
                slug=f"p-{number}",
                title=title,
                description=f"{rng.choice(DESCRIPTIONS)} {rng.choice(DESCRIPTIONS)}",
                category=rng.choice(CATEGORIES),
                price_idr=rng.randrange(5_000, 500_000, 500),
                stock=rng.randrange(0, 50),
                producer_id=store.enterprise_id,
            )
        )
        if len(batch) == 5000:
            Product.objects.bulk_create(batch)
            batch = []
    if batch:
        Product.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        # VACUUM also flushes the GIN indexes' pending lists after a bulk load (autovacuum would,
        # later); without it PostgreSQL scans the whole table.
        cursor.execute("VACUUM ANALYZE stores_product")
        cursor.execute("ANALYZE")
    return {
        "stores": len(stores),
        "products": count,
        "insert_s": round(time.perf_counter() - started, 1),
    }


def plans() -> dict:
    """Which indexes PostgreSQL uses for a word search and a typo search."""
    from django.db import connection

    from tumbuh.catalogue import queries

    found = {}
    for label, text in (("words", "keripik pisang"), ("typo", "kripik singkong")):
        products, _ranked = queries.search_products(queries.listed_products(), text)
        sql, params = products.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = json.dumps(cursor.fetchone()[0])
        found[label] = sorted(
            name
            for name in ("catalogue_product_search_idx", "catalogue_product_title_trgm_idx")
            if name in plan
        )
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reuse",
        metavar="DATABASE",
        help="measure again the database a run kept (TUMBUH_BENCH_KEEP=1 prints its name)",
    )
    options = parser.parse_args()

    if options.reuse:
        os.environ.update(
            {
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{options.reuse}",
                "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
                "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix="tumbuh-catalogue-bench-"),
            }
        )
        import django

        django.setup()
        from tumbuh.stores.models import Product

        options.products = Product.objects.count()
    else:
        fresh_database("postgres", prefix="tumbuh-catalogue-bench-")
        data = build(options.products, options.seed)
        print(json.dumps({"bench": "catalogue_search", "step": "data", **data}), flush=True)
    print(
        json.dumps({"bench": "catalogue_search", "step": "plans", "indexes_used": plans()}),
        flush=True,
    )

    with gunicorn(options.workers, server_env()) as server:
        base = server + "/bbi/"
        wait_for(base)
        urls = [
            base + ("?" + urllib.parse.urlencode(search) if search else "") for search in SEARCHES
        ]
        sizes = {}
        for search, url in zip(SEARCHES, urls, strict=True):
            # As served: the page the app sends to a browser that accepts gzip.
            request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                assert response.headers["Content-Encoding"] == "gzip"
                body = response.read()
            sizes[urllib.parse.urlencode(search) or "(browse)"] = len(body)
        print(
            json.dumps(
                {
                    "bench": "catalogue_search",
                    "step": "page_gzip_bytes",
                    "pages": sizes,
                    "max": max(sizes.values()),
                    "budget": 14 * 1024,
                }
            ),
            flush=True,
        )
        measured = measure(urls, options.clients, options.seconds)
        print(
            json.dumps(
                {
                    "bench": "catalogue_search",
                    "database": "postgresql",
                    "products": options.products,
                    "gunicorn_workers": options.workers,
                    "clients": options.clients,
                    **measured,
                    "machine": machine(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
