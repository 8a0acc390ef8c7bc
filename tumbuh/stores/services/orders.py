"""Orders: the one write path for placing orders, moving them through their statuses, payments
(QRIS with a unique suffix, payment provider, bank transfer, cash) and consignment payouts.

Every function checks everything first and raises ``Refused`` with a code from
``stores.error_codes`` and a translated reason (changing nothing), then writes in one
transaction. Stock is taken with a conditional UPDATE in the transaction of the order, so two
hundred buyers racing for ten items give ten orders and stock never goes below zero.

Who acts: a seller's changes take the seller (``by``), checked against the store like every
stores service (the system actor of the demo and tasks passes); a guest buyer acts through the
order's code, and the payment provider through a signed notification, both recorded as no one.
The system actor alone expires orders left unpaid past their payment method's hold.
"""

from __future__ import annotations

import datetime
import logging
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts.models import User
from tumbuh.accounts.services import acting_person
from tumbuh.core.idempotency import IdempotencyConflict, clean_key, run_once
from tumbuh.core.money import rupiah
from tumbuh.core.personal import decrypt, encrypt, keyed_hash
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.core.validators import mask_phone, normalise_phone, whatsapp_link
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise
from tumbuh.registry.queries import account_emails
from tumbuh.registry.services import record_milestone
from tumbuh.stores import gateway as gateway_module
from tumbuh.stores import pages, qris
from tumbuh.stores.error_codes import StoresError
from tumbuh.stores.models import (
    ConsignmentPayout,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Product,
    Store,
)
from tumbuh.stores.queries import consignment_balances
from tumbuh.stores.services.shop import check_may_act

logger = logging.getLogger(__name__)

MAX_LINES = 30
MAX_QUANTITY = 10_000
SUFFIX_MAX = 999
S = Order.Status
M = Order.PaymentMethod


@dataclass(frozen=True)
class Item:
    """A product and quantity asked for (from the cart or the API)."""

    product: str  # the product's public id
    quantity: int


def _as_quantity(value) -> int:
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        raise Refused(
            StoresError.QUANTITY_INVALID, _("A quantity must be a whole number."), field="items"
        ) from None
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Refused(
            StoresError.QUANTITY_INVALID,
            _("A quantity must be between 1 and 10,000."),
            field="items",
        )
    return quantity


def _merged_items(items) -> dict[str, int]:
    merged: dict[str, int] = {}
    for item in items:
        if isinstance(item, dict):
            item = Item(product=str(item.get("product", "")), quantity=item.get("quantity"))
        merged[item.product] = merged.get(item.product, 0) + _as_quantity(item.quantity)
    if not merged:
        raise Refused(StoresError.ORDER_EMPTY, _("The order has no products."), field="items")
    if len(merged) > MAX_LINES:
        raise Refused(
            StoresError.TOO_MANY_LINES,
            _("An order can hold at most 30 different products."),
            field="items",
        )
    return merged


@dataclass
class Quote:
    """An order checked and priced, not written yet."""

    store: Store
    lines: list[dict]
    village: Village
    phone: str
    delivery_method: str
    delivery_zone: object
    delivery_fee_idr: int
    payment_method: str
    subtotal_idr: int

    @property
    def total_idr(self) -> int:
        return self.subtotal_idr + self.delivery_fee_idr


def delivery_choices(store: Store, village: Village | None = None) -> list[dict]:
    """The ways ``store`` delivers, with their fees (a local zone only if it covers ``village``)."""
    choices = []
    if store.offers_pickup:
        choices.append({"value": "pickup", "zone": None, "fee_idr": 0})
    if store.offers_local_delivery:
        for zone in store.delivery_zones.all():
            if village is None or zone.covers(village.code):
                choices.append({"value": f"local:{zone.pk}", "zone": zone, "fee_idr": zone.fee_idr})
    if store.offers_courier:
        choices.append({"value": "courier", "zone": None, "fee_idr": store.courier_rate_idr})
    return choices


