"""Opening a store with the five-step wizard, as a phone without JavaScript would."""

import io

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.conftest import (
    DAYEUHKOLOT,
    NAMOSAIN,
    make_enterprise,
    make_owner,
    make_store,
    make_user,
)
from tumbuh.core.models import AuditEvent
from tumbuh.registry.models import Milestone
from tumbuh.stores import qris
from tumbuh.stores.models import DeliveryZone, Store
from tumbuh.stores.tests.builders import STATIC_QRIS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def owner():
    enterprise = make_enterprise("Keripik Bu Sari", village=DAYEUHKOLOT)
    return make_owner(enterprise), enterprise


def _qr_photo(text: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return SimpleUploadedFile("stiker.png", buffer.getvalue(), content_type="image/png")


def test_five_steps_open_a_store_and_record_store_live(client_of, owner):
    user, enterprise = owner
    client = client_of(user)
    response = client.post(
        "/toko-saya/buka/",
        {"enterprise": enterprise.pk, "name": "Keripik Bu Sari", "description": "Keripik pedas"},
    )
    store = Store.objects.get()
    assert response.url == f"/toko-saya/{store.public_id}/langkah/2/"
    assert (store.slug, store.status, store.village_id) == ("keripik-bu-sari", "draft", DAYEUHKOLOT)

    # Step 2: the picker narrows without JavaScript ("Show choices"), then saves.
    page = client.post(
        f"/toko-saya/{store.public_id}/langkah/2/",
        {"province": "53", "refresh": "1", "pickup_point": ""},
    )
    assert page.status_code == 200 and "Kota Kupang" in page.content.decode()
    response = client.post(
        f"/toko-saya/{store.public_id}/langkah/2/",
        {"village": NAMOSAIN, "pickup_point": "Kantor BumDes"},
    )
    assert response.url.endswith("/langkah/3/")

    response = client.post(
        f"/toko-saya/{store.public_id}/langkah/3/",
        {
            "offers_pickup": "on",
            "offers_local_delivery": "on",
            "zone_0_name": "Namosain",
            "zone_0_fee": "5000",
            "zone_1_name": "Kota Kupang",
            "zone_1_fee": "15000",
        },
    )
    assert response.url.endswith("/langkah/4/")
    response = client.post(
        f"/toko-saya/{store.public_id}/langkah/4/",
        {"whatsapp": "0812 3456 7890", "accepts_cod": "on", "qris_photo": _qr_photo(STATIC_QRIS)},
    )
    assert response.url.endswith("/langkah/5/")
    review = client.get(response.url).content.decode()
    assert "TOKO CONTOH" in review and "ID1020012345678" in review
    assert "+62812" in review and "7890" not in review  # the number only masked

    assert not Milestone.objects.filter(enterprise=enterprise, kind="store_live").exists()
    # No product yet: the last step says to add one first, and opening is refused.
    review = client.get(f"/toko-saya/{store.public_id}/langkah/5/")
    assert review.context["has_product"] is False
    assert "Add a product first." in review.content.decode()
    assert f'href="/toko-saya/{store.public_id}/produk/baru/"' in review.content.decode()
    assert "Open the store" not in review.content.decode()
    events = AuditEvent.objects.count()
    response = client.post(f"/toko-saya/{store.public_id}/langkah/5/", follow=True)
    store.refresh_from_db()
    assert (store.status, store.went_live_at) == ("draft", None)
    assert [str(m) for m in response.context["messages"]] == [
        "The store cannot open yet: it needs at least one product on sale (add a product first)."
    ]
    assert AuditEvent.objects.count() == events
    assert not Milestone.objects.filter(enterprise=enterprise, kind="store_live").exists()
    assert client.get("/toko/keripik-bu-sari/").status_code == 404

    # A product added from the wizard leads back to the last step, which now opens the store.
    response = client.post(
        f"/toko-saya/{store.public_id}/produk/baru/",
        {"title": "Keripik Pedas", "category": "food", "price_idr": "15000", "unit": "bungkus",
         "stock": "20", "made_in_indonesia": "on", "is_active": "on"},
    )  # fmt: skip
    assert response.url == f"/toko-saya/{store.public_id}/langkah/5/"
    review = client.get(response.url)
    assert review.context["has_product"] is True and "Open the store" in review.content.decode()
    response = client.post(f"/toko-saya/{store.public_id}/langkah/5/")
    store.refresh_from_db()
    assert store.status == "live" and store.went_live_at is not None
    assert store.village_id == NAMOSAIN and store.pickup_point == "Kantor BumDes"
    assert list(DeliveryZone.objects.values_list("name", "fee_idr")) == [
        ("Namosain", 5000),
        ("Kota Kupang", 15000),
    ]
    assert store.payment_methods == ["qris", "cod"]
    assert store.whatsapp_link() == "https://wa.me/6281234567890"
    assert Milestone.objects.filter(enterprise=enterprise, kind="store_live").count() == 1
    assert b"0812" not in bytes(store.whatsapp_encrypted)
    assert client.get("/toko/keripik-bu-sari/").status_code == 200


def test_a_draft_resumes_at_its_step(client_of, owner):
    user, enterprise = owner
    store = make_store("Toko Lanjut", enterprise=enterprise, live=False)
    response = client_of(user).get("/toko-saya/buka/")
    assert response.url == f"/toko-saya/{store.public_id}/langkah/5/"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (
            qris.with_amount(STATIC_QRIS, 25_000),
            "This is a dynamic QRIS code (made for one payment with its own amount).",
        ),
        (STATIC_QRIS[:-4] + "0000", "checksum is wrong"),
        ("not a qr", "QRIS"),
    ],
)
def test_a_bad_qris_is_refused_with_the_codecs_reason_and_nothing_changes(
    client_of, owner, payload, reason
):
    user, enterprise = owner
    store = make_store("Toko QR", enterprise=enterprise, live=False)
    before = Store.objects.values().get(pk=store.pk)
    response = client_of(user).post(
        f"/toko-saya/{store.public_id}/langkah/4/",
        {
            "whatsapp": "0813 1111 2222",
            "accepts_cod": "on",
            "accepts_qris": "on",
            "qris_payload": payload,
        },
    )
    assert response.status_code == 200
    assert reason in response.context["form"].non_field_errors()[0]
    assert Store.objects.values().get(pk=store.pk) == before


