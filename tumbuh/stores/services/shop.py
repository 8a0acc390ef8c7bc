"""Opening stores and running their catalogue: the one write path for stores and products.

Every function takes its actor (``by``) and checks access first: who runs the store's business,
or the system actor (the demo, tasks); anyone else, and no actor at all, is refused. It then
checks everything and raises ``Refused`` with a code from ``stores.error_codes`` and a translated
reason (changing nothing), then writes in one transaction with an audit event. The wizard, the
seller pages, the API and the demo all call these.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tumbuh.accounts.models import User
from tumbuh.accounts.services import acting_person
from tumbuh.core.personal import encrypt, keyed_hash
from tumbuh.core.refusals import Refused
from tumbuh.core.region_filter import in_region
from tumbuh.core.services import record_event
from tumbuh.core.validators import mask_phone, normalise_phone
from tumbuh.regions.models import Village
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of, record_milestone, surviving
from tumbuh.stores import images, pages, qris
from tumbuh.stores.error_codes import StoresError
from tumbuh.stores.models import DeliveryZone, Product, ProductEdit, Store, WholesaleTier
from tumbuh.stores.queries import editable_products, has_product_on_sale, may_act_for

logger = logging.getLogger(__name__)

WIZARD_STEPS = 5
MAX_ZONES = 5
MAX_TIERS = 5
MAX_PRICE_IDR = 1_000_000_000
MAX_STOCK = 1_000_000
# Slugs that name pages, not stores.
RESERVED_SLUGS = {"sw", "manifest", "seller", "mine", "api", "baru", "offline"}
# Fields an edit from the seller's phone (online or queued offline) may change.
EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "price_idr",
    "unit",
    "weight_grams",
    "stock",
    "is_active",
)


# --- who may run which store --------------------------------------------------------------------


def check_runs(user, store: Store) -> None:
    """Refuse (``PermissionDenied``) unless ``user`` may act for the business of ``store``.

    The seller pages' check: a store of another business does not exist for the user.
    """
    if store.enterprise_id not in {e.pk for e in enterprises_of(user)}:
        raise PermissionDenied(_("You do not run this store."))


def check_may_act(by: User, store: Store) -> None:
    """The services' access check: ``by`` runs the business of ``store`` or is the system actor
    (a superuser: the demo and tasks); anyone else, and no actor at all, is refused
    (``PermissionDenied``)."""
    if not may_act_for(by, store.enterprise_id):
        raise PermissionDenied(_("You do not run this store."))


# --- opening a store ----------------------------------------------------------------------------


def _unique_slug(base: str, taken, *, max_length: int = 50) -> str:
    base = (slugify(base) or "toko")[:max_length].strip("-") or "toko"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or taken(slug):
        slug = f"{base}-{number}"
        number += 1
    return slug


def _clean_text(
    value, *, label: str, max_length: int, required: bool = True, field: str = ""
) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise Refused(
            StoresError.FIELD_REQUIRED, _("%(field)s is required.") % {"field": label}, field=field
        )
    if len(text) > max_length:
        raise Refused(
            StoresError.FIELD_TOO_LONG,
            _("%(field)s is too long (at most %(limit)d characters).")
            % {"field": label, "limit": max_length},
            field=field,
        )
    return text


def start_store(*, enterprise: Enterprise, name: str, description: str = "", by: User) -> Store:
    """Step 1 of the wizard: a draft store for ``enterprise``, resumable later.

    Only for a business ``by`` runs (or by the system actor). The store starts in the business's
    village with pickup as its delivery option and cash on delivery as its payment option; the
    next steps change these.
    """
    enterprise = surviving(enterprise)
    if not may_act_for(by, enterprise.pk):
        raise PermissionDenied(_("You may open a store only for a business you run."))
    name = _clean_text(name, label=_("Store name"), max_length=80, field="name")
    description = _clean_text(
        description,
        label=_("Short description"),
        max_length=300,
        required=False,
        field="description",
    )
    with transaction.atomic():
        store = Store.objects.create(
            slug=_unique_slug(name, lambda s: Store.objects.filter(slug=s).exists()),
            name=name,
            description=description,
            enterprise=enterprise,
            village_id=enterprise.village_id,
            wizard_step=2,
            created_by=acting_person(by),
        )
        record_event(
            actor=by, action="stores.store_started", target=store, region_code=store.village_id
        )
    return store


def _advance(store: Store, step: int) -> None:
    if store.status == Store.Status.DRAFT and store.wizard_step < step:
        store.wizard_step = step


def update_store_details(*, store: Store, name: str, description: str, by: User) -> Store:
    """Change the name and short description (the address, ``slug``, stays)."""
    check_may_act(by, store)
    name = _clean_text(name, label=_("Store name"), max_length=80, field="name")
    description = _clean_text(
        description,
        label=_("Short description"),
        max_length=300,
        required=False,
        field="description",
    )
    with transaction.atomic():
        store.name, store.description = name, description
        store.save(update_fields=["name", "description", "updated_at"])
        record_event(
            actor=by, action="stores.store_details", target=store, region_code=store.village_id
        )
    return store


def set_store_location(*, store: Store, village_code: str, pickup_point: str, by: User) -> Store:
    """Step 2: the village the store is in, and where buyers collect their orders."""
    check_may_act(by, store)
    village_code = (village_code or "").strip()
    if not Village.objects.filter(code=village_code).exists():
        raise Refused(
            StoresError.VILLAGE_UNKNOWN,
            _("Choose the store's village from the list."),
            field="village_code",
        )
    pickup_point = _clean_text(
        pickup_point,
        label=_("Pickup point"),
        max_length=200,
        required=False,
        field="pickup_point",
    )
    with transaction.atomic():
        store.village_id = village_code
        store.pickup_point = pickup_point
        _advance(store, 3)
        store.save(update_fields=["village", "pickup_point", "wizard_step", "updated_at"])
        record_event(
            actor=by, action="stores.store_location", target=store, region_code=village_code
        )
    return store


@dataclass(frozen=True)
class Zone:
    """A delivery zone as entered: a name, a region code prefix (optional) and a flat fee."""

    name: str
    fee_idr: int
    region_code: str = ""


def _check_fee(value, *, label: str, field: str) -> int:
    not_whole = Refused(
        StoresError.FEE_INVALID,
        _("%(field)s must be a whole number of rupiah.") % {"field": label},
        field=field,
    )
    if isinstance(value, bool):
        raise not_whole
    try:
        fee = int(value)
    except (TypeError, ValueError):
        raise not_whole from None
    if fee < 0 or fee > 10_000_000:
        raise Refused(
            StoresError.FEE_INVALID,
            _("%(field)s must be between Rp0 and Rp10.000.000.") % {"field": label},
            field=field,
        )
    return fee


def set_store_delivery(
    *,
    store: Store,
    offers_pickup: bool,
    offers_local_delivery: bool,
    zones: list[Zone],
    offers_courier: bool,
    courier_rate_idr: int = 0,
    courier_note: str = "",
    by: User,
) -> Store:
    """Step 3: pickup, local delivery with a flat fee per zone, courier with a manual rate.

    The zones given replace the store's zones.
    """
    check_may_act(by, store)
    if not (offers_pickup or offers_local_delivery or offers_courier):
        raise Refused(
            StoresError.NO_DELIVERY_METHOD,
            _("Choose at least one way for buyers to receive their orders."),
        )
    zones = [z for z in zones if z.name.strip()]
    if offers_local_delivery and not zones:
        raise Refused(
            StoresError.ZONE_REQUIRED,
            _("Local delivery needs at least one zone with its fee."),
            field="zones",
        )
    if len(zones) > MAX_ZONES:
        raise Refused(
            StoresError.TOO_MANY_ZONES,
            _("At most %(count)d delivery zones.") % {"count": MAX_ZONES},
            field="zones",
        )
    names = [_clean_text(z.name, label=_("Zone"), max_length=80, field="zones") for z in zones]
    if len({n.casefold() for n in names}) != len(names):
        raise Refused(
            StoresError.ZONE_DUPLICATE, _("Two delivery zones have the same name."), field="zones"
        )
    fees = [_check_fee(z.fee_idr, label=_("Delivery fee"), field="zones") for z in zones]
    courier_rate_idr = _check_fee(
        courier_rate_idr or 0, label=_("Courier rate"), field="courier_rate_idr"
    )
    courier_note = _clean_text(
        courier_note,
        label=_("Courier note"),
        max_length=200,
        required=False,
        field="courier_note",
    )
    with transaction.atomic():
        store.offers_pickup = bool(offers_pickup)
        store.offers_local_delivery = bool(offers_local_delivery)
        store.offers_courier = bool(offers_courier)
        store.courier_rate_idr = courier_rate_idr if offers_courier else 0
        store.courier_note = courier_note if offers_courier else ""
        _advance(store, 4)
        store.save()
        store.delivery_zones.all().delete()
        DeliveryZone.objects.bulk_create(
            DeliveryZone(store=store, name=name, fee_idr=fee, region_code=zone.region_code.strip())
            for name, fee, zone in zip(names, fees, zones, strict=True)
        )
        record_event(
            actor=by,
            action="stores.store_delivery",
            target=store,
            region_code=store.village_id,
            data={"methods": store.delivery_methods, "zones": len(zones)},
        )
    return store


def read_static_qris(payload: str):
    """Parse a pasted or scanned QRIS and refuse anything but a valid static sticker.

    Returns the parsed payload (merchant name, NMID…); raises ``Refused`` with the codec's
    reason and its code behind ``qris.`` (a dynamic QR, a wrong CRC, a missing merchant name…).
    """
    try:
        return qris.parse(payload, require_static=True)
    except qris.QrisError as error:
        raise Refused(
            StoresError(f"qris.{error.code}"), error.reason, field="qris_payload"
        ) from None


def set_store_payments(
    *,
    store: Store,
    whatsapp: str,
    accepts_cod: bool,
    accepts_transfer: bool,
    bank_name: str = "",
    bank_account_number: str = "",
    bank_account_holder: str = "",
    accepts_qris: bool = False,
    qris_payload: str = "",
    accepts_provider: bool = False,
    by: User,
) -> Store:
    """Step 4: WhatsApp number, and how buyers pay (cash, transfer, static QRIS, provider).

    A QRIS is kept only when it parses as a static QRIS with a merchant name; its merchant name
    and NMID are stored so that the seller (and buyers) can check who is paid.
    """
    check_may_act(by, store)
    try:
        number = normalise_phone(whatsapp, mobile=True)
    except ValidationError as error:
        raise Refused(
            StoresError.WHATSAPP_INVALID,
            _("WhatsApp number: %(reason)s") % {"reason": " ".join(error.messages)},
            field="whatsapp",
        ) from None
    if not (accepts_cod or accepts_transfer or accepts_qris or accepts_provider):
        raise Refused(
            StoresError.NO_PAYMENT_METHOD, _("Choose at least one way for buyers to pay.")
        )
    bank_name = _clean_text(
        bank_name, label=_("Bank"), max_length=60, required=accepts_transfer, field="bank_name"
    )
    bank_account_number = "".join(str(bank_account_number or "").split()).replace("-", "")
    if accepts_transfer and not (
        bank_account_number.isdigit() and 5 <= len(bank_account_number) <= 20
    ):
        raise Refused(
            StoresError.BANK_ACCOUNT_INVALID,
            _("A bank account number has 5 to 20 digits."),
            field="bank_account_number",
        )
    bank_account_holder = _clean_text(
        bank_account_holder,
        label=_("Account holder"),
        max_length=100,
        required=accepts_transfer,
        field="bank_account_holder",
    )
    parsed = None
    qris_payload = (qris_payload or "").strip()
    if accepts_qris or qris_payload:
        if not qris_payload:
            raise Refused(
                StoresError.QRIS_REQUIRED,
                _("Paste the QRIS code or upload a photo of the QRIS sticker."),
                field="qris_payload",
            )
        parsed = read_static_qris(qris_payload)
    with transaction.atomic():
        store.whatsapp_hash = keyed_hash("phone", number)
        store.whatsapp_encrypted = encrypt(number, context="phone")
        store.whatsapp_masked = mask_phone(number)
        store.accepts_cod = bool(accepts_cod)
        store.accepts_transfer = bool(accepts_transfer)
        store.bank_name = bank_name if accepts_transfer else ""
        store.bank_account_number = bank_account_number if accepts_transfer else ""
        store.bank_account_holder = bank_account_holder if accepts_transfer else ""
        store.accepts_qris = parsed is not None and bool(accepts_qris)
        store.qris_payload = parsed.payload if parsed else ""
        store.qris_merchant_name = parsed.merchant_name if parsed else ""
        store.qris_nmid = (parsed.nmid or "") if parsed else ""
        store.accepts_provider = bool(accepts_provider)
        _advance(store, 5)
        store.save()
        record_event(
            actor=by,
            action="stores.store_payments",
            target=store,
            region_code=store.village_id,
            data={"methods": store.payment_methods, "qris_nmid": store.qris_nmid},
        )
    return store


def publish_store(*, store: Store, by: User) -> Store:
    """Step 5: the store goes live (or back live after a suspension); records ``store_live``.

    Refused, changing nothing, until the store has a WhatsApp number, a way to pay, a way to
    receive orders and at least one product on sale: a live store with nothing to order is
    a dead end for buyers and would count as "store live" on the dashboards.
    """
    check_may_act(by, store)
    if Store.Status.LIVE not in Store.TRANSITIONS[store.status]:
        raise Refused(StoresError.ALREADY_LIVE, _("This store is already live."))
    missing = []
    if not store.whatsapp_encrypted:
        missing.append(_("a WhatsApp number"))
    if not store.payment_methods:
        missing.append(_("a way to pay"))
    if not store.delivery_methods:
        missing.append(_("a way to receive orders"))
    if not has_product_on_sale(store):
        missing.append(_("at least one product on sale (add a product first)"))
    if missing:
        raise Refused(
            StoresError.NOT_READY,
            _("The store cannot open yet: it needs %(missing)s.") % {"missing": ", ".join(missing)},
        )
    now = timezone.now()
    with transaction.atomic():
        updated = Store.objects.filter(pk=store.pk, status=store.status).update(
            status=Store.Status.LIVE,
            went_live_at=store.went_live_at or now,
            wizard_step=WIZARD_STEPS,
            updated_at=now,
        )
        if not updated:
            raise Refused(
                StoresError.CHANGED_MEANWHILE, _("The store changed meanwhile; reload the page.")
            )
        pages.stores_changed([store.pk])
        store.refresh_from_db()
        record_milestone(
            enterprise=store.enterprise,
            kind="store_live",
            source=f"stores:{store.public_id}",
            occurred_at=store.went_live_at,
            by=acting_person(by),
        )
        record_event(
            actor=by, action="stores.store_live", target=store, region_code=store.village_id
        )
    return store


def suspend_store(*, store: Store, by: User, reason: str = "") -> Store:
    """Close a live store to buyers for a while (holiday, out of stock); publish reopens it."""
    check_may_act(by, store)
    if Store.Status.SUSPENDED not in Store.TRANSITIONS[store.status]:
        raise Refused(StoresError.NOT_LIVE, _("Only a live store can be closed for a while."))
    with transaction.atomic():
        Store.objects.filter(pk=store.pk, status=store.status).update(
            status=Store.Status.SUSPENDED, updated_at=timezone.now()
        )
        pages.stores_changed([store.pk])
        store.refresh_from_db()
        record_event(
            actor=by,
            action="stores.store_suspended",
            target=store,
            region_code=store.village_id,
            data={"reason": reason[:200]},
        )
    return store


# --- products -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    """A wholesale tier as entered: from ``min_quantity`` units, ``price_idr`` each."""

    min_quantity: int
    price_idr: int


def _as_int(value, *, label: str, field: str = "") -> int:
    not_whole = Refused(
        StoresError.NOT_A_WHOLE_NUMBER,
        _("%(field)s must be a whole number.") % {"field": label},
        field=field,
    )
    if isinstance(value, bool) or value is None or value == "":
        raise not_whole
    try:
        return int(str(value).strip().replace(".", "")) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise not_whole from None


def _check_price(value, *, label=None, field: str = "price_idr") -> int:
    label = label or _("Price")
    price = _as_int(value, label=label, field=field)
    if price <= 0:
        raise Refused(
            StoresError.PRICE_INVALID,
            _("%(field)s must be above Rp0 (a free product cannot be ordered).") % {"field": label},
            field=field,
        )
    if price > MAX_PRICE_IDR:
        raise Refused(
            StoresError.PRICE_INVALID,
            _("%(field)s is above Rp1.000.000.000.") % {"field": label},
            field=field,
        )
    return price


def _check_stock(value) -> int:
    stock = _as_int(value, label=_("Stock"), field="stock")
    if stock < 0:
        raise Refused(
            StoresError.STOCK_INVALID,
            _("Stock cannot be negative; enter 0 when the product is sold out."),
            field="stock",
        )
    if stock > MAX_STOCK:
        raise Refused(
            StoresError.STOCK_INVALID, _("Stock is above 1,000,000 units."), field="stock"
        )
    return stock


def _check_fields(fields: dict) -> dict:
    """Validate the editable product fields present in ``fields``; returns cleaned values."""
    clean = {}
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise Refused(
            StoresError.FIELD_NOT_EDITABLE,
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))},
        )
    if "title" in fields:
        clean["title"] = _clean_text(
            fields["title"], label=_("Product name"), max_length=120, field="title"
        )
    if "description" in fields:
        description = str(fields["description"] or "").strip()
        if len(description) > 2000:
            raise Refused(
                StoresError.FIELD_TOO_LONG,
                _("The description is too long (at most 2000 characters)."),
                field="description",
            )
        clean["description"] = description
    if "category" in fields:
        if fields["category"] not in Product.Category.values:
            raise Refused(
                StoresError.CATEGORY_UNKNOWN,
                _("Choose a category from the list."),
                field="category",
            )
        clean["category"] = fields["category"]
    if "price_idr" in fields:
        clean["price_idr"] = _check_price(fields["price_idr"])
    if "unit" in fields:
        clean["unit"] = _clean_text(fields["unit"], label=_("Unit"), max_length=30, field="unit")
    if "weight_grams" in fields:
        weight = _as_int(fields["weight_grams"], label=_("Weight"), field="weight_grams")
        if not 0 <= weight <= 1_000_000:
            raise Refused(
                StoresError.WEIGHT_INVALID,
                _("Weight must be between 0 and 1,000,000 grams."),
                field="weight_grams",
            )
        clean["weight_grams"] = weight
    if "stock" in fields:
        clean["stock"] = _check_stock(fields["stock"])
    if "is_active" in fields:
        clean["is_active"] = bool(fields["is_active"])
    return clean


def _check_tiers(tiers: list[Tier], *, price_idr: int) -> list[Tier]:
    if len(tiers) > MAX_TIERS:
        raise Refused(
            StoresError.TIER_INVALID,
            _("At most %(count)d wholesale tiers.") % {"count": MAX_TIERS},
            field="wholesale_tiers",
        )
    checked = []
    for tier in tiers:
        quantity = _as_int(tier.min_quantity, label=_("Minimum quantity"), field="wholesale_tiers")
        if quantity < 2:
            raise Refused(
                StoresError.TIER_INVALID,
                _("A wholesale tier starts at 2 units or more."),
                field="wholesale_tiers",
            )
        price = _check_price(tier.price_idr, label=_("Wholesale price"), field="wholesale_tiers")
        if price >= price_idr:
            raise Refused(
                StoresError.TIER_INVALID,
                _("The wholesale price for %(quantity)d units must be below the unit price.")
                % {"quantity": quantity},
                field="wholesale_tiers",
            )
        checked.append(Tier(quantity, price))
    quantities = [t.min_quantity for t in checked]
    if len(set(quantities)) != len(quantities):
        raise Refused(
            StoresError.TIER_INVALID,
            _("Two wholesale tiers have the same minimum quantity."),
            field="wholesale_tiers",
        )
    return sorted(checked, key=lambda t: t.min_quantity)


def _check_producer(store: Store, producer: Enterprise | None, share: int) -> tuple:
    producer = surviving(producer) if producer is not None else store.enterprise
    share = _as_int(share or 0, label=_("Producer's share"), field="consignment_share_percent")
    if producer.pk == store.enterprise_id:
        return producer, 0
    if store.enterprise.kind != Enterprise.Kind.BUMDES:
        raise Refused(
            StoresError.CONSIGNMENT_NOT_BUMDES,
            _("Only a BumDes store sells other businesses' products on consignment."),
            field="producer",
        )
    if not in_region(producer.village_id, store.village_id[:5]):
        raise Refused(
            StoresError.PRODUCER_OUTSIDE_REGENCY,
            _("A consignment producer must be a business of the store's own regency."),
            field="producer",
        )
    if not 1 <= share <= 100:
        raise Refused(
            StoresError.SHARE_INVALID,
            _("The producer's share of a consignment sale is between 1 and 100 percent."),
            field="consignment_share_percent",
        )
    return producer, share


def create_product(
    *,
    store: Store,
    title: str,
    price_idr: int,
    stock: int,
    category: str = Product.Category.OTHER,
    description: str = "",
    unit: str = "pcs",
    weight_grams: int = 0,
    made_in_indonesia: bool = True,
    producer: Enterprise | None = None,
    consignment_share_percent: int = 0,
    halal_certificate_number: str = "",
    photo=None,
    tiers: list[Tier] = (),
    by: User,
) -> Product:
    """Add a product to ``store``; a photo (an uploaded file) is resized to WebP first.

    ``producer`` is the making business when a BumDes sells a member's product on consignment,
    with ``consignment_share_percent`` of each sale owed to it.
    """
    check_may_act(by, store)
    clean = _check_fields(
        {
            "title": title,
            "description": description,
            "category": category,
            "price_idr": price_idr,
            "unit": unit,
            "weight_grams": weight_grams,
            "stock": stock,
        }
    )
    tiers = _check_tiers(list(tiers), price_idr=clean["price_idr"])
    producer, share = _check_producer(store, producer, consignment_share_percent)
    halal = _clean_text(
        halal_certificate_number,
        label=_("Halal certificate number"),
        max_length=40,
        required=False,
        field="halal_certificate_number",
    )
    picture = images.process_photo(photo) if photo else None
    with transaction.atomic():
        product = Product(
            store=store,
            slug=_unique_slug(
                clean["title"],
                lambda s: Product.objects.filter(store=store, slug=s).exists(),
                max_length=72,
            ),
            made_in_indonesia=bool(made_in_indonesia),
            producer=producer,
            consignment_share_percent=share,
            halal_certificate_number=halal,
            **clean,
        )
        if picture:
            images.attach(product, picture)
        product.save()
        WholesaleTier.objects.bulk_create(
            WholesaleTier(product=product, min_quantity=t.min_quantity, price_idr=t.price_idr)
            for t in tiers
        )
        record_event(
            actor=by,
            action="stores.product_created",
            target=product,
            region_code=store.village_id,
            data={"store": store.public_id},
        )
    return product


def update_product(
    *,
    product: Product,
    by: User,
    base_version: int | None = None,
    tiers: list[Tier] | None = None,
    photo=None,
    producer: Enterprise | None = None,
    consignment_share_percent: int | None = None,
    made_in_indonesia: bool | None = None,
    halal_certificate_number: str | None = None,
    **fields,
) -> Product:
    """Change a product's fields (those given); with ``base_version`` the change is refused
    when the product was edited since that version.
    """
    check_may_act(by, product.store)
    clean = _check_fields(fields)
    price = clean.get("price_idr", product.price_idr)
    if tiers is not None:
        tiers = _check_tiers(list(tiers), price_idr=price)
    elif "price_idr" in clean:
        _check_tiers(
            [Tier(t.min_quantity, t.price_idr) for t in product.wholesale_tiers.all()],
            price_idr=price,
        )
    if producer is not None or consignment_share_percent is not None:
        producer, share = _check_producer(
            product.store,
            producer or product.producer,
            product.consignment_share_percent
            if consignment_share_percent is None
            else consignment_share_percent,
        )
        clean["producer_id"], clean["consignment_share_percent"] = producer.pk, share
    if made_in_indonesia is not None:
        clean["made_in_indonesia"] = bool(made_in_indonesia)
    if halal_certificate_number is not None:
        clean["halal_certificate_number"] = _clean_text(
            halal_certificate_number,
            label=_("Halal certificate number"),
            max_length=40,
            required=False,
            field="halal_certificate_number",
        )
    picture = images.process_photo(photo) if photo else None
    with transaction.atomic():
        current = Product.objects.select_for_update().get(pk=product.pk)
        if base_version is not None and current.version != base_version:
            raise Refused(
                StoresError.VERSION_CONFLICT,
                _("This product was changed elsewhere meanwhile; reload it and try again."),
            )
        for name, value in clean.items():
            setattr(current, name, value)
        if picture:
            old = {current.photo.name, current.thumbnail.name}
            images.attach(current, picture)
            # The same photo again keeps its content-hashed names: delete only replaced files.
            old -= {current.photo.name, current.thumbnail.name}
            transaction.on_commit(lambda: images.delete_files(old))
        current.version = F("version") + 1
        current.save()
        current.refresh_from_db()
        if tiers is not None:
            current.wholesale_tiers.all().delete()
            WholesaleTier.objects.bulk_create(
                WholesaleTier(product=current, min_quantity=t.min_quantity, price_idr=t.price_idr)
                for t in tiers
            )
        record_event(
            actor=by,
            action="stores.product_updated",
            target=current,
            region_code=current.store.village_id,
            data={"fields": sorted(clean) + (["tiers"] if tiers is not None else [])},
        )
    return current


def restock(*, product: Product, quantity: int, by: User) -> Product:
    """Add ``quantity`` units to the stock (negative to write off), never below zero.

    Safe beside orders taking stock at the same moment: one conditional ``F()`` update.
    """
    check_may_act(by, product.store)
    quantity = _as_int(quantity, label=_("Quantity"), field="quantity")
    if quantity == 0:
        raise Refused(
            StoresError.QUANTITY_INVALID, _("Enter how many units to add."), field="quantity"
        )
    with transaction.atomic():
        updated = Product.objects.filter(
            pk=product.pk, stock__gte=max(0, -quantity), stock__lte=MAX_STOCK - quantity
        ).update(stock=F("stock") + quantity, version=F("version") + 1, updated_at=timezone.now())
        pages.stock_changed([product.store_id])
        if not updated:
            raise Refused(
                StoresError.STOCK_INVALID,
                _("The stock cannot go below zero (or above 1,000,000 units)."),
                field="quantity",
            )
        product.refresh_from_db()
        record_event(
            actor=by,
            action="stores.product_restocked",
            target=product,
            region_code=product.store.village_id,
            data={"quantity": quantity, "stock": product.stock},
        )
    return product


# --- edits queued on the seller's phone ----------------------------------------------------------


def sync_product_edits(*, by: User, edits: list[dict]) -> list[dict]:
    """Apply edits sent by the seller pages' offline queue, each once, in order.

    Each edit is ``{"client_id", "product" (public id), "base_version", "changes": {...}}``.
    An edit whose base version is not the product's current version is recorded as a conflict
    (the newer values stay, the seller sees both); an invalid edit is refused with its reason.
    The same ``client_id`` sent again returns the first outcome. Only products of the stores
    ``by`` runs are reached; any other is an unknown product.
    """
    results = []
    for edit in edits:
        client_id = str(edit.get("client_id") or "")[:64]
        if not client_id:
            results.append({"client_id": "", "outcome": "refused", "detail": _("No client id.")})
            continue
        earlier = ProductEdit.objects.filter(user=by, client_id=client_id).first()
        if earlier:
            results.append(_edit_result(earlier))
            continue
        product = (
            editable_products(by)
            .select_related("store")
            .filter(public_id=str(edit.get("product") or ""))
            .first()
        )
        if product is None:
            results.append(
                {"client_id": client_id, "outcome": "refused", "detail": _("Unknown product.")}
            )
            continue
        changes = edit.get("changes") if isinstance(edit.get("changes"), dict) else {}
        if not changes or set(changes) - set(EDITABLE_FIELDS):
            results.append(
                {
                    "client_id": client_id,
                    "outcome": "refused",
                    "detail": _("These fields cannot be changed here: %(fields)s")
                    % {"fields": ", ".join(sorted(set(changes) - set(EDITABLE_FIELDS))) or "-"},
                }
            )
            continue
        try:
            base_version = _as_int(edit.get("base_version"), label="base_version")
        except Refused:
            base_version = -1
        outcome, detail = ProductEdit.Outcome.APPLIED, ""
        try:
            product = update_product(product=product, by=by, base_version=base_version, **changes)
        except ValidationError as error:
            conflict = getattr(error, "reason", "") == StoresError.VERSION_CONFLICT
            outcome = ProductEdit.Outcome.CONFLICT if conflict else ProductEdit.Outcome.REFUSED
            detail = " ".join(error.messages)
        record = ProductEdit.objects.create(
            client_id=client_id,
            user=by,
            product=product,
            base_version=max(base_version, 0),
            changes=changes,
            outcome=outcome,
            detail=detail[:300],
        )
        results.append(_edit_result(record))
    return results


def _edit_result(record: ProductEdit) -> dict:
    product = Product.objects.only("version", "stock", "price_idr", "title", "public_id").get(
        pk=record.product_id
    )
    return {
        "client_id": record.client_id,
        "outcome": record.outcome,
        "detail": record.detail,
        "product": product.public_id,
        "version": product.version,
        "current": {"title": product.title, "price_idr": product.price_idr, "stock": product.stock},
    }
