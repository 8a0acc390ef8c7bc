"""The supply chain's "done when", in a real Chromium with JavaScript off on a 360 px phone: a
keripik maker finds a cassava grower near it, asks for a quotation for 300 kg, the grower quotes,
the maker issues the purchase order, the grower sends a partial delivery (120 kg), the maker signs
the handover with a name and a photo, the grower invoices, and the maker pays the invoice.

Each side has its own browser context. The pages are read in English (the language cookie), so
the assertions read the msgids whatever the catalogues say; statuses are read from their
``data-status``. Whether a page fits the phone's width is measured afterwards, in a context with
JavaScript on (``scrollWidth`` needs it), on every page the journey showed.
Run with ``TUMBUH_REQUIRE_BROWSER=1`` to fail instead of skipping when Chromium is missing.
"""

import io
import re

import pytest
from django.conf import settings

from tumbuh.conftest import PASSWORD
from tumbuh.supply.models import DeliveryNote, Invoice, Offer, SupplyOrder
from tumbuh.supply.tests.builders import make_chain

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_regions")]

PHONE = {"width": 360, "height": 640}


def jpeg_bytes() -> bytes:
    """A small photo as a phone would send it."""
    from PIL import Image

    image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def phone(new_context, live_server, *, javascript: bool):
    """A 360 px phone reading English, JavaScript on or off."""
    context = new_context(java_script_enabled=javascript, viewport=PHONE)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    return context


