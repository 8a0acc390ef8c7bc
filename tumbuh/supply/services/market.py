"""Wholesale offers and requests for supply, and the matches between them.

An offer or a request is matched when it is published: against the open requests (or offers) of
the same commodity whose village is in a priority area it shares, or within
``TUMBUH_SUPPLY_MATCH_KM`` of its own, nearest first. Each side is told once, after the commit:
the match is on both supply pages, and an e-mail goes to the people who act for each business.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.core.refusals import Refused
from tumbuh.core.services import record_event
from tumbuh.registry.models import Enterprise
from tumbuh.registry.queries import account_emails
from tumbuh.supply import places
from tumbuh.supply.error_codes import SupplyError
from tumbuh.supply.models import Match, Offer, OfferTier, Period, SupplyRequest
from tumbuh.supply.services.common import (
    acting_user,
    check_acts_for,
    check_live,
    clean_kbli,
    clean_price,
    clean_quantity,
    clean_text,
    clean_unit,
    same_commodity,
)

logger = logging.getLogger(__name__)

MAX_TIERS = 5


def _clean_tiers(tiers, minimum: int) -> list[tuple[int, int]]:
    """Price tiers as (from quantity, unit price): the first from the minimum order, quantities
    rising and prices not rising."""
    cleaned = []
    for index, tier in enumerate(tiers or []):
        if isinstance(tier, dict):
            quantity, price = tier.get("min_quantity"), tier.get("price_idr")
        else:
            quantity, price = tier
        if quantity in (None, "") and price in (None, ""):
            continue
        cleaned.append(
            (
                clean_quantity(quantity, field=f"tiers.{index}.min_quantity"),
                clean_price(price, field=f"tiers.{index}.price_idr"),
            )
        )
    cleaned.sort()
    quantities = [q for q, _p in cleaned]
    prices = [p for _q, p in cleaned]
    if (
        not cleaned
        or len(cleaned) > MAX_TIERS
        or len(set(quantities)) != len(quantities)
        or quantities[0] != minimum
        or prices != sorted(prices, reverse=True)
    ):
        raise Refused(
            SupplyError.TIERS_INVALID,
            _(
                "Give one to %(max)s price tiers: the first from the minimum order (%(minimum)s), "
                "each from a larger quantity at a price no higher than the one before."
            )
            % {"max": MAX_TIERS, "minimum": minimum},
            field="tiers",
        )
    return cleaned


def publish_offer(
    *,
    supplier: Enterprise,
    commodity: str,
    unit: str,
    min_order_quantity,
    tiers,
    available_quantity=0,
    commodity_kbli: str = "",
    description: str = "",
    capacity_per_week=None,
    lead_time_days=2,
    by,
) -> Offer:
    """Publish a wholesale offer and match it against the open requests around it."""
    check_acts_for(by, supplier)
    check_live(supplier, field="supplier")
    minimum = clean_quantity(min_order_quantity, field="min_order_quantity")
    fields = {
        "commodity": clean_text(commodity, field="commodity", max_length=80),
        "commodity_kbli": clean_kbli(commodity_kbli),
        "unit": clean_unit(unit),
        "description": clean_text(description, field="description", max_length=300, required=False),
        "min_order_quantity": minimum,
        "available_quantity": clean_quantity(
            available_quantity, field="available_quantity", allow_zero=True
        ),
        "capacity_per_week": (
            None
            if capacity_per_week in (None, "")
            else clean_quantity(capacity_per_week, field="capacity_per_week")
        ),
        "lead_time_days": clean_quantity(lead_time_days, field="lead_time_days", allow_zero=True),
    }
    if fields["lead_time_days"] > 90:
        raise Refused(
            SupplyError.QUANTITY_INVALID,
            _("A lead time of at most 90 days."),
            field="lead_time_days",
        )
    price_tiers = _clean_tiers(tiers, minimum)
    with transaction.atomic():
        offer = Offer.objects.create(supplier=supplier, created_by=acting_user(by), **fields)
        OfferTier.objects.bulk_create(
            OfferTier(offer=offer, min_quantity=q, price_idr=p) for q, p in price_tiers
        )
        record_event(
            actor=by, action="supply.offer_published", target=offer, region_code=supplier.village_id
        )
        _match(offers=[offer], requests=_open_requests(offer))
    return offer


def restock_offer(*, offer: Offer, add, by) -> Offer:
    """Add to an offer's available quantity (a harvest in, a batch made)."""
    check_acts_for(by, offer.supplier)
    quantity = clean_quantity(add, field="add")
    with transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(
            available_quantity=F("available_quantity") + quantity, updated_at=timezone.now()
        )
        record_event(
            actor=by,
            action="supply.offer_restocked",
            target=offer,
            region_code=offer.supplier.village_id,
            data={"add": quantity},
        )
    offer.refresh_from_db()
    return offer


