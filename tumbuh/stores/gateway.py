"""The one module that reaches a payment provider.

Orders never talk to a provider directly: they call ``get_gateway()`` and use the three
operations of ``PaymentGateway``:

- ``charge_qris(order_code=, amount_idr=)`` asks for a QRIS charge and returns a ``Charge``
  (provider reference, QR string to draw, expiry);
- ``status(order_code)`` re-queries the provider (a notification is a hint; the status answer is
  what an order trusts);
- ``verify_notification(body)`` checks a provider notification's ``signature_key``
  (SHA-512 of order_id + status_code + gross_amount + server key, compared in constant time)
  and returns a ``Notification``.

Two implementations:

- ``MidtransGateway``: Midtrans Core API through the official client, ``midtransclient``
  (``CoreApi.charge`` with ``payment_type`` "qris" for ``POST /v2/charge``,
  ``CoreApi.transactions.status`` for ``GET /v2/{order_id}/status``, Basic auth with the server
  key), sandbox or production base URL by setting. midtransclient calls ``requests`` with no
  timeout, so its HTTP layer is given one (``_TimedRequests``): a hanging provider cannot hang a
  checkout. Its errors (``MidtransAPIError``, unreadable answers, requests' connection errors and
  timeouts) become ``GatewayError``. Notifications are not read with midtransclient's
  ``transactions.notification`` (it trusts the body's transaction id without a signature): the
  signature is checked here and orders re-query ``status()``. Tests give it a ``requests``
  session whose transport answers with recorded Midtrans responses.
- ``SandboxGateway`` (the default with DEBUG on): deterministic and in-process, labelled
  "Sandbox — bukan pembayaran nyata". It can simulate settlement, expiry or denial, and produces
  notifications signed with its own server key (derived from SECRET_KEY, so nobody outside the
  deployment can forge one).

Settings (from the environment, ``tumbuh/settings.py``): ``TUMBUH_PAYMENT_GATEWAY`` ("sandbox",
"midtrans" or empty: no provider, and stores do not offer the method), ``TUMBUH_PAYMENT_SANDBOX``
(the sandbox exists only with it, which is on with DEBUG and off otherwise),
``TUMBUH_MIDTRANS_SERVER_KEY``, ``TUMBUH_MIDTRANS_CLIENT_KEY`` (optional: the Core API calls made
here need only the server key), ``TUMBUH_MIDTRANS_PRODUCTION`` (bool, default False),
``TUMBUH_MIDTRANS_TIMEOUT_S`` (default 10), ``TUMBUH_MIDTRANS_QRIS_ACQUIRER`` (default "gopay"),
``TUMBUH_PAYMENT_EXPIRY_MINUTES`` (default 15).

midtransclient and requests are imported by ``MidtransGateway`` when it is used: the API and the
checkout pages import this module, and the two cost ~0.13 s at start-up.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.stores import qris

if TYPE_CHECKING:
    import requests

__all__ = [
    "Charge",
    "GatewayError",
    "GatewayStatus",
    "MidtransGateway",
    "Notification",
    "Outcome",
    "PaymentGateway",
    "SandboxGateway",
    "get_gateway",
    "signature_for",
]

logger = logging.getLogger(__name__)

JAKARTA = ZoneInfo("Asia/Jakarta")


class GatewayError(Exception):
    """A provider call or notification that cannot be used, with the reason in the active language."""

    def __init__(self, reason: str, *, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class Outcome:
    """What a provider transaction status means for an order."""

    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"


# Midtrans transaction_status values (Core API docs, "Transaction Status").
_OUTCOMES = {
    "pending": Outcome.PENDING,
    "authorize": Outcome.PENDING,
    "settlement": Outcome.PAID,
    "deny": Outcome.FAILED,
    "cancel": Outcome.FAILED,
    "expire": Outcome.FAILED,
    "failure": Outcome.FAILED,
    "refund": Outcome.REFUNDED,
    "partial_refund": Outcome.REFUNDED,
    "chargeback": Outcome.REFUNDED,
    "partial_chargeback": Outcome.REFUNDED,
}


def outcome_of(transaction_status: str, fraud_status: str | None = None) -> str:
    """Map a provider transaction status to an ``Outcome``.

    ``capture`` counts as paid only when the fraud check accepted it; a challenged capture stays
    pending until the provider decides. An unknown status is pending: never paid by accident.
    """
    if transaction_status == "capture":
        return Outcome.PAID if (fraud_status or "accept") == "accept" else Outcome.PENDING
    return _OUTCOMES.get(transaction_status, Outcome.PENDING)


def _amount_idr(gross_amount: str) -> int:
    """Whole rupiah from a provider's gross_amount string ("25000.00" → 25000)."""
    try:
        value = Decimal(str(gross_amount))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.to_integral_value() or value < 0:
        raise GatewayError(
            _("The provider sent an amount that is not whole rupiah: “%(amount)s”.")
            % {"amount": gross_amount},
            code="amount.invalid",
        )
    return int(value)


