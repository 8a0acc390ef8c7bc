"""Stores API: live stores and their products, orders, payment notifications, and the seller's
own products and orders; mounted under ``/api/v1/stores/``.

The public endpoints need no authentication and expose what a storefront shows: no phone
number (the storefront builds the WhatsApp link itself), no bank account; an order read by its
code shows the buyer's phone masked. Placing an order is for guests, with an ``Idempotency-Key``
header to make retries safe, at most ``TUMBUH_ORDER_RATE_PER_MINUTE`` a minute from one address
(``stores.ratelimit``: 429 beyond). The seller endpoints are for a signed-in owner or BumDes
manager and reach only the stores (and their orders) of the businesses they run; a store,
product or order of another seller answers 404, as if it did not exist.

Every error answers the API's one error body (``core.errors.ErrorOut``), declared for each
status an operation can answer; a refusal by a service carries its ``reason`` from
``stores.error_codes`` (422, or 409 when the product changed meanwhile).
"""

import json
import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.errors import HttpError

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import User
from tumbuh.core.errors import ErrorCode, ErrorOut, refusal_body
from tumbuh.core.refusals import Refused
from tumbuh.core.region_filter import region_q
from tumbuh.stores import queries, ratelimit
from tumbuh.stores.error_codes import StoresError
from tumbuh.stores.gateway import GatewayError
from tumbuh.stores.models import Order, Store
from tumbuh.stores.schemas import (
    NotificationOut,
    OrderIn,
    OrderOut,
    ProductChangeIn,
    ProductFilter,
    ProductIn,
    ProductOut,
    RestockIn,
    SellerOrderFilter,
    SellerOrderOut,
    SellerProductOut,
    StatusIn,
    StoreFilter,
    StoreOut,
    StorePage,
)
from tumbuh.stores.services import orders as order_services
from tumbuh.stores.services import shop

logger = logging.getLogger(__name__)

router = Router(tags=["stores"], auth=api_auth)

# The order endpoints keep the tags and operation ids they were published with (they were a
# second router, ``tumbuh.stores.api_orders``, until the two were made one).
ORDERS_TAGS = ["stores", "stores orders"]
ORDERS_OPERATION = "tumbuh_stores_api_orders_"


def _seller(request) -> User:
    if not isinstance(request.auth, User):
        raise PermissionDenied("Seller endpoints are for a signed-in store owner.")
    return request.auth


# --- the seller's products ----------------------------------------------------------------------

# Seller routes come first: "/seller/..." must not be read as a store called "seller".


@router.get(
    "/seller/products",
    response={200: list[SellerProductOut], 401: ErrorOut, 403: ErrorOut},
    summary="Your products",
)
def seller_products(request):
    user = _seller(request)
    return [SellerProductOut.from_product(p) for p in queries.seller_products(user)]


