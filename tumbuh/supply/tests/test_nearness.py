"""Finding offers near a business reads a fixed number of queries however many offers there are,
and never reads the offers far away."""

import pytest

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import NAMOSAIN, SENTANI_KOTA, make_enterprise
from tumbuh.supply import places, queries
from tumbuh.supply.models import Offer
from tumbuh.supply.services import market
from tumbuh.supply.tests.builders import make_chain

pytestmark = pytest.mark.django_db

BANDUNG_VILLAGES = ["32.04.12.1001", "32.04.13.2001", "32.04.13.2002", "32.73.01.1001"]


def offer_in(village, name):
    return market.publish_offer(
        supplier=make_enterprise(name, village=village),
        commodity="Singkong",
        unit="kg",
        min_order_quantity=10,
        tiers=[(10, 3000)],
        by=system_actor(),
    )


def test_the_queries_do_not_grow_with_the_offers(query_count):
    _grower, _user, maker, _maker_user, _offer = make_chain()
    queries.offers_near(maker)  # the business's own village is read once
    with query_count() as first:
        found = queries.offers_near(maker, commodity="singkong")
    assert len(found) == 1
    for number, village in enumerate(BANDUNG_VILLAGES * 3):
        offer_in(village, f"Tani {number}")
    with query_count() as then:
        found = queries.offers_near(maker, commodity="singkong")
    assert len(found) == 1 + 3 * len(BANDUNG_VILLAGES)
    assert len(then) == len(first)
    kilometres = [km for _offer, km in found]
    assert kilometres == sorted(kilometres)


def test_offers_far_away_are_not_read():
    _grower, _user, maker, _maker_user, offer = make_chain()
    far = [offer_in(NAMOSAIN, "Tani Kupang"), offer_in(SENTANI_KOTA, "Tani Sentani")]
    read = Offer.objects.filter(places.near_q("supplier__", maker))
    assert offer.pk in set(read.values_list("pk", flat=True))
    assert not set(read.values_list("pk", flat=True)) & {o.pk for o in far}
