"""API shapes of the supply app. Outputs list exactly what they expose: businesses by public id,
name and village (never a phone number, a NIK or an owner's name), offers with their price tiers,
requests with their matches, supply links, and B2B orders with their lines, events, delivery notes
(with the handover record's state: who received, when, whether a photo was taken, never the photo
itself) and invoices.
"""

import datetime
from typing import Literal

from ninja import Field, Schema

from tumbuh.core.paging import offset_field
from tumbuh.supply.models import (
    DeliveryNote,
    Invoice,
    Match,
    Offer,
    SupplyLink,
    SupplyOrder,
    SupplyOrderEvent,
    SupplyOrderLine,
    SupplyRequest,
)
from tumbuh.supply.services.orders import MAX_LINES

PAGE_LIMIT = 100
# A handover photo sent in JSON, as base64: at most 1 MiB of image (about 1.4 MB of text, under
# the request body limit); a phone photo is made smaller before it is sent, or taken on the page.
MAX_PHOTO_BYTES = 1024 * 1024

OrderStatus = Literal[
    "requested",
    "quoted",
    "ordered",
    "delivering",
    "delivered",
    "completed",
    "declined",
    "cancelled",
]


# --- businesses ---------------------------------------------------------------------------------


class BusinessOut(Schema):
    public_id: str
    name: str
    kind: str = Field(description="umkm, bumdes or cooperative")
    village_code: str
    village_name: str

    @staticmethod
    def from_enterprise(enterprise) -> dict:
        return {
            "public_id": enterprise.public_id,
            "name": enterprise.name,
            "kind": enterprise.kind,
            "village_code": enterprise.village_id,
            "village_name": enterprise.village.name,
        }


# --- offers -------------------------------------------------------------------------------------


class OfferTierOut(Schema):
    min_quantity: int = Field(description="from this many units")
    price_idr: int = Field(description="the unit price, whole rupiah")


class OfferOut(Schema):
    public_id: str
    supplier: BusinessOut
    commodity: str
    commodity_kbli: str
    unit: str
    description: str
    min_order_quantity: int
    capacity_per_week: int | None
    lead_time_days: int
    available_quantity: int = Field(description="units free to order now")
    status: Literal["open", "closed"]
    tiers: list[OfferTierOut]
    created_at: datetime.datetime

    @staticmethod
    def from_offer(offer: Offer) -> dict:
        return {
            "public_id": offer.public_id,
            "supplier": BusinessOut.from_enterprise(offer.supplier),
            "commodity": offer.commodity,
            "commodity_kbli": offer.commodity_kbli,
            "unit": offer.unit,
            "description": offer.description,
            "min_order_quantity": offer.min_order_quantity,
            "capacity_per_week": offer.capacity_per_week,
            "lead_time_days": offer.lead_time_days,
            "available_quantity": offer.available_quantity,
            "status": offer.status,
            "tiers": [
                {"min_quantity": tier.min_quantity, "price_idr": tier.price_idr}
                for tier in offer.tiers.all()
            ],
            "created_at": offer.created_at,
        }


class OfferNearOut(OfferOut):
    distance_km: float | None = Field(
        description="between the two villages' centres; null when one has no known centre"
    )


class OfferFilter(Schema):
    near: str | None = Field(
        None, description="A business you act for: the open offers near it (its priority area)"
    )
    supplier: str | None = Field(None, description="A business you act for: its own offers")
    q: str = Field("", max_length=80, description="Words of the commodity, e.g. singkong")
    kbli: str = Field("", max_length=5, description="KBLI 2020 code of the commodity")
    limit: int = Field(50, ge=1, le=PAGE_LIMIT)


class TierIn(Schema):
    min_quantity: int
    price_idr: int


