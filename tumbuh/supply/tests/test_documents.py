"""A B2B order's documents as PDFs: each one answers once it exists (and 404 before, or for
anyone who does not act for either side), is a small PDF shown inline with its file name, and
holds the values it is for (read in fpdf2's uncompressed output)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.conftest import make_enterprise, make_owner
from tumbuh.supply import documents
from tumbuh.supply.services import orders
from tumbuh.supply.tests.builders import make_chain

pytestmark = pytest.mark.django_db

MAX_BYTES = 30 * 1024


def url(order, name: str) -> str:
    return f"/rantai-pasok/pesanan/{order.code}/dokumen/{name}.pdf"


def photo() -> SimpleUploadedFile:
    from PIL import Image

    image = Image.effect_noise((1200, 900), 60).convert("RGB")  # a photo-like, busy image
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


def text_of(order, name: str) -> str:
    """The PDF drawn without compression, as text: the page's strings are readable in it."""
    _filename, pdf = documents.document_pdf(order, name, compress=False)
    # PDF strings escape their parentheses and backslashes.
    text = pdf.decode("latin-1")
    return text.replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\")


@pytest.fixture
def order_with_everything():
    """An order quoted, ordered, partly delivered (120 of 300 kg), handed over with a photo,
    invoiced and paid; a second delivery sent and not yet handed over."""
    _grower, grower_user, maker, maker_user, offer = make_chain(stock=500)
    order = orders.request_quotation(
        buyer=maker,
        items={offer: 300},
        delivery_address="Jl. Raya Banjaran No. 12",
        wanted_by="2027-01-10",
        by=maker_user,
    )
    line = order.lines.get()
    order = orders.quote(
        order=order, terms="net14", prices={line.pk: 2900}, delivery_fee_idr=25_000, by=grower_user
    )
    order = orders.issue_purchase_order(order=order, by=maker_user)
    first = orders.send_delivery(
        order=order, quantities={line.pk: 120}, carrier="Pick-up D 1234 AB", by=grower_user
    )
    orders.sign_handover(
        delivery=first, receiver_name="Sari Wulandari", photo=photo(), by=maker_user
    )
    invoice = orders.issue_invoice(order=order, by=grower_user)
    orders.record_payment(invoice=invoice, method="transfer", reference="BRI 0042", by=maker_user)
    orders.send_delivery(order=order, quantities={line.pk: 100}, by=grower_user)
    order.refresh_from_db()
    return order, maker_user, grower_user


def test_every_document_is_a_small_inline_pdf_for_both_sides(client_of, order_with_everything):
    order, maker_user, grower_user = order_with_everything
    names = [
        name
        for name, _label in documents.available(
            order, order.delivery_notes.all(), order.invoices.all()
        )
    ]
    code = order.code
    assert names == [
        "penawaran",
        "po",
        f"SJ-{code}-1",
        f"BAST-{code}-1",
        f"SJ-{code}-2",
        f"INV-{code}-1",
    ]
    files = {
        "penawaran": f"penawaran-{code}.pdf",
        "po": f"po-{code}.pdf",
        f"SJ-{code}-1": f"SJ-{code}-1.pdf",
        f"BAST-{code}-1": f"BAST-{code}-1.pdf",
        f"SJ-{code}-2": f"SJ-{code}-2.pdf",
        f"INV-{code}-1": f"INV-{code}-1.pdf",
    }
    for user in (maker_user, grower_user):
        client = client_of(user)
        for name, filename in files.items():
            response = client.get(url(order, name))
            assert response.status_code == 200, name
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"] == f'inline; filename="{filename}"'
            assert response.content.startswith(b"%PDF-")
            assert len(response.content) < MAX_BYTES, (name, len(response.content))
            print(json.dumps({"document": name.split("-")[0], "bytes": len(response.content)}))
        client.logout()
    # The handover with its photo is the largest: the photo goes in as a small thumbnail.
    _filename, handover = documents.document_pdf(order, f"BAST-{code}-1")
    assert b"/Subtype /Image" in handover and b"/DCTDecode" in handover


