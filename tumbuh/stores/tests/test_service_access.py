"""Every stores service takes its actor and fails closed: no actor, or a person who does not run
the store, is refused and nothing changes; the people who run it and the system actor pass."""

import pytest
from django.core.exceptions import PermissionDenied

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import make_enterprise, make_owner, make_store, make_user
from tumbuh.core.models import AuditEvent
from tumbuh.registry.models import Milestone
from tumbuh.stores.models import ConsignmentPayout, Order, OrderEvent, Product, Store
from tumbuh.stores.services import orders, shop
from tumbuh.stores.tests.builders import make_product
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _calls(store, product):
    """Each service of a store, called by ``by``."""
    return {
        "update_store_details": lambda by: shop.update_store_details(
            store=store, name="Nama Baru", description="", by=by
        ),
        "set_store_location": lambda by: shop.set_store_location(
            store=store, village_code=store.village_id, pickup_point="Pasar", by=by
        ),
        "set_store_delivery": lambda by: shop.set_store_delivery(
            store=store,
            offers_pickup=True,
            offers_local_delivery=False,
            zones=[],
            offers_courier=False,
            by=by,
        ),
        "set_store_payments": lambda by: shop.set_store_payments(
            store=store,
            whatsapp="0812-1111-2222",
            accepts_cod=True,
            accepts_transfer=False,
            by=by,
        ),
        "suspend_store": lambda by: shop.suspend_store(store=store, by=by),
        "create_product": lambda by: shop.create_product(
            store=store, title="Gula Aren", price_idr=20_000, stock=3, by=by
        ),
        "update_product": lambda by: shop.update_product(product=product, price_idr=9_000, by=by),
        "restock": lambda by: shop.restock(product=product, quantity=4, by=by),
    }


def _state(store, product):
    store.refresh_from_db()
    product.refresh_from_db()
    return (
        store.name,
        store.pickup_point,
        store.status,
        store.whatsapp_masked,
        store.offers_courier,
        product.price_idr,
        product.stock,
        product.version,
        Product.objects.count(),
        AuditEvent.objects.count(),
    )


SERVICES = list(_calls(None, None))


@pytest.mark.parametrize("service", SERVICES)
def test_no_actor_and_a_stranger_are_refused_and_nothing_changes(service):
    store = make_store(offers_courier=True, pickup_point="Kantor")
    product = make_product(store, "Kopi", price_idr=10_000, stock=5)
    stranger = make_owner(make_enterprise("Usaha Lain"))
    officer = make_user()
    before = _state(store, product)
    call = _calls(store, product)[service]
    for by in (None, stranger, officer):
        with pytest.raises(PermissionDenied, match="You do not run this store"):
            call(by)
        assert _state(store, product) == before


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("actor", ["owner", "system"])
def test_who_runs_the_store_and_the_system_actor_pass(service, actor):
    store = make_store(offers_courier=True, pickup_point="Kantor")
    product = make_product(store, "Kopi", price_idr=10_000, stock=5)
    by = make_owner(store.enterprise) if actor == "owner" else system_actor()
    before = _state(store, product)
    _calls(store, product)[service](by)
    assert _state(store, product) != before
    assert AuditEvent.objects.order_by("-pk").first().actor == by


def test_opening_a_store_needs_an_actor_who_runs_the_business():
    enterprise = make_enterprise("Usaha Baru")
    stranger = make_owner(make_enterprise("Usaha Lain"))
    for by in (None, stranger):
        with pytest.raises(PermissionDenied, match="only for a business you run"):
            shop.start_store(enterprise=enterprise, name="Toko Baru", by=by)
    assert not Store.objects.exists()
    owner = make_owner(enterprise)
    assert shop.start_store(enterprise=enterprise, name="Toko Baru", by=owner).created_by == owner
    # the system actor may open one; a record's own "by" column names people only
    other = make_enterprise("Usaha Demo")
    opened = shop.start_store(enterprise=other, name="Toko Demo", by=system_actor())
    assert (opened.status, opened.created_by) == (Store.Status.DRAFT, None)


def test_publishing_needs_an_actor_who_runs_the_store():
    store = make_store(live=False)
    make_product(store, "Kopi")
    for by in (None, make_owner(make_enterprise("Usaha Lain"))):
        with pytest.raises(PermissionDenied):
            shop.publish_store(store=store, by=by)
    store.refresh_from_db()
    assert store.status == Store.Status.DRAFT
    assert not Milestone.objects.filter(kind="store_live").exists()
    assert shop.publish_store(store=store, by=system_actor()).status == Store.Status.LIVE


def test_moving_an_order_needs_an_actor_who_runs_the_store():
    store, product = shop_with_product()
    order = order_for(store, product)
    events = OrderEvent.objects.count()
    for by in (None, make_owner(make_enterprise("Usaha Lain"))):
        with pytest.raises(PermissionDenied, match="You do not run this store"):
            orders.transition(order=order, to="confirmed", by=by)
        with pytest.raises(PermissionDenied, match="You do not run this store"):
            orders.seller_transition(order=order, to="confirmed", by=by)
    assert Order.objects.get(pk=order.pk).status == "new"
    assert OrderEvent.objects.count() == events
    system = system_actor()
    moved = orders.transition(order=order, to="confirmed", by=system, source="demo")
    assert moved.status == "confirmed"
    event = moved.events.get(to_status="confirmed")
    assert (event.by, event.source) == (None, "demo")
    audit = AuditEvent.objects.get(action="stores.order_status", target_id=str(order.pk))
    assert audit.actor == system


def test_a_payout_needs_an_actor_who_runs_the_store():
    bumdes = make_enterprise("BUMDes Maju", kind="bumdes")
    member = make_enterprise("Keripik Bu Ani")
    store = make_store(enterprise=bumdes)
    consigned = make_product(
        store, price_idr=20_000, stock=20, producer=member, consignment_share_percent=80
    )
    order = order_for(store, consigned, quantity=2)
    for step in ("confirmed", "packed", "delivered"):
        order = orders.transition(order=order, to=step, by=system_actor())
    for by in (None, make_owner(make_enterprise("Usaha Lain"))):
        with pytest.raises(PermissionDenied, match="You do not run this store"):
            orders.record_payout(store=store, producer=member, amount_idr=1_000, by=by)
    assert not ConsignmentPayout.objects.exists()
    seller = make_owner(bumdes)
    payout = orders.record_payout(store=store, producer=member, amount_idr=1_000, by=seller)
    assert (payout.amount_idr, payout.by) == (1_000, seller)


def test_queued_edits_reach_only_the_products_of_the_actors_stores():
    store = make_store()
    product = make_product(store, "Kopi", price_idr=10_000, stock=5)
    edit = {"product": product.public_id, "base_version": 1, "changes": {"stock": 9}}
    stranger = make_owner(make_enterprise("Usaha Lain"))
    [refused] = shop.sync_product_edits(by=stranger, edits=[{"client_id": "a1", **edit}])
    assert (refused["outcome"], refused["detail"]) == ("refused", "Unknown product.")
    product.refresh_from_db()
    assert (product.stock, product.version) == (5, 1)
    owner = make_owner(store.enterprise)
    [applied] = shop.sync_product_edits(by=owner, edits=[{"client_id": "a2", **edit}])
    assert (applied["outcome"], applied["current"]["stock"]) == ("applied", 9)
