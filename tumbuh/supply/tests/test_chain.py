"""The chain of an area: roles, the network and the three measures, exact on a small hand-made
chain in Kab. Bandung (32.04) with one supplier in Kota Kupang (NTT), made through the services."""

import pytest

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import DAYEUHKOLOT, make_enterprise, make_owner
from tumbuh.programmes.tests.builders import make_area
from tumbuh.registry.models import EnterpriseKbli, Milestone
from tumbuh.registry.services import merge_enterprises, record_milestone
from tumbuh.supply import chain
from tumbuh.supply.services import collections, links, market, orders
from tumbuh.supply.tests.builders import NAMOSAIN, make_bumdes, make_chain

pytestmark = pytest.mark.django_db


def settle(order, supplier_user, buyer_user, method):
    """Deliver all of an ordered order, sign the handover, invoice and pay it by ``method``."""
    quantities = {line.pk: line.quantity for line in order.lines.all()}
    note = orders.send_delivery(order=order, quantities=quantities, by=supplier_user)
    orders.sign_handover(delivery=note, receiver_name="Sari", by=buyer_user)
    invoice = orders.issue_invoice(order=order, by=supplier_user)
    orders.record_payment(invoice=invoice, method=method, by=buyer_user)
    return invoice


def buy(offer, buyer, buyer_user, supplier_user, quantity, *, fee=0):
    order = orders.request_quotation(buyer=buyer, items={offer: quantity}, by=buyer_user)
    order = orders.quote(order=order, terms="cash", delivery_fee_idr=fee, by=supplier_user)
    return orders.issue_purchase_order(order=order, by=buyer_user)


def offer_of(supplier, user, *, price, minimum=50, stock=1000, commodity="Singkong"):
    return market.publish_offer(
        supplier=supplier,
        commodity=commodity,
        unit="kg",
        min_order_quantity=minimum,
        tiers=[(minimum, price)],
        available_quantity=stock,
        by=user,
    )


def trained(enterprise):
    record_milestone(enterprise=enterprise, kind=Milestone.Kind.TRAINED, source="test", by=None)


@pytest.fixture
def hand_made():
    """grower → maker (transfer), Kupang grower → maker (QRIS), producer → BumDes (collection),
    BumDes → maker two (KBLI C, cash), maker → reseller (a link declared by a duplicate record
    of the maker, merged into it afterwards)."""
    grower, grower_user, maker, maker_user, offer = make_chain(stock=500)
    trained(maker)
    first = buy(offer, maker, maker_user, grower_user, 300, fee=50_000)  # 900,000 + 50,000
    settle(first, grower_user, maker_user, "transfer")

    far = make_enterprise("Tani Kupang", village=NAMOSAIN)
    far_user = make_owner(far)
    far_offer = offer_of(far, far_user, price=2500)
    settle(buy(far_offer, maker, maker_user, far_user, 100), far_user, maker_user, "qris")

    bumdes, bumdes_user = make_bumdes()
    producer = make_enterprise("Tani Pak Ujang", village=DAYEUHKOLOT)
    bumdes_offer = offer_of(bumdes, bumdes_user, price=3200, minimum=100, stock=0)
    collections.record_collection(
        collector=bumdes,
        producer=producer,
        commodity="Singkong",
        unit="kg",
        quantity=250,
        unit_price_idr=2000,
        collected_on="2026-12-01",
        offer=bumdes_offer,
        by=bumdes_user,
    )
    maker_two = make_enterprise("Tapioka Pak Dedi", village=DAYEUHKOLOT)
    EnterpriseKbli.objects.create(enterprise=maker_two, code="10794")
    maker_two_user = make_owner(maker_two)
    trained(maker_two)
    second = buy(bumdes_offer, maker_two, maker_two_user, bumdes_user, 100)  # 320,000
    settle(second, bumdes_user, maker_two_user, "cash")

    reseller = make_enterprise("Toko Oleh-oleh Rasa", village=DAYEUHKOLOT)
    duplicate = make_enterprise("Keripik Bu Sari (dobel)", village=DAYEUHKOLOT)
    links.declare_link(
        supplier=duplicate,
        buyer=reseller,
        commodity="Keripik singkong",
        unit="pak",
        usual_volume=40,
        side=reseller,
        by=system_actor(),
    )
    merge_enterprises(keep=maker, drop=duplicate, by=system_actor())
    area = make_area(regencies=("32.04",), name="Kawasan Bandung Selatan")
    return {
        "area": area,
        "grower": grower,
        "maker": maker,
        "far": far,
        "bumdes": bumdes,
        "producer": producer,
        "maker_two": maker_two,
        "reseller": reseller,
        "duplicate": duplicate,
    }


def test_roles_follow_the_rules(hand_made):
    loaded = chain.load_chain(["32.04"])
    role = {pk: business.role for pk, business in loaded.businesses.items()}
    assert role[hand_made["grower"].pk] == chain.GROWER
    assert role[hand_made["producer"].pk] == chain.GROWER
    assert role[hand_made["far"].pk] == chain.GROWER
    assert role[hand_made["bumdes"].pk] == chain.COLLECTOR
    assert role[hand_made["maker"].pk] == chain.PROCESSOR  # buys from growers
    assert role[hand_made["maker_two"].pk] == chain.PROCESSOR  # KBLI 10794, section C
    assert role[hand_made["reseller"].pk] == chain.RESELLER  # buys only from a processor
    assert hand_made["duplicate"].pk not in loaded.businesses  # counted as its survivor