def quote_order(
    *,
    store: Store,
    items,
    buyer_phone: str,
    village_code: str,
    delivery: str,
    payment_method: str,
    buyer_name: str = "",
    address: str = "",
) -> Quote:
    """Check an order without writing anything; ``Refused`` with every reason found (its code is
    the problem's own when there is one, ``order_invalid`` when there are several).

    ``delivery`` is "pickup", "courier" or "local:<zone id>" (see ``delivery_choices``).
    """
    problems: list[tuple[StoresError, str]] = []
    if not store.is_live:
        raise Refused(StoresError.STORE_NOT_LIVE, _("This store is not taking orders."))
    merged = _merged_items(items)
    products = {
        p.public_id: p
        for p in Product.objects.filter(public_id__in=list(merged)).prefetch_related(
            "wholesale_tiers"
        )
    }
    lines = []
    for public_id, quantity in merged.items():
        product = products.get(public_id)
        if product is None or product.store_id != store.pk:
            problems.append(
                (
                    StoresError.PRODUCT_NOT_IN_STORE,
                    _("The product “%(product)s” is not sold by this store.")
                    % {"product": public_id[:20]},
                )
            )
            continue
        if not product.is_active:
            problems.append(
                (
                    StoresError.PRODUCT_NOT_ON_SALE,
                    _("“%(title)s” is no longer on sale.") % {"title": product.title},
                )
            )
            continue
        if quantity > product.stock:
            problems.append(
                (
                    StoresError.NOT_ENOUGH_STOCK,
                    _("Only %(stock)s of “%(title)s” left; you asked for %(quantity)s.")
                    % {"stock": product.stock, "title": product.title, "quantity": quantity},
                )
            )
            continue
        unit_price = product.price_for(quantity)
        tier = None
        if unit_price < product.price_idr:
            tier = max(
                (t for t in product.wholesale_tiers.all() if t.min_quantity <= quantity),
                key=lambda t: t.min_quantity,
                default=None,
            )
        lines.append(
            {
                "product": product,
                "quantity": quantity,
                "unit_price_idr": unit_price,
                "wholesale_min_quantity": tier.min_quantity if tier else None,
                "line_total_idr": unit_price * quantity,
                "producer_share_idr": product.producer_share_idr(unit_price * quantity),
            }
        )
    if not (buyer_name or "").strip():
        problems.append((StoresError.NAME_REQUIRED, _("Enter your name.")))
    elif len(buyer_name.strip()) > 100:
        problems.append(
            (StoresError.NAME_TOO_LONG, _("The name is too long (at most 100 characters)."))
        )
    phone = ""
    try:
        phone = normalise_phone(buyer_phone)
    except ValidationError as error:
        problems.extend((StoresError.PHONE_INVALID, message) for message in error.messages)
    village = Village.objects.filter(code=str(village_code or "").strip()).first()
    if village is None:
        problems.append(
            (
                StoresError.VILLAGE_UNKNOWN,
                _("Choose your village from the list: the village code is unknown."),
            )
        )
    if len((address or "").strip()) > 300:
        problems.append(
            (StoresError.ADDRESS_TOO_LONG, _("The address is too long (at most 300 characters)."))
        )
    delivery = str(delivery or "")
    method, zone, fee = delivery.split(":", 1)[0], None, 0
    if method not in store.delivery_methods:
        problems.append(
            (StoresError.DELIVERY_NOT_OFFERED, _("This store does not offer that delivery option."))
        )
    elif method == "local":
        zone_id = delivery.split(":", 1)[1] if ":" in delivery else ""
        zone = store.delivery_zones.filter(pk=int(zone_id)).first() if zone_id.isdigit() else None
        if zone is None:
            problems.append(
                (StoresError.ZONE_UNKNOWN, _("Choose one of the store's delivery zones."))
            )
        elif village is not None and not zone.covers(village.code):
            problems.append(
                (
                    StoresError.ZONE_NOT_COVERING,
                    _("The store does not deliver to your village in the zone “%(zone)s”.")
                    % {"zone": zone.name},
                )
            )
        else:
            fee = zone.fee_idr
    elif method == "courier":
        fee = store.courier_rate_idr
    if method in ("local", "courier") and not (address or "").strip():
        problems.append((StoresError.ADDRESS_REQUIRED, _("Enter the delivery address.")))
    if payment_method not in store.payment_methods:
        problems.append(
            (
                StoresError.PAYMENT_NOT_ACCEPTED,
                _("This store does not accept that way of paying."),
            )
        )
    if problems:
        codes = {code for code, _message in problems}
        raise Refused(
            codes.pop() if len(codes) == 1 else StoresError.ORDER_INVALID,
            [message for _code, message in problems],
        )
    return Quote(
        store=store,
        lines=lines,
        village=village,
        phone=phone,
        delivery_method=method,
        delivery_zone=zone,
        delivery_fee_idr=fee,
        payment_method=payment_method,
        subtotal_idr=sum(line["line_total_idr"] for line in lines),
    )


