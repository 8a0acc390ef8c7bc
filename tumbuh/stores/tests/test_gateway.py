"""The payment-provider module: signatures, status mapping, Midtrans over a fake HTTP layer, sandbox."""

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import translation

from tumbuh.stores import gateway, qris
from tumbuh.stores.gateway import GatewayError, MidtransGateway, Outcome, SandboxGateway

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


class FakeTransport:
    """Records requests and answers with canned (status, JSON) pairs."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, method, url, headers, body, timeout_s):
        self.requests.append(
            {
                "method": method,
                "url": url,
                "headers": headers,
                "body": json.loads(body) if body else None,
                "timeout": timeout_s,
            }
        )
        status, data = self.answers.pop(0)
        return status, json.dumps(data).encode()


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
    note = MidtransGateway(server_key=SERVER_KEY, transport=FakeTransport()).verify_notification(
        signed(NOTIFICATION)
    )
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
    static = json.loads(
        (Path(__file__).parent / "qris_test_vectors.json").read_text(encoding="utf-8")
    )["vectors"][-1]["payload"]
    qr = qris.with_amount(static, 25000)
    transport = FakeTransport(
        (
            200,
            {
                "status_code": "201",
                "transaction_id": "tx-1",
                "order_id": "TB-7K2Q9",
                "gross_amount": "25000.00",
                "transaction_status": "pending",
                "qr_string": qr,
                "expiry_time": "2026-11-28 17:15:00",
            },
        )
    )
    provider = MidtransGateway(server_key=SERVER_KEY, timeout_s=7, transport=transport)
    charge = provider.charge_qris(order_code="TB-7K2Q9", amount_idr=25000)
    assert charge.reference == "tx-1"
    assert charge.qr_string == qr
    assert charge.expires_at == datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
    assert not charge.is_sandbox
    request = transport.requests[0]
    assert request["method"] == "POST"
    assert request["url"] == "https://api.sandbox.midtrans.com/v2/charge"
    assert request["timeout"] == 7
    assert (
        request["headers"]["Authorization"]
        == "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
    )
    assert request["body"] == {
        "payment_type": "qris",
        "transaction_details": {"order_id": "TB-7K2Q9", "gross_amount": 25000},
        "qris": {"acquirer": "gopay"},
    }


def test_midtrans_production_url_and_status_query():
    transport = FakeTransport(
        (
            200,
            {
                "status_code": "200",
                "order_id": "TB 1/2",
                "transaction_status": "settlement",
                "gross_amount": "1000.00",
                "fraud_status": "accept",
            },
        )
    )
    status = MidtransGateway(server_key=SERVER_KEY, is_production=True, transport=transport).status(
        "TB 1/2"
    )
    assert transport.requests[0]["method"] == "GET"
    assert transport.requests[0]["url"] == "https://api.midtrans.com/v2/TB%201%2F2/status"
    assert status.is_paid and status.gross_amount_idr == 1000


def test_midtrans_unknown_order_and_refusals():
    provider = MidtransGateway(
        server_key=SERVER_KEY,
        transport=FakeTransport(
            (404, {"status_code": "404", "status_message": "Transaction doesn't exist."}),
            (200, {"status_code": "401", "status_message": "Unauthorized"}),
            (502, {"status_message": "bad gateway"}),
        ),
    )
    with pytest.raises(GatewayError) as caught:
        provider.status("TB-X")
    assert caught.value.code == "order.unknown"
    with pytest.raises(GatewayError) as caught:
        provider.charge_qris(order_code="TB-X", amount_idr=1000)
    assert caught.value.code == "provider.refused" and "401" in str(caught.value)
    with pytest.raises(GatewayError) as caught:
        provider.status("TB-X")
    assert caught.value.code == "provider.refused"


def test_midtrans_unreachable():
    def down(*args):
        raise TimeoutError("timed out")

    with pytest.raises(GatewayError) as caught:
        MidtransGateway(server_key=SERVER_KEY, transport=down).status("TB-X")
    assert caught.value.code == "provider.unreachable"


def test_midtrans_needs_a_key():
    with pytest.raises(GatewayError) as caught:
        MidtransGateway(server_key="")
    assert caught.value.code == "config.server_key"


@pytest.mark.parametrize("amount", [0, -1, 10.5, True])
def test_charge_refuses_bad_amounts(amount):
    transport = FakeTransport()
    with pytest.raises(GatewayError):
        MidtransGateway(server_key=SERVER_KEY, transport=transport).charge_qris(
            order_code="TB-1", amount_idr=amount
        )
    with pytest.raises(GatewayError):
        SandboxGateway().charge_qris(order_code="TB-1", amount_idr=amount)
    assert transport.requests == []


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
    chosen = gateway.get_gateway()
    assert isinstance(chosen, MidtransGateway) and chosen.base_url == "https://api.midtrans.com"
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
