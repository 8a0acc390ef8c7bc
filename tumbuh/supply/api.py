"""Supply API: wholesale offers, requests for supply, supply links and B2B orders with their
documents; mounted under ``/api/v1/supply/``.

Who may call: a person signed in (the session cookie, with its CSRF token on changes) who acts for
a business (its owner, a BumDes's manager: ``registry.enterprises_of``), as the stores' seller
endpoints do. A partner's API key acts for an organisation, not for a business, so it is answered
403. A caller sees and acts only for the businesses it acts for (``supply.services.common
.acts_for``): a business, order, request or link of anyone else answers 404, as if it did not
exist. Open offers are the market: any signed-in person who acts for a business may read them.

Every change calls one service of ``supply.services``. A refusal answers the API's one error body
(``core.errors.ErrorOut``) with its ``reason`` from ``supply.error_codes``: 422, or 409 when the
order, delivery or invoice is no longer in the state the step needs (``order_transition``,
``not_enough_stock``, ``already_signed``, ``invoice_paid``, and an ``Idempotency-Key`` reused with
another body), and 403 when the caller acts for the other side of the order
(``not_your_business``: a buyer cannot quote).

Creating an order is idempotent with an ``Idempotency-Key`` header (8 to 100 characters): the same
key and body answer the first order again (200 instead of 201) and ask for nothing twice.

The handover record (BAST) is signed with the receiver's name and, optionally, a photo sent in the
JSON body as base64 (``photo_base64``, at most 1 MiB of JPEG, PNG or WebP once decoded): it is
decoded, re-encoded without its metadata and kept in private storage; the API never answers it
back, only ``has_photo``.

No output carries a phone number, a NIK or a person's account: businesses appear by public id,
name, kind and village.
"""

import base64
import binascii
import functools

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from tumbuh.accounts.auth import api_auth
from tumbuh.accounts.models import User
from tumbuh.core import keyset
from tumbuh.core.errors import ErrorCode, ErrorOut, refusal_body
from tumbuh.core.refusals import Refused
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of
from tumbuh.supply import queries
from tumbuh.supply.error_codes import SupplyError
from tumbuh.supply.models import (
    DeliveryNote,
    Invoice,
    Offer,
    SupplyLink,
    SupplyOrder,
    SupplyRequest,
)
from tumbuh.supply.schemas import (
    MAX_PHOTO_BYTES,
    BusinessFilter,
    DeliveryIn,
    DeliveryNoteOut,
    EventOut,
    HandoverIn,
    InvoiceOut,
    LinkIn,
    LinkOut,
    MatchOut,
    OfferFilter,
    OfferIn,
    OfferNearOut,
    OfferOut,
    OfferRestockIn,
    OrderFilter,
    OrderPage,
    OrderSummaryOut,
    PaymentIn,
    QuoteIn,
    ReasonIn,
    RequestDetailOut,
    RequestIn,
    RequestOut,
    SupplyLineOut,
    SupplyOrderIn,
    SupplyOrderOut,
)
from tumbuh.supply.services import links, market, orders
from tumbuh.supply.services.common import acts_for, is_system

router = Router(tags=["supply"], auth=api_auth)

# Refusals that say the thing changed state (or is taken) rather than that the input is wrong.
CONFLICTS = frozenset(
    {
        SupplyError.ORDER_TRANSITION,
        SupplyError.NOT_ENOUGH_STOCK,
        SupplyError.ALREADY_SIGNED,
        SupplyError.INVOICE_PAID,
        "idempotency_key_reused",
    }
)
ORDER_ORDERING = ("-created_at", "-pk")

# The answers every operation that reads may give, and those of every change.
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
CHANGE = {**READ, 422: ErrorOut}
STEP = {**CHANGE, 409: ErrorOut}


