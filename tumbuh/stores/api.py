"""Stores API: live stores and their products (public), and the seller's own products.

The public endpoints need no authentication and expose what a storefront shows: no phone
number (the storefront builds the WhatsApp link itself), no bank account. The seller endpoints
are for a signed-in owner or BumDes manager and reach only the stores of the businesses they
run; a store or product of another seller answers 404, as if it did not exist.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import User
from tumbuh.stores.models import Product, Store, WholesaleTier
from tumbuh.stores.services import shop

router = Router(tags=["stores"], auth=api_auth)

PAGE_LIMIT = 100


# --- schemas (outputs list exactly what they expose) -------------------------------------------


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


# --- public -------------------------------------------------------------------------------------


def _seller(request) -> User:
    if not isinstance(request.auth, User):
        raise PermissionDenied("Seller endpoints are for a signed-in store owner.")
    return request.auth


def _seller_products(user):
    stores = shop.stores_of(user)
    return (
        Product.objects.filter(store__in=stores)
        .select_related("store", "producer")
        .prefetch_related(Prefetch("wholesale_tiers", queryset=WholesaleTier.objects.all()))
        .order_by("store__slug", "title", "pk")
    )


# Seller routes come first: "/seller/..." must not be read as a store called "seller".


@router.get("/seller/products", response=list[SellerProductOut], summary="Your products")
def seller_products(request):
    user = _seller(request)
    return [SellerProductOut.from_product(p) for p in _seller_products(user)]


@router.post(
    "/seller/products", response={201: SellerProductOut}, summary="Add a product to your store"
)
def seller_create_product(request, payload: ProductIn):
    user = _seller(request)
    store = shop.stores_of(user).filter(slug=payload.store).first()
    if store is None:
        raise Http404("No store of yours has this slug.")
    product = shop.create_product(
        store=store,
        title=payload.title,
        price_idr=payload.price_idr,
        stock=payload.stock,
        category=payload.category,
        description=payload.description,
        unit=payload.unit,
        weight_grams=payload.weight_grams,
        made_in_indonesia=payload.made_in_indonesia,
        halal_certificate_number=payload.halal_certificate_number,
        tiers=[shop.Tier(t.min_quantity, t.price_idr) for t in payload.wholesale_tiers],
        by=user,
    )
    return Status(201, SellerProductOut.from_product(_seller_products(user).get(pk=product.pk)))


@router.patch(
    "/seller/products/{product_id}",
    response=SellerProductOut,
    summary="Change a product (price, stock…)",
)
def seller_update_product(request, product_id: str, payload: ProductChangeIn):
    user = _seller(request)
    product = get_object_or_404(_seller_products(user), public_id=product_id)
    changes = payload.dict(exclude_unset=True)
    base_version = changes.pop("base_version", None)
    try:
        shop.update_product(product=product, by=user, base_version=base_version, **changes)
    except ValidationError as error:
        if error.code == "version_conflict":
            raise HttpError(409, " ".join(error.messages)) from None
        raise
    return SellerProductOut.from_product(_seller_products(user).get(pk=product.pk))


@router.post(
    "/seller/products/{product_id}/restock",
    response=SellerProductOut,
    summary="Add stock to a product",
)
def seller_restock(request, product_id: str, payload: RestockIn):
    user = _seller(request)
    product = get_object_or_404(_seller_products(user), public_id=product_id)
    shop.restock(product=product, quantity=payload.quantity, by=user)
    return SellerProductOut.from_product(_seller_products(user).get(pk=product.pk))


class StoreFilter(Schema):
    province: str | None = Field(None, description="Two-digit province code, e.g. 53")
    limit: int = Field(50, ge=1, le=PAGE_LIMIT)
    offset: int = Field(0, ge=0)


@router.get("/", response=StorePage, auth=None, summary="Live stores")
def list_stores(request, filters: Query[StoreFilter]):
    stores = Store.objects.live().select_related("enterprise", "village__regency")
    if filters.province:
        stores = stores.filter(village__code__startswith=filters.province + ".")
    stores = stores.order_by("-went_live_at", "pk")
    page = stores[filters.offset : filters.offset + filters.limit]
    return {"count": stores.count(), "results": [StoreOut.from_store(s) for s in page]}


@router.get("/{slug}", response=StoreOut, auth=None, summary="One live store")
def store_detail(request, slug: str):
    store = get_object_or_404(
        Store.objects.live().select_related("enterprise", "village__regency"), slug=slug
    )
    return StoreOut.from_store(store)


class ProductFilter(Schema):
    category: str | None = None
    limit: int = Field(50, ge=1, le=PAGE_LIMIT)
    offset: int = Field(0, ge=0)


@router.get(
    "/{slug}/products", response=list[ProductOut], auth=None, summary="Products of a live store"
)
def store_products(request, slug: str, filters: Query[ProductFilter]):
    store = get_object_or_404(Store.objects.live(), slug=slug)
    products = (
        store.products.filter(is_active=True)
        .select_related("producer")
        .prefetch_related("wholesale_tiers")
        .order_by("title", "pk")
    )
    if filters.category:
        products = products.filter(category=filters.category)
    page = list(products[filters.offset : filters.offset + filters.limit])
    for product in page:
        product.store = store
    return [ProductOut.from_product(p) for p in page]


# The orders part of the API (tumbuh/stores/api_orders.py), under the same prefix.
from tumbuh.stores.api_orders import router as orders_router  # noqa: E402

router.add_router("", orders_router)
