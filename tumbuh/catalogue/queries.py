"""Reads of the national catalogue: which products are listed, search, filters, badges, pages.

Search on PostgreSQL finds matches by full-text search with the built-in ``indonesian``
configuration (stems such as "keripik pisang" / "pisangnya") or by trigram word similarity on
the title for typos ("kripik"), both with GIN indexes (the catalogue's migration 0002; the
full-text vector is a stored column of ``stores_product`` kept current by a trigger), and ranks
them nearest title first with a GiST trigram index (migration 0003), so the top of a common word
is read without ranking its thousands of matches. On SQLite every
word must appear in the title or the description (case-insensitive), a plain fallback for
development.

Pages scale: without a search the list is ordered newest first and paged by keyset (the id of
the last product shown); a ranked search shows at most ``MAX_SEARCH_PAGES`` pages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVectorField, TrigramWordDistance
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from tumbuh.core.region_filter import region_q
from tumbuh.licensing.badges import valid_halal_certificates
from tumbuh.licensing.models import HalalCertificate
from tumbuh.registry.models import Enterprise
from tumbuh.stores.models import Product, Store

PAGE_SIZE = 24
MAX_SEARCH_PAGES = 10
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class Filters:
    """What a buyer asked for; every field optional."""

    text: str = ""
    province: str = ""
    regency: str = ""
    category: str = ""
    halal: bool = False
    from_3t: bool = False
    min_price_idr: int | None = None
    max_price_idr: int | None = None


def listed_products() -> QuerySet:
    """Products on sale in live stores: the whole catalogue."""
    return Product.objects.filter(is_active=True, store__status=Store.Status.LIVE)


def search_vector() -> RawSQL:
    """The stored ``indonesian`` full-text vector of title and description (migration 0002).

    A column a trigger keeps current, with a GIN index; not a model field, so it is read here
    only, and only on PostgreSQL.
    """
    return RawSQL('"stores_product"."catalogue_search"', [], output_field=SearchVectorField())


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def halal_certified(day: datetime.date | None = None) -> Exists:
    """True when the product's certificate number is one of its producer's valid certificates.

    The same rule as ``licensing.badges.valid_halal_certificates``: issued, in force on ``day``,
    held by the producer or by a record merged into it.
    """
    certificates = (
        HalalCertificate.objects.valid_on(day or timezone.localdate())
        .filter(number=OuterRef("halal_certificate_number"))
        .filter(
            Q(enterprise_id=OuterRef("producer_id"))
            | Q(enterprise__merged_into_id=OuterRef("producer_id"))
        )
    )
    return Exists(certificates)


def filter_products(products: QuerySet, filters: Filters) -> QuerySet:
    """Apply every filter except the text search. Origin is where the producer is."""
    if filters.regency or filters.province:
        products = products.filter(
            region_q("producer__village__code", filters.regency or filters.province)
        )
    if filters.category:
        products = products.filter(category=filters.category)
    if filters.from_3t:
        products = products.filter(producer__village__regency__is_3t=True)
    if filters.min_price_idr is not None:
        products = products.filter(price_idr__gte=filters.min_price_idr)
    if filters.max_price_idr is not None:
        products = products.filter(price_idr__lte=filters.max_price_idr)
    if filters.halal:
        products = products.exclude(halal_certificate_number="").filter(halal_certified())
    return products


def search_products(products: QuerySet, text: str) -> tuple[QuerySet, bool]:
    """Products matching ``text`` and whether the result is ranked (PostgreSQL) or not."""
    text = " ".join(text.split())[:MAX_QUERY_LENGTH]
    if not text:
        return products, False
    if uses_full_text():
        query = SearchQuery(text, config="indonesian", search_type="websearch")
        # Nearest titles first, by word-similarity distance (``<<->``), which the GiST trigram
        # index of migration 0003 answers in order: a page reads its rows, not every match.
        products = (
            products.annotate(search=search_vector())
            .filter(Q(search=query) | Q(title__trigram_word_similar=text))
            .annotate(distance=TrigramWordDistance(text, "title"))
            .order_by("distance")
        )
        return products, True
    for word in text.split():
        products = products.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return products, False


def with_place(products: QuerySet) -> QuerySet:
    """Everything a product card shows, in the same query."""
    return products.select_related(
        "store", "store__enterprise", "producer", "producer__village__regency__province"
    )


@dataclass
class Page:
    products: list
    is_ranked: bool
    number: int = 1
    next_cursor: int | None = None
    has_next_page: bool = False


def page_of(
    products: QuerySet, *, is_ranked: bool, cursor: int | None = None, number: int = 1
) -> Page:
    """One page: keyset on the id when unranked, limited page numbers when ranked."""
    if is_ranked:
        number = max(1, min(number, MAX_SEARCH_PAGES))
        start = (number - 1) * PAGE_SIZE
        # Rank narrow rows (ids only), then read the page's cards: sorting thousands of
        # matches with every joined column costs more than a second small query.
        ids = list(products.values_list("pk", flat=True)[start : start + PAGE_SIZE + 1])
        cards = with_place(Product.objects.filter(pk__in=ids[:PAGE_SIZE])).in_bulk()
        has_next = len(ids) > PAGE_SIZE and number < MAX_SEARCH_PAGES
        shown = [cards[pk] for pk in ids[:PAGE_SIZE] if pk in cards]
        return Page(products=shown, is_ranked=True, number=number, has_next_page=has_next)
    products = with_place(products).order_by("-pk")
    if cursor:
        products = products.filter(pk__lt=cursor)
    rows = list(products[: PAGE_SIZE + 1])
    shown = rows[:PAGE_SIZE]
    next_cursor = shown[-1].pk if len(rows) > PAGE_SIZE else None
    return Page(
        products=shown,
        is_ranked=False,
        next_cursor=next_cursor,
        has_next_page=next_cursor is not None,
    )


def attach_badges(products: list) -> list:
    """Set ``badges`` on each product: halal, made in Indonesia, 3T origin, BumDes (one query)."""
    certified = valid_halal_certificates({product.producer_id for product in products})
    for product in products:
        numbers = {badge.certificate_number for badge in certified.get(product.producer_id, [])}
        village = product.producer.village
        product.is_halal = (
            bool(product.halal_certificate_number) and product.halal_certificate_number in numbers
        )
        product.is_from_3t = village.regency.is_3t
        product.is_from_bumdes = product.store.enterprise.kind == Enterprise.Kind.BUMDES
        product.made_in = village
    return products
