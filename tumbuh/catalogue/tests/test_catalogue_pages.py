"""Catalogue pages: weight, no JavaScript, Indonesian first, badges, campaigns and their window."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.catalogue.tests.conftest import make_campaign, make_product, village_3t
from tumbuh.conftest import NAMOSAIN, make_store
from tumbuh.core.tests.weight import served_size

pytestmark = pytest.mark.django_db

PAGE_BUDGET_GZIP_BYTES = 14 * 1024


@pytest.fixture
def full_catalogue():
    """More than a page of products with long names, in a 3T BumDes store and a city store."""
    remote = make_store(
        "Badan Usaha Milik Desa Sejahtera Bersama",
        village=village_3t("53"),
        kind="bumdes",
        opening_product=False,
    )
    city = make_store("Dapur Ibu Ani Dayeuhkolot", opening_product=False)
    products = []
    for number in range(30):
        store = remote if number % 2 else city
        products.append(
            make_product(
                store,
                f"Keripik Pisang Kepok Rasa Balado Pedas Manis Ukuran Keluarga Nomor {number}",
                description="Pisang kepok pilihan dari kebun warga, digoreng dengan minyak kelapa.",
                price_idr=12_500 + number * 1_000,
                category="food",
                halal_certificate_number=f"ID3211000{number:04d}",
            )
        )
    return products


def test_catalogue_page_within_budget_without_javascript(client, full_catalogue):
    response = client.get(reverse("catalogue:home"), {"provinsi": "53"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    assert '<html lang="id">' in html
    assert served_size(client.get(reverse("catalogue:home"))) <= PAGE_BUDGET_GZIP_BYTES
    assert served_size(response) <= PAGE_BUDGET_GZIP_BYTES
    # Kept by the browser, asked again each time (304 while nothing changed); never stored by a
    # shared cache.
    assert response["Cache-Control"] == "private, no-cache"


def test_signed_in_pages_are_not_shared_cache(client_of, officer_32, full_catalogue):
    response = client_of(officer_32).get(reverse("catalogue:home"))
    assert response["Cache-Control"] == "private, no-cache"
    assert "Sign in" not in response.content.decode() and "Masuk" not in response.content.decode()


def test_search_form_works_with_a_plain_get(client, full_catalogue):
    response = client.get(reverse("catalogue:home"), {"q": "keripik", "kategori": "food"})
    html = response.content.decode()
    assert re.search(r'<form method="get"[^>]*role="search"', html)
    assert html.count('class="card pc"') == 24
    assert 'rel="next"' in html


def test_badges_and_place_of_making(client, full_catalogue):
    client.cookies["bahasa"] = "en"  # the visitor's language switch
    html = client.get(reverse("catalogue:home"), {"daerah_3t": "1"}).content.decode()
    card = html.split('class="card pc"')[1]
    assert "3T origin" in card and "BumDes" in card and "Made in Indonesia" in card
    # Certificate numbers that no issued certificate backs give no halal badge.
    assert "Halal certified</span>" not in html
    assert "Made in " in card and "Nusa Tenggara Timur" in card


def test_halal_badge_and_filter_only_after_issuance(client, officer_32):
    from tumbuh.licensing.models import HalalCase
    from tumbuh.licensing.tests.conftest import halal_case_at, halal_ready_enterprise, mentor_in

    enterprise = halal_ready_enterprise()
    store = make_store(
        "Keripik Ani", enterprise=enterprise, village=enterprise.village_id, opening_product=False
    )
    make_product(store, "Keripik Pisang Ani", halal_certificate_number="ID32110001234560126")
    make_product(store, "Sambal Ani", halal_certificate_number="ID-TIDAK-ADA")
    case = halal_case_at(
        HalalCase.Step.FATWA, enterprise=enterprise, by=officer_32, mentor=mentor_in("32")
    )

    def halal_titles():
        page = client.get(reverse("catalogue:home"), {"halal": "1"}).context["page"]
        return [product.title for product in page.products]

    assert halal_titles() == []
    from tumbuh.licensing import services

    services.issue_halal_certificate(
        case=case,
        number="ID32110001234560126",
        issued_on=datetime.date(2026, 1, 10),
        valid_until=timezone.localdate() + datetime.timedelta(days=365),
        by=officer_32,
    )
    assert halal_titles() == ["Keripik Pisang Ani"]
    products = client.get(reverse("catalogue:home")).context["page"].products
    assert {product.title: product.is_halal for product in products} == {
        "Keripik Pisang Ani": True,
        "Sambal Ani": False,
    }


def test_campaign_visible_only_while_running(client):
    store = make_store("Tenun Namosain", village=NAMOSAIN, opening_product=False)
    product = make_product(store, "Selendang Tenun")
    running = make_campaign(products=[product])
    future = make_campaign("Harbolnas Lokal", starts_in_days=2)
    past = make_campaign("Kampanye Lalu", starts_in_days=-10, lasts_days=3)
    response = client.get(running.get_absolute_url())
    assert response.status_code == 200
    assert "Selendang Tenun" in response.content.decode()
    assert served_size(response) <= PAGE_BUDGET_GZIP_BYTES
    assert client.get(future.get_absolute_url()).status_code == 404
    assert client.get(past.get_absolute_url()).status_code == 404
    home = client.get(reverse("catalogue:home")).content.decode()
    assert running.get_absolute_url() in home
    assert future.get_absolute_url() not in home and past.get_absolute_url() not in home


def test_campaign_window_edges(client):
    campaign = make_campaign()
    assert campaign.is_running(at=campaign.starts_at)
    assert not campaign.is_running(at=campaign.ends_at)
    assert not campaign.is_running(at=campaign.starts_at - datetime.timedelta(seconds=1))


def test_campaign_hides_products_no_longer_on_sale(client):
    store = make_store(opening_product=False)
    kept = make_product(store, "Gula Aren")
    gone = make_product(store, "Gula Semut", is_active=False)
    campaign = make_campaign(products=[kept, gone])
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "Gula Aren" in html and "Gula Semut" not in html
