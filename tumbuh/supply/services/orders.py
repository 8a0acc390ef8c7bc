"""B2B orders: quotation → purchase order → delivery notes (partial allowed) → handover (BAST) →
invoice with payment terms → paid.

Every change goes through this module, inside one transaction that locks the order
(``select_for_update``) and leaves a ``SupplyOrderEvent``; the statuses move only along
``SupplyOrder.TRANSITIONS``. Stock is reserved when the buyer issues the purchase order, with
``UPDATE … SET available_quantity = available_quantity - q WHERE … available_quantity >= q`` for
each line: if any line finds too little left (another buyer was faster) the whole purchase order
is refused and nothing is reserved. A cancelled order, or one closed short, gives back what did
not leave. When the last invoice of a fully handed-over order is paid the order is completed and
the supply link between the two businesses is known "from paid B2B orders".
"""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.core import times
from tumbuh.core.idempotency import clean_key, run_once
from tumbuh.core.images import ImageError, clean_image
from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.registry.models import Enterprise
from tumbuh.supply.error_codes import SupplyError
from tumbuh.supply.models import (
    DeliveryNote,
    DeliveryNoteLine,
    Invoice,
    InvoiceLine,
    Offer,
    SupplyLink,
    SupplyOrder,
    SupplyOrderEvent,
    SupplyOrderLine,
    SupplyRequest,
)
from tumbuh.supply.services.common import (
    acting_user,
    acts_for,
    check_acts_for,
    check_live,
    clean_price,
    clean_quantity,
    clean_text,
    is_system,
)
from tumbuh.supply.services.links import derive_link

S = SupplyOrder.Status
MAX_LINES = 20
PHOTO_CODES = {code: SupplyError.PHOTO_INVALID for code in ImageError}


def _event(order, from_status, to_status, *, by, side, kind="status", document="", note=""):
    SupplyOrderEvent.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        kind=kind,
        document=document,
        by=acting_user(by),
        side=side,
        note=note[:300],
    )
    record_event(
        actor=by,
        action=f"supply.order_{kind}",
        target=order,
        region_code=order.buyer.village_id,
        data={"from": from_status, "to": to_status, "document": document},
    )


def side_of(by, order: SupplyOrder) -> str:
    """``"supplier"``, ``"buyer"`` or ``"system"``: whom ``by`` acts for on this order (the
    system actor acts for the side the step belongs to)."""
    if is_system(by):
        return "system"
    if acts_for(by, order.supplier):
        return "supplier"
    if acts_for(by, order.buyer):
        return "buyer"
    return ""


def _lock(order: SupplyOrder) -> SupplyOrder:
    # ``of=("self",)``: only the order's row. Without it PostgreSQL locks every joined row too,
    # the supplier's and buyer's businesses and villages, so every order of one supplier (and of
    # every buyer in one village) waited for the others.
    return (
        SupplyOrder.objects.select_for_update(of=("self",))
        .select_related("supplier__village", "buyer__village")
        .get(pk=order.pk)
    )


def _check_move(order: SupplyOrder, to: str) -> None:
    if to not in SupplyOrder.TRANSITIONS[order.status]:
        raise Refused(
            SupplyError.ORDER_TRANSITION,
            _("Order %(code)s is %(status)s; it cannot become %(to)s.")
            % {"code": order.code, "status": S(order.status).label, "to": S(to).label},
        )


def _wrong_status(order: SupplyOrder):
    return Refused(
        SupplyError.ORDER_TRANSITION,
        _("Order %(code)s is %(status)s; this step is not possible now.")
        % {"code": order.code, "status": S(order.status).label},
    )


def _totals(order: SupplyOrder) -> None:
    order.subtotal_idr = sum(line.line_total_idr for line in order.lines.all())
    order.total_idr = order.subtotal_idr + order.delivery_fee_idr


def _sequence(order: SupplyOrder, prefix: str, model) -> str:
    return f"{prefix}-{order.code}-{model.objects.filter(order=order).count() + 1}"


# --- quotation ---------------------------------------------------------------------------------