class OfferIn(Schema):
    supplier: str = Field(description="The public id of a business you act for")
    commodity: str = Field(max_length=80)
    commodity_kbli: str = Field("", max_length=5)
    unit: str = Field("kg", max_length=20, description="kg, ton, kuintal, liter, pcs, ...")
    min_order_quantity: int
    tiers: list[TierIn] = Field(
        max_length=5,
        description="1 to 5 price steps: the first from the minimum order, prices not rising",
    )
    available_quantity: int = 0
    description: str = Field("", max_length=300)
    capacity_per_week: int | None = None
    lead_time_days: int = 2


class OfferRestockIn(Schema):
    add: int = Field(description="Units to add to what is available")


# --- requests for supply ------------------------------------------------------------------------


class RequestOut(Schema):
    public_id: str
    buyer: BusinessOut
    commodity: str
    commodity_kbli: str
    unit: str
    quantity: int
    period: Literal["week", "month"]
    starts_on: datetime.date
    max_price_idr: int | None
    note: str
    status: Literal["open", "closed"]
    created_at: datetime.datetime

    @staticmethod
    def from_request(request: SupplyRequest) -> dict:
        return {
            "public_id": request.public_id,
            "buyer": BusinessOut.from_enterprise(request.buyer),
            "commodity": request.commodity,
            "commodity_kbli": request.commodity_kbli,
            "unit": request.unit,
            "quantity": request.quantity,
            "period": request.period,
            "starts_on": request.starts_on,
            "max_price_idr": request.max_price_idr,
            "note": request.note,
            "status": request.status,
            "created_at": request.created_at,
        }


class MatchOut(Schema):
    offer: str = Field(description="The offer's public id")
    supplier: BusinessOut
    commodity: str
    unit: str
    distance_km: float
    area: str | None = Field(description="The priority area's slug, if any")
    created_at: datetime.datetime

    @staticmethod
    def from_match(match: Match) -> dict:
        return {
            "offer": match.offer.public_id,
            "supplier": BusinessOut.from_enterprise(match.offer.supplier),
            "commodity": match.offer.commodity,
            "unit": match.offer.unit,
            "distance_km": match.distance_km,
            "area": match.area.slug if match.area_id else None,
            "created_at": match.created_at,
        }


class RequestDetailOut(RequestOut):
    matches: list[MatchOut]


class RequestIn(Schema):
    buyer: str = Field(description="The public id of a business you act for")
    commodity: str = Field(max_length=80)
    commodity_kbli: str = Field("", max_length=5)
    unit: str = Field("kg", max_length=20)
    quantity: int
    period: Literal["week", "month"] = "week"
    starts_on: datetime.date
    max_price_idr: int | None = None
    note: str = Field("", max_length=300)


class BusinessFilter(Schema):
    business: str = Field(description="The public id of a business you act for")
    limit: int = Field(50, ge=1, le=PAGE_LIMIT)
    offset: int = offset_field()


# --- supply links -------------------------------------------------------------------------------


class LinkOut(Schema):
    id: int
    supplier: BusinessOut
    buyer: BusinessOut
    commodity: str
    commodity_kbli: str
    unit: str
    usual_volume: int | None
    period: Literal["week", "month"]
    basis: Literal["declared", "confirmed", "mentor", "collections", "orders"] = Field(
        description="How the platform knows, weakest to strongest: declared, mentor, confirmed, "
        "collections, orders"
    )
    declared_by: str | None = Field(description="The public id of the side that declared it")
    confirmed_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def from_link(link: SupplyLink) -> dict:
        declared_by = None
        if link.declared_by_id == link.supplier_id:
            declared_by = link.supplier.public_id
        elif link.declared_by_id == link.buyer_id:
            declared_by = link.buyer.public_id
        return {
            "id": link.pk,
            "supplier": BusinessOut.from_enterprise(link.supplier),
            "buyer": BusinessOut.from_enterprise(link.buyer),
            "commodity": link.commodity,
            "commodity_kbli": link.commodity_kbli,
            "unit": link.unit,
            "usual_volume": link.usual_volume,
            "period": link.period,
            "basis": link.basis,
            "declared_by": declared_by,
            "confirmed_at": link.confirmed_at,
            "created_at": link.created_at,
        }


