"""The supply chains of the processing UMKM: who supplies whom, wholesale offers and requests for
supply matched inside an area, B2B orders with their documents, and what a BumDes collects from
its village's producers.

Every party is a registry business (``registry.Enterprise``), so a chain counts each business once,
whoever reported it. Quantities are whole units of the offer's unit (kg, litre, piece); money is
whole rupiah in ``*_idr`` fields. A B2B order moves through one map of statuses
(``SupplyOrder.TRANSITIONS``) and every step leaves a ``SupplyOrderEvent``; stock is reserved on
the supplier's offer when the purchase order is issued, with the same conditional ``UPDATE`` as
store orders, so two buyers can never take the same kilo.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tumbuh.core.storage import private_storage
from tumbuh.regions.models import PriorityArea
from tumbuh.registry.models import Enterprise

__all__ = [
    "Collection",
    "DeliveryNote",
    "DeliveryNoteLine",
    "Invoice",
    "InvoiceLine",
    "Match",
    "Offer",
    "OfferTier",
    "SupplyLink",
    "SupplyOrder",
    "SupplyOrderEvent",
    "SupplyOrderLine",
    "SupplyRequest",
]

# No 0/O, 1/I/L: a number read aloud over the phone or copied from paper stays unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code() -> str:
    """A random public code of 10 characters (about 49 bits), e.g. ``K7XQ2M9RTA``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


class Period(models.TextChoices):
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


class Commodity(models.Model):
    """What changes hands: a KBLI code (2020, five digits) when known, and the words people use
    ("singkong", "ubi kayu"), and the unit it is counted in."""

    commodity_kbli = models.CharField(_("KBLI"), max_length=5, blank=True)
    commodity = models.CharField(_("commodity"), max_length=80)
    unit = models.CharField(_("unit"), max_length=20, default="kg")

    class Meta:
        abstract = True


class SupplyLink(Commodity):
    """A business that supplies another (``supplier`` → ``buyer``) with a commodity.

    ``basis`` is how the platform knows, from the weakest to the strongest: declared by one side
    (``declared_by`` says which), confirmed by the other, recorded by a mentor on a visit, or
    derived from paid B2B orders or a BumDes's collections. A link only ever grows stronger.
    """

    class Basis(models.TextChoices):
        DECLARED = "declared", _("declared by one side")
        CONFIRMED = "confirmed", _("confirmed by both sides")
        MENTOR = "mentor", _("recorded by a mentor")
        COLLECTIONS = "collections", _("from a BumDes's collections")
        ORDERS = "orders", _("from paid B2B orders")

    STRENGTH = ["declared", "mentor", "confirmed", "collections", "orders"]

    supplier = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    buyer = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    commodity_key = models.CharField(max_length=80, editable=False)
    usual_volume = models.PositiveIntegerField(_("usual volume"), null=True, blank=True)
    period = models.CharField(_("period"), max_length=5, choices=Period.choices, default="week")
    basis = models.CharField(_("how it is known"), max_length=12, choices=Basis.choices)
    declared_by = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("supply link")
        verbose_name_plural = _("supply links")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "buyer", "commodity_key"], name="supply_link_unique"
            ),
            models.CheckConstraint(
                condition=~Q(supplier=models.F("buyer")), name="supply_link_two_sides"
            ),
        ]
        indexes = [models.Index(fields=["buyer", "supplier"], name="supply_link_buyer")]

    def __str__(self):
        return f"{self.supplier_id} → {self.buyer_id}: {self.commodity}"