def request_quotation(
    *,
    buyer: Enterprise,
    items: dict,
    delivery_address: str = "",
    wanted_by=None,
    note: str = "",
    request: SupplyRequest | None = None,
    by,
) -> SupplyOrder:
    """The buyer asks a supplier for a quotation: ``items`` maps offers (or their public ids) to
    quantities, all from one supplier, each at least the offer's minimum. The lines are priced
    from the offers' tiers until the supplier quotes."""
    check_acts_for(by, buyer)
    check_live(buyer, field="buyer")
    if not items:
        raise Refused(SupplyError.NO_LINES, _("Choose at least one offer."), field="items")
    if len(items) > MAX_LINES:
        raise Refused(
            SupplyError.NO_LINES, _("At most %(max)s lines.") % {"max": MAX_LINES}, field="items"
        )
    wanted = []
    for key, quantity in items.items():
        offer = key if isinstance(key, Offer) else Offer.objects.filter(public_id=key).first()
        if offer is None or offer.status != Offer.Status.OPEN:
            raise Refused(
                SupplyError.OFFER_CLOSED,
                _("This offer is closed or does not exist."),
                field="items",
            )
        wanted.append((offer, clean_quantity(quantity, field=f"items.{offer.public_id}")))
    suppliers = {offer.supplier_id for offer, _q in wanted}
    if len(suppliers) != 1:
        raise Refused(
            SupplyError.MIXED_SUPPLIERS, _("One order is for one supplier."), field="items"
        )
    supplier = wanted[0][0].supplier
    if supplier.pk == buyer.pk:
        raise Refused(SupplyError.SAME_BUSINESS, _("You cannot order from yourself."))
    for offer, quantity in wanted:
        if quantity < offer.min_order_quantity:
            raise Refused(
                SupplyError.BELOW_MINIMUM,
                _("The minimum order of %(commodity)s is %(minimum)s %(unit)s.")
                % {
                    "commodity": offer.commodity,
                    "minimum": offer.min_order_quantity,
                    "unit": offer.unit,
                },
                field=f"items.{offer.public_id}",
            )
    if isinstance(wanted_by, str):
        try:
            wanted_by = datetime.date.fromisoformat(wanted_by) if wanted_by else None
        except ValueError:
            raise Refused(
                SupplyError.DATE_INVALID, _("Give a date as YYYY-MM-DD."), field="wanted_by"
            ) from None
    address = clean_text(delivery_address, field="delivery_address", max_length=300, required=False)
    note = clean_text(note, field="note", max_length=300, required=False)
    with transaction.atomic():
        order = SupplyOrder.objects.create(
            supplier=supplier,
            buyer=buyer,
            request=request,
            delivery_address=address,
            wanted_by=wanted_by,
            note=note,
            created_by=acting_user(by),
        )
        for offer, quantity in wanted:
            price = offer.unit_price(quantity)
            SupplyOrderLine.objects.create(
                order=order,
                offer=offer,
                commodity=offer.commodity,
                unit=offer.unit,
                quantity=quantity,
                unit_price_idr=price,
                line_total_idr=price * quantity,
            )
        _totals(order)
        order.save(update_fields=["subtotal_idr", "total_idr"])
        _event(order, "", S.REQUESTED, by=by, side="buyer", document="quotation_request")
    return order


def request_quotation_once(
    *, key: str, data, buyer: Enterprise, by, **kwargs
) -> tuple[SupplyOrder, bool]:
    """``request_quotation`` once per ``Idempotency-Key``: (order, created).

    The key has 8 to 100 characters and is the buyer's (scope ``supply.quotation:<buyer id>``,
    ``core.idempotency``): the same key with the same ``data`` (the API's body) returns the first
    order; with other data it is refused (``IdempotencyConflict``). A refused request records
    nothing, so the key stays usable."""
    key = clean_key(key, min_length=8)

    def ask() -> tuple[int, dict]:
        order = request_quotation(buyer=buyer, by=by, **kwargs)
        return 201, {"order": order.code}

    answer = run_once(scope=f"supply.quotation:{buyer.pk}", key=key, data=data, action=ask)
    return SupplyOrder.objects.get(code=answer.body["order"]), answer.created