def _pick_suffix(store: Store) -> int:
    """A rupiah amount 1–999 that no open QRIS order of ``store`` uses (store row locked)."""
    used = set(
        Order.objects.filter(
            store=store, payment_method=M.QRIS, status__in=Order.OPEN_STATUSES
        ).values_list("payment_suffix_idr", flat=True)
    )
    free = [n for n in range(1, SUFFIX_MAX + 1) if n not in used]
    if not free:
        raise Refused(
            StoresError.QRIS_SUFFIXES_EXHAUSTED,
            _("The store has too many unpaid QRIS orders; choose another way to pay."),
        )
    return random.SystemRandom().choice(free)


def _event(order, from_status, to_status, *, by=None, source="seller", note="", at=None):
    event = OrderEvent.objects.create(
        order=order,
        from_status=from_status or "",
        to_status=to_status,
        by=acting_person(by),
        source=source,
        note=note[:300],
    )
    if at is not None:  # a change recorded after the fact (the demo's history)
        OrderEvent.objects.filter(pk=event.pk).update(at=at)


def place_order(
    *,
    store: Store,
    items,
    buyer_name: str,
    buyer_phone: str,
    village_code: str,
    delivery: str,
    payment_method: str,
    address: str = "",
    note: str = "",
    channel: str = "web",
    notify: bool = True,
) -> Order:
    """Place a guest order: check everything, then take stock and write it in ONE transaction.

    Stock is taken with ``UPDATE … SET stock = stock - q WHERE id = … AND stock >= q``; if any
    line finds too little stock left (another buyer was faster) the whole order is refused and
    nothing is written. A QRIS order gets a unique suffix and its amount-bearing QR; a prepaid
    order moves to "awaiting payment"; a provider payment is charged after the commit.
    """
    try:
        quote = quote_order(
            store=store,
            items=items,
            buyer_name=buyer_name,
            buyer_phone=buyer_phone,
            village_code=village_code,
            delivery=delivery,
            payment_method=payment_method,
            address=address,
        )
    except ValidationError as error:
        # the reasons name products and options, never the buyer's name, phone or address
        logger.info("order refused at store %s: %s", store.slug, "; ".join(error.messages))
        raise
    note = (note or "").strip()[:300]
    with transaction.atomic():
        for line in sorted(quote.lines, key=lambda line: line["product"].pk):
            product, quantity = line["product"], line["quantity"]
            taken = Product.objects.filter(
                pk=product.pk, store=store, is_active=True, stock__gte=quantity
            ).update(stock=F("stock") - quantity, updated_at=timezone.now())
            if not taken:
                logger.info("order refused at store %s: %s sold out", store.slug, product.public_id)
                raise Refused(
                    StoresError.SOLD_OUT,
                    _("“%(title)s” sold out while you were ordering: only fewer are left now.")
                    % {"title": product.title},
                )
        pages.stock_changed([store.pk])
        suffix = 0
        if quote.payment_method == M.QRIS:
            Store.objects.select_for_update().filter(pk=store.pk).first()
            suffix = _pick_suffix(store)
        order = Order.objects.create(
            store=store,
            buyer_name=buyer_name.strip(),
            buyer_phone_hash=keyed_hash("phone", quote.phone),
            buyer_phone_encrypted=encrypt(quote.phone, context="phone"),
            buyer_phone_masked=mask_phone(quote.phone),
            address=(address or "").strip(),
            village=quote.village,
            delivery_method=quote.delivery_method,
            delivery_zone=quote.delivery_zone,
            delivery_fee_idr=quote.delivery_fee_idr,
            payment_method=quote.payment_method,
            subtotal_idr=quote.subtotal_idr,
            total_idr=quote.total_idr,
            payment_suffix_idr=suffix,
            amount_due_idr=quote.total_idr + suffix,
            note=note,
            channel=channel,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                product=line["product"],
                producer_id=line["product"].producer_id,
                title=line["product"].title,
                quantity=line["quantity"],
                unit_price_idr=line["unit_price_idr"],
                list_price_idr=line["product"].price_idr,
                wholesale_min_quantity=line["wholesale_min_quantity"],
                line_total_idr=line["line_total_idr"],
                producer_share_idr=line["producer_share_idr"],
            )
            for line in quote.lines
        )
        qr_string = ""
        if quote.payment_method == M.QRIS:
            try:
                qr_string = qris.with_amount(store.qris_payload, order.amount_due_idr)
            except qris.QrisError as error:
                raise Refused(
                    StoresError.QRIS_UNUSABLE,
                    _("The store's QRIS cannot be used: %(reason)s") % {"reason": error.reason},
                ) from None
        Payment.objects.create(
            order=order,
            method=quote.payment_method,
            amount_idr=order.amount_due_idr,
            qr_string=qr_string,
        )
        _event(order, "", S.NEW, source="buyer")
        if quote.payment_method != M.COD:
            Order.objects.filter(pk=order.pk).update(status=S.AWAITING_PAYMENT)
            order.status = S.AWAITING_PAYMENT
            _event(order, S.NEW, S.AWAITING_PAYMENT, source="system")
        record_event(
            actor=None,
            action="stores.order_placed",
            target=order,
            region_code=store.village_id,
            data={"code": order.code, "total_idr": order.total_idr, "method": payment_method},
        )
        if notify:
            transaction.on_commit(lambda: notify_seller(order))
    if quote.payment_method == M.PROVIDER:
        try:
            charge_provider(order=order)
        except gateway_module.GatewayError as error:  # the buyer can retry from the order page
            logger.warning("provider charge failed for order %s: %s", order.code, error.code)
    return order