class Offer(Commodity):
    """A supplier's wholesale offer: what it sells, from how much, at which prices (``tiers``),
    how much it can deliver a week and how soon.

    ``available_quantity`` is the stock still free to order; a purchase order takes from it in
    the same transaction (never below zero, a database constraint), a cancelled order gives back
    what was not delivered, and a BumDes's collections add to it.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    public_id = models.CharField(max_length=12, unique=True, default=new_code, editable=False)
    supplier = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    description = models.CharField(_("description"), max_length=300, blank=True)
    min_order_quantity = models.PositiveIntegerField(_("minimum order"))
    capacity_per_week = models.PositiveIntegerField(_("capacity per week"), null=True, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=2)
    available_quantity = models.IntegerField(_("available now"), default=0)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("wholesale offer")
        verbose_name_plural = _("wholesale offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(available_quantity__gte=0), name="supply_offer_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(min_order_quantity__gte=1), name="supply_offer_minimum_min_1"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "commodity_kbli"], name="supply_offer_open_kbli"),
            models.Index(fields=["supplier", "status"], name="supply_offer_supplier"),
        ]

    def __str__(self):
        return f"{self.commodity} ({self.public_id})"

    def unit_price(self, quantity: int) -> int:
        """The unit price of the highest tier ``quantity`` reaches (the tiers are loaded)."""
        price = None
        for tier in sorted(self.tiers.all(), key=lambda tier: tier.min_quantity):
            if quantity >= tier.min_quantity:
                price = tier.price_idr
        if price is None:
            price = min(self.tiers.all(), key=lambda tier: tier.min_quantity).price_idr
        return price


class OfferTier(models.Model):
    """One price step of an offer: from ``min_quantity`` units, ``price_idr`` a unit."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="tiers")
    min_quantity = models.PositiveIntegerField(_("from quantity"))
    price_idr = models.PositiveBigIntegerField(_("unit price (Rp)"))

    class Meta:
        ordering = ["min_quantity"]
        verbose_name = _("price tier")
        verbose_name_plural = _("price tiers")
        constraints = [
            models.UniqueConstraint(fields=["offer", "min_quantity"], name="supply_tier_unique"),
            models.CheckConstraint(condition=Q(price_idr__gte=1), name="supply_tier_price_min_1"),
        ]

    def __str__(self):
        return f"≥{self.min_quantity}: {self.price_idr}"


