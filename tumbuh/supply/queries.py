"""Reads shared by the supply pages, the console and the API."""

from django.db.models import Q, QuerySet

from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of
from tumbuh.supply import places
from tumbuh.supply.models import (
    Collection,
    Match,
    Offer,
    SupplyLink,
    SupplyOrder,
    SupplyRequest,
)
from tumbuh.supply.services.common import acts_for, commodity_words, is_system

_PLACE = ("village", "village__district", "village__regency")


def business_for(user, public_id: str | None) -> Enterprise | None:
    """The business ``user`` acts for with ``public_id`` (their first one when not given), or
    None."""
    own = enterprises_of(user)
    if not public_id:
        return own[0] if own else None
    for enterprise in own:
        if enterprise.public_id == public_id:
            return enterprise
    if is_system(user):
        return Enterprise.objects.filter(public_id=public_id, merged_into__isnull=True).first()
    return None


def offers_near(
    buyer: Enterprise, *, commodity: str = "", commodity_kbli: str = "", limit: int = 50
) -> list[tuple[Offer, float | None]]:
    """Open offers near ``buyer`` (in a priority area it shares, or within the matching
    distance), of the commodity asked when one is, nearest first: ``(offer, km)``."""
    offers = (
        Offer.objects.filter(
            places.near_q("supplier__", buyer),
            status=Offer.Status.OPEN,
            supplier__merged_into__isnull=True,
        )
        .exclude(supplier=buyer)
        .select_related(*(f"supplier__{p}" for p in _PLACE))
        .prefetch_related("tiers")
    )
    if commodity_kbli:
        offers = offers.filter(commodity_kbli=commodity_kbli)
    words = commodity_words(commodity)
    candidates = [
        offer for offer in offers if not words or words & commodity_words(offer.commodity)
    ]
    nearness = places.Nearness(buyer)
    nearness.prepare([offer.supplier for offer in candidates])
    found = []
    for offer in candidates:
        km, _area, near = nearness.of(offer.supplier)
        if near:
            found.append((offer, km))
    found.sort(key=lambda pair: (pair[1] is None, pair[1] or 0, pair[0].pk))
    return found[:limit]


def offers_of(supplier: Enterprise) -> QuerySet[Offer]:
    return Offer.objects.filter(supplier=supplier).prefetch_related("tiers")


def requests_of(buyer: Enterprise) -> QuerySet[SupplyRequest]:
    return SupplyRequest.objects.filter(buyer=buyer)


def matches_of(enterprise: Enterprise) -> QuerySet[Match]:
    """The matches of the business's open offers and requests, nearest first."""
    return (
        Match.objects.filter(
            Q(offer__supplier=enterprise, offer__status=Offer.Status.OPEN)
            | Q(request__buyer=enterprise, request__status=SupplyRequest.Status.OPEN)
        )
        .select_related("offer__supplier__village", "request__buyer__village")
        .order_by("distance_km", "pk")
    )


def orders_of(enterprise: Enterprise) -> QuerySet[SupplyOrder]:
    """The business's B2B orders on either side, newest first."""
    return (
        SupplyOrder.objects.filter(Q(supplier=enterprise) | Q(buyer=enterprise))
        .select_related("supplier", "buyer")
        .order_by("-created_at", "-pk")
    )


def order_for(user, code: str) -> SupplyOrder | None:
    """The order ``code`` if ``user`` acts for either side; None otherwise (fails closed)."""
    order = (
        SupplyOrder.objects.filter(code=code)
        .select_related("supplier__village", "buyer__village")
        .first()
    )
    if order is None:
        return None
    if acts_for(user, order.supplier) or acts_for(user, order.buyer):
        return order
    return None


def suppliers_of(enterprise: Enterprise) -> QuerySet[SupplyLink]:
    return SupplyLink.objects.filter(buyer=enterprise).select_related("supplier__village")


def buyers_of(enterprise: Enterprise) -> QuerySet[SupplyLink]:
    return SupplyLink.objects.filter(supplier=enterprise).select_related("buyer__village")


def collections_by(collector: Enterprise) -> QuerySet[Collection]:
    return Collection.objects.filter(collector=collector).select_related("producer")


def deliveries_by(producer: Enterprise) -> QuerySet[Collection]:
    """What a producer delivered to BumDes collectors, and whether it was paid."""
    return Collection.objects.filter(producer=producer).select_related("collector")