def test_a_qris_without_merchant_name_is_refused():
    from django.core.exceptions import ValidationError

    from tumbuh.stores.services.shop import read_static_qris

    without_59 = STATIC_QRIS.replace("5911TOKO CONTOH", "")[:-4]
    with pytest.raises(ValidationError) as refusal:
        read_static_qris(without_59 + qris.crc16(without_59))
    assert "59" in refusal.value.messages[0] or "merchant" in refusal.value.messages[0].lower()


def test_only_owners_may_open_and_only_their_own_store(client_of, owner):
    user, _enterprise = owner
    stranger = make_user()
    assert client_of(stranger).get("/toko-saya/buka/").status_code == 403
    other = make_store("Toko Lain")
    client = client_of(user)
    assert client.get(f"/toko-saya/{other.public_id}/").status_code == 404
    assert (
        client.post(f"/toko-saya/{other.public_id}/langkah/5/", {"close": "1"}).status_code == 404
    )
    assert Store.objects.get(pk=other.pk).status == "live"


def test_a_store_cannot_go_live_without_a_product_on_sale(owner):
    from django.core.exceptions import ValidationError

    from tumbuh.stores.services import shop
    from tumbuh.stores.tests.builders import make_product

    user, enterprise = owner
    store = make_store("Toko Tanpa Produk", enterprise=enterprise, live=False)
    hidden = make_product(store, "Kopi Tersimpan")
    shop.update_product(product=hidden, by=user, is_active=False)  # not on sale
    before = Store.objects.filter(pk=store.pk).values().get()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refusal:
        shop.publish_store(store=store, by=user)
    assert refusal.value.messages == [
        "The store cannot open yet: it needs at least one product on sale (add a product first)."
    ]
    assert Store.objects.filter(pk=store.pk).values().get() == before
    assert AuditEvent.objects.count() == events
    assert not Milestone.objects.filter(enterprise=enterprise, kind="store_live").exists()

    shop.update_product(product=hidden, by=user, is_active=True)
    shop.publish_store(store=store, by=user)
    assert Store.objects.get(pk=store.pk).status == "live"

    # Closed for a while, then every product taken off sale: it cannot reopen empty either.
    shop.suspend_store(store=store, by=user)
    shop.update_product(product=hidden, by=user, is_active=False)
    with pytest.raises(ValidationError, match="at least one product on sale"):
        shop.publish_store(store=store, by=user)
    assert Store.objects.get(pk=store.pk).status == "suspended"
    assert Milestone.objects.filter(enterprise=enterprise, kind="store_live").count() == 1