class SupplyRequest(Commodity):
    """A buyer's request for supply: "200 kg of cassava a week from January", at most a price."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    public_id = models.CharField(max_length=12, unique=True, default=new_code, editable=False)
    buyer = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    period = models.CharField(_("period"), max_length=5, choices=Period.choices, default="week")
    starts_on = models.DateField(_("from"))
    max_price_idr = models.PositiveBigIntegerField(
        _("highest unit price (Rp)"), null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("request for supply")
        verbose_name_plural = _("requests for supply")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="supply_request_quantity_min_1"
            )
        ]
        indexes = [
            models.Index(fields=["status", "commodity_kbli"], name="supply_request_open_kbli"),
            models.Index(fields=["buyer", "status"], name="supply_request_buyer"),
        ]

    def __str__(self):
        return f"{self.commodity} ({self.public_id})"


class Match(models.Model):
    """An offer and a request for the same commodity whose villages lie within the matching
    distance (``TUMBUH_SUPPLY_MATCH_KM``); ``area`` is the buyer's priority area, if any. Each side
    is told once (``notified_at``) and sees it on its supply page."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="matches")
    request = models.ForeignKey(SupplyRequest, on_delete=models.CASCADE, related_name="matches")
    distance_km = models.FloatField()
    area = models.ForeignKey(
        PriorityArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["distance_km", "pk"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(fields=["offer", "request"], name="supply_match_unique")
        ]

    def __str__(self):
        return f"{self.offer_id} ↔ {self.request_id} ({self.distance_km:.0f} km)"


class SupplyOrder(models.Model):
    """A B2B order from one supplier, at ``/rantai-pasok/pesanan/<code>/`` for both sides.

    requested (the buyer asks for a quotation) → quoted (the supplier prices it and sets the
    payment terms) → ordered (the buyer issues the purchase order: stock is reserved) →
    delivering (a delivery note, surat jalan, left with part of it) → delivered (all of it has
    left) → completed (every delivery handed over, with a BAST signed by the receiver, invoiced and
    paid). Declined and cancelled end it early; a cancelled order gives back its reserved stock.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("quotation requested")
        QUOTED = "quoted", _("quoted")
        ORDERED = "ordered", _("purchase order issued")
        DELIVERING = "delivering", _("partly delivered")
        DELIVERED = "delivered", _("delivered")
        COMPLETED = "completed", _("completed")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    class Terms(models.TextChoices):
        CASH = "cash", _("cash on delivery")
        NET7 = "net7", _("7 days")
        NET14 = "net14", _("14 days")
        NET30 = "net30", _("30 days")

    TERM_DAYS = {"cash": 0, "net7": 7, "net14": 14, "net30": 30}

    # The one map of status changes; documents (delivery notes, BAST, invoices, payments) move the
    # status through ``services.orders`` only along these.
    TRANSITIONS = {
        Status.REQUESTED: {Status.QUOTED, Status.DECLINED, Status.CANCELLED},
        Status.QUOTED: {Status.QUOTED, Status.ORDERED, Status.DECLINED, Status.CANCELLED},
        Status.ORDERED: {Status.DELIVERING, Status.DELIVERED, Status.CANCELLED},
        Status.DELIVERING: {Status.DELIVERING, Status.DELIVERED},
        Status.DELIVERED: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.DECLINED: set(),
        Status.CANCELLED: set(),
    }
    OPEN_STATUSES = ("requested", "quoted", "ordered", "delivering", "delivered")

    code = models.CharField(max_length=12, unique=True, default=new_code, editable=False)
    supplier = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        SupplyRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    terms = models.CharField(
        _("payment terms"), max_length=5, choices=Terms.choices, default="cash"
    )
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    subtotal_idr = models.PositiveBigIntegerField(default=0)
    delivery_fee_idr = models.PositiveBigIntegerField(_("delivery fee (Rp)"), default=0)
    total_idr = models.PositiveBigIntegerField(default=0)
    paid_idr = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    quoted_at = models.DateTimeField(null=True, blank=True)
    ordered_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("B2B order")
        verbose_name_plural = _("B2B orders")
        constraints = [
            models.CheckConstraint(
                condition=~Q(supplier=models.F("buyer")), name="supply_order_two_sides"
            ),
            models.CheckConstraint(
                condition=Q(total_idr=models.F("subtotal_idr") + models.F("delivery_fee_idr")),
                name="supply_order_total",
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "-created_at"], name="supply_order_supplier"),
            models.Index(fields=["buyer", "-created_at"], name="supply_order_buyer"),
            models.Index(fields=["status", "-created_at"], name="supply_order_status"),
        ]

    def __str__(self):
        return self.code

    def allowed_next(self) -> list[str]:
        """The statuses this order may move to, in the map's order."""
        order = list(self.Status.values)
        return sorted(
            (s for s in self.TRANSITIONS[self.status] if s != self.status), key=order.index
        )


class SupplyOrderLine(models.Model):
    """One offer of an order: the quantity, the unit price quoted, and how much has left with
    delivery notes (``delivered_quantity``, never more than ordered: a database constraint)."""

    order = models.ForeignKey(SupplyOrder, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="order_lines")
    commodity = models.CharField(max_length=80)
    unit = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField()
    unit_price_idr = models.PositiveBigIntegerField()
    line_total_idr = models.PositiveBigIntegerField()
    delivered_quantity = models.PositiveIntegerField(default=0)
    invoiced_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("B2B order line")
        verbose_name_plural = _("B2B order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="supply_line_quantity_min_1"),
            models.CheckConstraint(
                condition=Q(delivered_quantity__lte=models.F("quantity")),
                name="supply_line_not_over_delivered",
            ),
            models.CheckConstraint(
                condition=Q(invoiced_quantity__lte=models.F("delivered_quantity")),
                name="supply_line_not_over_invoiced",
            ),
            models.UniqueConstraint(fields=["order", "offer"], name="supply_line_unique_offer"),
        ]

    def __str__(self):
        return f"{self.quantity} {self.unit} {self.commodity}"


class SupplyOrderEvent(models.Model):
    """One step of a B2B order: a status change or a document (delivery note, BAST, invoice,
    payment), by whom, on which side, when."""

    order = models.ForeignKey(SupplyOrder, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    kind = models.CharField(max_length=16, default="status")
    document = models.CharField(max_length=20, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=10, default="supplier")  # supplier / buyer / system
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("B2B order event")
        verbose_name_plural = _("B2B order events")

    def __str__(self):
        return f"{self.order_id}: {self.kind} {self.from_status or '-'} → {self.to_status}"


class DeliveryNote(models.Model):
    """A delivery note (surat jalan): what left the supplier in one trip, and its handover record
    (BAST, berita acara serah terima) once the receiver signs: a name and, on a phone, a photo."""

    order = models.ForeignKey(SupplyOrder, on_delete=models.CASCADE, related_name="delivery_notes")
    number = models.CharField(max_length=24, unique=True)
    sent_at = models.DateTimeField()
    carrier = models.CharField(_("carrier or vehicle"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handover_number = models.CharField(max_length=24, blank=True)
    received_by_name = models.CharField(_("received by"), max_length=100, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_photo = models.FileField(
        upload_to="supply/handovers/%Y/%m/", storage=private_storage, blank=True
    )
    received_note = models.CharField(_("note on receipt"), max_length=300, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("delivery note")
        verbose_name_plural = _("delivery notes")

    def __str__(self):
        return self.number

    @property
    def is_handed_over(self) -> bool:
        return self.received_at is not None


class DeliveryNoteLine(models.Model):
    """How much of one order line left with a delivery note."""

    note = models.ForeignKey(DeliveryNote, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SupplyOrderLine, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="supply_note_line_min_1")
        ]

    def __str__(self):
        return f"{self.note_id}: {self.quantity}"


class Invoice(models.Model):
    """An invoice for what has been handed over and not yet invoiced, due after the order's
    payment terms; paid once, by transfer, QRIS or cash, with the payer's reference."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("awaiting payment")
        PAID = "paid", _("paid")

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("bank transfer")
        QRIS = "qris", _("QRIS")
        CASH = "cash", _("cash")

    DIGITAL_METHODS = ("transfer", "qris")

    order = models.ForeignKey(SupplyOrder, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=24, unique=True)
    amount_idr = models.PositiveBigIntegerField()
    issued_at = models.DateTimeField()
    due_on = models.DateField()
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ISSUED)
    paid_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    reference = models.CharField(_("payment reference"), max_length=80, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["status", "due_on"], name="supply_invoice_due")]

    def __str__(self):
        return self.number


class InvoiceLine(models.Model):
    """How much of one order line an invoice charges for."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SupplyOrderLine, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    amount_idr = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.invoice_id}: {self.quantity}"


class Collection(Commodity):
    """What a BumDes (the ``collector``) bought from a producer of its village: how much, at which
    price, when, and whether it has paid. The producer sees it on its own supply page. When it
    names one of the BumDes's offers, the quantity is added to that offer's stock to sell on."""

    collector = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    producer = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    is_member = models.BooleanField(_("member of the BumDes"), default=False)
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="collections"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price_idr = models.PositiveBigIntegerField(_("unit price (Rp)"))
    amount_idr = models.PositiveBigIntegerField()
    collected_on = models.DateField(_("collected on"))
    paid_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-collected_on", "-pk"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="supply_collection_min_1"),
            models.CheckConstraint(
                condition=Q(amount_idr=models.F("quantity") * models.F("unit_price_idr")),
                name="supply_collection_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["collector", "-collected_on"], name="supply_collection_collector"),
            models.Index(fields=["producer", "-collected_on"], name="supply_collection_producer"),
        ]

    def __str__(self):
        return f"{self.collector_id} ← {self.producer_id}: {self.quantity} {self.unit}"
