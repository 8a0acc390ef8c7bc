"""Builders for catalogue tests: live stores with products in real villages, campaigns."""

import datetime
import itertools

import pytest
from django.utils import timezone

from tumbuh.catalogue.models import Campaign, CampaignProduct
from tumbuh.conftest import DAYEUHKOLOT, make_enterprise
from tumbuh.regions.models import Village
from tumbuh.stores.models import Product, Store

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def all_in_english(english):
    """Every catalogue test reads the msgids (the root ``english`` fixture, for this folder)."""


def village_3t(province: str = "53") -> str:
    """A real village in a 3T regency of ``province``."""
    return (
        Village.objects.filter(regency__is_3t=True, code__startswith=province + ".")
        .order_by("code")
        .first()
        .code
    )


def make_store(
    name: str = "Toko Uji",
    *,
    village: str = DAYEUHKOLOT,
    kind: str = "umkm",
    status=Store.Status.LIVE,
    enterprise=None,
):
    number = next(_numbers)
    enterprise = enterprise or make_enterprise(name, village=village, kind=kind)
    return Store.objects.create(
        slug=f"toko-{number}", name=name, enterprise=enterprise, village_id=village, status=status
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
