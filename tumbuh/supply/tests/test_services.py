"""The supply services end to end: links, offers and requests matched, a B2B order from
quotation to payment with a partial delivery, stock never oversold, and a BumDes's collections."""

import datetime

import pytest
from django.core import mail

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_enterprise, make_owner
from tumbuh.core.refusals import Refused
from tumbuh.supply.models import Invoice, Match, Offer, SupplyLink, SupplyOrder, SupplyOrderEvent
from tumbuh.supply.services import collections, links, market, orders
from tumbuh.supply.tests.builders import (
    NAMOSAIN,
    make_bumdes,
    make_chain,
    ordered,
    starts,
)

pytestmark = pytest.mark.django_db


def test_the_whole_order_with_a_partial_delivery():
    grower, grower_user, maker, maker_user, offer = make_chain(stock=500)
    order = orders.request_quotation(
        buyer=maker, items={offer.public_id: 300}, wanted_by="2027-01-10", by=maker_user
    )
    line = order.lines.get()
    assert (order.status, line.unit_price_idr, order.total_idr) == ("requested", 3000, 900_000)

    order = orders.quote(
        order=order, terms="net14", prices={line.pk: 2900}, delivery_fee_idr=25_000, by=grower_user
    )
    assert (order.status, order.subtotal_idr, order.total_idr) == ("quoted", 870_000, 895_000)
    offer.refresh_from_db()
    assert offer.available_quantity == 500  # nothing reserved before the purchase order

    order = orders.issue_purchase_order(order=order, by=maker_user)
    offer.refresh_from_db()
    assert (order.status, offer.available_quantity) == ("ordered", 200)

    first = orders.send_delivery(order=order, quantities={line.pk: 120}, by=grower_user)
    order.refresh_from_db()
    assert (order.status, first.number) == ("delivering", f"SJ-{order.code}-1")
    with pytest.raises(Refused) as refused:
        orders.issue_invoice(order=order, by=grower_user)
    assert refused.value.code == "nothing_to_invoice"  # nothing handed over yet

    orders.sign_handover(delivery=first, receiver_name="Sari", by=maker_user)
    invoice = orders.issue_invoice(order=order, by=grower_user)
    assert invoice.amount_idr == 120 * 2900 + 25_000
    assert 13 <= (invoice.due_on - datetime.date.today()).days <= 15
    orders.record_payment(invoice=invoice, method="transfer", reference="BRI 123", by=maker_user)
    order.refresh_from_db()
    assert order.status == "delivering"  # 180 kg still to come

    second = orders.send_delivery(order=order, quantities={line.pk: 180}, by=grower_user)
    order.refresh_from_db()
    assert order.status == "delivered"
    orders.sign_handover(delivery=second, receiver_name="Sari", by=maker_user)
    last = orders.issue_invoice(order=order, by=grower_user)
    assert last.amount_idr == 180 * 2900  # the delivery fee went with the first invoice
    orders.record_payment(invoice=last, method="qris", by=grower_user)
    order.refresh_from_db()
    assert (order.status, order.paid_idr) == ("completed", order.total_idr)
    link = SupplyLink.objects.get(supplier=grower, buyer=maker)
    assert link.basis == "orders"
    steps = list(SupplyOrderEvent.objects.filter(order=order).values_list("kind", "to_status"))
    assert steps[0] == ("status", "requested") and steps[-1] == ("status", "completed")
    assert [kind for kind, _s in steps].count("delivery") == 2


def test_guards_refuse_steps_out_of_order_and_by_the_wrong_side():
    _grower, grower_user, maker, maker_user, offer = make_chain()
    order = orders.request_quotation(buyer=maker, items={offer: 100}, by=maker_user)
    with pytest.raises(Refused) as refused:
        orders.issue_purchase_order(order=order, by=maker_user)
    assert refused.value.code == "order_transition"
    with pytest.raises(Refused) as refused:
        orders.quote(order=order, terms="net7", by=maker_user)  # the buyer cannot quote
    assert refused.value.code == "not_your_business"
    with pytest.raises(Refused) as refused:
        orders.quote(order=order, terms="net60", by=grower_user)
    assert refused.value.code == "terms_unknown"
    with pytest.raises(Refused) as refused:
        orders.request_quotation(buyer=maker, items={offer: 99}, by=maker_user)
    assert refused.value.code == "below_minimum"
    stranger = make_owner(make_enterprise("Usaha Lain"))
    with pytest.raises(Refused):
        orders.cancel(order=order, by=stranger)
    assert SupplyOrder.objects.get(pk=order.pk).status == "requested"


def test_over_delivery_and_overselling_are_refused_and_cancel_gives_stock_back():
    _grower, grower_user, maker, maker_user, offer = make_chain(stock=300)
    order = ordered(offer, maker, maker_user, grower_user, quantity=300)
    line = order.lines.get()
    with pytest.raises(Refused) as refused:
        orders.send_delivery(order=order, quantities={line.pk: 301}, by=grower_user)
    assert refused.value.code == "over_delivery"

    other = make_enterprise("Keripik Pak Dedi", village="32.04.13.2003")
    other_user = make_owner(other)
    second = orders.request_quotation(buyer=other, items={offer: 100}, by=other_user)
    second = orders.quote(order=second, terms="cash", by=grower_user)
    with pytest.raises(Refused) as refused:
        orders.issue_purchase_order(order=second, by=other_user)
    assert refused.value.code == "not_enough_stock"
    assert SupplyOrder.objects.get(pk=second.pk).status == "quoted"

    orders.cancel(order=order, reason="Gagal panen", by=maker_user)
    offer.refresh_from_db()
    assert offer.available_quantity == 300
    orders.issue_purchase_order(order=second, by=other_user)
    offer.refresh_from_db()
    assert offer.available_quantity == 200


