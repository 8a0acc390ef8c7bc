"""The catalogue side of BumDes Smart: stores, their delivery zones, products and wholesale tiers.

A ``Store`` belongs to a registry business (a UMKM, or a BumDes selling for its members). It is
opened through a short wizard: until it goes live it is a draft that remembers the step the
seller reached. A ``Product`` is sold by one store and made by one business, its ``producer``:
the store's own business, or a member UMKM whose product a BumDes sells on consignment, with the
share of each sale owed to that producer. Stock never goes below zero (a database constraint);
orders take it in the same transaction as the order (see ``orders.py``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tumbuh.core.region_filter import in_region
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise, new_public_id

__all__ = [
    "DeliveryZone",
    "Product",
    "ProductEdit",
    "Store",
    "StoreQuerySet",
    "WholesaleTier",
]


class StoreQuerySet(models.QuerySet):
    def live(self):
        """Stores open to buyers."""
        return self.filter(status=Store.Status.LIVE)


class Store(models.Model):
    """An online store ("toko online mandiri") of a UMKM or a BumDes, at ``/toko/<slug>/``.

    Delivery and payment options are flags on the store; local delivery has a flat fee per
    ``DeliveryZone``; courier delivery has a manual rate the seller sets. The WhatsApp number is
    personal data: stored encrypted with a keyed hash and a masked form, the ``wa.me`` link is
    built when a page is rendered. ``qris_payload`` is the merchant's static QRIS as printed on
    the sticker; orders derive an amount-bearing QR from it (``stores.qris.with_amount``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        LIVE = "live", _("live")
        SUSPENDED = "suspended", _("suspended")

    # Allowed status changes; a change goes through ``services.shop``.
    TRANSITIONS = {
        Status.DRAFT: {Status.LIVE},
        Status.LIVE: {Status.SUSPENDED},
        Status.SUSPENDED: {Status.LIVE},
    }

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    slug = models.SlugField(_("store address"), max_length=60, unique=True)
    name = models.CharField(_("store name"), max_length=80)
    description = models.CharField(_("short description"), max_length=300, blank=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="stores", verbose_name=_("business")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    pickup_point = models.CharField(
        _("pickup point"),
        max_length=200,
        blank=True,
        help_text=_("Where buyers collect their orders, e.g. the BumDes office."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    wizard_step = models.PositiveSmallIntegerField(
        default=1, help_text="The wizard step a draft store resumes at."
    )

    whatsapp_hash = models.CharField(max_length=64, blank=True)
    whatsapp_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    whatsapp_masked = models.CharField(_("WhatsApp number"), max_length=16, blank=True)

    offers_pickup = models.BooleanField(_("pickup at the store"), default=True)
    offers_local_delivery = models.BooleanField(_("local delivery"), default=False)
    offers_courier = models.BooleanField(_("courier"), default=False)
    courier_rate_idr = models.PositiveIntegerField(
        _("courier rate (Rp)"),
        default=0,
        help_text=_("The courier fee the seller charges per order; 0 when agreed per order."),
    )
    courier_note = models.CharField(_("courier note"), max_length=200, blank=True)

    accepts_qris = models.BooleanField(_("QRIS"), default=False)
    accepts_provider = models.BooleanField(_("payment provider"), default=False)
    accepts_transfer = models.BooleanField(_("bank transfer"), default=False)
    accepts_cod = models.BooleanField(_("cash on delivery or at pickup"), default=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=30, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=100, blank=True)
    qris_payload = models.TextField(_("static QRIS"), blank=True)
    qris_merchant_name = models.CharField(_("QRIS merchant name"), max_length=50, blank=True)
    qris_nmid = models.CharField(_("QRIS NMID"), max_length=30, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    went_live_at = models.DateTimeField(null=True, blank=True)

    objects = StoreQuerySet.as_manager()

    region_field = "village__code"  # the FK column itself (villages are keyed by code)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        indexes = [models.Index(fields=["status", "village"], name="store_status_village_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stores:storefront", args=[self.slug])

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.LIVE

    @property
    def is_bumdes(self) -> bool:
        return self.enterprise.kind == Enterprise.Kind.BUMDES

    def whatsapp_number(self) -> str:
        """The number in E.164 form, decrypted; for building a ``wa.me`` link at render time."""
        from tumbuh.core.personal import decrypt

        if not self.whatsapp_encrypted:
            return ""
        return decrypt(self.whatsapp_encrypted, context="phone")

    def whatsapp_link(self, text: str = "") -> str:
        """``https://wa.me/62…`` with ``text`` prefilled; empty when the store has no number."""
        from tumbuh.core.validators import whatsapp_link

        number = self.whatsapp_number()
        return whatsapp_link(number, text) if number else ""

    @property
    def delivery_methods(self) -> list[str]:
        methods = []
        if self.offers_pickup:
            methods.append("pickup")
        if self.offers_local_delivery:
            methods.append("local")
        if self.offers_courier:
            methods.append("courier")
        return methods

    @property
    def payment_methods(self) -> list[str]:
        """The payment options the store accepts, as stable codes for the order side (the
        provider's only where this deployment has one: ``stores.gateway.provider_configured``)."""
        from tumbuh.stores.gateway import provider_configured

        methods = []
        if self.accepts_qris and self.qris_payload:
            methods.append("qris")
        if self.accepts_provider and provider_configured():
            methods.append("provider")
        if self.accepts_transfer and self.bank_account_number:
            methods.append("transfer")
        if self.accepts_cod:
            methods.append("cod")
        return methods


class DeliveryZone(models.Model):
    """An area a store delivers to itself, for a flat fee (e.g. "Desa Namosain: Rp5.000").

    ``region_code`` is a Kemendagri code prefix (a district or a village) the zone covers; empty
    means "anywhere the seller agrees to".
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="delivery_zones")
    name = models.CharField(_("zone"), max_length=80)
    region_code = models.CharField(_("region code"), max_length=13, blank=True)
    fee_idr = models.PositiveIntegerField(_("delivery fee (Rp)"))

    class Meta:
        ordering = ["fee_idr", "name"]
        verbose_name = _("delivery zone")
        verbose_name_plural = _("delivery zones")
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="delivery_zone_unique_name")
        ]

    def __str__(self):
        return f"{self.name} (Rp{self.fee_idr})"

    def covers(self, village_code: str) -> bool:
        """Whether the zone delivers to ``village_code`` (no region code: everywhere)."""
        return in_region(village_code, self.region_code)


class Product(models.Model):
    """A product for sale in a store, made by ``producer``.

    The producer is the store's own business, or, when a BumDes sells a member UMKM's product on
    consignment, that UMKM; ``consignment_share_percent`` of each delivered sale is then owed to
    it. Photos are stored resized as WebP (``stores.images``), with their sizes so that pages can
    reserve the space. ``version`` grows with every edit, so an edit made offline on a phone can
    tell whether the product changed meanwhile.
    """

    class Category(models.TextChoices):
        FOOD = "food", _("food and drink")
        CRAFTS = "crafts", _("crafts")
        FASHION = "fashion", _("fashion")
        BEAUTY = "beauty", _("beauty and health")
        AGRICULTURE = "agriculture", _("agriculture and fisheries")
        HOUSEHOLD = "household", _("household")
        OTHER = "other", _("other")

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products")
    slug = models.SlugField(max_length=80)
    title = models.CharField(_("product name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    price_idr = models.PositiveBigIntegerField(_("price (Rp)"))
    unit = models.CharField(_("unit"), max_length=30, default="pcs", help_text=_("e.g. pack, kg"))
    weight_grams = models.PositiveIntegerField(_("weight (grams)"), default=0)
    stock = models.IntegerField(_("stock"), default=0)
    made_in_indonesia = models.BooleanField(_("made in Indonesia"), default=True)
    producer = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="products", verbose_name=_("producer")
    )
    consignment_share_percent = models.PositiveSmallIntegerField(
        _("producer's share (%)"),
        default=0,
        help_text=_("Part of each sale owed to the producer when sold on consignment."),
    )
    halal_certificate_number = models.CharField(
        _("halal certificate number"), max_length=40, blank=True
    )
    photo = models.FileField(upload_to="stores/products/", blank=True)
    photo_width = models.PositiveSmallIntegerField(default=0)
    photo_height = models.PositiveSmallIntegerField(default=0)
    thumbnail = models.FileField(upload_to="stores/thumbnails/", blank=True)
    thumbnail_width = models.PositiveSmallIntegerField(default=0)
    thumbnail_height = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    region_field = "store__village__code"

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["store", "slug"], name="product_unique_slug_per_store"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=Q(price_idr__gt=0), name="product_price_positive"),
            models.CheckConstraint(
                condition=Q(consignment_share_percent__lte=100),
                name="product_consignment_share_at_most_100",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "is_active", "title"], name="product_store_active_idx"),
            models.Index(fields=["producer"], name="product_producer_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("stores:product", args=[self.store.slug, self.slug])

    @property
    def is_consignment(self) -> bool:
        return self.producer_id != self.store.enterprise_id

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def price_for(self, quantity: int) -> int:
        """The unit price for ``quantity``: the best wholesale tier reached, else the list price."""
        price = self.price_idr
        for tier in self.wholesale_tiers.all():
            if quantity >= tier.min_quantity and tier.price_idr < price:
                price = tier.price_idr
        return price

    def producer_share_idr(self, amount_idr: int) -> int:
        """What a consignment producer is owed from ``amount_idr`` of sales (rounded down)."""
        if not self.is_consignment:
            return 0
        return amount_idr * self.consignment_share_percent // 100


class WholesaleTier(models.Model):
    """A B2B price: from ``min_quantity`` units on, each unit costs ``price_idr``."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="wholesale_tiers")
    min_quantity = models.PositiveIntegerField(_("minimum quantity"))
    price_idr = models.PositiveBigIntegerField(_("unit price (Rp)"))

    class Meta:
        ordering = ["min_quantity"]
        verbose_name = _("wholesale tier")
        verbose_name_plural = _("wholesale tiers")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "min_quantity"], name="wholesale_tier_unique_quantity"
            ),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=2), name="wholesale_tier_min_quantity_at_least_2"
            ),
            models.CheckConstraint(
                condition=Q(price_idr__gt=0), name="wholesale_tier_price_positive"
            ),
        ]

    def __str__(self):
        return f"≥{self.min_quantity}: Rp{self.price_idr}"


class ProductEdit(models.Model):
    """A product edit sent from a seller's phone, possibly made offline, by its ``client_id``.

    The phone sends the version of the product it edited (``base_version``). If the product
    changed since, the edit is kept as a conflict for the seller to see instead of overwriting
    the newer values. The same ``client_id`` sent again returns the recorded outcome.
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        CONFLICT = "conflict", _("conflict")
        REFUSED = "refused", _("refused")

    client_id = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="edits")
    base_version = models.PositiveIntegerField()
    changes = models.JSONField(default=dict)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("product edit")
        verbose_name_plural = _("product edits")
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="product_edit_unique_client")
        ]

    def __str__(self):
        return f"{self.client_id} {self.outcome}"