def signature_for(*, order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    """Midtrans' notification signature: SHA-512 hex of order_id + status_code + gross_amount + server key."""
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


@dataclass(frozen=True)
class Charge:
    """A QRIS charge created at the provider for one order."""

    order_code: str
    reference: str
    qr_string: str
    amount_idr: int
    expires_at: datetime
    is_sandbox: bool = False


@dataclass(frozen=True)
class GatewayStatus:
    """The provider's answer about one order's transaction."""

    order_id: str
    status_code: str
    transaction_status: str
    gross_amount: str
    fraud_status: str | None = None
    transaction_id: str | None = None
    payment_type: str | None = None

    @property
    def gross_amount_idr(self) -> int:
        return _amount_idr(self.gross_amount)

    @property
    def outcome(self) -> str:
        return outcome_of(self.transaction_status, self.fraud_status)

    @property
    def is_paid(self) -> bool:
        return self.outcome == Outcome.PAID


@dataclass(frozen=True)
class Notification(GatewayStatus):
    """A provider notification whose signature has been verified."""

    transaction_time: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


class PaymentGateway(ABC):
    """What orders need from a payment provider."""

    name: str = ""
    label = ""
    is_sandbox = False

    def __init__(self, *, server_key: str):
        if not server_key:
            raise GatewayError(
                _("The payment provider has no server key configured."), code="config.server_key"
            )
        self._server_key = server_key

    @abstractmethod
    def charge_qris(self, *, order_code: str, amount_idr: int) -> Charge:
        """Create a QRIS charge for ``amount_idr`` rupiah under the order code."""

    @abstractmethod
    def status(self, order_code: str) -> GatewayStatus:
        """Ask the provider for the current status of the order's transaction."""

    def verify_notification(self, body: dict) -> Notification:
        """Check a notification's signature and return it; ``GatewayError`` if it is not genuine."""
        if not isinstance(body, dict):
            raise GatewayError(
                _("The payment notification is not a JSON object."), code="notification.invalid"
            )
        required = (
            "order_id",
            "status_code",
            "gross_amount",
            "signature_key",
            "transaction_status",
        )
        missing = [
            key for key in required if not isinstance(body.get(key), str) or not body.get(key)
        ]
        if missing:
            logger.warning("payment notification refused: missing %s", ",".join(missing))
            raise GatewayError(
                _("The payment notification lacks %(fields)s.") % {"fields": ", ".join(missing)},
                code="notification.incomplete",
            )
        expected = signature_for(
            order_id=body["order_id"],
            status_code=body["status_code"],
            gross_amount=body["gross_amount"],
            server_key=self._server_key,
        )
        if not hmac.compare_digest(
            expected.encode(), body["signature_key"].strip().lower().encode()
        ):
            logger.warning(
                "payment notification refused: bad signature for order %s", body["order_id"][:40]
            )
            raise GatewayError(
                _(
                    "The payment notification's signature is not valid: it was not sent by the payment provider."
                ),
                code="signature.invalid",
            )
        _amount_idr(body["gross_amount"])
        return Notification(
            order_id=body["order_id"],
            status_code=body["status_code"],
            transaction_status=body["transaction_status"],
            gross_amount=body["gross_amount"],
            fraud_status=body.get("fraud_status") or None,
            transaction_id=body.get("transaction_id") or None,
            payment_type=body.get("payment_type") or None,
            transaction_time=body.get("transaction_time") or None,
            raw=dict(body),
        )


# --- Midtrans ---------------------------------------------------------------------------------


class _TimedRequests:
    """The HTTP layer handed to midtransclient, in place of the ``requests`` module it uses.

    midtransclient's ``HttpClient`` calls ``self.http_client.request(method, url, ...)`` with no
    timeout; this object answers that call through a ``requests`` session with ``timeout_s``
    (connect and read) on every request. It also keeps the HTTP status of the last answer, which
    midtransclient drops when an answer is not JSON.
    """

    def __init__(self, session: requests.Session, timeout_s: float):
        self.session = session
        self.timeout_s = timeout_s
        self.last_status_code: int | None = None

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        kwargs["timeout"] = self.timeout_s
        self.last_status_code = None
        response = self.session.request(method, url, **kwargs)
        self.last_status_code = response.status_code
        return response


class MidtransGateway(PaymentGateway):
    """Midtrans Core API through midtransclient: QRIS charges, status queries and signed HTTP
    notifications (checked here, not by midtransclient)."""

    name = "midtrans"
    label = gettext_lazy("Midtrans")

    def __init__(
        self,
        *,
        server_key: str,
        client_key: str = "",
        is_production: bool = False,
        timeout_s: float = 10.0,
        acquirer: str = "gopay",
        session: requests.Session | None = None,
    ):
        import midtransclient
        import requests

        super().__init__(server_key=server_key)
        self.timeout_s = timeout_s
        self.acquirer = acquirer
        self.core_api = midtransclient.CoreApi(
            is_production=is_production, server_key=server_key, client_key=client_key or ""
        )
        # midtransclient's HttpClient keeps the ``requests`` module in ``http_client`` and calls
        # its ``request`` without a timeout; a hanging provider must not hang a checkout.
        self.http = _TimedRequests(session or requests.Session(), timeout_s)
        self.core_api.http_client.http_client = self.http

    @property
    def base_url(self) -> str:
        return self.core_api.api_config.get_core_api_base_url()

    def _call(
        self, operation: str, call: Callable[[], dict], *, accepted: tuple[str, ...] = ("2",)
    ) -> dict:
        """Run one midtransclient call; every failure becomes a ``GatewayError``.

        ``accepted``: the prefixes (or whole codes) of Midtrans' own ``status_code`` that count as
        an answer; midtransclient raises for HTTP ≥ 400 and for a body code ≥ 400 except 407.
        """
        import midtransclient
        import requests

        try:
            data = call()
        except midtransclient.MidtransAPIError as error:
            body = error.api_response_dict if isinstance(error.api_response_dict, dict) else {}
            raise self._refusal(
                operation, str(body.get("status_code") or error.http_status_code), body
            ) from error
        except (midtransclient.JSONDecodeError, requests.exceptions.JSONDecodeError) as error:
            raise self._unreadable() from error
        except OSError as error:  # requests' ConnectionError, Timeout and the rest of its errors
            logger.warning("midtrans %s unreachable: %s", operation, type(error).__name__)
            raise GatewayError(
                _("The payment provider cannot be reached right now. Try again in a moment."),
                code="provider.unreachable",
            ) from error
        except (AttributeError, TypeError, ValueError) as error:
            # midtransclient reads ``response_dict.keys()`` and ``int(status_code)``: a JSON
            # answer that is not an object, or a status code that is not a number, breaks there.
            raise self._unreadable() from error
        if not isinstance(data, dict):
            raise self._unreadable()
        # Midtrans puts its own status code in the body; HTTP may say 200 for a refused request.
        code = str(data.get("status_code") or self.http.last_status_code)
        if not code.startswith(accepted):
            raise self._refusal(operation, code, data)
        return data

    def _refusal(self, operation: str, code: str, body: dict) -> GatewayError:
        if code == "404":
            return GatewayError(
                _("The payment provider does not know this order."), code="order.unknown"
            )
        logger.warning("midtrans %s refused with status %s", operation, code)
        return GatewayError(
            _("The payment provider refused the request (status %(code)s): %(message)s")
            % {"code": code, "message": str(body.get("status_message") or "")[:200]},
            code="provider.refused",
        )

    def _unreadable(self) -> GatewayError:
        return GatewayError(
            _("The payment provider answered with something unreadable (HTTP %(status)s).")
            % {"status": self.http.last_status_code},
            code="provider.unreadable",
        )

    def charge_qris(self, *, order_code: str, amount_idr: int) -> Charge:
        _check_amount(amount_idr)
        data = self._call(
            "charge",
            lambda: self.core_api.charge(
                {
                    "payment_type": "qris",
                    "transaction_details": {"order_id": order_code, "gross_amount": amount_idr},
                    "qris": {"acquirer": self.acquirer},
                }
            ),
        )
        qr_string = data.get("qr_string")
        if not qr_string:
            raise GatewayError(
                _("The payment provider sent no QR code for the charge."), code="provider.no_qr"
            )
        return Charge(
            order_code=order_code,
            reference=str(data.get("transaction_id") or order_code),
            qr_string=qr_string,
            amount_idr=amount_idr,
            expires_at=_parse_midtrans_time(data.get("expiry_time"))
            or timezone.now() + timedelta(minutes=15),
        )

    def status(self, order_code: str) -> GatewayStatus:
        # midtransclient puts the id into the path as given: quote it (a "/" or "#" would
        # change the URL). An expired transaction's status answer carries code 407.
        data = self._call(
            "status",
            lambda: self.core_api.transactions.status(quote(order_code, safe="")),
            accepted=("2", "407"),
        )
        return GatewayStatus(
            order_id=str(data.get("order_id") or order_code),
            status_code=str(data.get("status_code")),
            transaction_status=str(data.get("transaction_status") or "pending"),
            gross_amount=str(data.get("gross_amount") or "0"),
            fraud_status=data.get("fraud_status") or None,
            transaction_id=data.get("transaction_id") or None,
            payment_type=data.get("payment_type") or None,
        )


def _parse_midtrans_time(value) -> datetime | None:
    """Midtrans writes times as 'YYYY-MM-DD HH:MM:SS' in Jakarta time; we keep UTC."""
    if not value:
        return None
    try:
        local = datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=JAKARTA)
    except ValueError:
        return None
    return local.astimezone(ZoneInfo("UTC"))


