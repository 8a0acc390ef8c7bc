"""The order as text (WhatsApp and the seller's e-mail): amounts from core.money, titles untouched."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from tumbuh.conftest import make_owner
from tumbuh.stores.services import orders
from tumbuh.stores.tests.builders import make_product
from tumbuh.stores.tests.order_builders import order_for, shop_with_product

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _whatsapp_text(link: str) -> str:
    return parse_qs(urlsplit(link).query)["text"][0]


def test_a_title_with_a_comma_keeps_it_and_amounts_have_dots(django_capture_on_commit_callbacks):
    store, _ = shop_with_product()
    owner = make_owner(store.enterprise, email="penjual@example.id")
    product = make_product(store, "Keripik, pedas", price_idr=12_000, stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_for(store, product, quantity=2, delivery="courier")
    expected = "\n".join(
        [
            f"Order {order.code} at {store.name}",
            "- 2 × Keripik, pedas: Rp24.000",
            "Delivery: Rp12.000",
            "Total: Rp36.000",
        ]
    )
    assert orders.order_summary_text(order) == expected
    assert _whatsapp_text(orders.whatsapp_order_link(order)) == expected
    assert _whatsapp_text(orders.whatsapp_buyer_link(order)) == expected
    [sent] = mail.outbox
    assert sent.to == [owner.email]
    assert sent.body.startswith(expected + "\n\n")
    assert "Keripik, pedas" in sent.body and "Keripik. pedas" not in sent.body
