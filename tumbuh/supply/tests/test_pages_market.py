"""The market pages of a business's supply (``views/market.py``): the supply home, a new offer,
an offer's page (restock, close, a request for a quotation), a new request for supply, finding
suppliers, declaring and confirming a link; who may see them (another business answers 404),
refusals shown at the field at fault with nothing written, the page budget, and the work entry.
"""

import re
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from tumbuh.accounts.work import Specificity, landing_url, work_of
from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_owner, make_store, make_user
from tumbuh.core.tests.weight import served_size
from tumbuh.registry.models import Enterprise
from tumbuh.registry.services import link_account
from tumbuh.supply.models import Offer, OfferTier, SupplyLink, SupplyOrder, SupplyRequest
from tumbuh.supply.services import links, market
from tumbuh.supply.tests.builders import (
    BANJARAN,
    NAMOSAIN,
    make_bumdes,
    make_chain,
    ordered,
    starts,
    system_actor,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
BUDGET = 14 * 1024
HOME = "/rantai-pasok/"


@pytest.fixture
def chain():
    """``(grower, grower_user, maker, maker_user, offer)``: a cassava grower's open offer and a
    keripik maker 8 km away (``builders.make_chain``)."""
    return make_chain()


def _offer_form(**changes):
    form = {
        "commodity": "Gaplek",
        "commodity_kbli": "",
        "unit": "kg",
        "min_order_quantity": "50",
        "available_quantity": "400",
        "capacity_per_week": "300",
        "lead_time_days": "3",
        "description": "Kering, siap giling",
        "tier_0_quantity": "50",
        "tier_0_price": "6000",
        "tier_1_quantity": "200",
        "tier_1_price": "5500",
    }
    form.update(changes)
    return form


def _request_form(**changes):
    form = {
        "commodity": "Singkong",
        "commodity_kbli": "",
        "unit": "kg",
        "quantity": "200",
        "period": "week",
        "starts_on": starts(10).isoformat(),
        "max_price_idr": "3200",
        "note": "",
    }
    form.update(changes)
    return form


def _html(response) -> str:
    return response.content.decode()


def _km(supplier, buyer) -> int:
    """The distance between two businesses' villages as the pages show it, in whole km."""
    return round(market.nearness(supplier, buyer)[0])


# --- who may see the pages ----------------------------------------------------------------------

PAGES = [
    HOME,
    "/rantai-pasok/penawaran/baru/",
    "/rantai-pasok/permintaan/baru/",
    "/rantai-pasok/cari/",
    "/rantai-pasok/mitra/baru/",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_ask_to_sign_in_first(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


@pytest.mark.parametrize("path", PAGES)
def test_a_person_acting_for_no_business_is_told_how_to_get_linked(client_of, path):
    client = client_of(make_user())
    response = client.get(path)
    assert response.status_code == (200 if path == HOME else 403)
    assert "not linked to a registered business yet" in _html(response)


@pytest.mark.parametrize("path", PAGES)
def test_another_business_answers_404(client_of, chain, path):
    grower, _grower_user, _maker, maker_user, _offer = chain
    client = client_of(maker_user)
    assert client.get(path, {"usaha": grower.public_id}).status_code == 404
    assert client.get(path, {"usaha": "NOSUCHID"}).status_code == 404


def test_posts_need_the_csrf_token(chain):
    _grower, grower_user, _maker, _maker_user, _offer = chain
    client = Client(enforce_csrf_checks=True)
    client.force_login(grower_user)
    response = client.post("/rantai-pasok/penawaran/baru/", _offer_form())
    assert response.status_code == 403
    assert not Offer.objects.filter(commodity="Gaplek").exists()


# --- the supply home ----------------------------------------------------------------------------


def test_the_home_shows_offers_requests_matches_orders_and_links(client_of, chain):
    grower, grower_user, maker, maker_user, offer = chain
    market.publish_request(
        buyer=maker,
        commodity="Singkong",
        unit="kg",
        quantity=200,
        starts_on=starts(),
        by=maker_user,
    )
    order = ordered(offer, maker, maker_user, grower_user, quantity=300)
    trader = make_enterprise("Pengepul Pak Asep", village=DAYEUHKOLOT)
    links.declare_link(
        supplier=grower,
        buyer=trader,
        commodity="Singkong",
        usual_volume=500,
        side=trader,
        by=system_actor(),
    )

    grower_home = _html(client_of(grower_user).get(HOME))
    assert "Tani Singkong Makmur" in grower_home
    assert f"/rantai-pasok/penawaran/{offer.public_id}/" in grower_home
    assert "200 kg" in grower_home and "Rp2.700" in grower_home  # stock left, the second tier
    # the match: the other side, its commodity, the distance, a share link without a number
    assert "Keripik Bu Sari" in grower_home and "Singkong" in grower_home
    assert f"Singkong · {_km(grower, maker)} km" in grower_home
    share = re.search(r'href="(https://wa\.me/[^"]*)"', grower_home).group(1)
    assert share.startswith("https://wa.me/?text=")
    assert "Keripik Bu Sari" in unquote(share) and offer.public_id in unquote(share)
    # its B2B order as the supplier, linked to the order's page, with its status and total
    assert f'href="/rantai-pasok/pesanan/{order.code}/"' in grower_home
    assert "purchase order issued" in grower_home and "Rp950.000" in grower_home
    # a buyer that declared the link: the grower may confirm it
    assert "Pengepul Pak Asep" in grower_home and "declared by one side" in grower_home
    assert grower_home.count("/konfirmasi/") == 1
    assert "/rantai-pasok/setoran/" in grower_home  # deliveries to a BumDes, for a producer

    maker_home = _html(client_of(maker_user).get(HOME))
    assert "Keripik Bu Sari" in maker_home and "Tani Singkong Makmur" in maker_home
    assert f'href="/rantai-pasok/pesanan/{order.code}/"' in maker_home
    assert "200 kg per week" in maker_home  # its open request


def test_a_match_with_a_live_store_links_to_the_stores_public_whatsapp(client_of, chain):
    grower, _grower_user, maker, maker_user, _offer = chain
    make_store("Toko Tani", enterprise=grower, whatsapp="0812-3456-7890")
    market.publish_request(
        buyer=maker,
        commodity="Singkong",
        unit="kg",
        quantity=200,
        starts_on=starts(),
        by=maker_user,
    )
    home = _html(client_of(maker_user).get(HOME))
    assert "https://wa.me/6281234567890?text=" in home
    assert "wa.me/?text=" not in home


def test_a_person_acting_for_several_businesses_chooses_one(client_of, chain):
    grower, grower_user, _maker, _maker_user, _offer = chain
    bumdes, _manager = make_bumdes(name="BumDes Sukamaju")
    link_account(user=grower_user, enterprise=bumdes, by=system_actor())
    client = client_of(grower_user)
    first = _html(client.get(HOME))  # the first by name
    assert "<h1>BumDes Sukamaju</h1>" in first and "/rantai-pasok/pengumpulan/" in first
    assert f'href="?usaha={grower.public_id}"' in first  # the chooser
    chosen = _html(client.get(HOME, {"usaha": grower.public_id}))
    assert "<h1>Tani Singkong Makmur</h1>" in chosen
    assert f'href="?usaha={bumdes.public_id}"' in chosen
    assert f"/rantai-pasok/cari/?usaha={grower.public_id}" in chosen  # links keep the choice


def test_the_home_reads_a_constant_number_of_queries(client_of, chain, query_count):
    grower, grower_user, maker, maker_user, offer = chain
    market.restock_offer(offer=offer, add=5000, by=grower_user)
    market.publish_request(
        buyer=maker,
        commodity="Singkong",
        unit="kg",
        quantity=100,
        starts_on=starts(),
        by=maker_user,
    )
    client = client_of(grower_user)
    client.get(HOME)
    with query_count() as small:
        assert client.get(HOME).status_code == 200
    for number in range(4):
        buyer = make_enterprise(f"Olahan {number}", village=BANJARAN)
        buyer_user = make_owner(buyer)
        make_store(f"Toko Olahan {number}", enterprise=buyer)
        market.publish_request(
            buyer=buyer,
            commodity="Singkong",
            unit="kg",
            quantity=100,
            starts_on=starts(),
            by=buyer_user,
        )
        ordered(offer, buyer, buyer_user, grower_user, quantity=100)
        links.declare_link(
            supplier=grower, buyer=buyer, commodity="Singkong", side=buyer, by=buyer_user
        )
        market.publish_offer(
            supplier=grower,
            commodity=f"Tepung {number}",
            unit="kg",
            min_order_quantity=10,
            tiers=[(10, 9000), (100, 8000)],
            by=grower_user,
        )
    with query_count() as large:
        html = _html(client.get(HOME))
    assert html.count("/rantai-pasok/pesanan/") == 4 and html.count("Olahan 3") >= 3
    assert len(large) == len(small)


# --- a new offer --------------------------------------------------------------------------------


def test_publishing_an_offer(client_of, chain):
    grower, grower_user, maker, maker_user, _offer = chain
    market.publish_request(
        buyer=maker, commodity="Gaplek", unit="kg", quantity=100, starts_on=starts(), by=maker_user
    )
    client = client_of(grower_user)
    assert client.get("/rantai-pasok/penawaran/baru/").status_code == 200
    response = client.post("/rantai-pasok/penawaran/baru/", _offer_form())
    offer = Offer.objects.get(commodity="Gaplek")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/rantai-pasok/penawaran/{offer.public_id}/?usaha={grower.public_id}"
    )
    assert (offer.supplier, offer.min_order_quantity, offer.available_quantity) == (grower, 50, 400)
    assert (offer.capacity_per_week, offer.lead_time_days, offer.unit) == (300, 3, "kg")
    assert list(offer.tiers.values_list("min_quantity", "price_idr")) == [(50, 6000), (200, 5500)]
    assert offer.matches.count() == 1  # the maker's request for gaplek nearby


def test_an_offer_with_rising_tiers_is_refused_at_the_tiers_and_nothing_is_written(
    client_of, chain
):
    _grower, grower_user, _maker, _maker_user, _offer = chain
    before = (Offer.objects.count(), OfferTier.objects.count())
    response = client_of(grower_user).post(
        "/rantai-pasok/penawaran/baru/", _offer_form(tier_1_price="6500")
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "each from a larger quantity" in form.errors["tier_0_quantity"][0]
    assert (Offer.objects.count(), OfferTier.objects.count()) == before


def test_an_offer_with_an_unknown_kbli_is_refused_at_that_field(client_of, chain):
    _grower, grower_user, _maker, _maker_user, _offer = chain
    response = client_of(grower_user).post(
        "/rantai-pasok/penawaran/baru/", _offer_form(commodity_kbli="12")
    )
    assert response.status_code == 422 and "commodity_kbli" in response.context["form"].errors
    assert not Offer.objects.filter(commodity="Gaplek").exists()


# --- an offer's page ----------------------------------------------------------------------------


def test_the_supplier_restocks_and_closes_its_offer(client_of, chain):
    _grower, grower_user, _maker, _maker_user, offer = chain
    client = client_of(grower_user)
    url = f"/rantai-pasok/penawaran/{offer.public_id}/"
    page = _html(client.get(url))
    assert 'value="restock"' in page and 'value="close"' in page and 'value="quote"' not in page
    assert "Rp3.000" in page and "Rp2.700" in page and "500 kg" in page

    response = client.post(url, {"action": "restock", "restock-add": "250"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.available_quantity == 750

    refused = client.post(url, {"action": "restock", "restock-add": "0"})
    assert refused.status_code == 422
    assert "from 1 to 10,000,000" in refused.context["restock"].errors["add"][0]
    offer.refresh_from_db()
    assert offer.available_quantity == 750

    # a quotation is another business's to ask for
    assert client.post(url, {"action": "quote", "quote-quantity": "100"}).status_code == 404
    assert not SupplyOrder.objects.exists()

    client.post(url, {"action": "close"})
    offer.refresh_from_db()
    assert offer.status == "closed"
    assert client.get(url).status_code == 200  # the supplier still sees its closed offer


def test_another_business_sees_the_offer_and_asks_for_a_quotation(client_of, chain):
    grower, _grower_user, maker, maker_user, offer = chain
    client = client_of(maker_user)
    url = f"/rantai-pasok/penawaran/{offer.public_id}/"
    page = _html(client.get(url))
    assert "Tani Singkong Makmur" in page and "Dayeuhkolot" in page
    assert f"{_km(grower, maker)} km from Keripik Bu Sari" in page
    assert 'value="quote"' in page and 'value="restock"' not in page
    assert "100 kg" in page and "2 days" in page

    response = client.post(
        url,
        {
            "action": "quote",
            "quote-quantity": "300",
            "quote-wanted_by": starts(14).isoformat(),
            "quote-delivery_address": "Jl. Raya Banjaran 12",
            "quote-note": "Kupas bersih",
        },
    )
    order = SupplyOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/rantai-pasok/pesanan/{order.code}/"
    assert (order.buyer, order.supplier, order.status) == (maker, grower, "requested")
    assert (order.total_idr, order.wanted_by, order.note) == (900_000, starts(14), "Kupas bersih")

    # the supplier's own actions are not another business's
    assert client.post(url, {"action": "close"}).status_code == 404
    offer.refresh_from_db()
    assert offer.status == "open"


def test_a_quotation_below_the_minimum_is_refused_at_the_quantity(client_of, chain):
    _grower, _grower_user, _maker, maker_user, offer = chain
    response = client_of(maker_user).post(
        f"/rantai-pasok/penawaran/{offer.public_id}/", {"action": "quote", "quote-quantity": "40"}
    )
    assert response.status_code == 422
    assert "minimum order" in response.context["quotation"].errors["quantity"][0]
    assert not SupplyOrder.objects.exists()


def test_an_offer_page_for_a_business_the_person_does_not_act_for_is_not_found(client_of, chain):
    grower, _grower_user, _maker, maker_user, offer = chain
    client = client_of(maker_user)
    url = f"/rantai-pasok/penawaran/{offer.public_id}/"
    assert client.get(url, {"usaha": grower.public_id}).status_code == 404
    response = client.post(
        f"{url}?usaha={grower.public_id}", {"action": "restock", "restock-add": "10"}
    )
    assert response.status_code == 404
    assert client.get("/rantai-pasok/penawaran/NOSUCHOFFR/").status_code == 404
    offer.refresh_from_db()
    assert offer.available_quantity == 500


def test_a_closed_offer_is_not_found_by_other_businesses(client_of, chain):
    _grower, grower_user, _maker, maker_user, offer = chain
    market.close_offer(offer=offer, by=grower_user)
    assert client_of(maker_user).get(f"/rantai-pasok/penawaran/{offer.public_id}/").status_code == (
        404
    )


# --- a new request for supply -------------------------------------------------------------------


def test_publishing_a_request_shows_its_matches(client_of, chain):
    _grower, _grower_user, maker, maker_user, offer = chain
    client = client_of(maker_user)
    response = client.post("/rantai-pasok/permintaan/baru/", _request_form())
    published = SupplyRequest.objects.get()
    assert response.status_code == 302
    assert f"terbit={published.public_id}" in response["Location"]
    assert (published.buyer, published.quantity, published.max_price_idr) == (maker, 200, 3200)
    page = _html(client.get(response["Location"]))
    assert "Offers that match it" in page
    assert f"/rantai-pasok/penawaran/{offer.public_id}/" in page and "Tani Singkong Makmur" in page


def test_a_request_with_a_bad_date_is_refused_and_nothing_is_written(client_of, chain):
    _grower, _grower_user, _maker, maker_user, _offer = chain
    client = client_of(maker_user)
    response = client.post("/rantai-pasok/permintaan/baru/", _request_form(unit="gram"))
    assert response.status_code == 422 and "unit" in response.context["form"].errors
    response = client.post("/rantai-pasok/permintaan/baru/", _request_form(max_price_idr="0"))
    assert response.status_code == 422
    assert "from 1 to 1,000,000,000" in response.context["form"].errors["max_price_idr"][0]
    assert not SupplyRequest.objects.exists()


def test_another_business_request_is_not_shown(client_of, chain):
    _grower, grower_user, maker, maker_user, _offer = chain
    theirs = market.publish_request(
        buyer=maker,
        commodity="Singkong",
        unit="kg",
        quantity=100,
        starts_on=starts(),
        by=maker_user,
    )
    response = client_of(grower_user).get(
        "/rantai-pasok/permintaan/baru/", {"terbit": theirs.public_id}
    )
    assert response.status_code == 404


# --- finding suppliers --------------------------------------------------------------------------


def test_finding_suppliers_near_the_business(client_of, chain):
    _grower, _grower_user, maker, maker_user, offer = chain
    far = make_enterprise("Tani Kupang", village=NAMOSAIN)
    market.publish_offer(
        supplier=far,
        commodity="Singkong",
        unit="kg",
        min_order_quantity=10,
        tiers=[(10, 2000)],
        available_quantity=50,
        by=system_actor(),
    )
    client = client_of(maker_user)
    page = _html(client.get("/rantai-pasok/cari/", {"q": "singkong"}))
    assert f"/rantai-pasok/penawaran/{offer.public_id}/" in page
    assert "Tani Singkong Makmur" in page and "Rp2.700/kg" in page and "500 kg" in page
    assert f"<td>{_km(offer.supplier, maker)} km</td>" in page
    assert "Tani Kupang" not in page  # 1,500 km away, no shared area
    none = _html(client.get("/rantai-pasok/cari/", {"q": "durian"}))
    assert "No open offer near you matches" in none and offer.public_id not in none


# --- supply links -------------------------------------------------------------------------------


def test_declaring_a_link_and_the_other_side_confirming_it(client_of, chain):
    grower, grower_user, maker, maker_user, _offer = chain
    neighbour = make_enterprise("Petani Ujang", village=BANJARAN)
    client = client_of(maker_user)
    form = _html(client.get("/rantai-pasok/mitra/baru/"))
    assert (
        "Petani Ujang" in form
        and "Tani Singkong Makmur" in form
        and "Keripik Bu Sari</option>" not in form
    )
    response = client.post(
        "/rantai-pasok/mitra/baru/",
        {
            "other": str(grower.pk),
            "direction": "supplies_me",
            "commodity": "Singkong",
            "unit": "kg",
            "usual_volume": "300",
            "period": "week",
        },
    )
    assert response.status_code == 302
    link = SupplyLink.objects.get()
    assert (link.supplier, link.buyer, link.basis, link.declared_by) == (
        grower,
        maker,
        "declared",
        maker,
    )
    assert (link.usual_volume, link.period) == (300, "week")

    # the side that declared it cannot confirm it
    client.post(f"/rantai-pasok/mitra/{link.pk}/konfirmasi/")
    link.refresh_from_db()
    assert link.basis == "declared"
    # a stranger finds no such link
    stranger = client_of(make_owner(neighbour))
    assert stranger.post(f"/rantai-pasok/mitra/{link.pk}/konfirmasi/").status_code == 404
    # the grower confirms it from its supply home
    grower_client = client_of(grower_user)
    assert f"/rantai-pasok/mitra/{link.pk}/konfirmasi/" in _html(grower_client.get(HOME))
    assert grower_client.post(f"/rantai-pasok/mitra/{link.pk}/konfirmasi/").status_code == 302
    link.refresh_from_db()
    assert link.basis == "confirmed" and link.confirmed_at is not None


def test_a_link_by_public_id_the_other_way(client_of, chain):
    _grower, _grower_user, maker, maker_user, _offer = chain
    far = make_enterprise("Toko Oleh-oleh Kupang", village=NAMOSAIN)
    response = client_of(maker_user).post(
        "/rantai-pasok/mitra/baru/",
        {
            "other_public_id": far.public_id.upper(),
            "direction": "i_supply",
            "commodity": "Keripik singkong",
            "unit": "pak",
            "period": "month",
        },
    )
    assert response.status_code == 302
    link = SupplyLink.objects.get()
    assert (link.supplier, link.buyer, link.unit, link.usual_volume) == (maker, far, "pak", None)


def test_a_link_refused_writes_nothing(client_of, chain):
    _grower, _grower_user, maker, maker_user, _offer = chain
    client = client_of(maker_user)
    base = {"direction": "supplies_me", "commodity": "Singkong", "unit": "kg", "period": "week"}
    unknown = client.post("/rantai-pasok/mitra/baru/", {**base, "other_public_id": "ZZZZZZZZZZ"})
    assert unknown.status_code == 422
    assert "No business has this id." in unknown.context["form"].errors["other_public_id"]
    itself = client.post("/rantai-pasok/mitra/baru/", {**base, "other_public_id": maker.public_id})
    assert itself.status_code == 422
    assert "cannot supply itself" in itself.context["form"].errors["other"][0]
    nobody = client.post("/rantai-pasok/mitra/baru/", base)
    assert nobody.status_code == 422 and "other" in nobody.context["form"].errors
    assert not SupplyLink.objects.exists()


# --- weight -------------------------------------------------------------------------------------


def test_every_market_page_fits_the_budget_with_a_busy_business(client_of, chain):
    """A grower with five offers, three requests, a dozen orders on both sides, links and
    matches: every page within 14 KB as served."""
    grower, grower_user, _maker, maker_user, offer = chain
    market.restock_offer(offer=offer, add=2000, by=grower_user)
    names = ["Jagung pipil kering", "Kacang tanah", "Ubi jalar ungu", "Pisang kepok"]
    for number, name in enumerate(names):
        market.publish_offer(
            supplier=grower,
            commodity=name,
            unit="kg",
            min_order_quantity=50,
            tiers=[(50, 9000 - number), (200, 8500 - number), (1000, 8000 - number)],
            available_quantity=5000,
            capacity_per_week=2000,
            description="Panen minggu ini, dikemas karung 50 kg",
            by=grower_user,
        )
    makers = [make_enterprise(f"Olahan Pangan Sejahtera {n}", village=BANJARAN) for n in range(6)]
    for number, buyer in enumerate(makers):
        buyer_user = make_owner(buyer)
        market.publish_request(
            buyer=buyer,
            commodity=names[number % 4],
            unit="kg",
            quantity=300,
            starts_on=starts(),
            max_price_idr=9000,
            by=buyer_user,
        )
        for _round in range(2):
            order = ordered(offer, buyer, buyer_user, grower_user, quantity=100)
        links.declare_link(
            supplier=grower,
            buyer=buyer,
            commodity="Singkong",
            usual_volume=400,
            side=buyer,
            by=buyer_user,
        )
        links.declare_link(
            supplier=buyer, buyer=grower, commodity="Kompos", side=buyer, by=buyer_user
        )
    for number in range(3):
        market.publish_request(
            buyer=grower,
            commodity=f"Karung plastik {number}",
            unit="pcs",
            quantity=500,
            starts_on=starts(),
            by=grower_user,
        )
    # the link form's list at its longest: 200 businesses of the regency
    Enterprise.objects.bulk_create(
        Enterprise(name=f"Usaha Olahan Pangan Desa Nomor {n:03d}", village_id=BANJARAN)
        for n in range(220)
    )
    client = client_of(grower_user)
    pages = {
        "supply home": HOME,
        "new offer": "/rantai-pasok/penawaran/baru/",
        "offer (supplier)": f"/rantai-pasok/penawaran/{offer.public_id}/",
        "new request": "/rantai-pasok/permintaan/baru/",
        "new link": "/rantai-pasok/mitra/baru/",
    }
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        assert served_size(response, page=f"supply {name}") <= BUDGET, name
        if name == "new link":
            listed = re.search(r'<select name="other".*?</select>', _html(response), re.S)
            assert listed.group(0).count("<option") == 1 + 200  # "—" and the 200 first by name
    home = _html(client.get(HOME))
    assert home.count("/rantai-pasok/pesanan/") == 12 and "Olahan Pangan Sejahtera 5" in home
    maker_client = client_of(maker_user)
    for name, path in {
        "find": "/rantai-pasok/cari/?q=",
        "offer (buyer)": f"/rantai-pasok/penawaran/{offer.public_id}/",
    }.items():
        response = maker_client.get(path)
        assert response.status_code == 200, name
        assert served_size(response, page=f"supply {name}") <= BUDGET, name
    assert order.code in home


# --- work ---------------------------------------------------------------------------------------


def test_the_work_of_a_person_acting_for_a_business(chain):
    _grower, grower_user, maker, maker_user, offer = chain
    ordered(offer, maker, maker_user, grower_user)
    work = [w for w in work_of(grower_user) if w.url == HOME]
    assert len(work) == 1 and work[0].specificity == Specificity.BUSINESS
    assert work[0].detail == "Tani Singkong Makmur · 1 open B2B order"
    # the self-assessment, as specific and listed first, stays where the person lands
    assert landing_url(grower_user) == reverse("capability:self-assessment")
    assert not [w for w in work_of(make_user()) if w.url == HOME]


# --- in a phone's browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_processor_finds_a_supplier_and_asks_for_a_quotation_on_a_phone_without_javascript(
    live_regions, new_context, live_server
):
    """The start of the done-when journey, at 360 px with JavaScript off: from the supply home to
    the suppliers near the business, an offer, and a request for a quotation; no page is wider
    than the phone."""
    from django.conf import settings

    from tumbuh.conftest import PASSWORD

    _grower, _grower_user, maker, maker_user, offer = make_chain()
    context = new_context(java_script_enabled=False, viewport={"width": 360, "height": 640})
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page = context.new_page()

    def fits_the_phone():
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, page.url

    page.goto("/masuk/?next=/rantai-pasok/")
    page.locator("#id_username").fill(maker_user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/rantai-pasok/"
    fits_the_phone()
    for path in ("/rantai-pasok/penawaran/baru/", "/rantai-pasok/mitra/baru/"):
        page.goto(path)
        fits_the_phone()
    page.goto("/rantai-pasok/")

    page.locator("main .tabs a[href^='/rantai-pasok/cari/']").click()
    page.locator("#id_q").fill("singkong")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    fits_the_phone()
    page.locator(f"main a[href^='/rantai-pasok/penawaran/{offer.public_id}/']").click()
    page.wait_for_load_state()
    fits_the_phone()
    assert "Tani Singkong Makmur" in page.locator("main dl").inner_text()

    page.locator("#id_quote-quantity").fill("300")
    page.locator("#id_quote-delivery_address").fill("Jl. Raya Banjaran 12")
    page.locator("main form:has(input[value=quote]) button[type=submit]").click()
    page.wait_for_load_state()
    order = SupplyOrder.objects.get()
    assert page.url == f"{live_server.url}/rantai-pasok/pesanan/{order.code}/"
    assert (order.buyer_id, order.status, order.delivery_address) == (
        maker.pk,
        "requested",
        "Jl. Raya Banjaran 12",
    )
