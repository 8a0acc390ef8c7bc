"""Products: refusals with reasons, photos resized, consignment, wholesale tiers, stock."""

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tumbuh.accounts.services import system_actor
from tumbuh.conftest import NAMOSAIN, SENTANI_KOTA, make_enterprise, make_owner, make_store
from tumbuh.core.models import AuditEvent
from tumbuh.stores import images, queries
from tumbuh.stores.models import Product, WholesaleTier
from tumbuh.stores.services import shop
from tumbuh.stores.services.shop import Tier
from tumbuh.stores.tests.builders import make_product, photo_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def store():
    return make_store("Toko Uji")


def _nothing_changed(before_products, before_events):
    assert Product.objects.count() == before_products
    assert AuditEvent.objects.count() == before_events


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"price_idr": 0}, "Price must be above Rp0"),
        ({"price_idr": -5}, "Price must be above Rp0"),
        ({"stock": -1}, "Stock cannot be negative"),
        ({"title": "  "}, "Product name is required"),
        ({"category": "weapons"}, "Choose a category"),
        ({"tiers": [Tier(10, 20_000)]}, "must be below the unit price"),
        ({"tiers": [Tier(1, 10_000)]}, "starts at 2 units"),
        ({"tiers": [Tier(5, 9_000), Tier(5, 8_000)]}, "same minimum quantity"),
    ],
)
def test_bad_products_are_refused_with_a_reason_and_nothing_changes(store, fields, reason):
    counts = Product.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refusal:
        make_product(store, **fields)
    assert reason in refusal.value.messages[0]
    _nothing_changed(*counts)


def test_a_photo_becomes_a_small_webp_and_thumbnail(store):
    upload = SimpleUploadedFile("foto.jpg", photo_bytes(), content_type="image/jpeg")
    assert upload.size > 300_000
    product = make_product(store, photo=upload)
    assert product.photo.name.endswith(".webp") and product.thumbnail.name.endswith(".webp")
    assert product.photo.size <= 30 * 1024 and product.thumbnail.size <= 4 * 1024
    # Named after the hash of their bytes, so they can be cached for a year.
    for field in (product.photo, product.thumbnail):
        digest = hashlib.sha256(field.read()).hexdigest()[:16]
        assert field.name.endswith(f"/{product.public_id}.{digest}.webp")
    with Image.open(product.photo) as photo:
        assert photo.format == "WEBP" and photo.size == (product.photo_width, product.photo_height)
        assert max(photo.size) <= 800
    with Image.open(product.thumbnail) as thumbnail:
        assert thumbnail.size == (product.thumbnail_width, product.thumbnail_height)
        assert max(thumbnail.size) <= 240


def test_a_transparent_png_is_flattened(store):
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 200), (255, 0, 0, 0)).save(buffer, "PNG")
    product = make_product(store, photo=SimpleUploadedFile("a.png", buffer.getvalue()))
    assert (product.photo_width, product.photo_height) == (300, 200)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"%PDF-1.4 not a photo" * 100, "not a photo"),
        (photo_bytes(size=(400, 300))[:2000], "damaged or incomplete"),
        (b"", "empty"),
    ],
)
def test_files_that_are_not_photos_are_refused(store, content, reason):
    counts = Product.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refusal:
        make_product(store, photo=SimpleUploadedFile("x.jpg", content))
    assert reason in refusal.value.messages[0]
    _nothing_changed(*counts)


class _HugeUpload:
    """A 50 MB upload that fails the test if anything reads it."""

    size = 50 * 1024 * 1024
    name = "besar.jpg"

    def read(self, *args):
        raise AssertionError("the upload was read")

    seek = chunks = __iter__ = read


def test_a_50_mb_photo_is_refused_from_its_size_without_reading_it(store):
    counts = Product.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="too large"):
        make_product(store, photo=_HugeUpload())
    _nothing_changed(*counts)


def test_an_upload_above_the_limit_is_refused_by_the_page(client_of, settings):
    owner_store = make_store("Toko Foto")
    user = make_owner(owner_store.enterprise)
    client = client_of(user)
    big = SimpleUploadedFile("besar.jpg", b"\xff\xd8" + b"0" * (images.MAX_UPLOAD_BYTES + 300_000))
    response = client.post(
        f"/toko-saya/{owner_store.public_id}/produk/baru/",
        {
            "title": "Kopi",
            "category": "food",
            "price_idr": "20000",
            "unit": "kg",
            "stock": "3",
            "photo": big,
        },
    )
    assert response.status_code == 200
    assert "too large" in response.context["refusals"][0]
    assert list(Product.objects.filter(store=owner_store).values_list("title", flat=True)) == [
        "Produk Pembuka"
    ]


def test_an_owner_adds_a_product_through_the_page(client_of):
    owner_store = make_store("Toko Kopi")
    user = make_owner(owner_store.enterprise)
    response = client_of(user).post(
        f"/toko-saya/{owner_store.public_id}/produk/baru/",
        {
            "title": "Kopi Arabika Kintamani",
            "category": "food",
            "price_idr": "85000",
            "unit": "kg",
            "weight_grams": "1000",
            "stock": "12",
            "made_in_indonesia": "on",
            "is_active": "on",
            "tier_0_quantity": "10",
            "tier_0_price": "80000",
            "photo": SimpleUploadedFile("kopi.jpg", photo_bytes(size=(1200, 900))),
        },
    )
    assert response.status_code == 302
    product = Product.objects.exclude(title="Produk Pembuka").get(store=owner_store)
    assert (product.slug, product.price_idr, product.stock, product.producer_id) == (
        "kopi-arabika-kintamani",
        85_000,
        12,
        owner_store.enterprise_id,
    )
    assert list(product.wholesale_tiers.values_list("min_quantity", "price_idr")) == [(10, 80_000)]
    assert 0 < product.photo_width <= 800 and not product.is_consignment