def close_offer(*, offer: Offer, by) -> Offer:
    """Take an offer off the market; orders already placed go on."""
    check_acts_for(by, offer.supplier)
    with transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(
            status=Offer.Status.CLOSED, updated_at=timezone.now()
        )
        record_event(
            actor=by,
            action="supply.offer_closed",
            target=offer,
            region_code=offer.supplier.village_id,
        )
    offer.refresh_from_db()
    return offer


def publish_request(
    *,
    buyer: Enterprise,
    commodity: str,
    unit: str,
    quantity,
    starts_on,
    period: str = "week",
    commodity_kbli: str = "",
    max_price_idr=None,
    note: str = "",
    by,
) -> SupplyRequest:
    """Publish a request for supply and match it against the open offers around it."""
    check_acts_for(by, buyer)
    check_live(buyer, field="buyer")
    if period not in Period.values:
        raise Refused(
            SupplyError.PERIOD_UNKNOWN, _("Choose per week or per month."), field="period"
        )
    if isinstance(starts_on, str):
        try:
            starts_on = datetime.date.fromisoformat(starts_on)
        except ValueError:
            starts_on = None
    if not isinstance(starts_on, datetime.date):
        raise Refused(SupplyError.DATE_INVALID, _("Give a date as YYYY-MM-DD."), field="starts_on")
    fields = {
        "commodity": clean_text(commodity, field="commodity", max_length=80),
        "commodity_kbli": clean_kbli(commodity_kbli),
        "unit": clean_unit(unit),
        "quantity": clean_quantity(quantity),
        "period": period,
        "starts_on": starts_on,
        "max_price_idr": (
            None
            if max_price_idr in (None, "")
            else clean_price(max_price_idr, field="max_price_idr")
        ),
        "note": clean_text(note, field="note", max_length=300, required=False),
    }
    with transaction.atomic():
        request = SupplyRequest.objects.create(buyer=buyer, created_by=acting_user(by), **fields)
        record_event(
            actor=by,
            action="supply.request_published",
            target=request,
            region_code=buyer.village_id,
        )
        _match(offers=_open_offers(request), requests=[request])
    return request


def close_request(*, request: SupplyRequest, by) -> SupplyRequest:
    check_acts_for(by, request.buyer)
    with transaction.atomic():
        SupplyRequest.objects.filter(pk=request.pk).update(
            status=SupplyRequest.Status.CLOSED, updated_at=timezone.now()
        )
        record_event(
            actor=by,
            action="supply.request_closed",
            target=request,
            region_code=request.buyer.village_id,
        )
    request.refresh_from_db()
    return request


# --- matching ----------------------------------------------------------------------------------

_PLACE = ("village", "village__district", "village__regency")