def _check_amount(amount_idr) -> None:
    if isinstance(amount_idr, bool) or not isinstance(amount_idr, int) or amount_idr <= 0:
        raise GatewayError(
            _("The amount to charge must be a whole number of rupiah above zero."),
            code="amount.invalid",
        )


# --- Sandbox ----------------------------------------------------------------------------------


class SandboxGateway(PaymentGateway):
    """A pretend provider for demos and tests: nothing leaves the server and no money moves.

    Charges and simulated outcomes live in a small file store (``sandbox_store()``), shared by
    every process on the machine: the charge made by one gunicorn worker is found by the worker
    that simulates its payment. References and QR strings are derived from the order code, so
    the same order always gets the same charge.
    """

    name = "sandbox"
    label = gettext_lazy("Sandbox — not a real payment")  # "Sandbox — bukan pembayaran nyata"
    is_sandbox = True
    CACHE_PREFIX = "tumbuh:sandbox-gateway:"
    CACHE_SECONDS = 7 * 24 * 3600

    # The sandbox merchant's static QRIS (synthetic NMID, GoPay NNS as acquirer).
    STATIC_QRIS = qris.build(
        [
            ("00", "01"),
            ("01", qris.STATIC),
            ("26", "0014COM.GO-JEK.WWW01189360091400000000010211SANDBOXDEMO0303UMI"),
            ("51", "0014ID.CO.QRIS.WWW0215ID10260000000010303UMI"),
            ("52", "5999"),
            ("53", "360"),
            ("58", "ID"),
            ("59", "TUMBUH SANDBOX"),
            ("60", "JAKARTA"),
            ("61", "10110"),
        ]
    )

    def __init__(self, *, server_key: str | None = None, expiry_minutes: int = 15):
        super().__init__(server_key=server_key or self.demo_server_key())
        self.expiry_minutes = expiry_minutes

    @staticmethod
    def demo_server_key() -> str:
        """The sandbox's server key: fixed for a deployment, unknown outside it (from SECRET_KEY)."""
        return (
            "SB-Tumbuh-"
            + salted_hmac("tumbuh.stores.gateway.sandbox", "server-key").hexdigest()[:32]
        )

    def _key(self, order_code: str) -> str:
        return self.CACHE_PREFIX + hashlib.sha256(order_code.encode()).hexdigest()[:32]

    def reference_for(self, order_code: str) -> str:
        return (
            "SANDBOX-" + hashlib.sha256(f"sandbox:{order_code}".encode()).hexdigest()[:20].upper()
        )

    def charge_qris(self, *, order_code: str, amount_idr: int) -> Charge:
        _check_amount(amount_idr)
        if not order_code:
            raise GatewayError(_("A charge needs an order code."), code="order.missing")
        state = sandbox_store().get(self._key(order_code))
        if state and state["amount_idr"] != amount_idr:
            raise GatewayError(
                _("This order was already charged a different amount."), code="order.amount_changed"
            )
        if not state:
            state = {
                "order_code": order_code,
                "amount_idr": amount_idr,
                "transaction_status": "pending",
                "created_at": timezone.now().isoformat(),
            }
            sandbox_store().set(self._key(order_code), state, self.CACHE_SECONDS)
        created_at = datetime.fromisoformat(state["created_at"])
        return Charge(
            order_code=order_code,
            reference=self.reference_for(order_code),
            qr_string=qris.with_amount(self.STATIC_QRIS, amount_idr),
            amount_idr=amount_idr,
            expires_at=created_at + timedelta(minutes=self.expiry_minutes),
            is_sandbox=True,
        )

    def status(self, order_code: str) -> GatewayStatus:
        state = sandbox_store().get(self._key(order_code))
        if not state:
            raise GatewayError(
                _("The payment provider does not know this order."), code="order.unknown"
            )
        transaction_status = state["transaction_status"]
        if transaction_status == "pending":
            expires_at = datetime.fromisoformat(state["created_at"]) + timedelta(
                minutes=self.expiry_minutes
            )
            if timezone.now() >= expires_at:
                transaction_status = "expire"
        return self._status(state, transaction_status)

    def _status(self, state: dict, transaction_status: str) -> GatewayStatus:
        return GatewayStatus(
            order_id=state["order_code"],
            status_code={"pending": "201", "settlement": "200"}.get(transaction_status, "407"),
            transaction_status=transaction_status,
            gross_amount=f"{state['amount_idr']}.00",
            fraud_status="accept",
            transaction_id=self.reference_for(state["order_code"]),
            payment_type="qris",
        )

    def simulate(self, order_code: str, transaction_status: str = "settlement") -> dict:
        """Move a sandbox charge to ``transaction_status`` and return the signed notification body.

        The body is what the provider would POST to the notification URL; feed it to the same
        code path as a real notification.
        """
        if transaction_status not in _OUTCOMES and transaction_status != "capture":
            raise GatewayError(
                _("Unknown transaction status “%(status)s”.") % {"status": transaction_status},
                code="status.unknown",
            )
        state = sandbox_store().get(self._key(order_code))
        if not state:
            raise GatewayError(
                _("The payment provider does not know this order."), code="order.unknown"
            )
        state = {**state, "transaction_status": transaction_status}
        sandbox_store().set(self._key(order_code), state, self.CACHE_SECONDS)
        return self.notification_body(self._status(state, transaction_status))

    def notification_body(self, status: GatewayStatus) -> dict:
        """A provider-style notification for ``status``, signed with this sandbox's server key."""
        return {
            "transaction_time": timezone.now().astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M:%S"),
            "transaction_status": status.transaction_status,
            "transaction_id": status.transaction_id,
            "status_message": "Sandbox notification",
            "status_code": status.status_code,
            "signature_key": signature_for(
                order_id=status.order_id,
                status_code=status.status_code,
                gross_amount=status.gross_amount,
                server_key=self._server_key,
            ),
            "payment_type": "qris",
            "order_id": status.order_id,
            "merchant_id": "SANDBOX",
            "gross_amount": status.gross_amount,
            "fraud_status": status.fraud_status,
            "currency": "IDR",
        }


