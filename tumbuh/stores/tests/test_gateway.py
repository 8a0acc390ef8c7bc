"""The payment-provider module: signatures, status mapping, Midtrans (midtransclient over
recorded provider responses, ``midtrans_fake``), sandbox."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
import requests
from django.utils import translation

from tumbuh.stores import gateway, qris
from tumbuh.stores.gateway import GatewayError, MidtransGateway, Outcome, SandboxGateway
from tumbuh.stores.services import orders
from tumbuh.stores.tests.midtrans_fake import FakeMidtrans, recorded
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

SERVER_KEY = "SB-Mid-server-TEST"


def signed(body, key=SERVER_KEY):
    return {
        **body,
        "signature_key": gateway.signature_for(
            order_id=body["order_id"],
            status_code=body["status_code"],
            gross_amount=body["gross_amount"],
            server_key=key,
        ),
    }


NOTIFICATION = {
    "order_id": "TB-7K2Q9",
    "status_code": "200",
    "gross_amount": "25000.00",
    "transaction_status": "settlement",
    "fraud_status": "accept",
    "payment_type": "qris",
    "transaction_id": "9aed5972-5b6a-401e-894b-a32c91ed1a3a",
}


BASIC_AUTH = "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()


def midtrans(*answers, **options):
    """A ``MidtransGateway`` whose HTTP calls reach a ``FakeMidtrans`` answering ``answers``."""
    fake = FakeMidtrans(*answers)
    return MidtransGateway(server_key=SERVER_KEY, session=fake.session(), **options), fake


@pytest.fixture(autouse=True)
def _own_sandbox_store(settings, tmp_path):
    """Each test gets its own sandbox store (other tests of the tree use the default one)."""
    settings.TUMBUH_PAYMENT_SANDBOX_DIR = str(tmp_path / "payment-sandbox")


def test_signature_is_sha512_of_the_four_parts():
    import hashlib

    expected = hashlib.sha512(b"TB-1200" + b"25000.00" + SERVER_KEY.encode()).hexdigest()
    assert (
        gateway.signature_for(
            order_id="TB-1", status_code="200", gross_amount="25000.00", server_key=SERVER_KEY
        )
        == expected
    )


def test_good_signature_accepted():
    provider, fake = midtrans()
    note = provider.verify_notification(signed(NOTIFICATION))
    assert fake.requests == []  # the body is checked here, not by asking Midtrans
    assert note.order_id == "TB-7K2Q9"
    assert note.gross_amount_idr == 25000
    assert note.outcome == Outcome.PAID
    assert note.is_paid


def test_uppercase_signature_accepted():
    body = signed(NOTIFICATION)
    body["signature_key"] = body["signature_key"].upper()
    assert MidtransGateway(server_key=SERVER_KEY).verify_notification(body).is_paid


@pytest.mark.parametrize(
    "tamper",
    [
        {"gross_amount": "2500.00"},
        {"order_id": "TB-OTHER"},
        {"status_code": "201"},
        {"signature_key": "0" * 128},
        {"signature_key": "not hex at all"},
    ],
)
def test_tampered_notification_refused(tamper, caplog):
    body = {**signed(NOTIFICATION), **tamper}
    with pytest.raises(GatewayError) as caught:
        MidtransGateway(server_key=SERVER_KEY).verify_notification(body)
    assert caught.value.code == "signature.invalid"
    assert "signature" in caplog.text


def test_signature_with_another_key_refused():
    with pytest.raises(GatewayError) as caught:
        MidtransGateway(server_key=SERVER_KEY).verify_notification(
            signed(NOTIFICATION, key="someone-else")
        )
    assert caught.value.code == "signature.invalid"


@pytest.mark.parametrize(
    "missing", ["order_id", "status_code", "gross_amount", "signature_key", "transaction_status"]
)
def test_incomplete_notification_refused(missing):
    body = signed(NOTIFICATION)
    del body[missing]
    with pytest.raises(GatewayError) as caught:
        MidtransGateway(server_key=SERVER_KEY).verify_notification(body)
    assert caught.value.code == "notification.incomplete"
    assert missing in str(caught.value)


def test_non_object_notification_refused():
    with pytest.raises(GatewayError) as caught:
        MidtransGateway(server_key=SERVER_KEY).verify_notification(["order_id"])
    assert caught.value.code == "notification.invalid"


def test_amount_with_cents_refused_even_when_signed():
    with pytest.raises(GatewayError) as caught:
        MidtransGateway(server_key=SERVER_KEY).verify_notification(
            signed({**NOTIFICATION, "gross_amount": "25000.50"})
        )
    assert caught.value.code == "amount.invalid"


@pytest.mark.parametrize(
    ("transaction_status", "fraud_status", "outcome"),
    [
        ("settlement", None, Outcome.PAID),
        ("capture", "accept", Outcome.PAID),
        ("capture", "challenge", Outcome.PENDING),
        ("pending", None, Outcome.PENDING),
        ("authorize", None, Outcome.PENDING),
        ("expire", None, Outcome.FAILED),
        ("cancel", None, Outcome.FAILED),
        ("deny", None, Outcome.FAILED),
        ("failure", None, Outcome.FAILED),
        ("refund", None, Outcome.REFUNDED),
        ("partial_refund", None, Outcome.REFUNDED),
        ("something-new", None, Outcome.PENDING),
    ],
)
def test_status_mapping(transaction_status, fraud_status, outcome):
    assert gateway.outcome_of(transaction_status, fraud_status) == outcome


def test_midtrans_charge_request_and_answer():
    provider, fake = midtrans(recorded("charge_qris"), timeout_s=7)
    charge = provider.charge_qris(order_code="TB-7K2Q9", amount_idr=25000)
    answer = recorded("charge_qris")
    assert charge.reference == "9aed5972-5b6a-401e-894b-a32c91ed1a3a"
    assert charge.qr_string in answer.body.decode()
    parsed = qris.parse(charge.qr_string)
    assert parsed.amount_idr == 25000 and parsed.acquirer == "GoPay"
    assert charge.amount_idr == 25000
    assert charge.expires_at == datetime(2026, 11, 28, 10, 15, tzinfo=UTC)  # 17:15 in Jakarta
    assert not charge.is_sandbox
    [request] = fake.requests
    assert request.method == "POST"
    assert request.url == "https://api.sandbox.midtrans.com/v2/charge"
    assert request.timeout == 7  # midtransclient alone sends none
    assert request.headers["Authorization"] == BASIC_AUTH
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith("midtransclient-python/")
    assert request.body == {
        "payment_type": "qris",
        "transaction_details": {"order_id": "TB-7K2Q9", "gross_amount": 25000},
        "qris": {"acquirer": "gopay"},
    }


def test_midtrans_charge_with_another_acquirer():
    provider, fake = midtrans(recorded("charge_qris"), acquirer="airpay shopee")
    provider.charge_qris(order_code="TB-7K2Q9", amount_idr=25000)
    assert fake.requests[0].body["qris"] == {"acquirer": "airpay shopee"}


def test_midtrans_charge_without_a_qr_is_refused():
    provider, _ = midtrans(recorded("charge_qris", qr_string=""))
    with pytest.raises(GatewayError) as caught:
        provider.charge_qris(order_code="TB-7K2Q9", amount_idr=25000)
    assert caught.value.code == "provider.no_qr"


def test_midtrans_production_url_and_status_query():
    provider, fake = midtrans(
        recorded("status_settlement", order_id="TB 1/2", gross_amount="1000.00"),
        is_production=True,
    )
    status = provider.status("TB 1/2")
    [request] = fake.requests
    assert request.method == "GET"
    assert request.url == "https://api.midtrans.com/v2/TB%201%2F2/status"
    assert request.headers["Authorization"] == BASIC_AUTH
    assert request.body is None
    assert request.timeout == 10
    assert status.is_paid and status.gross_amount_idr == 1000
    assert status.order_id == "TB 1/2" and status.status_code == "200"
    assert status.transaction_id == "9aed5972-5b6a-401e-894b-a32c91ed1a3a"
    assert status.payment_type == "qris" and status.fraud_status == "accept"


@pytest.mark.parametrize(
    ("name", "status_code", "transaction_status", "outcome"),
    [
        ("status_settlement", "200", "settlement", Outcome.PAID),
        ("status_pending", "201", "pending", Outcome.PENDING),
        ("status_deny", "202", "deny", Outcome.FAILED),
        ("status_expire", "407", "expire", Outcome.FAILED),  # 407 is an answer, not a refusal
    ],
)
def test_midtrans_recorded_statuses(name, status_code, transaction_status, outcome):
    provider, fake = midtrans(recorded(name))
    status = provider.status("TB-7K2Q9")
    assert fake.requests[0].url == "https://api.sandbox.midtrans.com/v2/TB-7K2Q9/status"
    assert (status.status_code, status.transaction_status, status.outcome) == (
        status_code,
        transaction_status,
        outcome,
    )
    assert status.gross_amount_idr == 25000


def test_midtrans_unknown_order_and_refusals(english, caplog):
    provider, fake = midtrans(
        recorded("unknown_order_404"),
        recorded("unauthorized_401"),
        recorded("unauthorized_401", http_status=200),  # Midtrans' code in a 200 answer counts
        recorded("server_error_500"),
        (502, {"status_message": "bad gateway"}),
    )
    with pytest.raises(GatewayError) as caught:
        provider.status("TB-X")
    assert caught.value.code == "order.unknown"
    assert caught.value.reason == "The payment provider does not know this order."
    with pytest.raises(GatewayError) as caught:
        provider.charge_qris(order_code="TB-X", amount_idr=1000)
    assert caught.value.code == "provider.refused" and "401" in str(caught.value)
    assert caught.value.reason == (
        "The payment provider refused the request (status 401): Access denied due to "
        "unauthorized transaction, please check client or server key"
    )
    with pytest.raises(GatewayError) as caught:
        provider.status("TB-X")
    assert caught.value.code == "provider.refused" and "401" in str(caught.value)
    with pytest.raises(GatewayError) as caught:
        provider.status("TB-X")
    assert caught.value.code == "provider.refused" and "500" in str(caught.value)
    with pytest.raises(GatewayError) as caught:
        provider.status("TB-X")
    assert caught.value.code == "provider.refused" and "502" in str(caught.value)
    assert len(fake.requests) == 5
    assert SERVER_KEY not in caplog.text


def test_midtrans_unreadable_answers(english):
    provider, _ = midtrans(
        (502, b"<html><body>Bad Gateway</body></html>"),
        (200, ["not", "an", "object"]),
        (200, {"status_code": "OK"}),
    )
    for expected_status in (502, 200, 200):
        with pytest.raises(GatewayError) as caught:
            provider.status("TB-X")
        assert caught.value.code == "provider.unreadable"
        assert caught.value.reason == (
            f"The payment provider answered with something unreadable (HTTP {expected_status})."
        )


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectTimeout("connect timed out"),
        requests.exceptions.ConnectionError("connection refused"),
    ],
)
def test_midtrans_unreachable(failure, caplog):
    provider, fake = midtrans(failure, failure, timeout_s=3)
    with pytest.raises(GatewayError) as caught:
        provider.status("TB-X")
    assert caught.value.code == "provider.unreachable"
    with pytest.raises(GatewayError) as caught:
        provider.charge_qris(order_code="TB-X", amount_idr=1000)
    assert caught.value.code == "provider.unreachable"
    assert [request.timeout for request in fake.requests] == [3, 3]
    assert "unreachable" in caplog.text


def test_midtrans_needs_a_key():
    with pytest.raises(GatewayError) as caught:
        MidtransGateway(server_key="")
    assert caught.value.code == "config.server_key"


@pytest.mark.parametrize("amount", [0, -1, 10.5, True])
def test_charge_refuses_bad_amounts(amount):
    provider, fake = midtrans()
    with pytest.raises(GatewayError):
        provider.charge_qris(order_code="TB-1", amount_idr=amount)
    with pytest.raises(GatewayError):
        SandboxGateway().charge_qris(order_code="TB-1", amount_idr=amount)
    assert fake.requests == []


def test_sandbox_charge_is_deterministic_and_a_valid_qris():
    sandbox = SandboxGateway()
    first = sandbox.charge_qris(order_code="TB-1", amount_idr=12345)
    again = SandboxGateway().charge_qris(order_code="TB-1", amount_idr=12345)
    assert first == again
    assert first.is_sandbox
    with translation.override("en"):
        assert str(SandboxGateway.label) == "Sandbox — not a real payment"
    parsed = qris.parse(first.qr_string)
    assert (
        parsed.amount_idr == 12345
        and parsed.merchant_name == "TUMBUH SANDBOX"
        and parsed.acquirer == "GoPay"
    )
    assert sandbox.status("TB-1").outcome == Outcome.PENDING
    with pytest.raises(GatewayError) as caught:
        sandbox.charge_qris(order_code="TB-1", amount_idr=999)
    assert caught.value.code == "order.amount_changed"


def test_sandbox_settlement_gives_a_verifiable_notification():
    sandbox = SandboxGateway()
    sandbox.charge_qris(order_code="TB-2", amount_idr=40000)
    body = sandbox.simulate("TB-2")
    note = SandboxGateway().verify_notification(body)
    assert note.is_paid and note.gross_amount_idr == 40000 and note.order_id == "TB-2"
    assert sandbox.status("TB-2").is_paid
    # A sandbox notification is not a Midtrans one.
    with pytest.raises(GatewayError):
        MidtransGateway(server_key=SERVER_KEY).verify_notification(body)
    # Tampering with the amount breaks it.
    with pytest.raises(GatewayError):
        sandbox.verify_notification({**body, "gross_amount": "1.00"})


def test_sandbox_charges_are_shared_between_processes():
    SandboxGateway().charge_qris(order_code="TB-4", amount_idr=7000)
    gateway._sandbox_stores.clear()  # as if another gunicorn worker answered the next request
    body = SandboxGateway().simulate("TB-4")
    assert SandboxGateway().verify_notification(body).gross_amount_idr == 7000
    assert SandboxGateway().status("TB-4").is_paid


def test_sandbox_expiry_and_unknown_orders(monkeypatch):
    sandbox = SandboxGateway(expiry_minutes=15)
    sandbox.charge_qris(order_code="TB-3", amount_idr=5000)
    later = datetime.now(UTC) + timedelta(minutes=16)
    monkeypatch.setattr(gateway.timezone, "now", lambda: later)
    assert sandbox.status("TB-3").outcome == Outcome.FAILED
    with pytest.raises(GatewayError) as caught:
        sandbox.status("TB-NEVER")
    assert caught.value.code == "order.unknown"
    with pytest.raises(GatewayError) as caught:
        sandbox.simulate("TB-NEVER")
    assert caught.value.code == "order.unknown"


def test_get_gateway_by_setting(settings):
    assert isinstance(gateway.get_gateway(), SandboxGateway)
    settings.TUMBUH_PAYMENT_GATEWAY = "midtrans"
    settings.TUMBUH_MIDTRANS_SERVER_KEY = SERVER_KEY
    settings.TUMBUH_MIDTRANS_PRODUCTION = True
    settings.TUMBUH_MIDTRANS_CLIENT_KEY = "Mid-client-TEST"
    settings.TUMBUH_MIDTRANS_TIMEOUT_S = 4
    settings.TUMBUH_MIDTRANS_QRIS_ACQUIRER = "airpay shopee"
    chosen = gateway.get_gateway()
    assert isinstance(chosen, MidtransGateway) and chosen.base_url == "https://api.midtrans.com"
    config = chosen.core_api.api_config
    assert config.is_production and config.server_key == SERVER_KEY
    assert config.client_key == "Mid-client-TEST"
    assert chosen.http.timeout_s == 4.0 and chosen.acquirer == "airpay shopee"
    settings.TUMBUH_PAYMENT_GATEWAY = "paypal"
    with pytest.raises(GatewayError) as caught:
        gateway.get_gateway()
    assert caught.value.code == "config.gateway"


def test_the_sandbox_exists_only_where_it_is_allowed(settings):
    settings.TUMBUH_PAYMENT_SANDBOX = False
    assert not gateway.provider_configured()
    with pytest.raises(GatewayError) as caught:
        gateway.get_gateway()
    assert caught.value.code == "config.sandbox_off"
    settings.TUMBUH_PAYMENT_GATEWAY = ""
    with pytest.raises(GatewayError) as caught:
        gateway.get_gateway()
    assert caught.value.code == "config.none"
    settings.TUMBUH_PAYMENT_GATEWAY = "midtrans"
    settings.TUMBUH_MIDTRANS_SERVER_KEY = SERVER_KEY
    assert gateway.provider_configured()


# --- Midtrans through the order services ------------------------------------------------------


@pytest.fixture
def midtrans_order(monkeypatch):
    """An order paid through Midtrans (the charge answered from a recorded response), and the
    fake that answers the gateway's next calls."""
    provider, fake = midtrans(recorded("charge_qris", gross_amount="30000.00"))
    monkeypatch.setattr(gateway, "get_gateway", lambda: provider)
    store, product = shop_with_product(stock=5)
    order = order_for(store, product, payment="provider", quantity=2)
    assert fake.requests[0].body["transaction_details"] == {
        "order_id": order.code,
        "gross_amount": 30_000,
    }
    return order, fake