@router.post(
    "/seller/products",
    response={201: SellerProductOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a product to your store",
)
def seller_create_product(request, payload: ProductIn):
    user = _seller(request)
    store = queries.stores_of(user).filter(slug=payload.store).first()
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
    return Status(
        201, SellerProductOut.from_product(queries.seller_products(user).get(pk=product.pk))
    )


@router.patch(
    "/seller/products/{product_id}",
    response={
        200: SellerProductOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Change a product (price, stock…)",
)
def seller_update_product(request, product_id: str, payload: ProductChangeIn):
    user = _seller(request)
    product = get_object_or_404(queries.seller_products(user), public_id=product_id)
    changes = payload.dict(exclude_unset=True)
    base_version = changes.pop("base_version", None)
    try:
        shop.update_product(product=product, by=user, base_version=base_version, **changes)
    except Refused as error:
        if error.reason == StoresError.VERSION_CONFLICT:
            # the body the API's handlers give a refusal (no empty field), with status 409
            return JsonResponse(refusal_body(error, ErrorCode.CONFLICT), status=409)
        raise
    return SellerProductOut.from_product(queries.seller_products(user).get(pk=product.pk))


@router.post(
    "/seller/products/{product_id}/restock",
    response={200: SellerProductOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add stock to a product",
)
def seller_restock(request, product_id: str, payload: RestockIn):
    user = _seller(request)
    product = get_object_or_404(queries.seller_products(user), public_id=product_id)
    shop.restock(product=product, quantity=payload.quantity, by=user)
    return SellerProductOut.from_product(queries.seller_products(user).get(pk=product.pk))


# --- live stores and their products (public) ----------------------------------------------------


@router.get("/", response={200: StorePage, 422: ErrorOut}, auth=None, summary="Live stores")
def list_stores(request, filters: Query[StoreFilter]):
    stores = queries.live_stores().filter(region_q("village__code", filters.province))
    stores = stores.order_by("-went_live_at", "pk")
    page = stores[filters.offset : filters.offset + filters.limit]
    return {"count": stores.count(), "results": [StoreOut.from_store(s) for s in page]}


@router.get("/{slug}", response={200: StoreOut, 404: ErrorOut}, auth=None, summary="One live store")
def store_detail(request, slug: str):
    store = get_object_or_404(queries.live_stores(), slug=slug)
    return StoreOut.from_store(store)


@router.get(
    "/{slug}/products",
    response={200: list[ProductOut], 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="Products of a live store",
)
def store_products(request, slug: str, filters: Query[ProductFilter]):
    store = get_object_or_404(Store.objects.live(), slug=slug)
    products = (
        queries.products_on_sale(store)
        .select_related("producer")
        .prefetch_related("wholesale_tiers")
    )
    if filters.category:
        products = products.filter(category=filters.category)
    page = list(products[filters.offset : filters.offset + filters.limit])
    for product in page:
        product.store = store
    return [ProductOut.from_product(p) for p in page]


# --- the seller's orders ------------------------------------------------------------------------


def _seller_out(order: Order) -> SellerOrderOut:
    base = OrderOut.from_order(order).dict()
    return SellerOrderOut(
        **base,
        buyer_name=order.buyer_name,
        address=order.address,
        village_code=order.village_id,
        note=order.note,
        allowed_next=order.allowed_next(),
    )


def _seller_order(request, code) -> Order:
    try:
        return queries.seller_order(_seller(request), code.upper()[:12])
    except PermissionDenied:
        raise Http404("No such order in your stores.") from None


# Seller routes first: "/seller/orders" must not be read as the orders of a store called "seller".


@router.get(
    "/seller/orders",
    response={200: list[SellerOrderOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Orders of your stores",
    tags=ORDERS_TAGS,
    operation_id=ORDERS_OPERATION + "seller_orders",
)
def seller_orders(request, filters: Query[SellerOrderFilter]):
    orders = (
        queries.orders_for_seller(_seller(request))
        .select_related("payment")
        .prefetch_related("lines__product")
    )
    if filters.status:
        orders = orders.filter(status=filters.status)
    page = orders.order_by("-created_at", "-pk")[filters.offset : filters.offset + filters.limit]
    return [_seller_out(order) for order in page]


@router.get(
    "/seller/orders/{code}",
    response={200: SellerOrderOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One order of your stores",
    tags=ORDERS_TAGS,
    operation_id=ORDERS_OPERATION + "seller_order",
)
def seller_order(request, code: str):
    return _seller_out(_seller_order(request, code))


@router.post(
    "/seller/orders/{code}/status",
    response={200: SellerOrderOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Move an order on (confirm, paid for QRIS/transfer, packed, shipped…)",
    tags=ORDERS_TAGS,
    operation_id=ORDERS_OPERATION + "seller_order_status",
)
def seller_order_status(request, code: str, payload: StatusIn):
    user = _seller(request)
    order = _seller_order(request, code)
    if payload.to == "paid":
        order_services.confirm_receipt(order=order, by=user)
    else:
        order_services.seller_transition(order=order, to=payload.to, by=user, note=payload.note)
    return _seller_out(_seller_order(request, code))


# --- orders: payment notifications, status by code, placing (public) ----------------------------


@router.post(
    "/payments/notifications",
    response={200: NotificationOut, 400: ErrorOut, 404: ErrorOut},
    auth=None,
    summary="Payment provider notification (signed; the status is re-queried)",
    tags=ORDERS_TAGS,
    operation_id=ORDERS_OPERATION + "payment_notification",
)
def payment_notification(request):
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "The notification is not JSON.") from None
    try:
        result = order_services.handle_notification(body)
    except GatewayError as error:
        status = 404 if error.code == "order.unknown" else 400
        raise HttpError(status, error.reason) from None
    return NotificationOut(
        order=result.order.code, status=result.order.status, changed=result.changed
    )


@router.get(
    "/orders/{code}",
    response={200: OrderOut, 404: ErrorOut},
    auth=None,
    summary="An order's status by its code",
    tags=ORDERS_TAGS,
    operation_id=ORDERS_OPERATION + "order_status",
)
def order_status(request, code: str):
    order = get_object_or_404(
        Order.objects.select_related("store", "payment").prefetch_related("lines__product"),
        code=code.upper()[:12],
    )
    return OrderOut.from_order(order)


@router.post(
    "/{slug}/orders",
    response={200: OrderOut, 201: OrderOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Place an order (send an Idempotency-Key header to make retries safe)",
    description=(
        "At most TUMBUH_ORDER_RATE_PER_MINUTE orders (default 10) per client address per minute: "
        "more answer 429 (code rate_limited, reason too_many_orders) with a Retry-After header "
        "in seconds, and place nothing."
    ),
    tags=ORDERS_TAGS,
    operation_id=ORDERS_OPERATION + "place_order",
)
def place_order(request, slug: str, payload: OrderIn):
    try:
        ratelimit.check_order_rate(request)
    except ratelimit.TooManyOrders as error:
        response = JsonResponse(refusal_body(error, ErrorCode.RATE_LIMITED), status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    store = get_object_or_404(Store.objects.live(), slug=slug)
    data = payload.dict()
    kwargs = {
        "items": [order_services.Item(**item) for item in data["items"]],
        "buyer_name": payload.buyer_name,
        "buyer_phone": payload.buyer_phone,
        "village_code": payload.village_code,
        "delivery": payload.delivery,
        "payment_method": payload.payment_method,
        "address": payload.address,
        "note": payload.note,
    }
    key = request.headers.get("Idempotency-Key")
    if key is None:
        order, created = order_services.place_order(store=store, channel="api", **kwargs), True
    else:
        order, created = order_services.place_order_once(key=key, store=store, data=data, **kwargs)
    order = Order.objects.select_related("store", "payment").get(pk=order.pk)
    return Status(201 if created else 200, OrderOut.from_order(order))