_sandbox_stores: dict[str, FileBasedCache] = {}


def sandbox_store() -> FileBasedCache:
    """Where the sandbox keeps its charges: ``TUMBUH_PAYMENT_SANDBOX_DIR``, default
    ``VAR_DIR/payment-sandbox``. Files, so that all processes of one server share it."""
    directory = str(
        getattr(settings, "TUMBUH_PAYMENT_SANDBOX_DIR", "")
        or Path(settings.VAR_DIR) / "payment-sandbox"
    )
    if directory not in _sandbox_stores:
        _sandbox_stores[directory] = FileBasedCache(
            directory,
            {"TIMEOUT": SandboxGateway.CACHE_SECONDS, "OPTIONS": {"MAX_ENTRIES": 20_000}},
        )
    return _sandbox_stores[directory]


def sandbox_enabled() -> bool:
    """Whether this deployment has the payment sandbox (DEBUG on, or TUMBUH_PAYMENT_SANDBOX=1)."""
    return bool(getattr(settings, "TUMBUH_PAYMENT_SANDBOX", False))


def provider_configured() -> bool:
    """Whether orders can be paid through a provider here: a provider is chosen, and it is not a
    sandbox that this deployment does not allow."""
    choice = _choice()
    return choice == "midtrans" or (choice == "sandbox" and sandbox_enabled())


