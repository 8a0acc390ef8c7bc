"""The oversell race on PostgreSQL, repeated: N buyers at once for the last few items.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helper_f .venv/bin/python bench/oversell_race.py \
        [--rounds 20] [--buyers 200] [--stock 10] [--workers 40] [--payment cod|qris]

Uses the database in DATABASE_URL (PostgreSQL; migrated and given the regions of Jawa Barat if
needed), makes one live store with one product, and per round sets the stock, lets ``--buyers``
threads (``--workers`` connections at a time, the first wave released together by a barrier)
each call ``services.orders.place_order`` for one unit, and counts the orders. Prints one JSON
line per round (orders, refusals, final stock, oversold, seconds) and a summary line. The
store, its orders and product are deleted at the end.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def tumbuh(*arguments) -> None:
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--stock", type=int, default=10)
    parser.add_argument("--workers", type=int, default=40)
    parser.add_argument("--payment", default="cod", choices=["cod", "qris"])
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database of your own.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    tumbuh("migrate", "--verbosity", "0")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.db import connection

    from tumbuh.regions.models import Village

    if not Village.objects.filter(code__startswith="32.").exists():
        tumbuh("load_regions", "--province", "32", "--json")
    from tumbuh.accounts.services import system_actor
    from tumbuh.registry.models import Enterprise, Milestone
    from tumbuh.stores import qris
    from tumbuh.stores.models import Order, Payment, Product
    from tumbuh.stores.services import orders, shop

    village = Village.objects.filter(code__startswith="32.").order_by("code").first()
    body = (
        "00020101021126620014COM.GO-JEK.WWW011993600914123456789010210G1234567890303UMI51440014"
        "ID.CO.QRIS.WWW0215ID10200123456780303UMI5204581253033605802ID5911TOKO CONTOH6007JAKARTA"
        "61051011062120708KASIR-016304"
    )
    enterprise = Enterprise.objects.create(name="Usaha Uji Rebutan", village=village)
    system = system_actor()
    store = shop.start_store(enterprise=enterprise, name="Toko Uji Rebutan", by=system)
    shop.set_store_payments(
        store=store,
        whatsapp="0812-3456-7890",
        accepts_cod=True,
        accepts_transfer=False,
        accepts_qris=True,
        qris_payload=body + qris.crc16(body),
        by=system,
    )
    product = shop.create_product(
        store=store, title="Kopi Rebutan", price_idr=25_000, stock=args.stock, by=system
    )
    shop.publish_store(store=store, by=system)  # a store goes live with a product on sale
    summary = {"rounds": args.rounds, "oversold_rounds": 0, "exact_rounds": 0, "seconds": []}
    try:
        for round_number in range(1, args.rounds + 1):
            Product.objects.filter(pk=product.pk).update(stock=args.stock)
            barrier = threading.Barrier(min(args.workers, args.buyers))
            outcomes, lock = [], threading.Lock()

            def buy(number, barrier=barrier, outcomes=outcomes, lock=lock):
                try:
                    if number < barrier.parties:
                        barrier.wait(timeout=30)
                    orders.place_order(
                        store=store,
                        items=[orders.Item(product=product.public_id, quantity=1)],
                        buyer_name=f"Pembeli {number}",
                        buyer_phone=f"0812{number:08d}",
                        village_code=village.code,
                        delivery="pickup",
                        payment_method=args.payment,
                    )
                    result = "ordered"
                except ValidationError:
                    result = "refused"
                finally:
                    connection.close()
                with lock:
                    outcomes.append(result)

            before = Order.objects.filter(store=store).count()
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                list(pool.map(buy, range(args.buyers)))
            seconds = time.perf_counter() - started
            made = Order.objects.filter(store=store).count() - before
            stock = Product.objects.get(pk=product.pk).stock
            oversold = made > args.stock or stock < 0
            summary["oversold_rounds"] += oversold
            summary["exact_rounds"] += made == args.stock and stock == 0
            summary["seconds"].append(seconds)
            print(
                json.dumps(
                    {
                        "round": round_number,
                        "buyers": args.buyers,
                        "stock": args.stock,
                        "workers": args.workers,
                        "payment": args.payment,
                        "orders": made,
                        "ordered_replies": outcomes.count("ordered"),
                        "refused": outcomes.count("refused"),
                        "final_stock": stock,
                        "oversold": oversold,
                        "seconds": round(seconds, 3),
                    }
                ),
                flush=True,
            )
            # close this round's orders so the QRIS suffixes are free again
            Order.objects.filter(store=store, status__in=Order.OPEN_STATUSES).update(
                status=Order.Status.CANCELLED
            )
    finally:
        Payment.objects.filter(order__store=store).delete()
        Order.objects.filter(store=store).delete()
        Product.objects.filter(pk=product.pk).delete()
        store.delete()
        Milestone.objects.filter(enterprise=enterprise).delete()
        Enterprise.objects.filter(pk=enterprise.pk).delete()
    seconds = sorted(summary.pop("seconds"))
    summary.update(
        {
            "summary": True,
            "median_round_seconds": round(seconds[len(seconds) // 2], 3),
            "machine": f"{platform.machine()} {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, PostgreSQL "
            f"{connection.cursor().connection.info.server_version}",
        }
    )
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