def test_the_three_measures_exactly(hand_made):
    regencies = chain.area_regencies(hand_made["area"])
    total, per_regency = chain.area_measures(chain.load_chain(regencies), regencies)
    assert list(per_regency) == ["32.04"]
    assert (total.processors, total.processors_trained, total.processors_trained_digital) == (
        2,
        2,
        1,
    )
    assert total.digital_share == 0.5
    assert total.b2b_value_idr == 950_000 + 250_000 + 320_000
    assert total.bought_value_idr == 1_520_000 + 500_000
    # Everything but the Kupang grower's 250,000 was sourced inside the area.
    assert total.bought_inside_value_idr == 950_000 + 500_000 + 320_000
    assert chain.share_text(total.inside_share) == "87,6 %"
    assert chain.areas_measures([hand_made["area"]])[hand_made["area"].pk] == total


def test_the_dashboards_facts_share_an_area(hand_made):
    facts = chain.regency_facts()
    bandung = facts["32.04"]
    assert (bandung.processors_trained, bandung.processors_trained_digital) == (2, 1)
    assert bandung.b2b_value_idr == 1_520_000
    assert bandung.bought_inside_value_idr == 1_770_000
    assert "53.71" not in facts  # the Kupang grower buys nothing and processes nothing


def test_the_network_of_the_area(hand_made):
    network = chain.area_network(hand_made["area"])
    names = {node.business.name for node in network.nodes}
    assert names == {
        "Tani Singkong Makmur",
        "Keripik Bu Sari",
        "BumDes Maju Bersama",
        "Tani Pak Ujang",
        "Tapioka Pak Dedi",
        "Toko Oleh-oleh Rasa",
    }
    edges = {(e.supplier.name, e.buyer.name): e for e in network.edges}
    assert set(edges) == {
        ("Tani Singkong Makmur", "Keripik Bu Sari"),
        ("Tani Pak Ujang", "BumDes Maju Bersama"),
        ("BumDes Maju Bersama", "Tapioka Pak Dedi"),
        ("Keripik Bu Sari", "Toko Oleh-oleh Rasa"),
    }
    declared = edges[("Keripik Bu Sari", "Toko Oleh-oleh Rasa")]
    assert (declared.weekly, declared.unit, declared.basis) == (40, "pak", "declared")
    # No usual volume on the link paid through orders: 300 kg over the last 90 days, per week.
    ordered = edges[("Tani Singkong Makmur", "Keripik Bu Sari")]
    assert (ordered.weekly, ordered.basis) == (round(300 / (90 / 7)), "orders_90_days")
    assert network.outside_links == 1  # the Kupang grower's link to the maker

    svg = chain.network_svg(hand_made["area"], network, ["32.04"])
    assert svg.startswith("<svg") and "<script" not in svg
    assert svg.count("<title>") == 1 + 6 + 4  # the map's, one per business and per link
    assert "Keripik Bu Sari → Toko Oleh-oleh Rasa: 40 pak/" in svg
    assert svg.count('marker-end="url(#chain-arrow)"') == 4  # which way the goods go
    assert "Keripik Bu Sari: " in svg and "stroke-width" in svg
    assert len(svg) < 60_000


def test_a_business_in_a_processing_programme_is_a_processor(hand_made):
    from tumbuh.programmes.tests.builders import make_cohort, make_enrolment

    cohort = make_cohort()  # a programme for KBLI section C
    make_enrolment(cohort, hand_made["reseller"])
    loaded = chain.load_chain(["32.04"])
    assert loaded.businesses[hand_made["reseller"].pk].role == chain.PROCESSOR


def test_a_large_network_is_drawn_small_and_capped():
    """Above the titled size every role is one path; above the cap the rest are left out with a
    note; coordinates are whole units."""
    area = make_area(regencies=("32.04",), name="Kawasan Besar")
    roles = [chain.GROWER, chain.COLLECTOR, chain.PROCESSOR, chain.RESELLER]
    nodes = []
    for number in range(450):
        business = chain.Business(number, f"B{number}", f"Usaha {number}", DAYEUHKOLOT, "umkm")
        business.role = roles[number % 4]
        # Spread over Kab. Bandung (107.25–107.94 E, 6.81–7.31 S).
        nodes.append(
            chain.Node(
                business,
                latitude=-6.85 - (number % 20) * 0.02,
                longitude=107.3 + (number // 20) * 0.025,
            )
        )
    edges = [
        chain.Edge(nodes[i].business, nodes[i + 1].business, ["Singkong"], 10 + i, "kg", "orders")
        for i in range(0, 440, 2)
    ]
    svg = chain.network_svg(area, chain.Network(nodes, edges, 0), ["32.04"])
    assert svg.count("<title>") == 1 + 4  # the map's, and one per role's path
    assert "50 usaha tidak digambar" in svg  # Indonesian first
    assert "." not in svg.split('fill="#009e73" d="', 1)[1].split('"', 1)[0]  # whole units
    assert len(svg.encode()) < 40_000