def answers_refusals(view):
    """A service's refusal as the operation's answer: 409 for a conflict (``CONFLICTS``), 403 for
    a step of the other side (``not_your_business``); any other goes on to the API's handler
    (422)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as error:
            # The body the API's handlers give a refusal (no empty field), with its own status.
            if error.reason in CONFLICTS:
                return JsonResponse(refusal_body(error, ErrorCode.CONFLICT), status=409)
            if error.reason == SupplyError.NOT_YOUR_BUSINESS:
                return JsonResponse(refusal_body(error, ErrorCode.FORBIDDEN), status=403)
            raise

    return wrapper


def _person(request) -> User:
    if not isinstance(request.auth, User):
        raise PermissionDenied(
            "The supply endpoints are for a signed-in person who acts for a business."
        )
    return request.auth


def _own_business(user: User, public_id: str) -> Enterprise:
    """The business ``public_id`` if ``user`` acts for it; 404 otherwise."""
    enterprise = queries.business_for(user, public_id) if public_id else None
    if enterprise is None:
        raise Http404(f"No business {public_id!r} of yours.")
    return enterprise


def _any_business(public_id: str) -> Enterprise:
    """Any registry business by its public id (the other side of a link); 404 when unknown."""
    enterprise = (
        Enterprise.objects.select_related("village").filter(public_id=public_id).first()
        if public_id
        else None
    )
    if enterprise is None:
        raise Http404(f"No business {public_id!r}.")
    return enterprise


def _acts_for_any(user: User) -> bool:
    return is_system(user) or bool(enterprises_of(user))


# --- offers -------------------------------------------------------------------------------------

_OFFER_PLACE = ("supplier__village",)


def _offer(user: User, public_id: str, *, own: bool) -> Offer:
    """An offer ``user`` may see (``own``: one of a business it acts for); 404 otherwise."""
    offer = (
        Offer.objects.select_related(*_OFFER_PLACE)
        .prefetch_related("tiers")
        .filter(public_id=public_id)
        .first()
    )
    if offer is not None:
        if acts_for(user, offer.supplier):
            return offer
        if not own and offer.status == Offer.Status.OPEN and _acts_for_any(user):
            return offer
    raise Http404(f"No offer {public_id!r} you can see.")


def _offer_out(offer_id: int) -> dict:
    offer = Offer.objects.select_related(*_OFFER_PLACE).prefetch_related("tiers").get(pk=offer_id)
    return OfferOut.from_offer(offer)


@router.get(
    "/offers",
    response={200: list[OfferNearOut], **CHANGE},
    summary="Open offers near a business of yours, or your business's own offers",
)
@answers_refusals
def offer_list(request, filters: Query[OfferFilter]):
    """Give ``near`` (open offers in its priority area or within the matching distance, of the
    commodity asked, nearest first) or ``supplier`` (its own offers, open and closed, newest
    first, with ``distance_km`` null)."""
    user = _person(request)
    if bool(filters.near) == bool(filters.supplier):
        raise Refused(
            SupplyError.FIELD_REQUIRED,
            _("Give either near or supplier: the public id of a business you act for."),
            field="near",
        )
    if filters.supplier:
        supplier = _own_business(user, filters.supplier)
        found = queries.offers_of(supplier).select_related(*_OFFER_PLACE)[: filters.limit]
        return [{**OfferOut.from_offer(offer), "distance_km": None} for offer in found]
    buyer = _own_business(user, filters.near)
    near = queries.offers_near(
        buyer, commodity=filters.q, commodity_kbli=filters.kbli.strip(), limit=filters.limit
    )
    return [
        {**OfferOut.from_offer(offer), "distance_km": None if km is None else round(km, 1)}
        for offer, km in near
    ]


@router.post("/offers", response={201: OfferOut, **CHANGE}, summary="Publish a wholesale offer")
@answers_refusals
def offer_publish(request, payload: OfferIn):
    """The offer is matched against the open requests around it; both sides are told."""
    user = _person(request)
    supplier = _own_business(user, payload.supplier)
    offer = market.publish_offer(
        supplier=supplier,
        commodity=payload.commodity,
        commodity_kbli=payload.commodity_kbli,
        unit=payload.unit,
        min_order_quantity=payload.min_order_quantity,
        tiers=[(tier.min_quantity, tier.price_idr) for tier in payload.tiers],
        available_quantity=payload.available_quantity,
        description=payload.description,
        capacity_per_week=payload.capacity_per_week,
        lead_time_days=payload.lead_time_days,
        by=user,
    )
    return Status(201, _offer_out(offer.pk))


@router.get("/offers/{public_id}", response={200: OfferOut, **READ}, summary="One offer")
def offer_detail(request, public_id: str):
    """An open offer, or any offer of a business you act for."""
    return OfferOut.from_offer(_offer(_person(request), public_id, own=False))


@router.post(
    "/offers/{public_id}/restock",
    response={200: OfferOut, **CHANGE},
    summary="Add to the quantity available of your offer",
)
@answers_refusals
def offer_restock(request, public_id: str, payload: OfferRestockIn):
    user = _person(request)
    offer = market.restock_offer(offer=_offer(user, public_id, own=True), add=payload.add, by=user)
    return _offer_out(offer.pk)


@router.post(
    "/offers/{public_id}/close",
    response={200: OfferOut, **READ},
    summary="Take your offer off the market (orders placed go on)",
)
@answers_refusals
def offer_close(request, public_id: str):
    user = _person(request)
    offer = market.close_offer(offer=_offer(user, public_id, own=True), by=user)
    return _offer_out(offer.pk)


# --- requests for supply ------------------------------------------------------------------------


def _request_out(request: SupplyRequest) -> dict:
    return RequestOut.from_request(request)


@router.get(
    "/requests",
    response={200: list[RequestOut], **CHANGE},
    summary="The requests for supply of a business of yours",
)
def request_list(request, filters: Query[BusinessFilter]):
    buyer = _own_business(_person(request), filters.business)
    found = queries.requests_of(buyer).select_related("buyer__village")
    return [_request_out(r) for r in found[filters.offset : filters.offset + filters.limit]]


@router.post(
    "/requests", response={201: RequestOut, **CHANGE}, summary="Publish a request for supply"
)
@answers_refusals
def request_publish(request, payload: RequestIn):
    """The request is matched against the open offers around it; both sides are told."""
    user = _person(request)
    buyer = _own_business(user, payload.buyer)
    published = market.publish_request(
        buyer=buyer,
        commodity=payload.commodity,
        commodity_kbli=payload.commodity_kbli,
        unit=payload.unit,
        quantity=payload.quantity,
        period=payload.period,
        starts_on=payload.starts_on,
        max_price_idr=payload.max_price_idr,
        note=payload.note,
        by=user,
    )
    published = SupplyRequest.objects.select_related("buyer__village").get(pk=published.pk)
    return Status(201, _request_out(published))


@router.get(
    "/requests/{public_id}",
    response={200: RequestDetailOut, **READ},
    summary="A request for supply with its matches",
)
def request_detail(request, public_id: str):
    """The buyer's people see every match; a supplier matched with it sees its own matches."""
    user = _person(request)
    found = (
        SupplyRequest.objects.select_related("buyer__village").filter(public_id=public_id).first()
    )
    if found is None:
        raise Http404(f"No request {public_id!r} you can see.")
    matches = found.matches.select_related("offer__supplier__village", "area").order_by(
        "distance_km", "pk"
    )
    if not acts_for(user, found.buyer):
        own = {enterprise.pk for enterprise in enterprises_of(user)}
        mine = [m for m in matches if m.offer.supplier_id in own]
        if not mine:
            raise Http404(f"No request {public_id!r} you can see.")
        matches = mine
    return {**_request_out(found), "matches": [MatchOut.from_match(m) for m in matches]}


