"""A product page under gunicorn on PostgreSQL with 100,000 products: requests/s and p95.

Builds a fresh database in a PostgreSQL database named for the run (``tumbuh_bench_<pid>_<time>``,
dropped at exit; migrated, regions of Jawa Barat and NTT loaded as ``bench/scratch.py`` does),
fills it with synthetic live stores and products (bulk inserts; titles from a fixed Indonesian
vocabulary, wholesale tiers on one product in four), runs ``gunicorn tumbuh.wsgi`` with DEBUG
off, and has a few threaded clients request random product pages for a few seconds (plain GETs,
no conditional requests: the worst case). Prints JSON lines: the data set, the page's
compressed bytes, the share of conditional GETs answered 304, then requests/s and latencies.

    .venv/bin/python bench/product_page_load.py [--products 100000] [--seconds 8] [--clients 4] [--workers 2]
"""

import argparse
import atexit
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import drop_database, machine, run  # noqa: E402
from bench.serving import gunicorn, measure, server_env, wait_for  # noqa: E402

ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DATABASE = f"tumbuh_bench_{os.getpid()}_{int(time.time())}"  # named per run, dropped at exit
WORDS = [
    "Keripik Pisang",
    "Kopi Robusta",
    "Madu Hutan",
    "Gula Aren",
    "Sambal Roa",
    "Kain Tenun Ikat",
    "Tas Anyaman Pandan",
    "Sabun Sereh",
    "Beras Merah",
    "Ikan Asin",
    "Abon Tuna",
    "Batik Tulis",
]
QUALITIES = ["Pedas", "Original", "Premium", "Asli", "Khas Desa", "Rumahan", "Segar"]
SIZES = ["100 gram", "250 gram", "500 gram", "1 kg", "Paket Hemat", "Isi 10"]
CATEGORIES = ["food", "crafts", "fashion", "beauty", "agriculture", "household", "other"]


def fresh_database() -> None:
    import psycopg

    os.environ.update(
        {
            "TUMBUH_VAR_DIR": tempfile.mkdtemp(prefix="tumbuh-product-load-"),
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        }
    )
    with psycopg.connect(ADMIN, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {DATABASE}")
    atexit.register(drop_database, DATABASE)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    run("migrate", "--verbosity", "0")
    run("load_regions", "--province", "32", "--province", "53", "--json")
    import django

    django.setup()


def build(count: int, seed: int) -> tuple[dict, list[str]]:
    from django.db import connection

    from tumbuh.regions.models import Village
    from tumbuh.registry.models import Enterprise
    from tumbuh.stores.models import Product, Store, WholesaleTier

    rng = random.Random(seed)
    villages = list(Village.objects.order_by("code").values_list("code", flat=True))
    stores_count = max(1, count // 250)
    enterprises = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"Usaha Uji Beban {number}",
                village_id=rng.choice(villages),
                kind="bumdes" if number % 5 == 0 else "umkm",
            )
            for number in range(stores_count)
        ],
        batch_size=2000,
    )
    stores = Store.objects.bulk_create(
        [
            Store(
                slug=f"toko-uji-{number}",
                name=f"Toko Uji Beban {number}",
                description="Toko uji beban: data sintetis.",
                enterprise=enterprise,
                village_id=enterprise.village_id,
                status=Store.Status.LIVE,
                accepts_cod=True,
                pickup_point="Kantor desa",
            )
            for number, enterprise in enumerate(enterprises)
        ],
        batch_size=2000,
    )
    started = time.perf_counter()
    batch, urls = [], []
    for number in range(count):
        store = stores[number % len(stores)]
        title = f"{rng.choice(WORDS)} {rng.choice(QUALITIES)} {rng.choice(SIZES)}"
        batch.append(
            Product(
                store=store,
                slug=f"produk-{number}",
                title=title,
                description=f"{title}: dibuat oleh warga desa dengan bahan pilihan. " * 3,
                category=rng.choice(CATEGORIES),
                price_idr=rng.randrange(5_000, 500_000, 500),
                unit="bungkus",
                weight_grams=250,
                stock=rng.randrange(0, 50),
                producer_id=store.enterprise_id,
            )
        )
        urls.append(f"/toko/{store.slug}/produk-{number}/")
        if len(batch) == 5000:
            created = Product.objects.bulk_create(batch)
            WholesaleTier.objects.bulk_create(
                WholesaleTier(product=p, min_quantity=10, price_idr=p.price_idr * 9 // 10)
                for p in created[::4]
            )
            batch = []
    if batch:
        Product.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    data = {
        "stores": len(stores),
        "products": count,
        "insert_s": round(time.perf_counter() - started, 1),
    }
    return data, urls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()

    fresh_database()
    data, paths = build(options.products, options.seed)
    print(json.dumps({"bench": "product_page_load", "step": "data", **data}), flush=True)

    env = server_env()
    # DEBUG off serves static files through their manifest: collect them as production does.
    subprocess.run(
        [sys.executable, "-m", "tumbuh.cli", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with gunicorn(options.workers, env) as base:
        wait_for(base + paths[0])
        # A returning visitor: the first visit gives the CSRF cookie, the second the ETag of
        # the page as this visitor sees it, the third asks whether it changed.
        with urllib.request.urlopen(base + paths[1], timeout=30) as response:  # noqa: S310
            cookie = response.headers.get("Set-Cookie", "").split(";")[0]
        second = urllib.request.Request(base + paths[1], headers={"Cookie": cookie})  # noqa: S310
        with urllib.request.urlopen(second, timeout=30) as response:  # noqa: S310
            body = response.read()
            etag = response.headers["ETag"]
        # As served to a browser that accepts gzip: compressed by the app itself.
        served = urllib.request.Request(  # noqa: S310
            base + paths[1], headers={"Cookie": cookie, "Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(served, timeout=30) as response:  # noqa: S310
            served_bytes = len(response.read())
        conditional = urllib.request.Request(  # noqa: S310
            base + paths[1], headers={"If-None-Match": etag, "Cookie": cookie}
        )
        try:
            urllib.request.urlopen(conditional, timeout=30)  # noqa: S310
            not_modified = False
        except urllib.error.HTTPError as answer:
            not_modified = answer.code == 304
        print(
            json.dumps(
                {
                    "bench": "product_page_load",
                    "step": "page",
                    "bytes": len(body),
                    "bytes_gzip": served_bytes,
                    "budget": 14 * 1024,
                    "conditional_get_304": not_modified,
                }
            ),
            flush=True,
        )

        measured = measure([base + path for path in paths], options.clients, options.seconds)
        print(
            json.dumps(
                {
                    "bench": "product_page_load",
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
