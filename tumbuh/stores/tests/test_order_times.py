"""Order times on the buyer's and the seller's pages in the zone of the store's village (the
server's zone is Asia/Jakarta), and "today's orders" as the store's own day."""

import datetime

import pytest
from django.urls import reverse

from tumbuh.conftest import NAMOSAIN, SENTANI_KOTA, make_owner
from tumbuh.core import times
from tumbuh.stores.models import Order
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

pytestmark = pytest.mark.django_db


def test_buyer_and_seller_see_the_order_at_the_stores_hour(client, client_of):
    store, product = shop_with_product(village=SENTANI_KOTA)
    seller = make_owner(store.enterprise)
    order = order_for(store, product)
    # 31 March 16.30 UTC: 23.30 WIB in Jakarta, already 01.30 WIT on 1 April in Jayapura.
    placed = datetime.datetime(2026, 3, 31, 16, 30, tzinfo=datetime.UTC)
    Order.objects.filter(pk=order.pk).update(created_at=placed)
    order.events.update(at=placed)

    status = client.get(reverse("stores:order-status", args=[order.code])).content.decode()
    assert " · 1 Apr 2026 01.30 WIT</p>" in status
    assert "<li>1 Apr 01.30 WIT: " in status
    seller_client = client_of(seller)
    detail = seller_client.get(reverse("stores:seller-order", args=[order.code])).content.decode()
    assert " · 1 Apr 2026 01.30 WIT</p>" in detail
    assert "<li>1 Apr 01.30 WIT: " in detail
    listing = seller_client.get(reverse("stores:seller-orders") + "?tampil=semua")
    assert "<p>1 Apr 2026 01.30 WIT · " in listing.content.decode()


def test_todays_orders_are_those_of_the_stores_own_day(client_of):
    store, product = shop_with_product(village=NAMOSAIN)
    seller = make_owner(store.enterprise)
    midnight, _next = times.day_bounds(times.today(NAMOSAIN), NAMOSAIN)
    # 00.30 WITA today is 23.30 WIB yesterday: today's for a store in Kupang.
    just_after = order_for(store, product)
    Order.objects.filter(pk=just_after.pk).update(
        created_at=midnight + datetime.timedelta(minutes=30)
    )
    just_before = order_for(store, product)
    Order.objects.filter(pk=just_before.pk).update(
        created_at=midnight - datetime.timedelta(minutes=30)
    )

    html = client_of(seller).get(reverse("stores:seller-orders")).content.decode()
    assert just_after.code in html
    assert just_before.code not in html
    every = client_of(seller).get(reverse("stores:seller-orders") + "?tampil=semua")
    assert just_before.code in every.content.decode()


def test_all_orders_page_by_keyset_newest_first(client_of, monkeypatch):
    from tumbuh.stores.views import seller_orders

    monkeypatch.setattr(seller_orders, "PAGE", 2)
    store, product = shop_with_product(village=NAMOSAIN)
    seller = make_owner(store.enterprise)
    placed = [order_for(store, product) for _ in range(3)]
    client = client_of(seller)

    first = client.get(reverse("stores:seller-orders"), {"tampil": "semua"})
    second = client.get(
        reverse("stores:seller-orders"),
        {"tampil": "semua", "cursor": first.context["page"].next_cursor},
    )

    newest_first = [order.code for order in reversed(placed)]
    assert [row["order"].code for row in first.context["rows"]] == newest_first[:2]
    assert [row["order"].code for row in second.context["rows"]] == newest_first[2:]
    assert 'rel="next"' in first.content.decode()
    assert 'rel="next"' not in second.content.decode()