def test_a_store_cannot_go_live_without_whatsapp_or_a_payment(owner):
    from django.core.exceptions import ValidationError

    from tumbuh.stores.services import shop

    user, enterprise = owner
    store = shop.start_store(enterprise=enterprise, name="Toko Kosong", by=user)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="WhatsApp"):
        shop.publish_store(store=store, by=user)
    store.refresh_from_db()
    assert store.status == "draft" and AuditEvent.objects.count() == events
    assert not Milestone.objects.filter(enterprise=enterprise, kind="store_live").exists()


@pytest.mark.parametrize(
    ("whatsapp", "reason"),
    [
        # a landline cannot be a WhatsApp number
        (
            "(022) 520-1234",
            "Enter a mobile number (it starts with 08, e.g. 0812-3456-7890); this one is a "
            "landline or service number.",
        ),
        # no operator uses 084
        (
            "0841-2345-6789",
            "There is no such phone number in Indonesia: check the digits. A mobile number "
            "starts with 08 and has 10 to 13 digits (e.g. 0812-3456-7890); a landline starts "
            "with its area code (e.g. 021-555-1234).",
        ),
    ],
)
def test_the_whatsapp_number_is_a_mobile_number_in_use(owner, whatsapp, reason):
    from django.core.exceptions import ValidationError

    from tumbuh.stores.services import shop

    user, enterprise = owner
    store = shop.start_store(enterprise=enterprise, name="Toko Telepon", by=user)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        shop.set_store_payments(
            store=store, whatsapp=whatsapp, accepts_cod=True, accepts_transfer=False, by=user
        )
    assert refused.value.messages == [f"WhatsApp number: {reason}"]
    store.refresh_from_db()
    assert (store.whatsapp_hash, store.whatsapp_masked, store.whatsapp_encrypted) == ("", "", None)
    assert store.status == "draft" and AuditEvent.objects.count() == events


def test_delivery_needs_a_zone_and_refuses_bad_fees(client_of, owner):
    user, enterprise = owner
    store = make_store("Toko Antar", enterprise=enterprise, live=False)
    url = f"/toko-saya/{store.public_id}/langkah/3/"
    client = client_of(user)
    response = client.post(url, {"offers_local_delivery": "on"})
    assert "zone" in response.context["form"].non_field_errors()[0]
    response = client.post(url, {})
    assert "at least one way" in response.context["form"].non_field_errors()[0]
    assert not DeliveryZone.objects.filter(store=store).exists()


def test_slugs_are_unique_and_never_reserved(owner):
    from tumbuh.stores.services import shop

    user, enterprise = owner
    first = shop.start_store(enterprise=enterprise, name="Toko Maju", by=user)
    second = shop.start_store(enterprise=enterprise, name="Toko Maju", by=user)
    reserved = shop.start_store(enterprise=enterprise, name="sw", by=user)
    assert (first.slug, second.slug, reserved.slug) == ("toko-maju", "toko-maju-2", "sw-2")
