"""A B2B order's page and its steps through the test client: each side sees only its own
steps, every step calls its service, a refused or repeated step comes back with its message and
writes nothing, strangers get 404, and the page stays within the light-page budget."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.conftest import make_enterprise, make_owner
from tumbuh.core.tests.weight import served_size
from tumbuh.supply.models import DeliveryNote, Invoice, SupplyOrder, SupplyOrderEvent
from tumbuh.supply.services import market, orders
from tumbuh.supply.tests.builders import make_chain, ordered
from tumbuh.supply.views.orders import next_step

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BUDGET_BYTES = 14 * 1024


def page_url(order) -> str:
    return f"/rantai-pasok/pesanan/{order.code}/"


def step_url(order, step: str) -> str:
    return f"/rantai-pasok/pesanan/{order.code}/{step}/"


def jpeg(size=(900, 600)) -> SimpleUploadedFile:
    """A small phone-like photo (a gradient, so it is not a trivial image)."""
    from PIL import Image

    image = Image.linear_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


def sign_in(client, user):
    """The test client as ``user`` (signed out of whoever it was, still reading English)."""
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def post(client, order, step, data=None) -> list[str]:
    """Send a step's form; back on the order's page, the messages it shows."""
    response = client.post(step_url(order, step), data or {}, follow=True)
    assert response.redirect_chain == [(page_url(order), 302)]
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def chain():
    return make_chain(stock=500)


@pytest.fixture
def requested(chain):
    _grower, _grower_user, maker, maker_user, offer = chain
    return orders.request_quotation(buyer=maker, items={offer: 300}, by=maker_user)


def test_each_side_sees_its_own_steps_and_strangers_get_404(client, client_of, chain, requested):
    _grower, grower_user, _maker, maker_user, _offer = chain
    order, line = requested, requested.lines.get()

    supplier_page = client_of(grower_user).get(page_url(order)).content.decode()
    assert 'data-status="requested"' in supplier_page
    assert "Quote your prices and payment terms, or decline." in supplier_page
    assert f'name="price-{line.pk}" value="3000"' in supplier_page
    assert step_url(order, "tawar") in supplier_page and step_url(order, "tolak") in supplier_page
    assert step_url(order, "po") not in supplier_page
    assert step_url(order, "batal") not in supplier_page  # the supplier declines instead

    buyer_page = sign_in(client, maker_user).get(page_url(order)).content.decode()
    assert "Waiting for the supplier&#x27;s quotation." in buyer_page
    assert step_url(order, "tawar") not in buyer_page and step_url(order, "batal") in buyer_page

    client.logout()
    stranger = make_owner(make_enterprise("Usaha Lain"))
    assert client_of(stranger).get(page_url(order)).status_code == 404
    answer = client.post(step_url(order, "batal"), {"reason": "x"})
    assert answer.status_code == 404
    assert SupplyOrder.objects.get(pk=order.pk).status == "requested"
    client.logout()
    assert client.get(page_url(order)).status_code == 302  # to sign in
    assert client_of(grower_user).get(step_url(order, "tawar")).status_code == 405
    assert client.post(step_url(order, "terbang"), {}).status_code == 404


def test_the_whole_order_through_its_pages_with_a_partial_delivery(client, client_of, chain):
    _grower, grower_user, maker, maker_user, offer = chain
    order = orders.request_quotation(buyer=maker, items={offer: 300}, by=maker_user)
    line = order.lines.get()
    supplier = client_of(grower_user)
    assert post(
        supplier,
        order,
        "tawar",
        {f"price-{line.pk}": "2900", "delivery_fee_idr": "25000", "terms": "net14", "note": ""},
    ) == [f"Quotation sent to {maker.name}."]
    order.refresh_from_db()
    assert (order.status, order.terms, order.total_idr) == ("quoted", "net14", 895_000)

    buyer = sign_in(client, maker_user)
    page = buyer.get(page_url(order)).content.decode()
    assert "Check the quotation, then issue the purchase order or cancel." in page
    assert "Rp895.000" in page
    assert post(buyer, order, "po") == ["Purchase order issued; the goods are reserved for you."]
    offer.refresh_from_db()
    assert offer.available_quantity == 200

    supplier = sign_in(client, grower_user)
    page = supplier.get(page_url(order)).content.decode()
    assert f'name="quantity-{line.pk}" value="300"' in page  # prefilled with what is owed
    assert f'name="expected" value="SJ-{order.code}-1"' in page
    sent = post(
        supplier,
        order,
        "kirim",
        {
            f"quantity-{line.pk}": "120",
            "carrier": "Pick-up D 1234 AB",
            "expected": f"SJ-{order.code}-1",
        },
    )
    assert sent == [f"Delivery note SJ-{order.code}-1 sent."]
    order.refresh_from_db()
    assert order.status == "delivering"
    page = supplier.get(page_url(order)).content.decode()
    assert f'name="quantity-{line.pk}" value="180"' in page

    buyer = sign_in(client, maker_user)
    page = buyer.get(page_url(order)).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'accept="image/*"' in page
    assert "capture=" in page
    signed = post(
        buyer,
        order,
        "terima",
        {"delivery": f"SJ-{order.code}-1", "receiver_name": "Sari", "photo": jpeg()},
    )
    assert signed == [f"Handover BAST-{order.code}-1 signed."]
    delivery = DeliveryNote.objects.get(order=order)
    assert delivery.received_by_name == "Sari" and delivery.received_photo

    supplier = sign_in(client, grower_user)
    assert post(supplier, order, "tagih") == [f"Invoice INV-{order.code}-1 issued."]
    invoice = Invoice.objects.get(order=order)
    assert invoice.amount_idr == 120 * 2900 + 25_000

    buyer = sign_in(client, maker_user)
    paid = post(
        buyer,
        order,
        "bayar",
        {"invoice": invoice.number, "method": "transfer", "reference": "BRI 0042"},
    )
    assert paid == [f"Invoice {invoice.number} is paid."]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.method, invoice.reference) == ("paid", "transfer", "BRI 0042")
    page = buyer.get(page_url(order)).content.decode()
    assert 'data-status="delivering"' in page and 'data-status="paid"' in page
    assert "Waiting for the next delivery." in page
    assert f"/dokumen/BAST-{order.code}-1.pdf" in page and f"/dokumen/{invoice.number}.pdf" in page

    # Enough: the buyer closes the order with what came; it is then complete (all paid).
    assert post(buyer, order, "tutup", {"reason": "Cukup"}) == [
        "The order is closed with what was delivered."
    ]
    order.refresh_from_db()
    assert order.status == "completed"
    offer.refresh_from_db()
    assert offer.available_quantity == 380
    page = buyer.get(page_url(order)).content.decode()
    assert "Completed: everything was delivered, handed over and paid." in page
    assert "<form" not in page.split('id="main"')[1].split("</main>")[0]


def test_a_refused_step_says_why_and_writes_nothing(client_of, chain, requested):
    _grower, grower_user, _maker, _maker_user, _offer = chain
    order, line = requested, requested.lines.get()
    events = SupplyOrderEvent.objects.filter(order=order).count()
    supplier = client_of(grower_user)

    assert post(supplier, order, "tawar", {f"price-{line.pk}": "tiga ribu", "terms": "net7"}) == [
        "Give a price in whole rupiah, from 1 to 1,000,000,000."
    ]
    assert post(supplier, order, "tawar", {f"price-{line.pk}": "3000", "terms": "net60"}) == [
        "Choose cash or 7, 14 or 30 days."
    ]
    # The supplier cannot take the buyer's step.
    assert post(supplier, order, "po") == [f"You do not act for {order.buyer.name}."]
    fresh = SupplyOrder.objects.get(pk=order.pk)
    assert (fresh.status, fresh.terms, fresh.quoted_at) == ("requested", "cash", None)
    assert fresh.lines.get().unit_price_idr == 3000
    assert SupplyOrderEvent.objects.filter(order=order).count() == events


def test_a_step_sent_twice_gets_the_refusal_not_an_error(client, client_of, chain):
    _grower, grower_user, maker, maker_user, offer = chain
    order = ordered(offer, maker, maker_user, grower_user, quantity=300)
    line = order.lines.get()
    supplier = client_of(grower_user)
    form = {f"quantity-{line.pk}": "120", "expected": f"SJ-{order.code}-1"}
    assert post(supplier, order, "kirim", form) == [f"Delivery note SJ-{order.code}-1 sent."]
    assert post(supplier, order, "kirim", form) == [
        "That delivery was already sent; check the order before sending another."
    ]
    assert DeliveryNote.objects.filter(order=order).count() == 1
    assert SupplyOrder.objects.get(pk=order.pk).lines.get().delivered_quantity == 120

    buyer = sign_in(client, maker_user)
    handover = {"delivery": f"SJ-{order.code}-1", "receiver_name": "Sari"}
    assert post(buyer, order, "terima", handover) == [f"Handover BAST-{order.code}-1 signed."]
    assert post(buyer, order, "terima", handover) == [
        f"Delivery SJ-{order.code}-1 was already handed over."
    ]
    assert post(buyer, order, "po") == [
        f"Order {order.code} is partly delivered; this step is not possible now."
    ]
    assert post(buyer, order, "terima", {"delivery": "", "receiver_name": "Sari"}) == [
        "This field is required."
    ]
    supplier = sign_in(client, grower_user)
    post(supplier, order, "tagih")
    assert post(supplier, order, "tagih") == ["Nothing handed over is waiting to be invoiced."]
    invoice = Invoice.objects.get(order=order)
    buyer = sign_in(client, maker_user)
    payment = {"invoice": invoice.number, "method": "qris", "reference": ""}
    assert post(buyer, order, "bayar", payment) == [f"Invoice {invoice.number} is paid."]
    assert post(buyer, order, "bayar", payment) == [f"Invoice {invoice.number} is already paid."]
    assert Invoice.objects.filter(order=order, status="paid").count() == 1
    assert SupplyOrder.objects.get(pk=order.pk).paid_idr == invoice.amount_idr


def test_a_handover_needs_a_receiver_and_refuses_a_file_that_is_not_a_photo(client_of, chain):
    _grower, grower_user, maker, maker_user, offer = chain
    order = ordered(offer, maker, maker_user, grower_user, quantity=200)
    line = order.lines.get()
    orders.send_delivery(order=order, quantities={line.pk: 200}, by=grower_user)
    buyer = client_of(maker_user)
    number = f"SJ-{order.code}-1"
    assert post(buyer, order, "terima", {"delivery": number, "receiver_name": " "}) == [
        "Write the name of the person who received the goods."
    ]
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    refused = post(
        buyer, order, "terima", {"delivery": number, "receiver_name": "Sari", "photo": fake}
    )
    assert len(refused) == 1 and "Sari" not in refused[0]
    delivery = DeliveryNote.objects.get(order=order)
    assert (delivery.received_at, delivery.received_by_name, delivery.received_photo.name) == (
        None,
        "",
        "",
    )
    # A delivery note of another order is not found through this one.
    other = ordered(offer, maker, maker_user, grower_user, quantity=100)
    answer = buyer.post(step_url(other, "terima"), {"delivery": number, "receiver_name": "Sari"})
    assert answer.status_code == 404


def _realistic_order():
    """3 lines, 2 deliveries handed over, 2 invoices (the second unpaid), 12 events: an order in
    the middle of its life, when its page shows the most."""
    grower, grower_user, maker, maker_user, cassava = make_chain(stock=2000)
    others = [
        market.publish_offer(
            supplier=grower,
            commodity=commodity,
            unit="kg",
            min_order_quantity=50,
            tiers=[(50, price)],
            available_quantity=1000,
            by=grower_user,
        )
        for commodity, price in (("Ubi jalar ungu", 4500), ("Talas Bogor", 6000))
    ]
    order = orders.request_quotation(
        buyer=maker,
        items={cassava: 600, others[0]: 200, others[1]: 150},
        delivery_address="Jl. Raya Banjaran No. 12, gudang belakang",
        note="Dikemas karung 50 kg",
        by=maker_user,
    )  # 1
    for fee, note in ((90_000, ""), (75_000, "Ongkir turun"), (60_000, "Harga akhir")):
        order = orders.quote(
            order=order, terms="net14", delivery_fee_idr=fee, note=note, by=grower_user
        )  # 2, 3, 4
    order = orders.issue_purchase_order(order=order, by=maker_user)  # 5
    lines = list(order.lines.all())
    first = orders.send_delivery(
        order=order,
        quantities={lines[0].pk: 300, lines[1].pk: 100},
        carrier="Truk D 1234 AB",
        by=grower_user,
    )  # 6
    orders.sign_handover(delivery=first, receiver_name="Sari Wulandari", by=maker_user)  # 7
    invoice = orders.issue_invoice(order=order, by=grower_user)  # 8
    orders.record_payment(
        invoice=invoice, method="transfer", reference="BRI 88812", by=maker_user
    )  # 9
    second = orders.send_delivery(
        order=order, quantities={lines[0].pk: 200, lines[2].pk: 150}, carrier="Truk", by=grower_user
    )  # 10
    orders.sign_handover(delivery=second, receiver_name="Dedi", by=maker_user)  # 11
    orders.issue_invoice(order=order, by=grower_user)  # 12
    return order, grower_user, maker_user


def test_the_order_page_fits_the_light_page_budget_on_both_sides(client, client_of, query_count):
    order, grower_user, maker_user = _realistic_order()
    assert SupplyOrderEvent.objects.filter(order=order).count() == 12
    assert (order.lines.count(), order.delivery_notes.count(), order.invoices.count()) == (3, 2, 2)
    for user in (maker_user, grower_user):
        signed_in = sign_in(client, user)
        with query_count() as queries:
            response = signed_in.get(page_url(order))
        assert response.status_code == 200
        # The session and its user, who acts for which side (the access check and the page's
        # steps), the order, its lines, delivery notes with their lines, invoices and events:
        # the same few queries however many lines, deliveries and invoices the order has.
        assert len(queries) <= 13, [q["sql"] for q in queries]
        size = served_size(response, page="supply order")
        assert size <= BUDGET_BYTES, size


@pytest.mark.parametrize(
    ("status", "side", "facts", "expected"),
    [
        ("requested", "buyer", {}, "Waiting for the supplier's quotation."),
        ("quoted", "supplier", {}, "Waiting for the buyer's purchase order."),
        ("ordered", "supplier", {"owed": 300}, "Send the rest with a delivery note."),
        (
            "delivering",
            "supplier",
            {"owed": 180, "unsigned": 1},
            "Waiting for the buyer to sign the handover. Send the rest with a delivery note.",
        ),
        (
            "delivered",
            "buyer",
            {"unsigned": 1, "unpaid": 1},
            "Sign the handover of each delivery when the goods arrive. "
            "Pay the invoice by its due date.",
        ),
        (
            "delivered",
            "supplier",
            {"to_invoice": 50},
            "Issue the invoice for what was handed over.",
        ),
        ("delivered", "supplier", {"unpaid": 1}, "Waiting for the buyer's payment."),
        ("cancelled", "buyer", {}, "This order is closed; nothing more happens."),
    ],
)
def test_what_happens_next_is_told_to_each_side(status, side, facts, expected):
    facts = {"owed": 0, "unsigned": 0, "unpaid": 0, "to_invoice": 0, **facts}
    assert next_step(SupplyOrder(status=status), side=side, **facts) == expected
