"""Provider payments: signature checked, status re-queried, duplicates and late notifications
harmless, bad signature or unknown order refused and logged without personal data."""

import logging

import pytest

from tumbuh.registry.models import Milestone
from tumbuh.stores.gateway import SandboxGateway, signature_for
from tumbuh.stores.models import Order, Product, Store
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
URL = "/api/v1/stores/payments/notifications"


def _notify(client, body):
    return client.post(URL, body, content_type="application/json")


@pytest.fixture
def provider_order():
    store, product = shop_with_product(stock=5)
    order = order_for(store, product, payment="provider", quantity=2)
    return store, product, order


def test_the_order_has_a_sandbox_charge(provider_order):
    _, _, order = provider_order
    payment = order.payment
    assert payment.provider == "sandbox" and payment.provider_reference.startswith("SANDBOX-")
    assert payment.qr_string.startswith("000201") and payment.amount_idr == 30_000


def test_settlement_pays_the_order_once(client, provider_order):
    store, _, order = provider_order
    body = SandboxGateway().simulate(order.code, "settlement")
    response = _notify(client, body)
    assert response.status_code == 200 and response.json() == {
        "order": order.code,
        "status": "paid",
        "changed": True,
    }
    again = _notify(client, body)
    assert again.json()["changed"] is False
    order.refresh_from_db()
    assert order.status == "paid" and order.payment.status == "received"
    assert order.events.filter(to_status="paid").count() == 1
    assert len(order.payment.notifications) == 2
    kinds = set(
        Milestone.objects.filter(enterprise=store.enterprise).values_list("kind", flat=True)
    )
    assert {"first_online_sale", "paid_digitally"} <= kinds


def test_late_pending_after_settlement_changes_nothing(client, provider_order):
    _, _, order = provider_order
    gateway = SandboxGateway()
    pending = gateway.simulate(order.code, "pending")
    settled = gateway.simulate(order.code, "settlement")
    assert _notify(client, settled).json()["status"] == "paid"
    response = _notify(client, pending)  # delivered late: the re-queried status is settlement
    assert response.status_code == 200 and response.json()["changed"] is False
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_forged_settlement_is_not_believed_without_the_provider(client, provider_order):
    """A genuine but stale "settlement" body is checked against the provider's current status."""
    _, product, order = provider_order
    gateway = SandboxGateway()
    settled = gateway.simulate(order.code, "settlement")
    gateway.simulate(order.code, "expire")  # the provider now says expired
    response = _notify(client, settled)
    assert response.json()["status"] == "cancelled"
    assert Product.objects.get(pk=product.pk).stock == 5  # stock back


def test_bad_signature_is_refused_and_logged_without_personal_data(client, provider_order, caplog):
    _, product, order = provider_order
    body = SandboxGateway().simulate(order.code, "settlement")
    body["signature_key"] = signature_for(
        order_id=body["order_id"],
        status_code=body["status_code"],
        gross_amount=body["gross_amount"],
        server_key="not-the-key",
    )
    with caplog.at_level(logging.WARNING):
        response = _notify(client, body)
    assert response.status_code == 400 and "signature" in response.json()["detail"]
    order.refresh_from_db()
    assert order.status == "awaiting_payment" and order.payment.notifications == []
    assert (
        "bad signature" in caplog.text and "Siti" not in caplog.text and "7777" not in caplog.text
    )
    assert Product.objects.get(pk=product.pk).stock == 3


def test_unknown_order_is_refused(client, caplog):
    gateway = SandboxGateway()
    gateway.charge_qris(order_code="NOSUCHORDER", amount_idr=10_000)
    body = gateway.simulate("NOSUCHORDER", "settlement")
    with caplog.at_level(logging.WARNING):
        response = _notify(client, body)
    assert response.status_code == 404 and "unknown order" in response.json()["detail"]
    assert "unknown order" in caplog.text


def test_not_json_and_missing_fields_are_refused(client):
    assert client.post(URL, "{", content_type="application/json").status_code == 400
    response = _notify(client, {"order_id": "X"})
    assert response.status_code == 400 and "lacks" in response.json()["detail"]


def test_refund_notification_refunds_a_paid_order(client, provider_order):
    _, _, order = provider_order
    gateway = SandboxGateway()
    _notify(client, gateway.simulate(order.code, "settlement"))
    response = _notify(client, gateway.simulate(order.code, "refund"))
    assert response.json()["status"] == "refunded"


def test_sandbox_payment_from_the_status_page(client, provider_order):
    _, _, order = provider_order
    page = client.get(f"/pesanan/{order.code}/").content.decode()
    assert "Sandbox" in page and "<svg" in page
    client.post(f"/pesanan/{order.code}/sandbox/")
    order.refresh_from_db()
    assert order.status == "paid" and order.payment.notifications


def test_cod_order_cannot_simulate_a_payment(client):
    store, product = shop_with_product()
    order = order_for(store, product)
    client.post(f"/pesanan/{order.code}/sandbox/")
    assert Order.objects.get(pk=order.pk).status == "new"


def test_without_the_sandbox_nobody_can_mark_an_order_paid(client, provider_order, settings):
    """DEBUG=0 without TUMBUH_PAYMENT_SANDBOX: the sandbox's button is a 404 (its route is absent
    in such a deployment: tumbuh/core/tests/test_settings.py), the order page offers no button,
    and stores no longer offer a provider payment."""
    store, _, order = provider_order
    settings.TUMBUH_PAYMENT_SANDBOX = False
    assert client.post(f"/pesanan/{order.code}/sandbox/").status_code == 404
    page = client.get(f"/pesanan/{order.code}/")
    assert page.status_code == 200 and b"/sandbox/" not in page.content
    order.refresh_from_db()
    assert order.status == "awaiting_payment" and not order.payment.notifications
    assert "provider" not in Store.objects.get(pk=store.pk).payment_methods