def _open_requests(offer: Offer):
    """The open requests that may match ``offer``: other buyers near it, of its KBLI code or
    with none (the words decide then)."""
    requests = SupplyRequest.objects.filter(
        places.near_q("buyer__", offer.supplier), status=SupplyRequest.Status.OPEN
    ).exclude(buyer=offer.supplier)
    if offer.commodity_kbli:
        requests = requests.filter(commodity_kbli__in=("", offer.commodity_kbli))
    return requests.select_related(*(f"buyer__{p}" for p in _PLACE))


def _open_offers(request: SupplyRequest):
    """The open offers that may match ``request``, narrowed the same way."""
    offers = Offer.objects.filter(
        places.near_q("supplier__", request.buyer), status=Offer.Status.OPEN
    ).exclude(supplier=request.buyer)
    if request.commodity_kbli:
        offers = offers.filter(commodity_kbli__in=("", request.commodity_kbli))
    return offers.select_related(*(f"supplier__{p}" for p in _PLACE))


def nearness(supplier: Enterprise, buyer: Enterprise) -> tuple[float | None, int | None, bool]:
    """(distance in km, the buyer's priority area shared with the supplier or else the buyer's
    own, whether the two are near enough to match)."""
    return places.Nearness(buyer).of(supplier)


def _match(*, offers, requests) -> list[Match]:
    """Record the matches among ``offers`` and ``requests`` (one side is a single new record)
    and tell both sides after the commit."""
    made = []
    offers, requests = list(offers), list(requests)
    buyers: dict[int, places.Nearness] = {}
    for request in requests:
        if request.buyer_id not in buyers:
            buyers[request.buyer_id] = places.Nearness(request.buyer)
            buyers[request.buyer_id].prepare([offer.supplier for offer in offers])
    for offer in offers:
        for request in requests:
            if offer.supplier_id == request.buyer_id or not same_commodity(
                offer.commodity_kbli, offer.commodity, request.commodity_kbli, request.commodity
            ):
                continue
            km, area, near = buyers[request.buyer_id].of(offer.supplier)
            if not near:
                continue
            match, created = Match.objects.get_or_create(
                offer=offer,
                request=request,
                defaults={"distance_km": round(km or 0.0, 1), "area_id": area},
            )
            if created:
                made.append(match)
    if made:
        ids = [match.pk for match in made]
        transaction.on_commit(lambda: notify_matches(ids))
    return made


def notify_matches(match_ids: list[int]) -> int:
    """E-mail each side of each new match (no phone numbers in the mail) and mark it told."""
    told = 0
    matches = Match.objects.filter(pk__in=match_ids, notified_at__isnull=True).select_related(
        "offer__supplier", "request__buyer"
    )
    for match in matches:
        offer, request = match.offer, match.request
        sides = (
            (
                request.buyer,
                _("%(supplier)s offers %(commodity)s, %(km)s km away.")
                % {
                    "supplier": offer.supplier.name,
                    "commodity": offer.commodity,
                    "km": round(match.distance_km),
                },
            ),
            (
                offer.supplier,
                _(
                    "%(buyer)s is looking for %(quantity)s %(unit)s of %(commodity)s, %(km)s km away."
                )
                % {
                    "buyer": request.buyer.name,
                    "quantity": request.quantity,
                    "unit": request.unit,
                    "commodity": request.commodity,
                    "km": round(match.distance_km),
                },
            ),
        )
        for enterprise, text in sides:
            recipients = account_emails(enterprise)
            if not recipients:
                continue
            url = reverse("supply:home") + f"?usaha={enterprise.public_id}"
            try:
                send_mail(
                    _("A supply match for %(name)s") % {"name": enterprise.name},
                    f"{text}\n\n{_('See it on your supply page: %(url)s') % {'url': url}}",
                    getattr(settings, "DEFAULT_FROM_EMAIL", None),
                    recipients,
                )
            except OSError:  # the match stands; both sides see it on their pages
                logger.warning("supply match e-mail not sent for match %s", match.pk)
        Match.objects.filter(pk=match.pk).update(notified_at=timezone.now())
        told += 1
    return told