def test_a_bumdes_sells_a_members_product_on_consignment():
    bumdes = make_enterprise("BumDes Namosain", village=NAMOSAIN, kind="bumdes")
    store = make_store("BumDes Namosain", enterprise=bumdes, village=NAMOSAIN)
    member = make_enterprise("Tenun Ibu Maria", village=NAMOSAIN)
    product = make_product(
        store, "Selendang Tenun", price_idr=250_000, producer=member, consignment_share_percent=85
    )
    assert product.is_consignment and product.producer_share_idr(500_000) == 425_000
    assert member in queries.producers_for(store)
    with pytest.raises(ValidationError, match="between 1 and 100"):
        make_product(store, producer=member, consignment_share_percent=0)
    far = make_enterprise("Usaha Sentani", village=SENTANI_KOTA)
    with pytest.raises(ValidationError, match="own regency"):
        make_product(store, producer=far, consignment_share_percent=50)
    shop_store = make_store("Toko Biasa", village=NAMOSAIN)
    with pytest.raises(ValidationError, match="Only a BumDes store"):
        make_product(shop_store, producer=member, consignment_share_percent=50)
    assert Product.objects.filter(producer=member).count() == 1
    rows = queries.consignment_owed(store)
    assert [(row.producer, [p.title for p in row.products]) for row in rows] == [
        (member, ["Selendang Tenun"])
    ]


def test_restock_adds_and_never_goes_below_zero(store):
    product = make_product(store, stock=3)
    shop.restock(product=product, quantity=5, by=system_actor())
    assert (product.stock, product.version) == (8, 2)
    with pytest.raises(ValidationError, match="below zero"):
        shop.restock(product=product, quantity=-9, by=system_actor())
    product.refresh_from_db()
    assert product.stock == 8
    shop.restock(product=product, quantity=-8, by=system_actor())
    assert product.stock == 0


def test_update_refuses_a_stale_version_and_keeps_tiers_consistent(store):
    product = make_product(store, price_idr=10_000, tiers=[Tier(10, 9_000)])
    updated = shop.update_product(product=product, by=system_actor(), base_version=1, stock=4)
    assert (updated.stock, updated.version) == (4, 2)
    with pytest.raises(ValidationError, match="changed elsewhere"):
        shop.update_product(product=product, by=system_actor(), base_version=1, stock=99)
    with pytest.raises(ValidationError, match="below the unit price"):
        shop.update_product(product=product, by=system_actor(), price_idr=8_000)
    product.refresh_from_db()
    assert (product.stock, product.price_idr) == (4, 10_000)
    assert WholesaleTier.objects.filter(product=product).count() == 1


def test_a_new_photo_replaces_the_files_and_the_same_photo_keeps_them(
    store, settings, django_capture_on_commit_callbacks
):
    photo = photo_bytes(seed=1)  # noise: each call draws new bytes
    product = make_product(store, photo=SimpleUploadedFile("a.jpg", photo))
    first = (product.photo.name, product.thumbnail.name)
    with django_capture_on_commit_callbacks(execute=True):
        same = shop.update_product(
            product=product, photo=SimpleUploadedFile("a.jpg", photo), by=system_actor()
        )
    assert (same.photo.name, same.thumbnail.name) == first
    assert all((settings.MEDIA_ROOT / name).exists() for name in first)
    with django_capture_on_commit_callbacks(execute=True):
        changed = shop.update_product(
            product=same, photo=SimpleUploadedFile("b.jpg", photo_bytes(seed=2)), by=system_actor()
        )
    assert changed.photo.name != first[0] and changed.thumbnail.name != first[1]
    assert not any((settings.MEDIA_ROOT / name).exists() for name in first)
    assert (settings.MEDIA_ROOT / changed.thumbnail.name).exists()


def test_older_photo_names_get_content_hashes(store, settings):
    from tumbuh.core.storage import rename_to_content_hashes

    product = make_product(store)
    data = images.process_photo(SimpleUploadedFile("a.jpg", photo_bytes(size=(300, 200))))
    folder = settings.MEDIA_ROOT / "stores" / "products"
    folder.mkdir(parents=True)
    (folder / f"{product.public_id}.webp").write_bytes(data.photo)
    Product.objects.filter(pk=product.pk).update(photo=f"stores/products/{product.public_id}.webp")

    assert rename_to_content_hashes(Product.objects.all(), ["photo", "thumbnail"]) == 1

    product.refresh_from_db()
    digest = hashlib.sha256(data.photo).hexdigest()[:16]
    assert product.photo.name == f"stores/products/{product.public_id}.{digest}.webp"
    assert sorted(p.name for p in folder.iterdir()) == [f"{product.public_id}.{digest}.webp"]
    assert rename_to_content_hashes(Product.objects.all(), ["photo", "thumbnail"]) == 0


def test_photo_pages_still_check_csrf():
    from django.test import Client

    owner_store = make_store("Toko CSRF")
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_owner(owner_store.enterprise))
    url = f"/toko-saya/{owner_store.public_id}/produk/baru/"
    fields = {"title": "Kopi", "category": "food", "price_idr": "20000", "unit": "kg", "stock": "3"}
    assert client.post(url, fields).status_code == 403
    token = client.get(url).context["csrf_token"]
    assert client.post(url, {**fields, "csrfmiddlewaretoken": token}).status_code == 302
    assert Product.objects.filter(store=owner_store).count() == 2  # with "Produk Pembuka"
