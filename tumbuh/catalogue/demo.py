"""Demo catalogue: a running "Hari Belanja Produk Lokal" campaign over the demo stores' products.

The stores demo loads first (INSTALLED_APPS order). The campaign is created and curated by the
demo ministry admin through the same services as the console; its window runs from yesterday to
four weeks ahead, moved forward again when the demo is rerun after it ended. Products are chosen
from the seed, 3T origins and BumDes first; a rerun adds nothing twice.
"""

import datetime
import random

from django.utils import timezone

from tumbuh.accounts.models import User
from tumbuh.catalogue import queries, services
from tumbuh.catalogue.models import Campaign
from tumbuh.core.demodata import DemoReport
from tumbuh.registry.models import Enterprise
from tumbuh.stores.models import Product

ADMIN_LOGIN = "admin@demo.tumbuh.id"
SLUG = "hari-belanja-produk-lokal"
TITLE = "Hari Belanja Produk Lokal"
DESCRIPTION = (
    "Belanja langsung dari UMKM dan BumDes di seluruh Indonesia, dari desa-desa 3T sampai kota. "
    "Bangga Buatan Indonesia!"
)
PRODUCTS = 24


def _window() -> tuple[datetime.datetime, datetime.datetime]:
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return today - datetime.timedelta(days=1), today + datetime.timedelta(days=28)


def load(*, seed: int, report: DemoReport) -> None:
    admin = User.objects.filter(email=ADMIN_LOGIN).first()
    if admin is None:
        report.say("catalogue: no demo ministry admin, no campaign made")
        return
    starts_at, ends_at = _window()
    campaign = Campaign.objects.filter(slug=SLUG).first()
    if campaign is None:
        campaign = services.create_campaign(
            by=admin,
            title=TITLE,
            slug=SLUG,
            description=DESCRIPTION,
            starts_at=starts_at,
            ends_at=ends_at,
        )
    elif not campaign.is_running():
        services.update_campaign(
            campaign=campaign,
            by=admin,
            title=campaign.title,
            description=campaign.description,
            starts_at=starts_at,
            ends_at=ends_at,
        )
    listed = list(
        queries.listed_products()
        .order_by("pk")
        .values_list("pk", "producer__village__regency__is_3t", "store__enterprise__kind")
    )
    rng = random.Random(f"catalogue:{seed}")
    rng.shuffle(listed)
    # 3T origins first, then BumDes stores, then the rest; stable for a seed.
    listed.sort(key=lambda row: (not row[1], row[2] != Enterprise.Kind.BUMDES))
    wanted = [pk for pk, _is_3t, _kind in listed[:PRODUCTS]]
    present = set(campaign.entries.values_list("product_id", flat=True))

    for product in Product.objects.filter(pk__in=wanted).order_by("pk"):
        if product.pk not in present and campaign.entries.count() < PRODUCTS:
            services.add_campaign_product(campaign=campaign, product=product, by=admin)
    report.say(
        f"catalogue: {queries.listed_products().count()} products listed; campaign “{campaign.title}” "
        f"running until {campaign.ends_at:%Y-%m-%d} with {campaign.entries.count()} products"
    )
    report.add_link("/bbi/", "Katalog Bangga Buatan Indonesia (Gernas BBI)")
    report.add_link(campaign.get_absolute_url(), f"Kampanye {campaign.title}")
    report.add_link("/konsol/bbi/kampanye/", "Kampanye katalog (konsol kementerian)")