# --- supply links -------------------------------------------------------------------------------

_LINK_PLACE = ("supplier__village", "buyer__village")


@router.get(
    "/links",
    response={200: list[LinkOut], **CHANGE},
    summary="The suppliers and buyers of a business of yours",
)
def link_list(request, filters: Query[BusinessFilter]):
    business = _own_business(_person(request), filters.business)
    found = (
        SupplyLink.objects.filter(Q(supplier=business) | Q(buyer=business))
        .select_related(*_LINK_PLACE)
        .order_by("pk")
    )
    return [
        LinkOut.from_link(link) for link in found[filters.offset : filters.offset + filters.limit]
    ]


@router.post(
    "/links",
    response={200: LinkOut, **CHANGE},
    summary="Declare that a business of yours supplies, or buys from, another",
)
@answers_refusals
def link_declare(request, payload: LinkIn):
    """Declared by one side; when the other side had declared the same link, it is confirmed.
    Answers the link as it now stands (a link only grows stronger)."""
    user = _person(request)
    if payload.side == "supplier":
        supplier = _own_business(user, payload.supplier)
        buyer = _any_business(payload.buyer)
    else:
        buyer = _own_business(user, payload.buyer)
        supplier = _any_business(payload.supplier)
    link = links.declare_link(
        supplier=supplier,
        buyer=buyer,
        commodity=payload.commodity,
        commodity_kbli=payload.commodity_kbli,
        unit=payload.unit,
        usual_volume=payload.usual_volume,
        period=payload.period,
        side=supplier if payload.side == "supplier" else buyer,
        by=user,
    )
    return LinkOut.from_link(SupplyLink.objects.select_related(*_LINK_PLACE).get(pk=link.pk))


