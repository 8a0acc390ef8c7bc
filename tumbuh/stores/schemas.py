"""API shapes of the stores app. Outputs list exactly what they expose: a storefront's store and
products (no phone number, no bank account), a seller's products, orders with the buyer's phone
masked (the seller's view adds the buyer's name, address and note of their own stores' orders).
"""

import datetime

from ninja import Field, Schema

from tumbuh.core.paging import offset_field
from tumbuh.stores.models import Order, Product, Store
from tumbuh.stores.services.orders import MAX_LINES, MAX_QUANTITY

PAGE_LIMIT = 100


# --- stores and products ------------------------------------------------------------------------


class StoreOut(Schema):
    slug: str
    name: str
    description: str
    url: str
    village_code: str
    village_name: str
    province_code: str
    is_bumdes: bool
    is_3t: bool
    delivery_methods: list[str] = Field(description="pickup, local, courier")
    payment_methods: list[str] = Field(description="qris, provider, transfer, cod")
    went_live_at: datetime.datetime | None

    @staticmethod
    def from_store(store: Store) -> dict:
        return {
            "slug": store.slug,
            "name": store.name,
            "description": store.description,
            "url": store.get_absolute_url(),
            "village_code": store.village_id,
            "village_name": store.village.name,
            "province_code": store.village_id[:2],
            "is_bumdes": store.is_bumdes,
            "is_3t": store.village.regency.is_3t,
            "delivery_methods": store.delivery_methods,
            "payment_methods": store.payment_methods,
            "went_live_at": store.went_live_at,
        }


class StorePage(Schema):
    count: int
    results: list[StoreOut]


class TierOut(Schema):
    min_quantity: int
    price_idr: int


class ProductOut(Schema):
    id: str = Field(description="The product's public id")
    slug: str
    title: str
    description: str
    category: str
    price_idr: int
    unit: str
    weight_grams: int
    stock: int
    made_in_indonesia: bool
    producer: str = Field(description="The producing business's name")
    is_consignment: bool
    url: str
    thumbnail_url: str | None
    wholesale_tiers: list[TierOut]

    @staticmethod
    def from_product(product: Product) -> dict:
        return {
            "id": product.public_id,
            "slug": product.slug,
            "title": product.title,
            "description": product.description,
            "category": product.category,
            "price_idr": product.price_idr,
            "unit": product.unit,
            "weight_grams": product.weight_grams,
            "stock": product.stock,
            "made_in_indonesia": product.made_in_indonesia,
            "producer": product.producer.name,
            "is_consignment": product.is_consignment,
            "url": product.get_absolute_url(),
            "thumbnail_url": product.thumbnail.url if product.thumbnail else None,
            "wholesale_tiers": [
                {"min_quantity": t.min_quantity, "price_idr": t.price_idr}
                for t in product.wholesale_tiers.all()
            ],
        }


class SellerProductOut(ProductOut):
    store: str = Field(description="The store's slug")
    is_active: bool
    version: int
    consignment_share_percent: int

    @staticmethod
    def from_product(product: Product) -> dict:
        return {
            **ProductOut.from_product(product),
            "store": product.store.slug,
            "is_active": product.is_active,
            "version": product.version,
            "consignment_share_percent": product.consignment_share_percent,
        }


class ProductIn(Schema):
    store: str = Field(description="The slug of one of your stores")
    title: str
    price_idr: int
    stock: int
    category: str = Product.Category.OTHER
    description: str = ""
    unit: str = "pcs"
    weight_grams: int = 0
    made_in_indonesia: bool = True
    halal_certificate_number: str = ""
    wholesale_tiers: list[TierOut] = []


class ProductChangeIn(Schema):
    base_version: int | None = Field(
        None, description="The version you edited; refused with 409 if the product changed since"
    )
    title: str | None = None
    description: str | None = None
    category: str | None = None
    price_idr: int | None = None
    unit: str | None = None
    weight_grams: int | None = None
    stock: int | None = None
    is_active: bool | None = None


class RestockIn(Schema):
    quantity: int = Field(description="Units to add (negative to write off)")


class StoreFilter(Schema):
    province: str | None = Field(None, description="Two-digit province code, e.g. 53")
    limit: int = Field(50, ge=1, le=PAGE_LIMIT)
    offset: int = offset_field()


class ProductFilter(Schema):
    category: str | None = None
    limit: int = Field(50, ge=1, le=PAGE_LIMIT)
    offset: int = offset_field()


# --- orders -------------------------------------------------------------------------------------


class ItemIn(Schema):
    product: str = Field(description="The product's public id")
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class OrderIn(Schema):
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_LINES)
    buyer_name: str = Field(max_length=100)
    buyer_phone: str = Field(max_length=30, description="Indonesian number; stored encrypted")
    village_code: str = Field(description="Kemendagri village code, e.g. 32.04.12.2002")
    delivery: str = Field(description='"pickup", "courier" or "local:<zone id>"')
    payment_method: str = Field(description="qris, provider, transfer or cod")
    address: str = Field("", max_length=300)
    note: str = Field("", max_length=300)


class LineOut(Schema):
    product: str
    title: str
    quantity: int
    unit_price_idr: int
    line_total_idr: int


class OrderOut(Schema):
    code: str
    store: str
    status: str
    payment_method: str
    payment_status: str
    delivery_method: str
    lines: list[LineOut]
    subtotal_idr: int
    delivery_fee_idr: int
    total_idr: int
    payment_suffix_idr: int
    amount_due_idr: int
    qris: str = Field("", description="The amount-bearing QRIS to pay, while awaiting payment")
    buyer_phone_masked: str
    url: str
    created_at: datetime.datetime

    @staticmethod
    def from_order(order: Order) -> "OrderOut":
        payment = getattr(order, "payment", None)
        awaiting = order.status == Order.Status.AWAITING_PAYMENT
        return OrderOut(
            code=order.code,
            store=order.store.slug,
            status=order.status,
            payment_method=order.payment_method,
            payment_status=payment.status if payment else "",
            delivery_method=order.delivery_method,
            lines=[
                LineOut(
                    product=line.product.public_id,
                    title=line.title,
                    quantity=line.quantity,
                    unit_price_idr=line.unit_price_idr,
                    line_total_idr=line.line_total_idr,
                )
                for line in order.lines.all()
            ],
            subtotal_idr=order.subtotal_idr,
            delivery_fee_idr=order.delivery_fee_idr,
            total_idr=order.total_idr,
            payment_suffix_idr=order.payment_suffix_idr,
            amount_due_idr=order.amount_due_idr,
            qris=payment.qr_string if payment and awaiting else "",
            buyer_phone_masked=order.buyer_phone_masked,
            url=order.get_absolute_url(),
            created_at=order.created_at,
        )


class SellerOrderOut(OrderOut):
    buyer_name: str
    address: str
    village_code: str
    note: str
    allowed_next: list[str]


class StatusIn(Schema):
    to: str = Field(description="The next status, e.g. confirmed, paid, packed, shipped…")
    note: str = Field("", max_length=300)


class SellerOrderFilter(Schema):
    status: str | None = None
    limit: int = Field(50, ge=1, le=100)
    offset: int = offset_field()


class NotificationOut(Schema):
    order: str
    status: str
    changed: bool