def simulate_sandbox_payment(*, order: Order, transaction_status: str = "settlement"):
    """Demo only: the sandbox provider reports a payment, through the real notification path."""
    provider = gateway_module.get_gateway()
    if not provider.is_sandbox or order.payment_method != M.PROVIDER:
        raise Refused(
            StoresError.NOT_SANDBOX, _("Only a sandbox provider payment can be simulated.")
        )
    if not order.payment.provider_reference:
        charge_provider(order=order)
    return handle_notification(provider.simulate(order.code, transaction_status))


def charge_provider(*, order: Order) -> Payment:
    """Create (or fetch again) the provider's QRIS charge for an order awaiting payment (the
    buyer asks again from the order page, by its code)."""
    payment = order.payment
    if order.payment_method != M.PROVIDER or order.status != S.AWAITING_PAYMENT:
        raise Refused(
            StoresError.NOT_AWAITING_PROVIDER,
            _("This order is not waiting for a provider payment."),
        )
    charge = gateway_module.get_gateway().charge_qris(
        order_code=order.code, amount_idr=payment.amount_idr
    )
    provider = gateway_module.get_gateway().name
    Payment.objects.filter(pk=payment.pk).update(
        qr_string=charge.qr_string,
        provider=provider,
        provider_reference=charge.reference,
        provider_status="pending",
        updated_at=timezone.now(),
    )
    payment.refresh_from_db()
    return payment


# --- transitions --------------------------------------------------------------------------------


def _check_transition(order: Order, to: str) -> None:
    if to not in S.values:
        raise Refused(
            StoresError.STATUS_UNKNOWN,
            _("Unknown order status: %(status)s") % {"status": to},
            field="to",
        )
    if to not in Order.TRANSITIONS[S(order.status)]:
        raise Refused(
            StoresError.TRANSITION_NOT_ALLOWED,
            _("An order that is “%(current)s” cannot become “%(new)s”.")
            % {"current": S(order.status).label, "new": S(to).label},
        )
    if to == S.CANCELLED and order.paid_at:
        raise Refused(
            StoresError.PAID_REFUND_INSTEAD,
            _("This order is paid: refund it instead of cancelling it."),
        )
    if to == S.REFUNDED and not order.paid_at:
        raise Refused(
            StoresError.UNPAID_CANCEL_INSTEAD,
            _("This order was not paid: cancel it instead of refunding it."),
        )
    if to == S.PAID and order.payment_method == M.COD:
        raise Refused(
            StoresError.CASH_PAID_ON_DELIVERY,
            _("A cash order is paid on delivery: confirm it instead."),
        )
    if to == S.CONFIRMED and order.payment_method != M.COD:
        raise Refused(
            StoresError.AWAITING_PAYMENT,
            _("This order waits for its payment before it is confirmed."),
        )


def _digital(order: Order) -> bool:
    return order.payment_method in Order.DIGITAL_METHODS