def _choice() -> str:
    return str(getattr(settings, "TUMBUH_PAYMENT_GATEWAY", "") or "").strip().lower()


def get_gateway() -> PaymentGateway:
    """The configured provider: ``TUMBUH_PAYMENT_GATEWAY`` = "sandbox" or "midtrans".

    ``GatewayError`` when there is none, or when it names the sandbox and the sandbox is off
    (settings refuse that at start; this guards a setting changed later).
    """
    choice = _choice()
    if choice == "sandbox":
        if not sandbox_enabled():
            raise GatewayError(
                _("The payment sandbox is off in this deployment."), code="config.sandbox_off"
            )
        return SandboxGateway(
            expiry_minutes=int(getattr(settings, "TUMBUH_PAYMENT_EXPIRY_MINUTES", 15))
        )
    if choice == "midtrans":
        return MidtransGateway(
            server_key=getattr(settings, "TUMBUH_MIDTRANS_SERVER_KEY", ""),
            client_key=getattr(settings, "TUMBUH_MIDTRANS_CLIENT_KEY", ""),
            is_production=bool(getattr(settings, "TUMBUH_MIDTRANS_PRODUCTION", False)),
            timeout_s=float(getattr(settings, "TUMBUH_MIDTRANS_TIMEOUT_S", 10)),
            acquirer=str(getattr(settings, "TUMBUH_MIDTRANS_QRIS_ACQUIRER", "gopay")),
        )
    if not choice:
        raise GatewayError(
            _("No payment provider is configured (TUMBUH_PAYMENT_GATEWAY)."), code="config.none"
        )
    raise GatewayError(
        _("Unknown payment provider “%(name)s” in TUMBUH_PAYMENT_GATEWAY.") % {"name": choice},
        code="config.gateway",
    )