def quote(
    *,
    order: SupplyOrder,
    terms: str,
    prices: dict | None = None,
    delivery_fee_idr=0,
    note: str = "",
    by,
) -> SupplyOrder:
    """The supplier quotes: unit prices per line (``prices``: line id → price; the tier price
    where not given), the delivery fee and the payment terms (cash, or 7/14/30 days). A quoted
    order may be quoted again until the buyer issues the purchase order."""
    check_acts_for(by, order.supplier)
    if terms not in SupplyOrder.TERM_DAYS:
        raise Refused(
            SupplyError.TERMS_UNKNOWN,
            _("Choose cash or 7, 14 or 30 days."),
            field="terms",
        )
    fee = (
        0
        if delivery_fee_idr in (None, "", 0, "0")
        else clean_price(delivery_fee_idr, field="delivery_fee_idr")
    )
    note = clean_text(note, field="note", max_length=300, required=False)
    cleaned = {
        int(line_id): clean_price(price, field=f"prices.{line_id}")
        for line_id, price in (prices or {}).items()
        if price not in (None, "")
    }
    with transaction.atomic():
        locked = _lock(order)
        _check_move(locked, S.QUOTED)
        for line in locked.lines.all():
            if line.pk in cleaned:
                line.unit_price_idr = cleaned[line.pk]
                line.line_total_idr = line.unit_price_idr * line.quantity
                line.save(update_fields=["unit_price_idr", "line_total_idr"])
        locked.terms = terms
        locked.delivery_fee_idr = fee
        _totals(locked)
        before = locked.status
        locked.status = S.QUOTED
        locked.quoted_at = timezone.now()
        locked.save()
        _event(locked, before, S.QUOTED, by=by, side="supplier", document="quotation", note=note)
    return locked


def issue_purchase_order(*, order: SupplyOrder, by) -> SupplyOrder:
    """The buyer accepts the quotation: the purchase order is issued and the stock reserved,
    all lines or none."""
    check_acts_for(by, order.buyer)
    with transaction.atomic():
        locked = _lock(order)
        if locked.status != S.QUOTED:  # only a quoted order can be ordered
            raise _wrong_status(locked)
        now = timezone.now()
        # Offers taken in one order (by id) everywhere: two orders sharing offers wait for each
        # other instead of deadlocking.
        for line in locked.lines.select_related("offer").order_by("offer_id"):
            taken = Offer.objects.filter(
                pk=line.offer_id,
                status=Offer.Status.OPEN,
                available_quantity__gte=line.quantity,
            ).update(available_quantity=F("available_quantity") - line.quantity, updated_at=now)
            if not taken:
                left = Offer.objects.get(pk=line.offer_id)
                raise Refused(
                    SupplyError.NOT_ENOUGH_STOCK,
                    _(
                        "Only %(left)s %(unit)s of %(commodity)s are available; you ordered %(quantity)s."
                    )
                    % {
                        "left": max(left.available_quantity, 0)
                        if left.status == Offer.Status.OPEN
                        else 0,
                        "unit": line.unit,
                        "commodity": line.commodity,
                        "quantity": line.quantity,
                    },
                    field=f"lines.{line.pk}",
                )
        before = locked.status
        locked.status = S.ORDERED
        locked.ordered_at = now
        locked.save(update_fields=["status", "ordered_at", "updated_at"])
        _event(locked, before, S.ORDERED, by=by, side="buyer", document="purchase_order")
    return locked


def _give_back(order: SupplyOrder) -> None:
    """Return to the offers what was reserved and did not leave."""
    now = timezone.now()
    for line in order.lines.order_by("offer_id"):
        left = line.quantity - line.delivered_quantity
        if left > 0:
            Offer.objects.filter(pk=line.offer_id).update(
                available_quantity=F("available_quantity") + left, updated_at=now
            )


