"""Catalogue refusals carry a CatalogueError code; the curation services fail closed (no actor,
anyone but national ministry staff) and let the system actor through."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tumbuh.accounts.services import system_actor
from tumbuh.catalogue import services
from tumbuh.catalogue.error_codes import CatalogueError
from tumbuh.catalogue.models import Campaign, CampaignProduct
from tumbuh.catalogue.tests.conftest import make_campaign, make_product
from tumbuh.conftest import make_store
from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused

# Refusals are compared in English (the msgids), whatever the catalogues say.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def window(days=7):
    start = timezone.now().replace(microsecond=0)
    return {"starts_at": start, "ends_at": start + datetime.timedelta(days=days)}


def test_no_actor_is_refused_and_nothing_changes():
    campaign = make_campaign()
    product = make_product(make_store(opening_product=False), "Kopi")
    calls = [
        lambda: services.create_campaign(by=None, title="Kampanye", **window()),
        lambda: services.update_campaign(
            campaign=campaign, by=None, title="Baru", description="", **window()
        ),
        lambda: services.add_campaign_product(campaign=campaign, product=product, by=None),
        lambda: services.remove_campaign_product(campaign=campaign, product=product, by=None),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="Only national ministry staff"):
            call()
    campaign.refresh_from_db()
    assert campaign.title == "Hari Belanja Produk Lokal" and Campaign.objects.count() == 1
    assert not CampaignProduct.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="catalogue.").exists()


def test_the_system_actor_curates():
    system = system_actor()
    campaign = services.create_campaign(by=system, title="Kampanye Sistem", **window())
    product = make_product(make_store(opening_product=False), "Kopi")
    entry = services.add_campaign_product(campaign=campaign, product=product, by=system)
    assert (campaign.created_by, entry.added_by, entry.position) == (None, None, 1)
    actors = set(
        AuditEvent.objects.filter(action__startswith="catalogue.").values_list("actor", flat=True)
    )
    assert actors == {system.pk}


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"title": "  "}, CatalogueError.TITLE_REQUIRED, "title"),
        ({"slug": "!!!"}, CatalogueError.SLUG_INVALID, "slug"),
        ({"starts_at": None}, CatalogueError.WINDOW_REQUIRED, ""),
        (
            {"ends_at": timezone.now() - datetime.timedelta(days=30)},
            CatalogueError.WINDOW_REVERSED,
            "ends_at",
        ),
    ],
)
def test_a_refused_campaign_has_its_code(national_admin, fields, code, field):
    with pytest.raises(Refused) as refused:
        services.create_campaign(
            by=national_admin, **{"title": "Kampanye Uji", **window(), **fields}
        )
    assert (refused.value.reason, refused.value.field) == (code, field)
    assert not Campaign.objects.exists()


def test_refused_products_have_their_codes(national_admin):
    campaign = make_campaign()
    draft = make_product(make_store(live=False), "Produk Draf")
    product = make_product(make_store(opening_product=False), "Kopi")
    with pytest.raises(Refused) as not_listed:
        services.add_campaign_product(campaign=campaign, product=draft, by=national_admin)
    assert not_listed.value.reason == CatalogueError.PRODUCT_NOT_LISTED
    services.add_campaign_product(campaign=campaign, product=product, by=national_admin)
    with pytest.raises(Refused) as twice:
        services.add_campaign_product(campaign=campaign, product=product, by=national_admin)
    assert twice.value.reason == CatalogueError.ALREADY_IN_CAMPAIGN
    with pytest.raises(Refused) as absent:
        services.remove_campaign_product(campaign=campaign, product=draft, by=national_admin)
    assert absent.value.reason == CatalogueError.NOT_IN_CAMPAIGN
    assert list(campaign.products.all()) == [product]


@pytest.mark.parametrize(
    ("params", "body"),
    [
        (
            {"kategori": "senjata"},
            {
                "code": "invalid",
                "detail": "Unknown category 'senjata'.",
                "reason": "category_unknown",
                "field": "kategori",
            },
        ),
        (
            {"harga_min": "10", "harga_maks": "5"},
            {
                "code": "invalid",
                "detail": "harga_maks must not be below harga_min.",
                "reason": "price_range_reversed",
                "field": "harga_maks",
            },
        ),
    ],
)
def test_a_refused_search_answers_its_reason_and_parameter(client, params, body):
    response = client.get("/api/v1/catalogue/products", params)
    assert response.status_code == 422 and response.json() == body