def test_closing_short_gives_back_the_rest_and_completes_when_paid():
    _grower, grower_user, maker, maker_user, offer = make_chain(stock=500)
    order = ordered(offer, maker, maker_user, grower_user, quantity=300, terms="cash")
    line = order.lines.get()
    note = orders.send_delivery(order=order, quantities={line.pk: 200}, by=grower_user)
    orders.sign_handover(delivery=note, receiver_name="Sari", by=maker_user)
    order = orders.close_short(order=order, reason="Cukup", by=maker_user)
    offer.refresh_from_db()
    assert (order.status, offer.available_quantity) == ("delivered", 300)
    assert order.subtotal_idr == 200 * 3000
    invoice = orders.issue_invoice(order=order, by=grower_user)
    assert invoice.amount_idr == 200 * 3000 + 50_000
    assert invoice.due_on <= datetime.date.today() + datetime.timedelta(days=1)
    orders.record_payment(invoice=invoice, method="cash", by=grower_user)
    assert SupplyOrder.objects.get(pk=order.pk).status == "completed"
    with pytest.raises(Refused) as refused:
        orders.record_payment(
            invoice=Invoice.objects.get(pk=invoice.pk), method="cash", by=grower_user
        )
    assert refused.value.code == "invoice_paid"


def test_a_request_meets_the_offers_near_it_and_both_sides_are_told(
    django_capture_on_commit_callbacks,
):
    _grower, _grower_user, maker, maker_user, offer = make_chain()
    far = make_enterprise("Tani Kupang", village=NAMOSAIN)
    market.publish_offer(
        supplier=far,
        commodity="Ubi kayu",
        commodity_kbli="01135",
        unit="kg",
        min_order_quantity=50,
        tiers=[(50, 2500)],
        by=system_actor(),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = market.publish_request(
            buyer=maker,
            commodity="Singkong",
            commodity_kbli="01135",
            unit="kg",
            quantity=200,
            starts_on=starts(),
            by=maker_user,
        )
    matches = list(Match.objects.filter(request=request))
    assert [m.offer_id for m in matches] == [offer.pk]  # Kupang is too far from Bandung
    assert 5 < matches[0].distance_km < 40
    assert matches[0].notified_at is not None
    assert len(mail.outbox) == 2
    assert all("+62" not in message.body for message in mail.outbox)


def test_offers_and_requests_refuse_bad_input_and_write_nothing():
    grower, grower_user, *_rest = make_chain()
    before = Offer.objects.count()
    for tiers, field in (
        ([(200, 3000)], "tiers"),  # does not start at the minimum
        ([(100, 3000), (200, 3100)], "tiers"),  # a larger quantity costs more
        ([(100, "tiga ribu")], "tiers.0.price_idr"),
    ):
        with pytest.raises(Refused) as refused:
            market.publish_offer(
                supplier=grower,
                commodity="Singkong",
                unit="kg",
                min_order_quantity=100,
                tiers=tiers,
                by=grower_user,
            )
        assert refused.value.field == field
    with pytest.raises(Refused) as refused:
        market.publish_offer(
            supplier=grower,
            commodity="Singkong",
            unit="gantang",
            min_order_quantity=1,
            tiers=[(1, 1)],
            by=grower_user,
        )
    assert refused.value.code == "unit_invalid"
    assert Offer.objects.count() == before


def test_links_grow_stronger_and_never_weaker():
    grower, grower_user, maker, maker_user, _offer = make_chain()
    link = links.declare_link(
        supplier=grower, buyer=maker, commodity="Singkong", side=grower, by=grower_user
    )
    assert (link.basis, link.declared_by_id) == ("declared", grower.pk)
    link = links.declare_link(
        supplier=grower,
        buyer=maker,
        commodity="singkong",
        usual_volume=200,
        side=maker,
        by=maker_user,
    )
    assert (link.basis, link.usual_volume) == ("confirmed", 200)
    again = links.declare_link(
        supplier=grower, buyer=maker, commodity="Singkong", side=grower, by=grower_user
    )
    assert again.pk == link.pk and again.basis == "confirmed"
    with pytest.raises(Refused) as refused:
        links.declare_link(
            supplier=grower, buyer=grower, commodity="Singkong", side=grower, by=grower_user
        )
    assert refused.value.code == "same_business"


def test_a_bumdes_collects_from_its_village_and_sells_on():
    bumdes, bumdes_user = make_bumdes()
    producer = make_enterprise("Tani Pak Ujang")
    offer = market.publish_offer(
        supplier=bumdes,
        commodity="Singkong",
        unit="kg",
        min_order_quantity=100,
        tiers=[(100, 3200)],
        by=bumdes_user,
    )
    collection = collections.record_collection(
        collector=bumdes,
        producer=producer,
        commodity="Singkong",
        unit="kg",
        quantity=250,
        unit_price_idr=2000,
        collected_on="2026-12-01",
        is_member=True,
        offer=offer,
        by=bumdes_user,
    )
    offer.refresh_from_db()
    assert (collection.amount_idr, offer.available_quantity) == (500_000, 250)
    assert SupplyLink.objects.get(supplier=producer, buyer=bumdes).basis == "collections"
    collections.pay_collection(collection=collection, by=bumdes_user)
    collection.refresh_from_db()
    assert collection.paid_at is not None

    elsewhere = make_enterprise("Tani Kupang", village=NAMOSAIN)
    with pytest.raises(Refused) as refused:
        collections.record_collection(
            collector=bumdes,
            producer=elsewhere,
            commodity="Singkong",
            unit="kg",
            quantity=1,
            unit_price_idr=1,
            collected_on="2026-12-01",
            by=bumdes_user,
        )
    assert refused.value.code == "not_in_village"