def decline(*, order: SupplyOrder, reason: str = "", by) -> SupplyOrder:
    """The supplier declines to quote (or to keep a quotation)."""
    check_acts_for(by, order.supplier)
    reason = clean_text(reason, field="reason", max_length=300, required=False)
    with transaction.atomic():
        locked = _lock(order)
        _check_move(locked, S.DECLINED)
        before = locked.status
        locked.status = S.DECLINED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _event(locked, before, S.DECLINED, by=by, side="supplier", note=reason)
    return locked


def cancel(*, order: SupplyOrder, reason: str = "", by) -> SupplyOrder:
    """Either side cancels before anything left: a quotation, or a purchase order with no
    delivery yet (its reserved stock goes back on offer)."""
    side = side_of(by, order)
    if not side:
        check_acts_for(by, order.buyer)
    reason = clean_text(reason, field="reason", max_length=300, required=False)
    with transaction.atomic():
        locked = _lock(order)
        _check_move(locked, S.CANCELLED)
        before = locked.status
        if before == S.ORDERED:
            _give_back(locked)
        locked.status = S.CANCELLED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _event(locked, before, S.CANCELLED, by=by, side=side, note=reason)
    return locked


def close_short(*, order: SupplyOrder, reason: str = "", by) -> SupplyOrder:
    """The buyer takes what has been delivered as the whole order: each line's quantity becomes
    what left, the rest goes back on offer, and the order is delivered."""
    check_acts_for(by, order.buyer)
    reason = clean_text(reason, field="reason", max_length=300, required=False)
    with transaction.atomic():
        locked = _lock(order)
        if locked.status != S.DELIVERING:
            raise _wrong_status(locked)
        _give_back(locked)
        for line in locked.lines.all():
            if line.delivered_quantity < line.quantity:
                line.quantity = line.delivered_quantity
                line.line_total_idr = line.quantity * line.unit_price_idr
                if line.quantity == 0:
                    line.delete()
                else:
                    line.save(update_fields=["quantity", "line_total_idr"])
        _totals(locked)
        locked.status = S.DELIVERED
        locked.delivered_at = timezone.now()
        locked.save()
        _event(locked, S.DELIVERING, S.DELIVERED, by=by, side="buyer", note=reason)
        _complete_if_settled(locked, by=by)
    return locked


# --- delivery and handover ----------------------------------------------------------------------


def send_delivery(
    *,
    order: SupplyOrder,
    quantities: dict,
    carrier: str = "",
    note: str = "",
    expected_number: str = "",
    by,
) -> DeliveryNote:
    """The supplier sends part or all of what is still owed, with a delivery note (surat jalan).
    ``quantities`` maps order line ids to the quantity on this trip. ``expected_number``, when
    given, is the number the sender saw as the next delivery note's (a page's form): a form sent
    twice finds that number taken and is refused instead of sending the goods twice."""
    check_acts_for(by, order.supplier)
    carrier = clean_text(carrier, field="carrier", max_length=120, required=False)
    note = clean_text(note, field="note", max_length=300, required=False)
    cleaned = {}
    for line_id, quantity in (quantities or {}).items():
        if quantity in (None, "", 0, "0"):
            continue
        cleaned[int(line_id)] = clean_quantity(quantity, field=f"quantities.{line_id}")
    if not cleaned:
        raise Refused(
            SupplyError.NOTHING_TO_DELIVER,
            _("Give the quantity of at least one line on this delivery."),
            field="quantities",
        )
    with transaction.atomic():
        locked = _lock(order)
        if locked.status not in (S.ORDERED, S.DELIVERING):
            raise _wrong_status(locked)
        number = _sequence(locked, "SJ", DeliveryNote)
        if expected_number and expected_number != number:
            raise Refused(
                SupplyError.ORDER_TRANSITION,
                _("That delivery was already sent; check the order before sending another."),
            )
        lines = {line.pk: line for line in locked.lines.all()}
        for line_id, quantity in cleaned.items():
            line = lines.get(line_id)
            if line is None:
                raise Refused(
                    SupplyError.NOTHING_TO_DELIVER,
                    _("That line is not part of this order."),
                    field=f"quantities.{line_id}",
                )
            owed = line.quantity - line.delivered_quantity
            if quantity > owed:
                raise Refused(
                    SupplyError.OVER_DELIVERY,
                    _("Only %(owed)s %(unit)s of %(commodity)s are still to deliver.")
                    % {"owed": owed, "unit": line.unit, "commodity": line.commodity},
                    field=f"quantities.{line_id}",
                )
        now = timezone.now()
        delivery = DeliveryNote.objects.create(
            order=locked,
            number=number,
            sent_at=now,
            carrier=carrier,
            note=note,
            sent_by=acting_user(by),
        )
        for line_id, quantity in cleaned.items():
            DeliveryNoteLine.objects.create(note=delivery, order_line_id=line_id, quantity=quantity)
            SupplyOrderLine.objects.filter(pk=line_id).update(
                delivered_quantity=F("delivered_quantity") + quantity
            )
        remaining = sum(
            line.quantity - line.delivered_quantity - cleaned.get(line.pk, 0)
            for line in lines.values()
        )
        before = locked.status
        locked.status = S.DELIVERED if remaining == 0 else S.DELIVERING
        if remaining == 0:
            locked.delivered_at = now
        locked.save(update_fields=["status", "delivered_at", "updated_at"])
        _event(
            locked,
            before,
            locked.status,
            by=by,
            side="supplier",
            kind="delivery",
            document=delivery.number,
            note=note,
        )
    return delivery


