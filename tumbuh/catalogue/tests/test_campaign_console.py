"""Campaign curation: only national ministry staff, every refusal changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tumbuh.catalogue import services
from tumbuh.catalogue.models import Campaign, CampaignProduct
from tumbuh.catalogue.tests.conftest import make_campaign, make_product
from tumbuh.conftest import make_store
from tumbuh.core.models import AuditEvent

# Refusals are compared in English (the msgids), whatever the catalogues say.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def window(days=7):
    start = timezone.now().replace(microsecond=0)
    return {"starts_at": start, "ends_at": start + datetime.timedelta(days=days)}


def test_national_admin_creates_and_curates(client_of, national_admin):
    client = client_of(national_admin)
    start = timezone.localtime().replace(second=0, microsecond=0)
    response = client.post(
        reverse("catalogue:console-campaigns"),
        {
            "title": "Hari Belanja Produk Lokal",
            "slug": "hari-belanja-produk-lokal",
            "description": "Belanja produk UMKM desa.",
            "starts_at": (start - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalogue:console-campaign", args=[campaign.public_id]
    )
    assert campaign.created_by == national_admin and campaign.is_running()
    product = make_product(make_store(opening_product=False), "Kopi Malabar")
    url = reverse("catalogue:console-campaign-product", args=[campaign.public_id])
    client.post(url, {"product": product.public_id, "action": "add"})
    assert list(campaign.products.all()) == [product]
    page = client.get(
        reverse("catalogue:console-campaign", args=[campaign.public_id]), {"q": "kopi"}
    )
    assert (
        page.status_code == 200
        and page.context["entries"] == [product]
        and page.context["candidates"] == []
    )
    client.post(url, {"product": product.public_id, "action": "remove"})
    assert not campaign.products.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="catalogue.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "catalogue.campaign_created",
        "catalogue.campaign_product_added",
        "catalogue.campaign_product_removed",
    ]


def test_regional_officer_and_sellers_may_not_curate(client_of, officer_32, client):
    campaign = make_campaign()
    for url in (
        reverse("catalogue:console-campaigns"),
        reverse("catalogue:console-campaign", args=[campaign.public_id]),
    ):
        assert client_of(officer_32).get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        services.create_campaign(by=officer_32, title="Kampanye", **window())
    assert Campaign.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("catalogue:console-campaigns"))
    assert response.status_code == 302 and "/masuk/" in response["Location"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "title"),
        ({"ends_at": timezone.now() - datetime.timedelta(days=30)}, "end after it starts"),
        ({"slug": "!!!"}, "letters or digits"),
    ],
)
def test_bad_campaigns_refused(national_admin, fields, message):
    arguments = {"title": "Kampanye Uji", **window(), **fields}
    with pytest.raises(ValidationError) as caught:
        services.create_campaign(by=national_admin, **arguments)
    assert message in str(caught.value)
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="catalogue.").exists()


def test_duplicate_address_refused(national_admin):
    services.create_campaign(by=national_admin, title="Kampanye Uji", **window())
    with pytest.raises(ValidationError):
        services.create_campaign(by=national_admin, title="Kampanye   Uji", **window())
    assert Campaign.objects.count() == 1


def test_only_listed_products_join_and_only_once(national_admin):
    campaign = services.create_campaign(by=national_admin, title="Kampanye Uji", **window())
    draft = make_product(make_store(live=False), "Produk Draf")
    with pytest.raises(ValidationError):
        services.add_campaign_product(campaign=campaign, product=draft, by=national_admin)
    product = make_product(make_store(opening_product=False), "Kopi")
    first = services.add_campaign_product(campaign=campaign, product=product, by=national_admin)
    with pytest.raises(ValidationError):
        services.add_campaign_product(campaign=campaign, product=product, by=national_admin)
    second = services.add_campaign_product(
        campaign=campaign, product=make_product(product.store, "Teh"), by=national_admin
    )
    assert (first.position, second.position) == (1, 2)
    assert CampaignProduct.objects.count() == 2
    with pytest.raises(ValidationError):
        services.remove_campaign_product(campaign=campaign, product=draft, by=national_admin)


def test_update_changes_the_window(national_admin):
    campaign = services.create_campaign(by=national_admin, title="Kampanye Uji", **window())
    later = timezone.now() + datetime.timedelta(days=10)
    services.update_campaign(
        campaign=campaign,
        by=national_admin,
        title="Kampanye Baru",
        description="",
        starts_at=later,
        ends_at=later + datetime.timedelta(days=1),
    )
    campaign.refresh_from_db()
    assert campaign.title == "Kampanye Baru" and not campaign.is_running()
    with pytest.raises(ValidationError):
        services.update_campaign(
            campaign=campaign,
            by=national_admin,
            title="X",
            description="",
            starts_at=later,
            ends_at=later,
        )
    campaign.refresh_from_db()
    assert campaign.title == "Kampanye Baru"