def transition(
    *,
    order: Order,
    to: str,
    by: User,
    source: str = "seller",
    note: str = "",
    at: datetime.datetime | None = None,
) -> Order:
    """Move ``order`` to status ``to`` if the map allows it; an event row for each change.

    ``by`` runs the order's store, or is the system actor (the demo, with ``source="demo"`` and
    the time ``at`` of a change recorded after the fact); anyone else is refused. Cancelling
    returns the stock; refunding returns it too when the goods had not left the store (paid or
    packed). Reaching "paid" (or "delivered" for cash) records the milestone
    ``first_online_sale``; a QRIS or provider payment records ``paid_digitally``.
    """
    check_may_act(by, order.store)
    return _move(order=order, to=to, by=by, source=source, note=note, at=at)


def _move(
    *,
    order: Order,
    to: str,
    by: User | None,
    source: str,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Order:
    """The guarded transition itself, once the caller's access is checked (a guest buyer with
    the order's code and the payment provider act as no one: ``by`` is None)."""
    recorded_at, at = at, at or timezone.now()
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        _check_transition(locked, to)
        old = locked.status
        fields = {"status": to, "updated_at": at}
        if to == S.PAID:
            fields["paid_at"] = at
        if to in (S.COMPLETED, S.CANCELLED, S.REFUNDED):
            fields["closed_at"] = at
        if to == S.DELIVERED and locked.payment_method == M.COD:
            fields["paid_at"] = at
        Order.objects.filter(pk=locked.pk, status=old).update(**fields)
        if to == S.CANCELLED or (to == S.REFUNDED and old in (S.PAID, S.PACKED)):
            for line in locked.lines.all():
                Product.objects.filter(pk=line.product_id).update(
                    stock=F("stock") + line.quantity, updated_at=at
                )
            pages.stock_changed([locked.store_id])
        payment = Payment.objects.filter(order=locked).first()
        if payment is not None:
            if "paid_at" in fields:
                Payment.objects.filter(pk=payment.pk).update(
                    status=Payment.Status.RECEIVED,
                    received_at=at,
                    confirmed_by=acting_person(by),
                )
            elif to == S.REFUNDED:
                Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.REFUNDED)
            elif to == S.CANCELLED and payment.status == Payment.Status.PENDING:
                Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED)
        _event(locked, old, to, by=by, source=source, note=note, at=recorded_at)
        if "paid_at" in fields:
            enterprise = locked.store.enterprise
            source_tag = f"stores:order:{locked.code}"
            record_milestone(
                enterprise=enterprise,
                kind="first_online_sale",
                source=source_tag,
                occurred_at=at,
                by=acting_person(by),
            )
            if _digital(locked):
                record_milestone(
                    enterprise=enterprise,
                    kind="paid_digitally",
                    source=source_tag,
                    occurred_at=at,
                    by=acting_person(by),
                )
        record_event(
            actor=by,
            action="stores.order_status",
            target=locked,
            region_code=locked.store.village_id,
            data={"from": old, "to": to, "source": source},
        )
    order.refresh_from_db()
    return order


def seller_transition(*, order: Order, to: str, by: User, note: str = "") -> Order:
    """A status change asked for by a seller: only for their own store's orders."""
    check_may_act(by, order.store)
    if to == S.PAID and order.payment_method == M.PROVIDER:
        raise Refused(
            StoresError.PROVIDER_CONFIRMS,
            _("A provider payment is confirmed by the provider, not by hand."),
        )
    return _move(order=order, to=to, by=by, source="seller", note=note)


def confirm_receipt(*, order: Order, by: User) -> Order:
    """The seller saw the QRIS or transfer money arrive (amount incl. the suffix): order paid."""
    if order.payment_method not in (M.QRIS, M.TRANSFER):
        raise Refused(
            StoresError.NOT_CONFIRMED_BY_HAND,
            _("Only QRIS and bank transfer payments are confirmed by hand."),
        )
    return seller_transition(order=order, to=S.PAID, by=by, note=_("Payment received"))


def cancel_by_buyer(*, order: Order) -> Order:
    """The buyer cancels an order that is not paid yet (a guest: the order's code is the key,
    checked by the caller)."""
    if order.status not in (S.NEW, S.AWAITING_PAYMENT):
        raise Refused(
            StoresError.NOT_CANCELLABLE,
            _("This order can no longer be cancelled; contact the seller."),
        )
    return _move(order=order, to=S.CANCELLED, by=None, source="buyer")