@router.post(
    "/links/{link_id}/confirm",
    response={200: LinkOut, **CHANGE},
    summary="Confirm a link the other side declared",
)
@answers_refusals
def link_confirm(request, link_id: int):
    """Only the side that did not declare it may confirm it (403 ``not_your_business`` for the
    side that did); a link already stronger than declared is answered as it is."""
    user = _person(request)
    link = SupplyLink.objects.select_related(*_LINK_PLACE).filter(pk=link_id).first()
    if link is None or not (acts_for(user, link.supplier) or acts_for(user, link.buyer)):
        raise Http404(f"No link {link_id} of yours.")
    links.confirm_link(link=link, by=user)
    return LinkOut.from_link(SupplyLink.objects.select_related(*_LINK_PLACE).get(pk=link.pk))


# --- B2B orders ---------------------------------------------------------------------------------


def _order(user: User, code: str) -> SupplyOrder:
    order = queries.order_for(user, code.strip().upper()[:12])
    if order is None:
        raise Http404(f"No order {code!r} of yours.")
    return order


def _order_out(user: User, order: SupplyOrder) -> dict:
    order = (
        SupplyOrder.objects.select_related("supplier__village", "buyer__village", "request")
        .prefetch_related("lines__offer", "events", "delivery_notes__lines", "invoices")
        .get(pk=order.pk)
    )
    return {
        **OrderSummaryOut.from_order(order),
        "your_side": orders.side_of(user, order),
        "request": order.request.public_id if order.request_id else None,
        "delivery_address": order.delivery_address,
        "note": order.note,
        "subtotal_idr": order.subtotal_idr,
        "delivery_fee_idr": order.delivery_fee_idr,
        "quoted_at": order.quoted_at,
        "ordered_at": order.ordered_at,
        "delivered_at": order.delivered_at,
        "completed_at": order.completed_at,
        "closed_at": order.closed_at,
        "allowed_next": order.allowed_next(),
        "lines": [SupplyLineOut.from_line(line) for line in order.lines.all()],
        "events": [EventOut.from_event(event) for event in order.events.all()],
        "delivery_notes": [DeliveryNoteOut.from_note(note) for note in order.delivery_notes.all()],
        "invoices": [InvoiceOut.from_invoice(invoice) for invoice in order.invoices.all()],
    }