def sign_handover(
    *,
    delivery: DeliveryNote,
    receiver_name: str,
    photo=None,
    note: str = "",
    by,
) -> DeliveryNote:
    """The receiver signs the handover record (BAST) of one delivery: a name and, when taken on
    a phone, a photo of the goods or the signed paper (cleaned of its metadata)."""
    order = delivery.order
    check_acts_for(by, order.buyer)
    name = clean_text(receiver_name, field="receiver_name", max_length=100, required=False)
    if not name:
        raise Refused(
            SupplyError.RECEIVER_REQUIRED,
            _("Write the name of the person who received the goods."),
            field="receiver_name",
        )
    note = clean_text(note, field="note", max_length=300, required=False)
    image = (
        clean_image(photo, longest_side=1280, codes=PHOTO_CODES, field="photo") if photo else None
    )
    with transaction.atomic():
        locked = _lock(order)
        current = DeliveryNote.objects.select_for_update().get(pk=delivery.pk)
        if current.received_at is not None:
            raise Refused(
                SupplyError.ALREADY_SIGNED,
                _("Delivery %(number)s was already handed over.") % {"number": current.number},
            )
        current.handover_number = current.number.replace("SJ-", "BAST-", 1)
        current.received_by_name = name
        current.received_at = timezone.now()
        current.received_note = note
        current.signed_by = acting_user(by)
        if image is not None:
            photo_file = image.as_file(current.handover_number)
            current.received_photo.save(photo_file.name, photo_file, save=False)
        current.save()
        _event(
            locked,
            locked.status,
            locked.status,
            by=by,
            side="buyer",
            kind="handover",
            document=current.handover_number,
            note=note,
        )
        _complete_if_settled(locked, by=by)
    return current


# --- invoices and payment -----------------------------------------------------------------------