# --- the payment provider's notifications -------------------------------------------------------

NOTIFICATION_FIELDS = (
    "transaction_status",
    "status_code",
    "gross_amount",
    "transaction_id",
    "payment_type",
    "transaction_time",
    "fraud_status",
)


@dataclass(frozen=True)
class NotificationResult:
    order: Order
    changed: bool
    outcome: str


def handle_notification(body) -> NotificationResult:
    """Apply a provider notification idempotently.

    The signature is verified (``GatewayError`` if not genuine), the order must exist and be a
    provider order, and the status is asked again from the provider: only that answer counts.
    Duplicates and late notifications change nothing (a "pending" after "settlement" is
    ignored). Refusals are logged with the order code only.
    """
    provider = gateway_module.get_gateway()
    notification = provider.verify_notification(body)
    order = Order.objects.filter(code=notification.order_id).select_related("store").first()
    if order is None or order.payment_method != M.PROVIDER:
        logger.warning("payment notification refused: unknown order %s", notification.order_id[:40])
        raise gateway_module.GatewayError(
            _("The payment notification names an unknown order."), code="order.unknown"
        )
    current = provider.status(order.code)
    payment = order.payment
    if current.gross_amount_idr != payment.amount_idr:
        logger.warning("payment notification refused: amount differs for order %s", order.code)
        raise gateway_module.GatewayError(
            _("The amount paid differs from the order's amount."), code="amount.mismatch"
        )
    kept = {key: str(body.get(key))[:60] for key in NOTIFICATION_FIELDS if body.get(key)}
    kept["received_at"] = timezone.now().isoformat()
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(
            notifications=([*payment.notifications, kept])[-50:],
            provider_status=current.transaction_status[:30],
            provider_reference=payment.provider_reference or (current.transaction_id or "")[:80],
        )
    outcome = current.outcome
    order.refresh_from_db()
    target = None
    if outcome == gateway_module.Outcome.PAID and order.status == S.AWAITING_PAYMENT:
        target = S.PAID
    elif outcome == gateway_module.Outcome.FAILED and order.status == S.AWAITING_PAYMENT:
        target = S.CANCELLED
    elif outcome == gateway_module.Outcome.REFUNDED and S.REFUNDED in order.allowed_next():
        target = S.REFUNDED
    if target is None:
        if order.status == S.CANCELLED:
            _money_after_cancel(order=order, outcome=outcome, reference=current.transaction_id)
        return NotificationResult(order=order, changed=False, outcome=outcome)
    try:
        _move(
            order=order,
            to=target,
            by=None,
            source="provider",
            note=f"{current.transaction_status} {current.transaction_id or ''}".strip(),
        )
    except ValidationError:  # a concurrent notification moved it first: nothing more to do
        order.refresh_from_db()
        return NotificationResult(order=order, changed=False, outcome=outcome)
    return NotificationResult(order=order, changed=True, outcome=outcome)


