"""Demo orders: for the first demo stores, orders in every status, through the same services
as buyers and sellers (stock taken, events, payments, milestones, consignment balances).

Called by ``tumbuh.stores.demo.load_orders``. Idempotent: a store that already has demo orders
(channel "demo") gets no more. Deterministic from the seed: the buyers, products, quantities,
dates and order codes are derived from it (the QRIS suffix is drawn at random, as in real use).
Buyers are invented names with numbers in the 0812-0000-xxxx range.
"""

import hashlib
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tumbuh.accounts.models import User
from tumbuh.accounts.services import system_actor
from tumbuh.core.demodata import DemoReport
from tumbuh.stores.gateway import SandboxGateway, get_gateway, provider_configured
from tumbuh.stores.models import Order, OrderEvent, Product, Store
from tumbuh.stores.models.orders import ORDER_CODE_ALPHABET, ORDER_CODE_LENGTH
from tumbuh.stores.services import orders

STORES_WITH_ORDERS = 8
BUYERS = [
    "Siti Rahmawati",
    "Yosef Nahak",
    "Maria Goreti Bere",
    "Agus Setiawan",
    "Dewi Lestari",
    "Markus Wenda",
    "Nur Aini",
    "Fransiska Dae",
    "Budi Santoso",
    "Rina Marlina",
]
# (final status, payment method wanted, the steps after placing)
RECIPES = [
    ("new", "cod", []),
    ("awaiting_payment", "qris", []),
    ("awaiting_payment", "transfer", []),
    ("awaiting_payment", "provider", []),
    ("paid", "qris", ["paid"]),
    ("confirmed", "cod", ["confirmed"]),
    ("packed", "transfer", ["paid", "packed"]),
    ("shipped", "cod", ["confirmed", "packed", "shipped"]),
    ("delivered", "cod", ["confirmed", "packed", "shipped", "delivered"]),
    ("completed", "qris", ["paid", "packed", "delivered", "completed"]),
    ("completed", "cod", ["confirmed", "packed", "delivered", "completed"]),
    ("cancelled", "cod", ["cancelled"]),
    ("refunded", "transfer", ["paid", "refunded"]),
]


def _code(seed: int, store: Store, number: int) -> str:
    digest = hashlib.sha256(f"demo-order:{seed}:{store.slug}:{number}".encode()).digest()
    return "".join(ORDER_CODE_ALPHABET[b % len(ORDER_CODE_ALPHABET)] for b in digest)[
        :ORDER_CODE_LENGTH
    ]


def _method(store: Store, wanted: str, steps: list[str]) -> str | None:
    accepted = store.payment_methods
    if wanted in accepted:
        return wanted
    if "paid" in steps:
        return next((m for m in ("qris", "transfer") if m in accepted), None)
    if wanted == "cod" or not steps:
        return "cod" if "cod" in accepted else (accepted[0] if accepted else None)
    return None


def _orders_for(store: Store, *, seed: int, rng: random.Random, by: User) -> int:
    products = list(
        Product.objects.filter(store=store, is_active=True, stock__gte=5).order_by("pk")
    )
    if not products:
        return 0
    deliveries = orders.delivery_choices(store, store.village)
    if not deliveries:
        return 0
    now = timezone.now()
    made = 0
    for number, (_final, wanted, steps) in enumerate(RECIPES):
        method = _method(store, wanted, steps)
        if method is None:
            continue
        product = rng.choice(products)
        product.refresh_from_db(fields=["stock"])
        quantity = min(rng.randint(1, 3), product.stock)
        if quantity < 1:
            continue
        delivery = rng.choice(deliveries)
        buyer = BUYERS[(number + seed) % len(BUYERS)]
        order = orders.place_order(
            store=store,
            items=[orders.Item(product=product.public_id, quantity=quantity)],
            buyer_name=buyer,
            buyer_phone=f"0812-0000-{rng.randint(0, 9999):04d}",
            village_code=store.village_id,
            delivery=delivery["value"],
            payment_method=method,
            address="Dusun " + rng.choice(["Satu", "Dua", "Tiga", "Empat"]),
            channel="demo",
            notify=False,
        )
        code = _code(seed, store, number)
        Order.objects.filter(pk=order.pk).update(code=code)
        order.refresh_from_db()
        if (
            method == "provider"
            and provider_configured()
            and isinstance(get_gateway(), SandboxGateway)
        ):
            orders.charge_provider(order=order)
        # spread the history over the last days; the newest orders are today's
        placed_at = now - timedelta(hours=(len(RECIPES) - number) * 9 + rng.randint(0, 5))
        if not steps:
            placed_at = now - timedelta(minutes=rng.randint(5, 120))
        Order.objects.filter(pk=order.pk).update(created_at=placed_at)
        OrderEvent.objects.filter(order=order).update(at=placed_at)
        at = placed_at
        for step in steps:
            at = at + timedelta(hours=rng.randint(1, 6))
            order = orders.transition(order=order, to=step, by=by, source="demo", at=min(at, now))
        made += 1
    return made


def load(*, seed: int, report: DemoReport, stores: list[Store]) -> None:
    """Orders in every status for the first ``STORES_WITH_ORDERS`` stores (BumDes first)."""
    chosen = sorted(stores, key=lambda s: (not s.is_bumdes, s.pk))[:STORES_WITH_ORDERS]
    if Order.objects.filter(store__in=chosen, channel="demo").exists():
        report.say(
            f"stores orders: demo orders already present "
            f"({Order.objects.filter(channel='demo').count()} orders)"
        )
        return
    made = 0
    system = system_actor()
    with transaction.atomic():
        for index, store in enumerate(chosen):
            rng = random.Random(f"{seed}:orders:{index}")  # noqa: S311
            made += _orders_for(store, seed=seed, rng=rng, by=system)
    statuses = sorted(set(Order.objects.filter(channel="demo").values_list("status", flat=True)))
    report.say(
        f"stores orders: {made} demo orders in {len(chosen)} stores, statuses: {', '.join(statuses)}"
    )
    report.add_link("/toko-saya/pesanan/?tampil=semua", "Pesanan toko (seller orders)")
