"""Catalogue API: the public product search and the running campaigns (open data, no login).

The same queries as the ``/bbi/`` page; parameters have the same (Indonesian) names. Errors
answer the API's one error body (``core.errors.ErrorOut``); a refused search carries its
``reason`` from ``catalogue.error_codes`` and the parameter at fault.
"""

from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from tumbuh.accounts.auth import api_auth
from tumbuh.catalogue import queries
from tumbuh.catalogue.error_codes import CatalogueError
from tumbuh.catalogue.models import Campaign
from tumbuh.catalogue.schemas import CampaignOut, CataloguePageOut, CatalogueProductOut, PlaceOut
from tumbuh.core.errors import ErrorOut
from tumbuh.core.refusals import Refused
from tumbuh.stores.models import Product

router = Router(tags=["catalogue"], auth=api_auth)


class SearchIn(Schema):
    q: str = Field("", max_length=queries.MAX_QUERY_LENGTH)
    provinsi: str = Field("", pattern=r"^(\d{2})?$")
    kabupaten: str = Field("", pattern=r"^(\d{2}\.\d{2})?$")
    kategori: str = ""
    halal: bool = False
    daerah_3t: bool = False
    harga_min: int | None = Field(None, ge=0)
    harga_maks: int | None = Field(None, ge=0)
    setelah: int | None = Field(None, ge=1)
    halaman: int = Field(1, ge=1, le=queries.MAX_SEARCH_PAGES)


def _product_out(product) -> CatalogueProductOut:
    village = product.made_in
    return CatalogueProductOut(
        public_id=product.public_id,
        title=product.title,
        price_idr=product.price_idr,
        unit=product.unit,
        category=product.category,
        url=product.get_absolute_url(),
        store_slug=product.store.slug,
        store_name=product.store.name,
        made_in=PlaceOut(
            village_code=village.code,
            village=village.name,
            regency=village.regency.name,
            province=village.regency.province.name,
        ),
        is_halal=product.is_halal,
        made_in_indonesia=product.made_in_indonesia,
        is_from_3t=product.is_from_3t,
        is_from_bumdes=product.is_from_bumdes,
    )


@router.get(
    "/products",
    response={200: CataloguePageOut, 422: ErrorOut},
    auth=None,
    summary="Search the national catalogue",
)
def search(request, params: Query[SearchIn]):
    if params.kategori and params.kategori not in Product.Category.values:
        raise Refused(
            CatalogueError.CATEGORY_UNKNOWN,
            f"Unknown category {params.kategori!r}.",
            field="kategori",
        )
    if (
        params.harga_min is not None
        and params.harga_maks is not None
        and params.harga_min > params.harga_maks
    ):
        raise Refused(
            CatalogueError.PRICE_RANGE_REVERSED,
            "harga_maks must not be below harga_min.",
            field="harga_maks",
        )
    filters = queries.Filters(
        text=params.q,
        province=params.provinsi,
        regency=params.kabupaten,
        category=params.kategori,
        halal=params.halal,
        from_3t=params.daerah_3t,
        min_price_idr=params.harga_min,
        max_price_idr=params.harga_maks,
    )
    products, ranked = queries.search_products(
        queries.filter_products(queries.listed_products(), filters), filters.text
    )
    page = queries.page_of(products, is_ranked=ranked, cursor=params.setelah, number=params.halaman)
    queries.attach_badges(page.products)
    return CataloguePageOut(
        products=[_product_out(product) for product in page.products],
        next_cursor=page.next_cursor,
        next_page=page.number + 1 if ranked and page.has_next_page else None,
    )


@router.get("/campaigns", response=list[CampaignOut], auth=None, summary="Campaigns running now")
def campaigns(request):
    return [
        CampaignOut(
            slug=campaign.slug,
            title=campaign.title,
            description=campaign.description,
            starts_at=campaign.starts_at,
            ends_at=campaign.ends_at,
            url=campaign.get_absolute_url(),
        )
        for campaign in Campaign.objects.running()[:50]
    ]


@router.get(
    "/campaigns/{slug}",
    response={200: CataloguePageOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="A running campaign's products",
)
def campaign_products(
    request, slug: str, halaman: int = Query(1, ge=1, le=queries.MAX_SEARCH_PAGES)
):
    campaign = Campaign.objects.running().filter(slug=slug).first()
    if campaign is None:
        raise Http404(f"No running campaign {slug!r}.")
    products = (
        queries.listed_products()
        .filter(campaign_entries__campaign=campaign)
        .order_by("campaign_entries__position")
    )
    start = (halaman - 1) * queries.PAGE_SIZE
    rows = list(queries.with_place(products)[start : start + queries.PAGE_SIZE + 1])
    shown = queries.attach_badges(rows[: queries.PAGE_SIZE])
    return CataloguePageOut(
        products=[_product_out(product) for product in shown],
        next_page=halaman + 1
        if len(rows) > queries.PAGE_SIZE and halaman < queries.MAX_SEARCH_PAGES
        else None,
    )