def _money_after_cancel(*, order: Order, outcome: str, reference: str | None) -> None:
    """The provider reports money for an order already cancelled: the buyer paid after the order
    expired (or was cancelled) and its stock went back on sale.

    The order stays cancelled (a late notification never moves it, and its goods may be sold
    already); the payment records the money as received, an audit event and a warning log name
    the order, and the store's owners are e-mailed to refund the buyer. A refund reported later
    marks the payment refunded. A repeated notification changes nothing.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(order=order)
        if outcome == gateway_module.Outcome.PAID and payment.status in (
            Payment.Status.PENDING,
            Payment.Status.FAILED,
        ):
            Payment.objects.filter(pk=payment.pk).update(
                status=Payment.Status.RECEIVED, received_at=timezone.now()
            )
            action = "stores.order_paid_after_cancel"
            logger.warning("order %s was paid after it was cancelled: to be refunded", order.code)
            transaction.on_commit(lambda: notify_seller_paid_after_cancel(order))
        elif (
            outcome == gateway_module.Outcome.REFUNDED and payment.status == Payment.Status.RECEIVED
        ):
            Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.REFUNDED)
            action = "stores.order_refunded_after_cancel"
        else:
            return
        record_event(
            actor=None,
            action=action,
            target=order,
            region_code=order.store.village_id,
            data={"amount_idr": payment.amount_idr, "reference": (reference or "")[:80]},
        )


# --- unpaid orders expire -----------------------------------------------------------------------


def expire_unpaid_orders(*, by: User, now: datetime.datetime | None = None) -> int:
    """Cancel every order that has awaited its payment longer than its payment method's hold
    (``Order.payment_hold``: ``TUMBUH_PAYMENT_HOLD_MINUTES``); return how many expired.

    Each goes through the one transition (``_move`` to cancelled, its own transaction): the stock
    goes back exactly as when the buyer cancels, the payment is marked failed, and the order's
    history records the change with source "system" and a note saying it expired. An order paid
    or cancelled meanwhile is left alone, so a second run changes nothing. Cash orders never
    await payment and never expire. ``by`` is the system actor (``tumbuh expire_orders``);
    anyone else is refused.
    """
    if not getattr(by, "is_superuser", False):
        raise PermissionDenied(_("Only the system expires unpaid orders."))
    now = now or timezone.now()
    due = Q(pk__in=[])
    for method in M.values:
        hold = Order.payment_hold(method)
        if hold is not None:
            due |= Q(payment_method=method, created_at__lte=now - hold)
    candidates = (
        Order.objects.filter(due, status=S.AWAITING_PAYMENT).select_related("store").order_by("pk")
    )
    expired = 0
    for order in candidates:
        try:
            _move(
                order=order,
                to=S.CANCELLED,
                by=by,
                source="system",
                note=_("Expired: not paid in time. The stock is back on sale."),
            )
        except ValidationError:  # paid or cancelled since it was read: nothing to expire
            continue
        expired += 1
    if expired:
        logger.info("%d unpaid orders expired", expired)
    return expired


# --- idempotent creation (the API and the checkout form) ----------------------------------------


class OrderRequestConflict(IdempotencyConflict):
    """``core.idempotency``'s conflict (code ``idempotency_key_reused``, field
    ``Idempotency-Key``) in the words the orders API has always answered with."""

    def __init__(self):
        super().__init__()
        Refused.__init__(
            self,
            self.reason,
            _("This Idempotency-Key was already used for a different order request."),
            field=self.field,
        )


class CheckoutFormReused(IdempotencyConflict):
    """``core.idempotency``'s conflict for the checkout form: its one-time token was already used
    to place an order with another cart."""

    def __init__(self):
        super().__init__()
        Refused.__init__(
            self,
            self.reason,
            _(
                "This order form was already used to place an order with other products. Check "
                "your order below and place it again."
            ),
            field="token",
        )


# Whose keys: the API's Idempotency-Key headers, the checkout form's one-time tokens.
IDEMPOTENCY_SCOPES = {"api": "stores.order", "web": "stores.checkout"}


def place_order_once(
    *, key: str, store: Store, data, channel: str = "api", **kwargs
) -> tuple[Order, bool]:
    """``place_order`` once per key: (order, created).

    The key has 8 to 100 characters and is the store's (``core.idempotency``): an
    ``Idempotency-Key`` header of the API (``channel="api"``, scope ``stores.order:<store id>``)
    or the one-time token of the checkout form (``channel="web"``, scope
    ``stores.checkout:<store id>``). The same key with the same ``data`` (the API's body, the
    form's cart) returns the first order; with different data it is refused
    (``OrderRequestConflict``, ``CheckoutFormReused``: both ``IdempotencyConflict``). A refused
    order records nothing, so the key stays usable.
    """
    key = clean_key(key, min_length=8)

    def place() -> tuple[int, dict]:
        order = place_order(store=store, channel=channel, **kwargs)
        return 201, {"order": order.code}

    scope = f"{IDEMPOTENCY_SCOPES[channel]}:{store.pk}"
    try:
        answer = run_once(scope=scope, key=key, data=data, action=place)
    except IdempotencyConflict:
        raise (CheckoutFormReused() if channel == "web" else OrderRequestConflict()) from None
    return Order.objects.get(code=answer.body["order"]), answer.created


# --- the seller's side --------------------------------------------------------------------------


def seller_emails(store: Store) -> list[str]:
    return account_emails(store.enterprise)


def buyer_phone(order: Order) -> str:
    """The buyer's phone number, decrypted, for the seller's WhatsApp link only."""
    return decrypt(bytes(order.buyer_phone_encrypted), context="phone")


def order_summary_text(order: Order) -> str:
    """The order as plain text (code, items, total) for WhatsApp and e-mail."""
    lines = [_("Order %(code)s at %(store)s") % {"code": order.code, "store": order.store.name}]
    for line in order.lines.all():
        lines.append(f"- {line.quantity} × {line.title}: {rupiah(line.line_total_idr)}")
    if order.delivery_fee_idr:
        lines.append(_("Delivery: %(fee)s") % {"fee": rupiah(order.delivery_fee_idr)})
    lines.append(_("Total: %(total)s") % {"total": rupiah(order.amount_due_idr)})
    return "\n".join(lines)


def whatsapp_order_link(order: Order) -> str:
    """``https://wa.me/<store number>?text=…`` prefilled with the order (buyer → seller)."""
    return order.store.whatsapp_link(order_summary_text(order))


def whatsapp_buyer_link(order: Order) -> str:
    """``https://wa.me/<buyer number>?text=…`` for the seller to answer the buyer."""
    return whatsapp_link(buyer_phone(order), order_summary_text(order))


def notify_seller(order: Order) -> None:
    """E-mail the store's owners about a new order (no buyer phone in the mail)."""
    recipients = seller_emails(order.store)
    if not recipients:
        return
    url = reverse("stores:seller-order", args=[order.code])
    body = "\n\n".join(
        [
            order_summary_text(order),
            _("Buyer: %(name)s") % {"name": order.buyer_name},
            _("Payment: %(method)s") % {"method": M(order.payment_method).label},
            _("Open the order: %(url)s") % {"url": url},
        ]
    )
    try:
        send_mail(
            _("New order %(code)s") % {"code": order.code},
            body,
            getattr(settings, "DEFAULT_FROM_EMAIL", None),
            recipients,
        )
    except OSError:  # the order stands; the seller still sees it on their pages
        logger.warning("order e-mail not sent for order %s", order.code)


def notify_seller_paid_after_cancel(order: Order) -> None:
    """E-mail the store's owners that a cancelled order was paid: the buyer is to be refunded."""
    recipients = seller_emails(order.store)
    if not recipients:
        return
    url = reverse("stores:seller-order", args=[order.code])
    body = "\n\n".join(
        [
            _(
                "The payment provider reports that the buyer paid %(amount)s for order %(code)s "
                "after it was cancelled (not paid in time, or cancelled by the buyer). The order "
                "stays cancelled and its goods were put back on sale: refund the buyer, or "
                "contact them."
            )
            % {"amount": rupiah(order.amount_due_idr), "code": order.code},
            order_summary_text(order),
            _("Open the order: %(url)s") % {"url": url},
        ]
    )
    try:
        send_mail(
            _("Order %(code)s was paid after it was cancelled") % {"code": order.code},
            body,
            getattr(settings, "DEFAULT_FROM_EMAIL", None),
            recipients,
        )
    except OSError:
        logger.warning("paid-after-cancel e-mail not sent for order %s", order.code)


# --- consignment --------------------------------------------------------------------------------


def record_payout(
    *, store: Store, producer: Enterprise, amount_idr: int | str, by: User, note: str = ""
) -> ConsignmentPayout:
    """Record money handed to a consignment producer; never more than what is owed."""
    check_may_act(by, store)
    not_whole = Refused(
        StoresError.AMOUNT_INVALID, _("Enter the amount paid in whole rupiah."), field="amount_idr"
    )
    try:
        amount = int(str(amount_idr).strip())
    except (TypeError, ValueError):
        raise not_whole from None
    if amount <= 0:
        raise not_whole
    with transaction.atomic():
        Store.objects.select_for_update().filter(pk=store.pk).first()
        owed = next(
            (
                r["owed_idr"]
                for r in consignment_balances(store=store)
                if r["producer_id"] == producer.pk
            ),
            0,
        )
        if amount > owed:
            raise Refused(
                StoresError.PAYOUT_ABOVE_OWED,
                _("The store owes this producer %(owed)s; a payout cannot be more.")
                % {"owed": rupiah(owed)},
                field="amount_idr",
            )
        payout = ConsignmentPayout.objects.create(
            store=store,
            producer=producer,
            amount_idr=amount,
            note=(note or "")[:200],
            by=acting_person(by),
        )
        record_event(
            actor=by,
            action="stores.consignment_payout",
            target=payout,
            region_code=store.village_id,
            data={"producer": producer.pk, "amount_idr": amount},
        )
    return payout