def test_each_document_holds_its_values(order_with_everything):
    order, _maker_user, _grower_user = order_with_everything
    code = order.code

    quotation = text_of(order, "penawaran")
    for value in (
        "Quotation",
        code,
        "Tani Singkong Makmur",
        "Keripik Bu Sari",
        "Singkong (ubi kayu) segar",
        "300 kg",
        "Rp2.900",
        "Rp870.000",
        "Rp25.000",
        "Rp895.000",
        "14 days",
    ):
        assert value in quotation, value

    purchase = text_of(order, "po")
    for value in (
        "Purchase order",
        f"PO-{code}",
        "Jl. Raya Banjaran No. 12",
        "10 Jan 2027",
        "Rp895.000",
    ):
        assert value in purchase, value

    delivery = text_of(order, f"SJ-{code}-1")
    for value in ("Delivery note", f"SJ-{code}-1", "Pick-up D 1234 AB", "120 kg", "300 kg", "WIB"):
        assert value in delivery, value

    handover = text_of(order, f"BAST-{code}-1")
    for value in (
        "Handover record",
        f"BAST-{code}-1",
        f"SJ-{code}-1",
        "Sari Wulandari",
        "120 kg",
        "WIB",
        "Photo at handover",
    ):
        assert value in handover, value

    invoice = text_of(order, f"INV-{code}-1")
    for value in (
        "Invoice",
        f"INV-{code}-1",
        "120 kg",
        "Rp2.900",
        "Rp348.000",
        "Rp25.000",
        "Rp373.000",
        "14 days",
        "PAID",
        "BRI 0042",
        "bank transfer",
    ):
        assert value in invoice, value
    assert "Awaiting payment" not in invoice


def test_documents_answer_only_once_they_exist_and_only_to_the_two_sides(client_of):
    _grower, grower_user, maker, maker_user, offer = make_chain()
    order = orders.request_quotation(buyer=maker, items={offer: 100}, by=maker_user)
    client = client_of(maker_user)
    for name in (
        "penawaran",
        "po",
        f"SJ-{order.code}-1",
        f"BAST-{order.code}-1",
        f"INV-{order.code}-1",
        "lain",
    ):
        assert client.get(url(order, name)).status_code == 404, name
    orders.quote(order=order, terms="cash", by=grower_user)
    assert client.get(url(order, "penawaran")).status_code == 200
    assert client.get(url(order, "po")).status_code == 404
    client.logout()
    stranger = make_owner(make_enterprise("Usaha Lain"))
    assert client_of(stranger).get(url(order, "penawaran")).status_code == 404
    client.logout()
    assert client.get(url(order, "penawaran")).status_code == 302  # to sign in


def test_a_handover_record_is_only_drawn_once_signed_and_names_in_other_scripts_are_safe():
    _grower, grower_user, maker, maker_user, offer = make_chain()
    maker.name = "Keripik “Nusantara” — Sāri ✓"
    maker.save(update_fields=["name"])
    order = orders.request_quotation(buyer=maker, items={offer: 100}, by=maker_user)
    order = orders.quote(order=order, terms="cash", by=grower_user)
    order = orders.issue_purchase_order(order=order, by=maker_user)
    delivery = orders.send_delivery(
        order=order, quantities={order.lines.get().pk: 100}, by=grower_user
    )
    with pytest.raises(documents.DocumentNotFound):
        documents.build(order, f"BAST-{order.code}-1")
    orders.sign_handover(delivery=delivery, receiver_name="Nguyễn Thị Ánh", by=maker_user)
    text = text_of(order, f"BAST-{order.code}-1")
    assert 'Keripik "Nusantara" - Sari ?' in text
    assert "Nguyen Thi \xc1nh" in text  # Á is Latin-1; ễ loses its accents


def test_pdf_text_keeps_latin_1_and_replaces_the_rest():
    assert documents.pdf_text("Rp15.000 × 3 – “ok” ’") == 'Rp15.000 \xd7 3 - "ok" \''
    assert documents.pdf_text("Đà Nẵng 東") == "?\xe0 Nang ?"
