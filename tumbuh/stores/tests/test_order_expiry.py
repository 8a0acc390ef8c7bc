"""Unpaid orders expire (services.orders.expire_unpaid_orders, ``tumbuh expire_orders``): after
their payment method's hold the system cancels them and their stock goes back; a payment the
provider reports afterwards leaves the order cancelled and asks the seller to refund."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, make_owner
from tumbuh.core.models import AuditEvent
from tumbuh.stores.gateway import SandboxGateway
from tumbuh.stores.models import Order, OrderEvent, Product
from tumbuh.stores.services import orders
from tumbuh.stores.tests.builders import make_product
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _stock(product) -> int:
    return Product.objects.get(pk=product.pk).stock


def _expire(at) -> int:
    return orders.expire_unpaid_orders(by=system_actor(), now=at)


def test_a_qris_order_expires_after_its_hold_not_before(settings):
    settings.TUMBUH_PAYMENT_HOLD_MINUTES = {"qris": 60, "provider": 60, "transfer": 1440}
    store, product = shop_with_product(stock=10)
    other = make_product(store, stock=4)
    order = orders.place_order(
        store=store,
        items=[
            orders.Item(product=product.public_id, quantity=3),
            orders.Item(product=other.public_id, quantity=4),
        ],
        buyer_name="Siti Aminah",
        buyer_phone="0812-7777-1234",
        village_code=DAYEUHKOLOT,
        delivery="pickup",
        payment_method="qris",
    )
    assert (_stock(product), _stock(other)) == (7, 0)
    assert order.payment_due_at == order.created_at + timedelta(minutes=60)

    assert _expire(order.created_at + timedelta(minutes=60) - timedelta(seconds=1)) == 0
    order.refresh_from_db()
    assert order.status == "awaiting_payment" and (_stock(product), _stock(other)) == (7, 0)

    assert _expire(order.created_at + timedelta(minutes=60)) == 1
    order.refresh_from_db()
    assert order.status == "cancelled" and order.closed_at is not None
    assert (_stock(product), _stock(other)) == (10, 4)  # exactly what the order took
    assert order.payment.status == "failed"
    event = order.events.last()
    assert (event.from_status, event.to_status, event.source) == (
        "awaiting_payment",
        "cancelled",
        "system",
    )
    assert event.by is None and event.note.startswith("Expired: not paid in time")
    audit = AuditEvent.objects.get(action="stores.order_status", target_id=str(order.pk))
    assert audit.actor == system_actor() and audit.data["source"] == "system"

    # a second run changes nothing
    events = OrderEvent.objects.count()
    assert _expire(order.created_at + timedelta(days=3)) == 0
    assert OrderEvent.objects.count() == events and (_stock(product), _stock(other)) == (10, 4)


def test_each_method_has_its_own_hold_and_cash_never_expires(settings):
    settings.TUMBUH_PAYMENT_HOLD_MINUTES = {"qris": 60, "provider": 60, "transfer": 1440}
    store, product = shop_with_product(stock=20)
    transfer = order_for(store, product, payment="transfer")
    provider = order_for(store, product, payment="provider")
    cash = order_for(store, product, payment="cod")
    placed = max(o.created_at for o in (transfer, provider, cash))
    assert cash.payment_due_at is None and transfer.payment_due_at is not None

    assert _expire(placed + timedelta(minutes=61)) == 1
    statuses = dict(Order.objects.values_list("payment_method", "status"))
    assert statuses == {"transfer": "awaiting_payment", "provider": "cancelled", "cod": "new"}

    assert _expire(placed + timedelta(hours=24)) == 1
    assert _expire(placed + timedelta(days=30)) == 0
    statuses = dict(Order.objects.values_list("payment_method", "status"))
    assert statuses == {"transfer": "cancelled", "provider": "cancelled", "cod": "new"}
    assert _stock(product) == 19  # only the cash order holds stock now


def test_paid_and_cancelled_orders_are_left_alone(settings):
    store, product = shop_with_product(stock=10)
    seller = make_owner(store.enterprise)
    paid = order_for(store, product, payment="qris")
    orders.confirm_receipt(order=paid, by=seller)
    cancelled = orders.cancel_by_buyer(order=order_for(store, product, payment="transfer"))
    events = OrderEvent.objects.count()
    assert _expire(timezone.now() + timedelta(days=7)) == 0
    assert Order.objects.get(pk=paid.pk).status == "paid"
    assert Order.objects.get(pk=cancelled.pk).status == "cancelled"
    assert OrderEvent.objects.count() == events and _stock(product) == 9


def test_a_hold_of_zero_never_expires(settings):
    settings.TUMBUH_PAYMENT_HOLD_MINUTES = {"qris": 0, "provider": 60, "transfer": 1440}
    store, product = shop_with_product(stock=10)
    order = order_for(store, product, payment="qris")
    assert order.payment_due_at is None
    assert _expire(timezone.now() + timedelta(days=30)) == 0
    assert Order.objects.get(pk=order.pk).status == "awaiting_payment"


def test_only_the_system_expires_orders():
    store, product = shop_with_product(stock=10)
    seller = make_owner(store.enterprise)
    order = order_for(store, product, payment="qris")
    for actor in (seller, None):
        with pytest.raises(PermissionDenied):
            orders.expire_unpaid_orders(by=actor, now=timezone.now() + timedelta(days=2))
    assert Order.objects.get(pk=order.pk).status == "awaiting_payment" and _stock(product) == 9


def test_the_command_expires_what_is_due():
    store, product = shop_with_product(stock=10)
    due = order_for(store, product, payment="qris")
    fresh = order_for(store, product, payment="qris")
    Order.objects.filter(pk=due.pk).update(created_at=timezone.now() - timedelta(hours=2))
    out = StringIO()
    call_command("expire_orders", stdout=out)
    assert out.getvalue().strip() == "1 unpaid orders expired"
    assert Order.objects.get(pk=due.pk).status == "cancelled"
    assert Order.objects.get(pk=fresh.pk).status == "awaiting_payment"
    assert _stock(product) == 9
    out = StringIO()
    call_command("expire_orders", stdout=out)
    assert out.getvalue().strip() == "0 unpaid orders expired"


def test_the_status_page_says_until_when_to_pay(client):
    store, product = shop_with_product(stock=10)
    qris_order = order_for(store, product, payment="qris")
    cash_order = order_for(store, product, payment="cod")
    page = client.get(f"/pesanan/{qris_order.code}/").content.decode()
    assert "Pay before" in page and "the order is cancelled" in page
    assert "Pay before" not in client.get(f"/pesanan/{cash_order.code}/").content.decode()
    orders.expire_unpaid_orders(by=system_actor(), now=timezone.now() + timedelta(hours=2))
    page = client.get(f"/pesanan/{qris_order.code}/").content.decode()
    assert "Pay before" not in page and 'data-status="cancelled"' in page


def _notify(client, body):
    return client.post(
        "/api/v1/stores/payments/notifications", body, content_type="application/json"
    )


def test_a_payment_after_expiry_leaves_the_order_cancelled_and_asks_for_a_refund(
    client, django_capture_on_commit_callbacks
):
    store, product = shop_with_product(stock=5)
    seller = make_owner(store.enterprise, email="toko@example.id")
    order = order_for(store, product, payment="provider", quantity=2)
    assert _expire(order.created_at + timedelta(hours=2)) == 1
    assert _stock(product) == 5
    mail.outbox.clear()

    gateway = SandboxGateway()
    settled = gateway.simulate(order.code, "settlement")  # the buyer paid too late
    with django_capture_on_commit_callbacks(execute=True):
        response = _notify(client, settled)
    assert response.status_code == 200
    assert response.json() == {"order": order.code, "status": "cancelled", "changed": False}
    order.refresh_from_db()
    assert order.status == "cancelled" and order.paid_at is None and _stock(product) == 5
    assert order.payment.status == "received" and order.payment.provider_status == "settlement"
    assert not order.events.filter(to_status="paid").exists()
    audit = AuditEvent.objects.get(action="stores.order_paid_after_cancel")
    assert audit.target_id == str(order.pk) and audit.data["amount_idr"] == 30_000
    assert [m.to for m in mail.outbox] == [[seller.email]]
    assert order.code in mail.outbox[0].subject and "refund the buyer" in mail.outbox[0].body

    # the provider sends it again: nothing more
    with django_capture_on_commit_callbacks(execute=True):
        again = _notify(client, settled)
    assert again.json()["changed"] is False and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="stores.order_paid_after_cancel").count() == 1

    # the seller refunds through the provider: the payment says so, the order stays cancelled
    _notify(client, gateway.simulate(order.code, "refund"))
    order.refresh_from_db()
    assert order.status == "cancelled" and order.payment.status == "refunded"