def _notification(order, transaction_status="settlement"):
    return signed(
        {
            **NOTIFICATION,
            "order_id": order.code,
            "gross_amount": "30000.00",
            "transaction_status": transaction_status,
        }
    )


@pytest.mark.django_db
def test_midtrans_notification_is_checked_against_the_status(midtrans_order):
    """A signed "settlement" is a hint: the re-queried status (still pending) decides."""
    order, fake = midtrans_order
    payment = order.payment
    assert payment.provider == "midtrans" and payment.qr_string.startswith("000201")
    assert payment.provider_reference == "9aed5972-5b6a-401e-894b-a32c91ed1a3a"
    fake.answers.append(recorded("status_pending", order_id=order.code, gross_amount="30000.00"))
    result = orders.handle_notification(_notification(order))
    assert fake.requests[-1].method == "GET"
    assert fake.requests[-1].url == f"https://api.sandbox.midtrans.com/v2/{order.code}/status"
    assert not result.changed and result.outcome == Outcome.PENDING
    order.refresh_from_db()
    assert order.status == "awaiting_payment"
    fake.answers.append(recorded("status_settlement", order_id=order.code, gross_amount="30000.00"))
    result = orders.handle_notification(_notification(order))
    order.refresh_from_db()
    assert result.changed and order.status == "paid" and order.payment.status == "received"


