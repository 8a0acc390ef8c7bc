"""B2B stock under real concurrency, on PostgreSQL: thirty purchase orders issued at the same
moment for the last ten units never take more than ten, and a cancel racing a delivery of the same
order lets exactly one of them happen.

Each buyer runs in its own thread with its own database connection (``transactional_db``: the
rows the threads read are committed), and a barrier starts them together. A watcher reads the
offer's free stock and the reserved quantity in one statement (one snapshot) while they run, so
"never" is checked during the race, not only after it.
"""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_owner
from tumbuh.core.refusals import Refused
from tumbuh.supply.models import (
    DeliveryNote,
    Offer,
    SupplyOrder,
    SupplyOrderEvent,
    SupplyOrderLine,
)
from tumbuh.supply.services import market, orders
from tumbuh.supply.tests.builders import BANJARAN

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers with one database lock, so there is no race to test; "
    "row locks and concurrent conditional UPDATEs need PostgreSQL",
)

STOCK = 10
BUYERS = 30
ROUNDS = 8


def _grower_with_offer(stock: int):
    grower = make_enterprise("Tani Singkong Makmur", village=DAYEUHKOLOT)
    grower_user = make_owner(grower)
    offer = market.publish_offer(
        supplier=grower,
        commodity="Singkong segar",
        commodity_kbli="01135",
        unit="kg",
        min_order_quantity=1,
        tiers=[(1, 3000)],
        available_quantity=stock,
        by=grower_user,
    )
    return grower_user, offer


def _stock_and_reserved(offer: Offer) -> tuple[int, int]:
    """(free stock, units reserved by purchase orders not yet delivered) in one statement."""
    reserved = (
        SupplyOrderLine.objects.filter(offer=OuterRef("pk"), order__status="ordered")
        .values("offer")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return (
        Offer.objects.filter(pk=offer.pk)
        .annotate(reserved=Coalesce(Subquery(reserved), Value(0), output_field=IntegerField()))
        .values_list("available_quantity", "reserved")
        .get()
    )


def test_thirty_purchase_orders_at_once_never_take_more_than_the_stock(regions_after_flush):
    grower_user, offer = _grower_with_offer(STOCK)
    wanted = random.Random(18).choices((1, 2, 3), k=BUYERS)
    quoted = []
    for number, quantity in enumerate(wanted):
        buyer = make_enterprise(f"Keripik {number}", village=BANJARAN)
        buyer_user = make_owner(buyer)
        order = orders.request_quotation(buyer=buyer, items={offer: quantity}, by=buyer_user)
        order = orders.quote(order=order, terms="cash", by=grower_user)
        quoted.append((order, buyer_user, quantity))
    assert sum(wanted) > STOCK

    barrier = threading.Barrier(BUYERS)
    outcomes: dict[int, str] = {}
    lock = threading.Lock()
    racing = threading.Event()
    samples: list[tuple[int, int]] = []

    def issue(index: int) -> None:
        order, buyer_user, _quantity = quoted[index]
        try:
            connection.ensure_connection()  # connected before the start: the race is the work's
            barrier.wait(timeout=60)
            orders.issue_purchase_order(order=order, by=buyer_user)
            result = "ordered"
        except Refused as refusal:
            result = refusal.reason
        finally:
            connection.close()
        with lock:
            outcomes[index] = result

    def watch() -> None:
        try:
            while racing.is_set():
                samples.append(_stock_and_reserved(offer))
                time.sleep(0.002)
        finally:
            connection.close()

    racing.set()
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=BUYERS) as pool:
            list(pool.map(issue, range(BUYERS)))
    finally:
        racing.clear()
        watcher.join(timeout=60)

    assert len(outcomes) == BUYERS
    assert set(outcomes.values()) <= {"ordered", "not_enough_stock"}, set(outcomes.values())
    won = [index for index, result in outcomes.items() if result == "ordered"]
    lost = [index for index, result in outcomes.items() if result == "not_enough_stock"]
    taken = sum(quoted[index][2] for index in won)
    available, reserved = _stock_and_reserved(offer)
    assert 0 < taken <= STOCK and lost
    assert available >= 0 and available == STOCK - reserved and reserved == taken
    # Nobody was refused while enough was left: stock only fell during the race, so what is left
    # now is less than what each refused buyer asked for.
    assert all(quoted[index][2] > available for index in lost)
    # While it ran, every snapshot added up too.
    assert samples, "the watcher read nothing"
    assert all(free >= 0 and free + held == STOCK for free, held in samples), samples

    # No order half-written: the refused are still quoted, with no purchase order event.
    lost_ids = [quoted[index][0].pk for index in lost]
    won_ids = [quoted[index][0].pk for index in won]
    assert set(SupplyOrder.objects.filter(pk__in=lost_ids).values_list("status", "ordered_at")) == {
        ("quoted", None)
    }
    assert not SupplyOrderEvent.objects.filter(order__in=lost_ids, to_status="ordered").exists()
    assert SupplyOrder.objects.filter(pk__in=won_ids, status="ordered").count() == len(won)
    assert SupplyOrderEvent.objects.filter(order__in=won_ids, to_status="ordered").count() == len(
        won
    )


def _cancel_against_delivery(order, line, *, buyer_user, grower_user) -> dict[str, str]:
    """The buyer cancels ``order`` while the supplier sends 2 units of ``line``, both released by
    one barrier: ``{"cancel": ..., "deliver": ...}``, each "done" or the refusal's reason."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def step(name, action) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            action()
            outcomes[name] = "done"
        except Refused as refusal:
            outcomes[name] = refusal.reason
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(
                step, "cancel", lambda: orders.cancel(order=order, reason="Batal", by=buyer_user)
            ),
            pool.submit(
                step,
                "deliver",
                lambda: orders.send_delivery(order=order, quantities={line.pk: 2}, by=grower_user),
            ),
        ]
        for future in futures:
            future.result()
    return outcomes


def test_a_cancel_racing_a_delivery_lets_exactly_one_happen(regions_after_flush):
    stock = 100
    grower_user, offer = _grower_with_offer(stock)
    buyer = make_enterprise("Keripik Bu Sari", village=BANJARAN)
    buyer_user = make_owner(buyer)
    for _round in range(ROUNDS):
        order = orders.request_quotation(buyer=buyer, items={offer: 3}, by=buyer_user)
        order = orders.quote(order=order, terms="cash", by=grower_user)
        order = orders.issue_purchase_order(order=order, by=buyer_user)
        line = order.lines.get()
        outcomes = _cancel_against_delivery(
            order, line, buyer_user=buyer_user, grower_user=grower_user
        )

        assert sorted(outcomes.values()) == ["done", "order_transition"], outcomes
        order.refresh_from_db()
        line.refresh_from_db()
        notes = DeliveryNote.objects.filter(order=order).count()
        if outcomes["cancel"] == "done":
            assert (order.status, notes, line.delivered_quantity) == ("cancelled", 0, 0)
        else:
            assert (order.status, notes, line.delivered_quantity) == ("delivering", 1, 2)

        # Stock adds up after every round: what is not cancelled stays taken.
        held = (
            SupplyOrderLine.objects.filter(offer=offer)
            .exclude(order__status="cancelled")
            .aggregate(total=Sum("quantity"))["total"]
            or 0
        )
        assert Offer.objects.get(pk=offer.pk).available_quantity == stock - held