def issue_invoice(*, order: SupplyOrder, by) -> Invoice:
    """The supplier invoices what has been handed over and not yet invoiced (the delivery fee
    with the first invoice), due after the order's payment terms."""
    check_acts_for(by, order.supplier)
    with transaction.atomic():
        locked = _lock(order)
        if locked.status not in (S.DELIVERING, S.DELIVERED):
            raise _wrong_status(locked)
        handed = {}
        for row in DeliveryNoteLine.objects.filter(
            note__order=locked, note__received_at__isnull=False
        ).values("order_line_id", "quantity"):
            handed[row["order_line_id"]] = handed.get(row["order_line_id"], 0) + row["quantity"]
        charges = []
        for line in locked.lines.all():
            quantity = handed.get(line.pk, 0) - line.invoiced_quantity
            if quantity > 0:
                charges.append((line, quantity, quantity * line.unit_price_idr))
        if not charges:
            raise Refused(
                SupplyError.NOTHING_TO_INVOICE,
                _("Nothing handed over is waiting to be invoiced."),
            )
        first = not Invoice.objects.filter(order=locked).exists()
        amount = sum(charge for _l, _q, charge in charges) + (
            locked.delivery_fee_idr if first else 0
        )
        now = timezone.now()
        due = times.local_date(now, locked.buyer.village_id) + datetime.timedelta(
            days=SupplyOrder.TERM_DAYS[locked.terms]
        )
        invoice = Invoice.objects.create(
            order=locked,
            number=_sequence(locked, "INV", Invoice),
            amount_idr=amount,
            issued_at=now,
            due_on=due,
            issued_by=acting_user(by),
        )
        for line, quantity, charge in charges:
            InvoiceLine.objects.create(
                invoice=invoice, order_line=line, quantity=quantity, amount_idr=charge
            )
            SupplyOrderLine.objects.filter(pk=line.pk).update(
                invoiced_quantity=F("invoiced_quantity") + quantity
            )
        _event(
            locked,
            locked.status,
            locked.status,
            by=by,
            side="supplier",
            kind="invoice",
            document=invoice.number,
        )
    return invoice


def record_payment(*, invoice: Invoice, method: str, reference: str = "", by) -> Invoice:
    """The invoice is paid: recorded by the buyer who paid (with the transfer's reference) or
    the supplier who received it. When every invoice of a fully handed-over and invoiced order
    is paid, the order is completed."""
    order = invoice.order
    side = side_of(by, order)
    if not side:
        check_acts_for(by, order.buyer)
    if method not in Invoice.Method.values:
        raise Refused(
            SupplyError.PAYMENT_METHOD_UNKNOWN,
            _("Choose bank transfer, QRIS or cash."),
            field="method",
        )
    reference = clean_text(reference, field="reference", max_length=80, required=False)
    with transaction.atomic():
        locked = _lock(order)
        current = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if current.status == Invoice.Status.PAID:
            raise Refused(
                SupplyError.INVOICE_PAID,
                _("Invoice %(number)s is already paid.") % {"number": current.number},
            )
        current.status = Invoice.Status.PAID
        current.paid_at = timezone.now()
        current.method = method
        current.reference = reference
        current.paid_recorded_by = acting_user(by)
        current.save()
        SupplyOrder.objects.filter(pk=locked.pk).update(paid_idr=F("paid_idr") + current.amount_idr)
        locked.refresh_from_db()
        _event(
            locked,
            locked.status,
            locked.status,
            by=by,
            side=side,
            kind="payment",
            document=current.number,
            note=reference,
        )
        _complete_if_settled(locked, by=by)
    return current


def _complete_if_settled(order: SupplyOrder, *, by) -> None:
    """Complete a delivered order whose deliveries are all handed over, invoiced and paid, and
    record the supply link it proves."""
    if order.status != S.DELIVERED:
        return
    lines = list(order.lines.all())
    if any(line.invoiced_quantity < line.quantity for line in lines):
        return
    if DeliveryNote.objects.filter(order=order, received_at__isnull=True).exists():
        return
    if Invoice.objects.filter(order=order, status=Invoice.Status.ISSUED).exists():
        return
    order.status = S.COMPLETED
    order.completed_at = timezone.now()
    order.closed_at = order.completed_at
    order.save(update_fields=["status", "completed_at", "closed_at", "updated_at"])
    _event(order, S.DELIVERED, S.COMPLETED, by=by, side="system")
    for line in lines:
        offer = line.offer
        derive_link(
            supplier=order.supplier,
            buyer=order.buyer,
            commodity=offer.commodity,
            commodity_kbli=offer.commodity_kbli,
            unit=offer.unit,
            basis=SupplyLink.Basis.ORDERS,
            by=by,
        )