@pytest.mark.django_db
def test_midtrans_expired_status_cancels_the_order(midtrans_order):
    order, fake = midtrans_order
    fake.answers.append(recorded("status_expire", order_id=order.code, gross_amount="30000.00"))
    result = orders.handle_notification(_notification(order, "expire"))
    order.refresh_from_db()
    assert result.changed and order.status == "cancelled"


@pytest.mark.django_db
def test_midtrans_forged_notification_asks_nothing_and_changes_nothing(midtrans_order):
    order, fake = midtrans_order
    forged = {**_notification(order), "signature_key": "0" * 128}
    with pytest.raises(GatewayError) as caught:
        orders.handle_notification(forged)
    assert caught.value.code == "signature.invalid"
    assert len(fake.requests) == 1  # only the charge: no status query for a forged body
    order.refresh_from_db()
    assert order.status == "awaiting_payment"


@pytest.mark.django_db
def test_midtrans_amount_differing_from_the_order_is_refused(midtrans_order):
    order, fake = midtrans_order
    fake.answers.append(recorded("status_settlement", order_id=order.code, gross_amount="3000.00"))
    with pytest.raises(GatewayError) as caught:
        orders.handle_notification(_notification(order))
    assert caught.value.code == "amount.mismatch"
    order.refresh_from_db()
    assert order.status == "awaiting_payment"