@router.get(
    "/orders",
    response={200: OrderPage, **CHANGE},
    summary="The B2B orders of a business of yours, newest first",
)
def order_list(request, filters: Query[OrderFilter]):
    """Paged by cursor: ``next_cursor`` of a page gives the next one (a cursor of another list
    is refused with 422, reason ``bad_cursor``)."""
    business = _own_business(_person(request), filters.business)
    found = SupplyOrder.objects.select_related("supplier__village", "buyer__village")
    if filters.role == "buyer":
        found = found.filter(buyer=business)
    elif filters.role == "supplier":
        found = found.filter(supplier=business)
    else:
        found = found.filter(Q(supplier=business) | Q(buyer=business))
    if filters.status:
        found = found.filter(status=filters.status)
    page = keyset.keyset_page(
        found, ordering=ORDER_ORDERING, cursor=filters.cursor, size=filters.limit
    )
    return {
        "items": [OrderSummaryOut.from_order(order) for order in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/orders",
    response={201: SupplyOrderOut, 200: SupplyOrderOut, **STEP},
    summary="Ask a supplier for a quotation (send an Idempotency-Key header to make retries safe)",
)
@answers_refusals
def order_create(
    request, payload: SupplyOrderIn, idempotency_key: str = Header("", alias="Idempotency-Key")
):
    """The order starts as ``requested``, its lines priced from the offers' tiers until the
    supplier quotes. With an ``Idempotency-Key`` (8 to 100 characters) the same key and body
    answer the first order again with 200; the same key with another body is refused with 409
    (reason ``idempotency_key_reused``)."""
    user = _person(request)
    buyer = _own_business(user, payload.buyer)
    answers = None
    if payload.request:
        answers = queries.requests_of(buyer).filter(public_id=payload.request).first()
        if answers is None:
            raise Http404(f"No request {payload.request!r} of {buyer.public_id}.")
    items: dict[str, int] = {}
    for item in payload.items:
        items[item.offer] = items.get(item.offer, 0) + item.quantity
    asked = {
        "buyer": buyer,
        "items": items,
        "delivery_address": payload.delivery_address,
        "wanted_by": payload.wanted_by,
        "note": payload.note,
        "request": answers,
        "by": user,
    }
    if idempotency_key:
        order, created = orders.request_quotation_once(
            key=idempotency_key, data=payload.dict(), **asked
        )
    else:
        order, created = orders.request_quotation(**asked), True
    return Status(201 if created else 200, _order_out(user, order))


@router.get(
    "/orders/{code}", response={200: SupplyOrderOut, **READ}, summary="One B2B order of yours"
)
def order_detail(request, code: str):
    """With its lines, events, delivery notes (and their handover records) and invoices."""
    user = _person(request)
    return _order_out(user, _order(user, code))


@router.post(
    "/orders/{code}/quote",
    response={200: SupplyOrderOut, **STEP},
    summary="Quote the order (supplier): prices, delivery fee, payment terms",
)
@answers_refusals
def order_quote(request, code: str, payload: QuoteIn):
    user = _person(request)
    prices = {price.line: price.price_idr for price in payload.prices}
    order = orders.quote(
        order=_order(user, code),
        terms=payload.terms,
        prices=prices,
        delivery_fee_idr=payload.delivery_fee_idr,
        note=payload.note,
        by=user,
    )
    return _order_out(user, order)


@router.post(
    "/orders/{code}/purchase-order",
    response={200: SupplyOrderOut, **STEP},
    summary="Accept the quotation (buyer): the purchase order reserves the stock",
)
@answers_refusals
def order_purchase(request, code: str):
    """All lines or none: when an offer has too little left the purchase order is refused with
    409 ``not_enough_stock`` and nothing is reserved."""
    user = _person(request)
    order = orders.issue_purchase_order(order=_order(user, code), by=user)
    return _order_out(user, order)


@router.post(
    "/orders/{code}/decline",
    response={200: SupplyOrderOut, **STEP},
    summary="Decline to quote (supplier)",
)
@answers_refusals
def order_decline(request, code: str, payload: ReasonIn):
    user = _person(request)
    order = orders.decline(order=_order(user, code), reason=payload.reason, by=user)
    return _order_out(user, order)


@router.post(
    "/orders/{code}/cancel",
    response={200: SupplyOrderOut, **STEP},
    summary="Cancel before anything left (either side); reserved stock goes back on offer",
)
@answers_refusals
def order_cancel(request, code: str, payload: ReasonIn):
    user = _person(request)
    order = orders.cancel(order=_order(user, code), reason=payload.reason, by=user)
    return _order_out(user, order)


@router.post(
    "/orders/{code}/close-short",
    response={200: SupplyOrderOut, **STEP},
    summary="Take what was delivered as the whole order (buyer); the rest goes back on offer",
)
@answers_refusals
def order_close_short(request, code: str, payload: ReasonIn):
    user = _person(request)
    order = orders.close_short(order=_order(user, code), reason=payload.reason, by=user)
    return _order_out(user, order)


def _note_out(note_id: int) -> dict:
    return DeliveryNoteOut.from_note(DeliveryNote.objects.prefetch_related("lines").get(pk=note_id))


@router.post(
    "/orders/{code}/deliveries",
    response={201: DeliveryNoteOut, **STEP},
    summary="Send part or all of what is owed, with a delivery note (supplier)",
)
@answers_refusals
def order_deliver(request, code: str, payload: DeliveryIn):
    user = _person(request)
    quantities: dict[int, int] = {}
    for row in payload.quantities:
        quantities[row.line] = quantities.get(row.line, 0) + row.quantity
    note = orders.send_delivery(
        order=_order(user, code),
        quantities=quantities,
        carrier=payload.carrier,
        note=payload.note,
        expected_number=payload.expected_number.strip(),
        by=user,
    )
    return Status(201, _note_out(note.pk))


def _photo(encoded: str | None) -> SimpleUploadedFile | None:
    """The handover photo sent as base64, as an upload for the service (which checks and
    re-encodes it); None when none was sent."""
    if not encoded:
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Refused(
            SupplyError.PHOTO_INVALID,
            _("The photo must be sent as base64."),
            field="photo_base64",
        ) from None
    if len(data) > MAX_PHOTO_BYTES:
        raise Refused(
            SupplyError.PHOTO_INVALID,
            _("The photo is too large (at most %(limit)s KiB).")
            % {"limit": MAX_PHOTO_BYTES // 1024},
            field="photo_base64",
        )
    return SimpleUploadedFile("handover", data)


@router.post(
    "/orders/{code}/deliveries/{number}/handover",
    response={200: DeliveryNoteOut, **STEP},
    summary="Sign the handover record (BAST) of a delivery (buyer)",
)
@answers_refusals
def order_handover(request, code: str, number: str, payload: HandoverIn):
    """A name is enough; a photo may be sent as ``photo_base64`` (see the API's description).
    A delivery already signed answers 409 ``already_signed``."""
    user = _person(request)
    order = _order(user, code)
    delivery = DeliveryNote.objects.filter(order=order, number=number.strip().upper()).first()
    if delivery is None:
        raise Http404(f"No delivery note {number!r} on this order.")
    signed = orders.sign_handover(
        delivery=delivery,
        receiver_name=payload.receiver_name,
        photo=_photo(payload.photo_base64),
        note=payload.note,
        by=user,
    )
    return _note_out(signed.pk)


@router.post(
    "/orders/{code}/invoices",
    response={201: InvoiceOut, **STEP},
    summary="Invoice what was handed over and not yet invoiced (supplier)",
)
@answers_refusals
def order_invoice(request, code: str):
    """Due after the order's payment terms; the delivery fee goes with the first invoice."""
    user = _person(request)
    invoice = orders.issue_invoice(order=_order(user, code), by=user)
    return Status(201, InvoiceOut.from_invoice(invoice))


@router.post(
    "/orders/{code}/invoices/{number}/payment",
    response={200: InvoiceOut, **STEP},
    summary="Record an invoice's payment (either side)",
)
@answers_refusals
def order_payment(request, code: str, number: str, payload: PaymentIn):
    """When the last invoice of an order fully handed over is paid, the order is completed. An
    invoice already paid answers 409 ``invoice_paid``."""
    user = _person(request)
    order = _order(user, code)
    invoice = Invoice.objects.filter(order=order, number=number.strip().upper()).first()
    if invoice is None:
        raise Http404(f"No invoice {number!r} on this order.")
    paid = orders.record_payment(
        invoice=invoice, method=payload.method, reference=payload.reference, by=user
    )
    return InvoiceOut.from_invoice(paid)
