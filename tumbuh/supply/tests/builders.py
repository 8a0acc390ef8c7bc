"""Test builders of the supply app, through its services (usable by every supply test module)."""

import datetime

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_owner
from tumbuh.registry.models import Enterprise
from tumbuh.supply.services import market, orders

# Two villages of Kab. Bandung (32.04) about 12 km apart, and one in Kota Kupang (NTT).
BANJARAN = "32.04.13.2003"
NAMOSAIN = "53.71.01.1001"


def make_chain(*, stock=500, village=DAYEUHKOLOT, buyer_village=BANJARAN):
    """A cassava grower with an open offer (100 kg minimum; Rp3,000, from 500 kg Rp2,700) and a
    keripik maker nearby, each with a login: ``(grower, grower_user, maker, maker_user, offer)``."""
    grower = make_enterprise("Tani Singkong Makmur", village=village)
    maker = make_enterprise("Keripik Bu Sari", village=buyer_village)
    grower_user, maker_user = make_owner(grower), make_owner(maker)
    offer = market.publish_offer(
        supplier=grower,
        commodity="Singkong (ubi kayu) segar",
        commodity_kbli="01135",
        unit="kg",
        min_order_quantity=100,
        tiers=[(100, 3000), (500, 2700)],
        available_quantity=stock,
        capacity_per_week=1000,
        lead_time_days=2,
        by=grower_user,
    )
    return grower, grower_user, maker, maker_user, offer


def make_bumdes(village=DAYEUHKOLOT, name="BumDes Maju Bersama"):
    bumdes = make_enterprise(name, village=village, kind=Enterprise.Kind.BUMDES)
    return bumdes, make_owner(bumdes)


def ordered(offer, maker, maker_user, grower_user, quantity=300, terms="net7"):
    """An order through quotation and purchase order."""
    order = orders.request_quotation(buyer=maker, items={offer: quantity}, by=maker_user)
    order = orders.quote(order=order, terms=terms, delivery_fee_idr=50_000, by=grower_user)
    return orders.issue_purchase_order(order=order, by=maker_user)


def starts(days=7):
    return datetime.date.today() + datetime.timedelta(days=days)


__all__ = ["make_bumdes", "make_chain", "ordered", "starts", "system_actor"]
