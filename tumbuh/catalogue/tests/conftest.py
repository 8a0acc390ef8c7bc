"""Builders for catalogue tests: products in real villages (their stores come from the one store
builder, ``tumbuh.conftest.make_store``), campaigns."""

import datetime
import itertools

from django.utils import timezone

from tumbuh.catalogue.models import Campaign, CampaignProduct
from tumbuh.core.region_filter import region_q
from tumbuh.regions.models import Village
from tumbuh.stores.models import Product

_numbers = itertools.count(1)


def village_3t(province: str = "53") -> str:
    """A real village in a 3T regency of ``province``."""
    return (
        Village.objects.filter(region_q("code", province), regency__is_3t=True)
        .order_by("code")
        .first()
        .code
    )


def make_product(
    store, title: str, *, description: str = "", price_idr: int = 10_000, producer=None, **fields
):
    number = next(_numbers)
    return Product.objects.create(
        store=store,
        slug=f"produk-{number}",
        title=title,
        description=description,
        price_idr=price_idr,
        stock=fields.pop("stock", 10),
        producer=producer or store.enterprise,
        **fields,
    )


def make_campaign(
    title: str = "Hari Belanja Produk Lokal",
    *,
    starts_in_days: float = -1,
    lasts_days: float = 7,
    products=(),
):
    starts_at = timezone.now() + datetime.timedelta(days=starts_in_days)
    campaign = Campaign.objects.create(
        slug=f"kampanye-{next(_numbers)}",
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(days=lasts_days),
    )
    for position, product in enumerate(products, start=1):
        CampaignProduct.objects.create(campaign=campaign, product=product, position=position)
    return campaign
