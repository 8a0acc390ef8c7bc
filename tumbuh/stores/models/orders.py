"""The orders side of BumDes Smart: orders, their lines and history, payments and
what a BumDes owes the producers whose products it sells on consignment.

An ``Order`` is placed by a guest buyer (no account) and is known publicly by its random
``code``. Stock is taken in the same transaction as the order (``services.orders``), so it never
goes below zero. Every status change goes through one map (``Order.TRANSITIONS``) and leaves an
``OrderEvent``. The buyer's phone is personal data: encrypted, with a keyed hash and a masked
form; it never appears in a URL, a log or the API.
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise

from .store import DeliveryZone, Product, Store

__all__ = [
    "ConsignmentPayout",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "new_order_code",
]

# No 0/O, 1/I/L: a code read aloud over the phone or typed from a receipt stays unambiguous.
ORDER_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ORDER_CODE_LENGTH = 10


def new_order_code() -> str:
    """A random public order code: 10 characters of 31 (about 49 bits), e.g. ``K7XQ2M9RTA``."""
    return "".join(secrets.choice(ORDER_CODE_ALPHABET) for _ in range(ORDER_CODE_LENGTH))


class Order(models.Model):
    """A buyer's order from one store, at ``/pesanan/<code>/``.

    Totals are whole rupiah: ``subtotal_idr`` (the lines) + ``delivery_fee_idr`` = ``total_idr``;
    a QRIS order adds a unique ``payment_suffix_idr`` (1–999) so the seller can recognise the
    transfer in their banking app: ``amount_due_idr`` is what the buyer pays.
    """

    class Status(models.TextChoices):
        NEW = "new", _("new")
        AWAITING_PAYMENT = "awaiting_payment", _("awaiting payment")
        PAID = "paid", _("paid")
        CONFIRMED = "confirmed", _("confirmed")
        PACKED = "packed", _("packed")
        SHIPPED = "shipped", _("shipped")
        DELIVERED = "delivered", _("delivered")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")
        REFUNDED = "refunded", _("refunded")

    class Delivery(models.TextChoices):
        PICKUP = "pickup", _("pickup at the store")
        LOCAL = "local", _("local delivery")
        COURIER = "courier", _("courier")

    class PaymentMethod(models.TextChoices):
        QRIS = "qris", _("QRIS")
        PROVIDER = "provider", _("payment provider (QRIS)")
        TRANSFER = "transfer", _("bank transfer")
        COD = "cod", _("cash on delivery or at pickup")

    # The one map of allowed status changes. Cancelling is for orders not paid yet (stock goes
    # back); a paid order is refunded instead (``services.orders`` checks which applies).
    TRANSITIONS = {
        Status.NEW: {Status.AWAITING_PAYMENT, Status.CONFIRMED, Status.CANCELLED},
        Status.AWAITING_PAYMENT: {Status.PAID, Status.CANCELLED},
        Status.PAID: {Status.PACKED, Status.REFUNDED},
        Status.CONFIRMED: {Status.PACKED, Status.CANCELLED},
        Status.PACKED: {Status.SHIPPED, Status.DELIVERED, Status.CANCELLED, Status.REFUNDED},
        Status.SHIPPED: {Status.DELIVERED},
        Status.DELIVERED: {Status.COMPLETED, Status.REFUNDED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
        Status.REFUNDED: set(),
    }
    OPEN_STATUSES = (Status.NEW, Status.AWAITING_PAYMENT)
    # Orders whose producers' shares are earned (consignment balances).
    EARNED_STATUSES = (Status.DELIVERED, Status.COMPLETED)
    DIGITAL_METHODS = (PaymentMethod.QRIS, PaymentMethod.PROVIDER)

    code = models.CharField(max_length=12, unique=True, default=new_order_code, editable=False)
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    buyer_name = models.CharField(_("name"), max_length=100)
    buyer_phone_hash = models.CharField(max_length=64, db_index=True)
    buyer_phone_encrypted = models.BinaryField(editable=False)
    buyer_phone_masked = models.CharField(_("phone"), max_length=16)
    address = models.CharField(_("address"), max_length=300, blank=True)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    delivery_method = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    delivery_zone = models.ForeignKey(
        DeliveryZone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery_fee_idr = models.PositiveBigIntegerField(default=0)
    payment_method = models.CharField(_("payment"), max_length=10, choices=PaymentMethod.choices)
    subtotal_idr = models.PositiveBigIntegerField()
    total_idr = models.PositiveBigIntegerField()
    payment_suffix_idr = models.PositiveSmallIntegerField(default=0)
    amount_due_idr = models.PositiveBigIntegerField()
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    note = models.CharField(_("note for the seller"), max_length=300, blank=True)
    channel = models.CharField(max_length=10, default="web")  # web / api
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    region_field = "store__village__code"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["store", "status", "created_at"], name="order_store_idx"),
            # The orders whose payment hold may have run out (services.orders.expire_unpaid_orders).
            models.Index(
                fields=["created_at"],
                condition=Q(status="awaiting_payment"),
                name="order_awaiting_payment_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_idr__gt=0) & Q(amount_due_idr__gte=models.F("total_idr")),
                name="order_amounts_consistent",
            ),
            # Two open QRIS orders of one store never share a suffix: the seller tells them apart.
            models.UniqueConstraint(
                fields=["store", "payment_suffix_idr"],
                condition=Q(payment_method="qris", status__in=["new", "awaiting_payment"])
                & Q(payment_suffix_idr__gt=0),
                name="order_unique_open_qris_suffix",
            ),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("stores:order-status", args=[self.code])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @classmethod
    def payment_hold(cls, payment_method: str) -> datetime.timedelta | None:
        """How long an order paid by ``payment_method`` may await its payment before the system
        cancels it (``TUMBUH_PAYMENT_HOLD_MINUTES``); None: it never expires (cash)."""
        if payment_method == cls.PaymentMethod.COD:
            return None
        minutes = getattr(settings, "TUMBUH_PAYMENT_HOLD_MINUTES", {}).get(payment_method)
        return datetime.timedelta(minutes=minutes) if minutes and minutes > 0 else None

    @property
    def payment_due_at(self) -> datetime.datetime | None:
        """While the order awaits payment: when it expires if still unpaid (its stock goes back
        on sale); None otherwise."""
        hold = self.payment_hold(self.payment_method)
        if self.status != self.Status.AWAITING_PAYMENT or hold is None or not self.created_at:
            return None
        return self.created_at + hold

    def allowed_next(self) -> list[str]:
        """The statuses this order may move to (the cancel/refund choice made by payment)."""
        allowed = []
        for status in self.TRANSITIONS[self.status]:
            if status == self.Status.CANCELLED and self.paid_at:
                continue
            if status == self.Status.REFUNDED and not self.paid_at:
                continue
            allowed.append(status)
        order = list(self.Status.values)
        return sorted(allowed, key=order.index)


class OrderLine(models.Model):
    """One product of an order: the quantity, the unit price applied and who made it.

    ``producer_share_idr`` is what is owed to a consignment producer for this line (0 when the
    store made it itself), fixed when the order is placed.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    producer = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=120)
    quantity = models.PositiveIntegerField()
    unit_price_idr = models.PositiveBigIntegerField()
    list_price_idr = models.PositiveBigIntegerField()
    wholesale_min_quantity = models.PositiveIntegerField(null=True, blank=True)
    line_total_idr = models.PositiveBigIntegerField()
    producer_share_idr = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_min_1"),
            models.UniqueConstraint(fields=["order", "product"], name="order_line_unique_product"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.title}"