class LinkIn(Schema):
    supplier: str = Field(description="The supplying business's public id")
    buyer: str = Field(description="The buying business's public id")
    side: Literal["supplier", "buyer"] = Field(
        description="Which of the two you act for and declare as"
    )
    commodity: str = Field(max_length=80)
    commodity_kbli: str = Field("", max_length=5)
    unit: str = Field("kg", max_length=20)
    usual_volume: int | None = None
    period: Literal["week", "month"] = "week"


# --- B2B orders ---------------------------------------------------------------------------------


class OrderSummaryOut(Schema):
    code: str
    supplier: BusinessOut
    buyer: BusinessOut
    status: OrderStatus
    terms: Literal["cash", "net7", "net14", "net30"]
    total_idr: int
    paid_idr: int
    wanted_by: datetime.date | None
    created_at: datetime.datetime
    url: str = Field(description="The order's page, for both sides")

    @staticmethod
    def from_order(order: SupplyOrder) -> dict:
        return {
            "code": order.code,
            "supplier": BusinessOut.from_enterprise(order.supplier),
            "buyer": BusinessOut.from_enterprise(order.buyer),
            "status": order.status,
            "terms": order.terms,
            "total_idr": order.total_idr,
            "paid_idr": order.paid_idr,
            "wanted_by": order.wanted_by,
            "created_at": order.created_at,
            "url": f"/rantai-pasok/pesanan/{order.code}/",
        }


class OrderPage(Schema):
    items: list[OrderSummaryOut]
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class OrderFilter(Schema):
    business: str = Field(description="The public id of a business you act for")
    role: Literal["buyer", "supplier"] | None = Field(
        None, description="Its orders as the buyer or as the supplier; both when not given"
    )
    status: OrderStatus | None = None
    limit: int = Field(50, ge=1, le=PAGE_LIMIT)
    cursor: str = Field(
        "",
        max_length=400,
        description="next_cursor of the page before (a cursor of another list: 422 bad_cursor)",
    )


class SupplyLineOut(Schema):
    id: int = Field(description="The line's id, for quotes and delivery notes")
    offer: str = Field(description="The offer's public id")
    commodity: str
    unit: str
    quantity: int
    unit_price_idr: int
    line_total_idr: int
    delivered_quantity: int
    invoiced_quantity: int

    @staticmethod
    def from_line(line: SupplyOrderLine) -> dict:
        return {
            "id": line.pk,
            "offer": line.offer.public_id,
            "commodity": line.commodity,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_price_idr": line.unit_price_idr,
            "line_total_idr": line.line_total_idr,
            "delivered_quantity": line.delivered_quantity,
            "invoiced_quantity": line.invoiced_quantity,
        }


class EventOut(Schema):
    kind: str = Field(description="status, delivery, handover, invoice or payment")
    from_status: str
    to_status: str
    document: str = Field(description="The document's number, if the step made one")
    side: str = Field(description="supplier, buyer or system")
    note: str
    at: datetime.datetime

    @staticmethod
    def from_event(event: SupplyOrderEvent) -> dict:
        return {
            "kind": event.kind,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "document": event.document,
            "side": event.side,
            "note": event.note,
            "at": event.at,
        }


class NoteLineOut(Schema):
    line: int = Field(description="The order line's id")
    quantity: int


class HandoverOut(Schema):
    number: str = Field(description="The handover record's (BAST) number")
    received_by_name: str
    received_at: datetime.datetime
    note: str
    has_photo: bool


class DeliveryNoteOut(Schema):
    number: str = Field(description="The delivery note's (surat jalan) number")
    sent_at: datetime.datetime
    carrier: str
    note: str
    lines: list[NoteLineOut]
    handover: HandoverOut | None = Field(description="null until the receiver signs")

    @staticmethod
    def from_note(note: DeliveryNote) -> dict:
        handover = None
        if note.received_at is not None:
            handover = {
                "number": note.handover_number,
                "received_by_name": note.received_by_name,
                "received_at": note.received_at,
                "note": note.received_note,
                "has_photo": bool(note.received_photo),
            }
        return {
            "number": note.number,
            "sent_at": note.sent_at,
            "carrier": note.carrier,
            "note": note.note,
            "lines": [
                {"line": line.order_line_id, "quantity": line.quantity} for line in note.lines.all()
            ],
            "handover": handover,
        }


