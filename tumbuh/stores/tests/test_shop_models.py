import pytest
from django.db import IntegrityError, transaction

from tumbuh.conftest import NAMOSAIN, make_enterprise, make_store
from tumbuh.stores.models import Product, Store, WholesaleTier

pytestmark = pytest.mark.django_db


def _store():
    return make_store("BumDes Namosain", village=NAMOSAIN, kind="bumdes", opening_product=False)


def test_stock_and_price_constraints_hold_in_the_database():
    store = _store()
    for fields in ({"stock": -1, "price_idr": 1000}, {"stock": 1, "price_idr": 0}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Product.objects.create(
                store=store, slug="x", title="X", producer=store.enterprise, **fields
            )
    assert not Product.objects.exists()


def test_wholesale_price_and_consignment_share():
    store = _store()
    member = make_enterprise("Tenun Ibu Maria", village=NAMOSAIN)
    product = Product.objects.create(
        store=store,
        slug="tenun",
        title="Tenun",
        price_idr=100_000,
        stock=5,
        producer=member,
        consignment_share_percent=80,
    )
    WholesaleTier.objects.create(product=product, min_quantity=10, price_idr=90_000)
    WholesaleTier.objects.create(product=product, min_quantity=50, price_idr=80_000)
    assert [product.price_for(q) for q in (1, 10, 49, 50)] == [100_000, 90_000, 90_000, 80_000]
    assert product.is_consignment
    assert product.producer_share_idr(250_001) == 200_000
    assert product.get_absolute_url() == "/toko/bumdes-namosain/tenun/"
    assert store.get_absolute_url() == "/toko/bumdes-namosain/"
    assert list(Store.objects.live()) == [store]