class OrderEvent(models.Model):
    """One status change of an order: from, to, by whom (a user, or the buyer / provider), when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, default="seller")  # buyer / seller / provider / system
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self):
        return f"{self.order_id}: {self.from_status or '-'} → {self.to_status}"


class Payment(models.Model):
    """How an order is paid and whether the money arrived.

    For QRIS and transfer the seller confirms receipt; a provider payment is confirmed by the
    provider's verified notification after re-querying its status. ``notifications`` keeps the
    provider's notifications reduced to payment fields (no personal data).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RECEIVED = "received", _("received")
        FAILED = "failed", _("failed")
        REFUNDED = "refunded", _("refunded")

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="payment")
    method = models.CharField(max_length=10, choices=Order.PaymentMethod.choices)
    amount_idr = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    qr_string = models.TextField(blank=True)
    provider = models.CharField(max_length=20, blank=True)
    provider_reference = models.CharField(max_length=80, blank=True)
    provider_status = models.CharField(max_length=30, blank=True)
    notifications = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount_idr__gt=0), name="payment_amount_positive")
        ]

    def __str__(self):
        return f"{self.order_id} {self.method} {self.status}"


class ConsignmentPayout(models.Model):
    """Money a store handed to a consignment producer, reducing what it owes that producer."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="consignment_payouts")
    producer = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    amount_idr = models.PositiveBigIntegerField(_("amount (Rp)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    paid_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-paid_at", "-pk"]
        verbose_name = _("consignment payout")
        verbose_name_plural = _("consignment payouts")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_idr__gt=0), name="consignment_payout_amount_positive"
            )
        ]

    def __str__(self):
        return f"{self.producer_id}: Rp{self.amount_idr}"
