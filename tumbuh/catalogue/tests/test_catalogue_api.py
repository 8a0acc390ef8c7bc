"""The public catalogue API: same search and filters as the page, no personal data."""

import pytest

from tumbuh.catalogue.tests.conftest import make_campaign, make_product
from tumbuh.conftest import NAMOSAIN, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed():
    store = make_store("BumDes Namosain", village=NAMOSAIN, kind="bumdes", opening_product=False)
    tenun = make_product(store, "Kain Tenun Ikat", price_idr=350_000, category="fashion")
    madu = make_product(store, "Madu Hutan", price_idr=80_000, category="food")
    return tenun, madu


def test_search_answers_cards_with_place_and_badges(client, listed):
    response = client.get("/api/v1/catalogue/products", {"q": "madu", "provinsi": "53"})
    assert response.status_code == 200
    body = response.json()
    assert [product["title"] for product in body["products"]] == ["Madu Hutan"]
    card = body["products"][0]
    assert card["made_in"]["village_code"] == NAMOSAIN
    assert card["is_from_bumdes"] is True and card["is_halal"] is False
    assert card["price_idr"] == 80_000
    assert "whatsapp" not in response.content.decode().lower()


@pytest.mark.parametrize(
    "params",
    [
        {"kategori": "senjata"},
        {"harga_min": "10", "harga_maks": "5"},
        {"provinsi": "Jawa"},
        {"halaman": "99"},
    ],
)
def test_bad_parameters_refused(client, listed, params):
    response = client.get("/api/v1/catalogue/products", params)
    assert response.status_code == 422
    assert set(response.json()) >= {"code", "detail"}


def test_campaigns_only_running(client, listed):
    running = make_campaign(products=list(listed))
    make_campaign("Nanti", starts_in_days=3)
    body = client.get("/api/v1/catalogue/campaigns").json()
    assert [campaign["slug"] for campaign in body] == [running.slug]
    products = client.get(f"/api/v1/catalogue/campaigns/{running.slug}").json()["products"]
    assert [product["title"] for product in products] == ["Kain Tenun Ikat", "Madu Hutan"]
    assert client.get("/api/v1/catalogue/campaigns/nanti-saja").status_code == 404
