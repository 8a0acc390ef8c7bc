"""Reads of the stores app, shared by the pages, the API and the services.

The live stores and the products on sale (what buyers see), the stores and orders a seller runs
(what a seller reaches; anything else answers 404 upstream), who may be named as a producer,
halal badges, and what a store owes its consignment producers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Sum
from django.utils.translation import gettext as _

from tumbuh.core.region_filter import region_q
from tumbuh.licensing import badges
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import enterprises_of
from tumbuh.stores.models import (
    ConsignmentPayout,
    Order,
    OrderLine,
    Product,
    Store,
    WholesaleTier,
)

# --- what buyers see ----------------------------------------------------------------------------


def live_stores():
    """The stores open to buyers, with what a storefront or the API shows of their place."""
    return Store.objects.live().select_related("enterprise", "village__regency")


def products_on_sale(store: Store):
    """The products of ``store`` that buyers see (active), by title."""
    return store.products.filter(is_active=True).order_by("title", "pk")


def has_product_on_sale(store: Store) -> bool:
    """Whether ``store`` has a product buyers can see (active); one is needed to go live."""
    return store.products.filter(is_active=True).exists()


def halal_numbers(producer_ids) -> dict[int, set[str]]:
    """Valid halal certificate numbers per producer (from the licensing part)."""
    found = badges.valid_halal_certificates(producer_ids)
    return {
        pk: {badge.certificate_number for badge in certificates}
        for pk, certificates in found.items()
    }


def has_halal_badge(product: Product, numbers: dict[int, set[str]]) -> bool:
    """Whether ``product`` names a certificate its producer holds (``numbers`` from
    :func:`halal_numbers`)."""
    return bool(
        product.halal_certificate_number
    ) and product.halal_certificate_number in numbers.get(product.producer_id, ())


# --- what a seller runs -------------------------------------------------------------------------


def stores_of(user):
    """The stores ``user`` runs: those of the businesses they may act for (merges followed)."""
    enterprises = enterprises_of(user)
    return Store.objects.filter(enterprise__in=enterprises).select_related("enterprise", "village")


def may_act_for(user, enterprise_id: int) -> bool:
    """The stores services' access rule: ``user`` may act for the business ``enterprise_id`` (one
    of its people, merges followed) or is the system actor (a superuser: the demo loaders and the
    tasks).

    No actor, or anyone else, may not: the services fail closed.
    """
    if getattr(user, "is_superuser", False):
        return True
    return enterprise_id in {e.pk for e in enterprises_of(user)}


def editable_products(user):
    """The products the stores services let ``user`` change: those of the stores they run
    (every product for the system actor)."""
    if getattr(user, "is_superuser", False):
        return Product.objects.all()
    return Product.objects.filter(store__in=stores_of(user))


def seller_products(user):
    """Every product of the stores ``user`` runs, with its store, producer and tiers."""
    return (
        Product.objects.filter(store__in=stores_of(user))
        .select_related("store", "producer")
        .prefetch_related(Prefetch("wholesale_tiers", queryset=WholesaleTier.objects.all()))
        .order_by("store__slug", "title", "pk")
    )


def orders_for_seller(user):
    """Orders of the stores ``user`` runs."""
    return Order.objects.filter(store__in=stores_of(user)).select_related("store", "village")


def seller_order(user, code: str) -> Order:
    """One order of a store ``user`` runs; ``PermissionDenied`` is never revealed (404 upstream)."""
    order = orders_for_seller(user).filter(code=code).first()
    if order is None:
        raise PermissionDenied(_("No such order in your stores."))
    return order


def producers_for(store: Store, *, limit: int = 300) -> list[Enterprise]:
    """Who may be named as a product's producer: the store's business and, for a BumDes, the
    businesses of its district (its members are there), most likely first.
    """
    producers = [store.enterprise]
    if store.enterprise.kind == Enterprise.Kind.BUMDES:
        producers += list(
            Enterprise.objects.deduplicated()
            .filter(region_q("village__code", store.village_id[:8]))
            .exclude(pk=store.enterprise_id)
            .order_by("name", "pk")[:limit]
        )
    return producers


# --- consignment --------------------------------------------------------------------------------


def consignment_balances(*, store: Store) -> list[dict]:
    """Per consignment producer: ``sold_idr`` and ``earned_idr`` (from delivered and completed
    orders), ``paid_idr`` (payouts) and ``owed_idr`` = earned − paid."""
    sold = (
        OrderLine.objects.filter(order__store=store, order__status__in=Order.EARNED_STATUSES)
        .exclude(producer_id=store.enterprise_id)
        .values("producer_id")
        .annotate(sold=Sum("line_total_idr"), earned=Sum("producer_share_idr"))
    )
    paid = dict(
        ConsignmentPayout.objects.filter(store=store)
        .values("producer_id")
        .annotate(total=Sum("amount_idr"))
        .values_list("producer_id", "total")
    )
    rows = {}
    for row in sold:
        rows[row["producer_id"]] = {
            "producer_id": row["producer_id"],
            "sold_idr": row["sold"] or 0,
            "earned_idr": row["earned"] or 0,
        }
    for producer_id in paid:
        rows.setdefault(producer_id, {"producer_id": producer_id, "sold_idr": 0, "earned_idr": 0})
    for producer_id, row in rows.items():
        row["paid_idr"] = paid.get(producer_id, 0)
        row["owed_idr"] = row["earned_idr"] - row["paid_idr"]
    return sorted(rows.values(), key=lambda row: row["producer_id"])


@dataclass(frozen=True)
class ProducerOwed:
    """What a store owes one consignment producer: its products, sales and share."""

    producer: Enterprise
    products: list
    sold_idr: int
    owed_idr: int
    paid_idr: int | None = None  # None: no sale or payout yet


def consignment_owed(store: Store) -> list[ProducerOwed]:
    """Per consignment producer of ``store``: the products sold for it and what is owed.

    Sales and amounts come from :func:`consignment_balances` (counted from delivered orders and
    payouts); a producer with products but no sale yet is listed with nothing sold or owed.
    """
    products = (
        store.products.exclude(producer_id=store.enterprise_id)
        .select_related("producer")
        .order_by("producer__name", "title")
    )
    by_producer: dict[int, list[Product]] = {}
    producers: dict[int, Enterprise] = {}
    for product in products:
        by_producer.setdefault(product.producer_id, []).append(product)
        producers[product.producer_id] = product.producer
    balances = {row["producer_id"]: row for row in consignment_balances(store=store)}
    for producer_id in balances:
        if producer_id not in producers:
            producers[producer_id] = Enterprise.objects.get(pk=producer_id)
            by_producer[producer_id] = []
    rows = []
    for producer_id, producer in sorted(producers.items(), key=lambda kv: kv[1].name):
        row = balances.get(producer_id, {})
        rows.append(
            ProducerOwed(
                producer=producer,
                products=by_producer[producer_id],
                sold_idr=row.get("sold_idr", 0),
                owed_idr=row.get("owed_idr", 0),
                paid_idr=row.get("paid_idr"),
            )
        )
    return rows
