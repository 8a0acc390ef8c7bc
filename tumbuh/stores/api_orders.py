"""Stores API, orders part: place an order (guest, with ``Idempotency-Key``), read it by its
code, the payment provider's notifications, and the seller's order endpoints.

Mounted under ``/api/v1/stores/`` by ``tumbuh.stores.api``. Public answers hold no personal
data beyond the masked phone; the seller endpoints reach only the orders of the stores the
caller runs (another seller's order answers 404, as if it did not exist).
"""

import datetime
import json
import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import User
from tumbuh.stores.gateway import GatewayError
from tumbuh.stores.models import Order, Store
from tumbuh.stores.services import orders as order_services

logger = logging.getLogger(__name__)

router = Router(tags=["stores orders"], auth=api_auth)


class ItemIn(Schema):
    product: str = Field(description="The product's public id")
    quantity: int = Field(ge=1, le=order_services.MAX_QUANTITY)


class OrderIn(Schema):
    items: list[ItemIn] = Field(min_length=1, max_length=order_services.MAX_LINES)
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


class StatusIn(Schema):
    to: str = Field(description="The next status, e.g. confirmed, paid, packed, shipped…")
    note: str = Field("", max_length=300)


class SellerOrderFilter(Schema):
    status: str | None = None
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0)


class NotificationOut(Schema):
    order: str
    status: str
    changed: bool


def _seller(request) -> User:
    if not isinstance(request.auth, User):
        raise PermissionDenied("Seller endpoints are for a signed-in store owner.")
    return request.auth


# Seller routes first: "/seller/orders" must not be read as the orders of a store called "seller".


@router.get("/seller/orders", response=list[SellerOrderOut], summary="Orders of your stores")
def seller_orders(request, filters: Query[SellerOrderFilter]):
    orders = (
        order_services.orders_for_seller(_seller(request))
        .select_related("payment")
        .prefetch_related("lines__product")
    )
    if filters.status:
        orders = orders.filter(status=filters.status)
    page = orders.order_by("-created_at", "-pk")[filters.offset : filters.offset + filters.limit]
    return [_seller_out(order) for order in page]


def _seller_order(request, code) -> Order:
    try:
        return order_services.seller_order(_seller(request), code.upper()[:12])
    except PermissionDenied:
        raise Http404("No such order in your stores.") from None


@router.get("/seller/orders/{code}", response=SellerOrderOut, summary="One order of your stores")
def seller_order(request, code: str):
    return _seller_out(_seller_order(request, code))


@router.post(
    "/seller/orders/{code}/status",
    response=SellerOrderOut,
    summary="Move an order on (confirm, paid for QRIS/transfer, packed, shipped…)",
)
def seller_order_status(request, code: str, payload: StatusIn):
    user = _seller(request)
    order = _seller_order(request, code)
    if payload.to == "paid":
        order_services.confirm_receipt(order=order, by=user)
    else:
        order_services.seller_transition(order=order, to=payload.to, by=user, note=payload.note)
    return _seller_out(_seller_order(request, code))


@router.post(
    "/payments/notifications",
    response=NotificationOut,
    auth=None,
    summary="Payment provider notification (signed; the status is re-queried)",
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


@router.get("/orders/{code}", response=OrderOut, auth=None, summary="An order's status by its code")
def order_status(request, code: str):
    order = get_object_or_404(
        Order.objects.select_related("store", "payment").prefetch_related("lines__product"),
        code=code.upper()[:12],
    )
    return OrderOut.from_order(order)


@router.post(
    "/{slug}/orders",
    response={200: OrderOut, 201: OrderOut},
    auth=None,
    summary="Place an order (send an Idempotency-Key header to make retries safe)",
)
def place_order(request, slug: str, payload: OrderIn):
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
        try:
            order, created = order_services.place_order_once(
                key=key, store=store, data=data, **kwargs
            )
        except order_services.IdempotencyConflict as error:
            raise HttpError(422, " ".join(error.messages)) from None
    order = Order.objects.select_related("store", "payment").get(pk=order.pk)
    return Status(201 if created else 200, OrderOut.from_order(order))