class InvoiceOut(Schema):
    number: str
    amount_idr: int
    issued_at: datetime.datetime
    due_on: datetime.date
    status: Literal["issued", "paid"]
    paid_at: datetime.datetime | None
    method: str = Field(description="transfer, qris or cash once paid; empty before")
    reference: str

    @staticmethod
    def from_invoice(invoice: Invoice) -> dict:
        return {
            "number": invoice.number,
            "amount_idr": invoice.amount_idr,
            "issued_at": invoice.issued_at,
            "due_on": invoice.due_on,
            "status": invoice.status,
            "paid_at": invoice.paid_at,
            "method": invoice.method,
            "reference": invoice.reference,
        }


class SupplyOrderOut(OrderSummaryOut):
    your_side: Literal["supplier", "buyer", "system"] = Field(
        description="The side you act for on this order"
    )
    request: str | None = Field(description="The public id of the request it answers, if any")
    delivery_address: str
    note: str
    subtotal_idr: int
    delivery_fee_idr: int
    quoted_at: datetime.datetime | None
    ordered_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    allowed_next: list[str] = Field(description="The statuses it may move to now")
    lines: list[SupplyLineOut]
    events: list[EventOut]
    delivery_notes: list[DeliveryNoteOut]
    invoices: list[InvoiceOut]


class SupplyItemIn(Schema):
    offer: str = Field(description="An open offer's public id")
    quantity: int


class SupplyOrderIn(Schema):
    buyer: str = Field(description="The public id of a business you act for")
    items: list[SupplyItemIn] = Field(
        min_length=1, max_length=MAX_LINES, description="Offers of one supplier"
    )
    delivery_address: str = Field("", max_length=300)
    wanted_by: datetime.date | None = None
    note: str = Field("", max_length=300)
    request: str | None = Field(
        None, description="The public id of the buyer's request for supply it answers"
    )


class LinePriceIn(Schema):
    line: int = Field(description="The order line's id")
    price_idr: int


class QuoteIn(Schema):
    terms: Literal["cash", "net7", "net14", "net30"] = Field(
        description="Cash on delivery, or payment 7, 14 or 30 days after the invoice"
    )
    prices: list[LinePriceIn] = Field(
        [], max_length=MAX_LINES, description="Unit prices; a line not given keeps its tier price"
    )
    delivery_fee_idr: int = 0
    note: str = Field("", max_length=300)


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class LineQuantityIn(Schema):
    line: int = Field(description="The order line's id")
    quantity: int


class DeliveryIn(Schema):
    quantities: list[LineQuantityIn] = Field(
        min_length=1, max_length=MAX_LINES, description="What leaves on this trip, per line"
    )
    carrier: str = Field("", max_length=120)
    note: str = Field("", max_length=300)
    expected_number: str = Field(
        "",
        max_length=24,
        description="The delivery note number you expect this one to get (SJ-<code>-<n>): a "
        "delivery sent twice then finds it taken and is refused (409) instead of sent twice",
    )


class HandoverIn(Schema):
    receiver_name: str = Field(max_length=100, description="Who received the goods")
    note: str = Field("", max_length=300)
    photo_base64: str | None = Field(
        None,
        max_length=(MAX_PHOTO_BYTES * 4) // 3 + 4,
        description="Optional: a photo of the goods or the signed paper (JPEG, PNG or WebP), "
        f"base64, at most {MAX_PHOTO_BYTES // 1024} KiB; stored without its metadata",
    )


class PaymentIn(Schema):
    method: Literal["transfer", "qris", "cash"]
    reference: str = Field("", max_length=80, description="The transfer's reference, if any")