def sign_in(context, user):
    page = context.new_page()
    page.goto("/masuk/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/masuk/" not in page.url
    return page


def status_of(page) -> str:
    return page.locator("#order-status").get_attribute("data-status")


def step(page, name: str):
    """The form of one of the order's steps on the page."""
    return page.locator(f"form[action$='/{name}/']")


def test_a_processor_orders_receives_part_signs_the_handover_and_pays(new_context, live_server):
    from playwright.sync_api import expect

    _grower, grower_user, _maker, maker_user, offer = make_chain(stock=500)
    shown = []  # (side, path) of every page the journey showed

    # The keripik maker finds the grower's cassava near it and asks for 300 kg.
    buyer = sign_in(phone(new_context, live_server, javascript=False), maker_user)
    buyer.goto("/rantai-pasok/cari/?q=singkong")
    shown.append(("buyer", "/rantai-pasok/cari/?q=singkong"))
    buyer.get_by_role("link", name="Singkong (ubi kayu) segar").click()
    buyer.wait_for_url(re.compile(rf"/rantai-pasok/penawaran/{offer.public_id}/"))
    shown.append(("buyer", f"/rantai-pasok/penawaran/{offer.public_id}/"))
    buyer.locator("input[name='quote-quantity']").fill("300")
    buyer.locator("form:has(input[name=action][value=quote]) button[type=submit]").click()
    buyer.wait_for_url(re.compile(r"/rantai-pasok/pesanan/[A-Z0-9]{10}/$"))
    code = buyer.url.rstrip("/").rsplit("/", 1)[1]
    order_path = f"/rantai-pasok/pesanan/{code}/"
    shown.append(("buyer", order_path))
    assert status_of(buyer) == "requested"
    expect(buyer.locator("#next-step")).to_have_text("Waiting for the supplier's quotation.")
    line = SupplyOrder.objects.get(code=code).lines.get()

    # The grower quotes: its tier price (Rp3,000 a kg) stays, a delivery fee, 7 days to pay.
    grower = sign_in(phone(new_context, live_server, javascript=False), grower_user)
    grower.goto(order_path)
    shown.append(("supplier", order_path))
    quote = step(grower, "tawar")
    expect(quote.locator(f"input[name='price-{line.pk}']")).to_have_value("3000")
    quote.locator("input[name=delivery_fee_idr]").fill("25000")
    quote.locator("select[name=terms]").select_option("net7")
    quote.locator("button[type=submit]").click()
    grower.wait_for_url(re.compile(rf"{order_path}$"))
    assert status_of(grower) == "quoted"

    # The maker issues the purchase order: 300 kg reserved from the grower's stock.
    buyer.reload()
    expect(buyer.locator("#lines")).to_contain_text("Rp925.000")  # 300 × 3,000 + 25,000
    step(buyer, "po").locator("button[type=submit]").click()
    buyer.wait_for_url(re.compile(rf"{order_path}$"))
    assert status_of(buyer) == "ordered"
    assert Offer.objects.get(pk=offer.pk).available_quantity == 200

    # The grower sends part of it: 120 of the 300 kg, on a pick-up.
    grower.reload()
    delivery = step(grower, "kirim")
    expect(delivery.locator(f"input[name='quantity-{line.pk}']")).to_have_value("300")
    delivery.locator(f"input[name='quantity-{line.pk}']").fill("120")
    delivery.locator("input[name=carrier]").fill("Pick-up D 1234 AB")
    delivery.locator("button[type=submit]").click()
    grower.wait_for_url(re.compile(rf"{order_path}$"))
    assert status_of(grower) == "delivering"
    expect(grower.locator("#lines .delivered")).to_have_text("120")

    # The maker signs the handover on its phone: a name and a photo from the camera.
    buyer.reload()
    assert status_of(buyer) == "delivering"
    expect(buyer.locator("#order-status")).to_have_text("Partly delivered")
    expect(buyer.locator("#lines .delivered")).to_have_text("120")
    handover = step(buyer, "terima")
    assert handover.get_attribute("enctype") == "multipart/form-data"
    photo = handover.locator("input[name=photo]")
    assert photo.get_attribute("accept") == "image/*" and photo.get_attribute("capture")
    handover.locator("input[name=receiver_name]").fill("Sari")
    photo.set_input_files(
        files=[{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    handover.locator("button[type=submit]").click()
    buyer.wait_for_url(re.compile(rf"{order_path}$"))
    expect(buyer.locator(f"#deliveries li[data-number='SJ-{code}-1']")).to_contain_text(
        "Handed over to Sari"
    )
    note = DeliveryNote.objects.get(order__code=code)
    assert note.received_by_name == "Sari" and note.received_photo.name.endswith(".jpg")
    handover_pdf = buyer.context.request.get(
        f"/rantai-pasok/pesanan/{code}/dokumen/BAST-{code}-1.pdf"
    )
    assert handover_pdf.status == 200 and handover_pdf.body().startswith(b"%PDF-")

    # The grower invoices what was handed over.
    grower.reload()
    step(grower, "tagih").locator("button[type=submit]").click()
    grower.wait_for_url(re.compile(rf"{order_path}$"))
    invoice = Invoice.objects.get(order__code=code)
    assert invoice.amount_idr == 120 * 3000 + 25_000
    expect(grower.locator(f"#invoices li[data-number='{invoice.number}']")).to_have_attribute(
        "data-status", "issued"
    )

    # The maker pays it by bank transfer.
    buyer.reload()
    payment = step(buyer, "bayar")
    payment.locator("select[name=method]").select_option("transfer")
    payment.locator("input[name=reference]").fill("BRI 0042")
    payment.locator("button[type=submit]").click()
    buyer.wait_for_url(re.compile(rf"{order_path}$"))
    paid = buyer.locator(f"#invoices li[data-number='{invoice.number}']")
    expect(paid).to_have_attribute("data-status", "paid")
    expect(paid).to_contain_text("Rp385.000")
    expect(paid).to_contain_text("BRI 0042")
    assert status_of(buyer) == "delivering"  # 180 kg are still to come
    expect(buyer.locator("#next-step")).to_have_text("Waiting for the next delivery.")

    invoice.refresh_from_db()
    order = SupplyOrder.objects.get(code=code)
    assert (invoice.status, invoice.method, invoice.reference) == ("paid", "transfer", "BRI 0042")
    assert (order.status, order.paid_idr, order.lines.get().delivered_quantity) == (
        "delivering",
        385_000,
        120,
    )

    # No page of the journey is wider than the phone (measured with JavaScript on).
    for side, user in (("buyer", maker_user), ("supplier", grower_user)):
        page = sign_in(phone(new_context, live_server, javascript=True), user)
        for path in [path for seen_by, path in shown if seen_by == side]:
            response = page.goto(path)
            assert response.status == 200, path
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (path, width)
