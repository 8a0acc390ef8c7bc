"""A BumDes's collection pages and a producer's deliveries: the whole round with plain form
posts, refusals on the field at fault with nothing written, access only for the business the
person acts for, page budgets and bounded queries."""

import datetime

import pytest

from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_owner
from tumbuh.core.tests.weight import served_size
from tumbuh.supply.models import Collection, SupplyLink
from tumbuh.supply.services import collections, market
from tumbuh.supply.tests.builders import BANJARAN, make_bumdes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
BUDGET = 14 * 1024
URL = "/rantai-pasok/pengumpulan/"


def _form(producer, **changes):
    form = {
        "producer": producer.pk,
        "is_member": "on",
        "commodity": "Singkong segar",
        "commodity_kbli": "01135",
        "unit": "kg",
        "quantity": "120",
        "unit_price_idr": "2.500",
        "collected_on": "2026-11-02",
        "offer": "",
        "note": "",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


@pytest.fixture
def village():
    bumdes, manager = make_bumdes()
    grower = make_enterprise("Tani Ibu Maria", village=DAYEUHKOLOT)
    return bumdes, manager, grower


def test_a_bumdes_records_a_collection_into_its_offer_and_pays_it(client_of, village):
    bumdes, manager, grower = village
    offer = market.publish_offer(
        supplier=bumdes,
        commodity="Singkong segar",
        unit="kg",
        min_order_quantity=100,
        tiers=[(100, 3200)],
        by=manager,
    )
    client = client_of(manager)
    page = client.get(URL)
    assert page.status_code == 200 and served_size(page) <= BUDGET
    assert f'<option value="{grower.pk}">Tani Ibu Maria</option>' in page.content.decode()

    answer = client.post(URL + f"?usaha={bumdes.public_id}", _form(grower, offer=offer.pk))
    assert answer.status_code == 302
    collection = Collection.objects.get()
    assert (
        collection.collector,
        collection.producer,
        collection.is_member,
        collection.quantity,
        collection.unit_price_idr,
        collection.amount_idr,
        collection.collected_on,
        collection.paid_at,
    ) == (bumdes, grower, True, 120, 2500, 300_000, datetime.date(2026, 11, 2), None)
    offer.refresh_from_db()
    assert offer.available_quantity == 120
    assert SupplyLink.objects.get(supplier=grower, buyer=bumdes).basis == "collections"

    listed = client.get(answer["Location"]).content.decode()
    assert "Recorded: 120 kg of Singkong segar from Tani Ibu Maria." in listed
    assert "Collected Rp300.000; paid Rp0; still owed to producers Rp300.000." in listed
    assert "Mark paid" in listed

    paid = client.post(f"/rantai-pasok/pengumpulan/{collection.pk}/bayar/")
    assert paid.status_code == 302 and paid["Location"].endswith(f"?usaha={bumdes.public_id}")
    collection.refresh_from_db()
    assert collection.paid_at is not None
    listed = client.get(paid["Location"]).content.decode()
    assert "Collected Rp300.000; paid Rp300.000; still owed to producers Rp0." in listed
    assert "Mark paid" not in listed


def test_a_refusal_is_shown_on_its_field_and_writes_nothing(client_of, village):
    _bumdes, manager, grower = village
    client = client_of(manager)
    answer = client.post(URL, _form(grower, unit_price_idr="0"))
    assert answer.status_code == 200
    assert answer.context["form"].errors == {
        "unit_price_idr": ["Give a price in whole rupiah, from 1 to 1,000,000,000."]
    }
    answer = client.post(URL, _form(grower, quantity="-3"))
    assert list(answer.context["form"].errors) == ["quantity"]
    assert not Collection.objects.exists() and not SupplyLink.objects.exists()


def test_a_producer_of_another_village_cannot_be_chosen(client_of, village):
    _bumdes, manager, _grower = village
    elsewhere = make_enterprise("Tani Banjaran", village=BANJARAN)
    client = client_of(manager)
    assert "Tani Banjaran" not in client.get(URL).content.decode()
    answer = client.post(URL, _form(elsewhere))
    assert answer.status_code == 200 and list(answer.context["form"].errors) == ["producer"]
    assert not Collection.objects.exists()


def test_a_business_that_is_not_a_bumdes_gets_an_explanation(client_of):
    grower = make_enterprise("Tani Ibu Maria")
    page = client_of(make_owner(grower)).get(URL)
    assert page.status_code == 200
    assert "Tani Ibu Maria is not a BumDes." in page.content.decode()
    assert not page.context.get("form")


def test_only_the_business_the_person_acts_for(client, client_of, village):
    bumdes, manager, grower = village
    collection = collections.record_collection(
        collector=bumdes,
        producer=grower,
        commodity="Jagung",
        unit="kg",
        quantity=50,
        unit_price_idr=4000,
        collected_on="2026-11-01",
        by=manager,
    )
    assert client.get(URL).status_code == 302  # to sign in
    _other_bumdes, other_manager = make_bumdes(village=BANJARAN, name="BumDes Lain")
    other = client_of(other_manager)
    assert other.get(URL + f"?usaha={bumdes.public_id}").status_code == 404
    assert other.post(f"/rantai-pasok/pengumpulan/{collection.pk}/bayar/").status_code == 404
    assert other.get(f"/rantai-pasok/pengumpulan/{collection.pk}/bayar/").status_code == 405
    collection.refresh_from_db()
    assert collection.paid_at is None
    stranger = make_owner(make_enterprise("Usaha Lain"))
    assert (
        client_of(stranger).get(f"/rantai-pasok/setoran/?usaha={grower.public_id}").status_code
        == 404
    )


def test_a_producer_sees_what_it_delivered_and_was_paid(client_of, village, query_count):
    bumdes, manager, grower = village
    for number, paid in enumerate([True, False, False]):
        collections.record_collection(
            collector=bumdes,
            producer=grower,
            commodity="Jagung pipil",
            unit="kg",
            quantity=100 + number,
            unit_price_idr=4000,
            collected_on=f"2026-11-0{number + 1}",
            paid=paid,
            by=manager,
        )
    client = client_of(make_owner(grower))
    with query_count() as queries:
        page = client.get("/rantai-pasok/setoran/")
    assert page.status_code == 200 and served_size(page) <= BUDGET
    text = page.content.decode()
    assert (
        "Tani Ibu Maria delivered goods worth Rp1.212.000; paid Rp400.000; still owed Rp812.000."
        in text
    )
    assert text.count("BumDes Maju Bersama") == 3 and text.count("not yet") == 2
    rows = [row.quantity for row in page.context["page"]]
    assert rows == [102, 101, 100]  # newest first
    assert len(queries) <= 8
