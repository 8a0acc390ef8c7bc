"""Test builders for stores and products (usable by every stores test module)."""

import io
import itertools

from PIL import Image, ImageDraw

from tumbuh.conftest import DAYEUHKOLOT, make_enterprise
from tumbuh.stores import qris
from tumbuh.stores.models import Product, Store
from tumbuh.stores.services import shop

_numbers = itertools.count(1)

# The static QRIS of the qriskit vectors ("TOKO CONTOH", NMID ID1020012345678), CRC made right.
_BODY = (
    "00020101021126620014COM.GO-JEK.WWW011993600914123456789010210G1234567890303UMI51440014"
    "ID.CO.QRIS.WWW0215ID10200123456780303UMI5204581253033605802ID5911TOKO CONTOH6007JAKARTA"
    "61051011062120708KASIR-016304"
)
STATIC_QRIS = _BODY + qris.crc16(_BODY)


def make_store(
    name=None, *, enterprise=None, village=DAYEUHKOLOT, kind="umkm", live=True, by=None, **fields
) -> Store:
    """A store through the services (live by default, paying by cash and QRIS).

    A store goes live only with a product on sale: a live store gets one first, "Produk
    Pembuka", which the tests that count products take into account.
    """
    number = next(_numbers)
    enterprise = enterprise or make_enterprise(f"Usaha Toko {number}", village=village, kind=kind)
    store = shop.start_store(enterprise=enterprise, name=name or f"Toko {number}", by=by)
    shop.set_store_payments(
        store=store,
        whatsapp=fields.pop("whatsapp", "0812-3456-7890"),
        accepts_cod=True,
        accepts_transfer=False,
        accepts_qris=True,
        qris_payload=STATIC_QRIS,
        by=by,
    )
    if fields:
        Store.objects.filter(pk=store.pk).update(**fields)
        store.refresh_from_db()
    if live:
        make_product(store, "Produk Pembuka")
        shop.publish_store(store=store, by=by)
    return store


def make_product(store, title=None, *, price_idr=15_000, stock=10, **fields) -> Product:
    number = next(_numbers)
    return shop.create_product(
        store=store,
        title=title or f"Keripik Singkong {number}",
        price_idr=price_idr,
        stock=stock,
        by=None,
        **fields,
    )


def photo_bytes(size=(2400, 1800), fmt="JPEG", seed=1) -> bytes:
    """A busy photo (noise and shapes), hard to compress: a fair test of the size limits."""
    image = Image.effect_noise(size, 60 + seed).convert("RGB")
    draw = ImageDraw.Draw(image)
    for n in range(40):
        x, y = (n * 97 * seed) % size[0], (n * 53 * seed) % size[1]
        draw.ellipse([x, y, x + 200, y + 150], fill=(n * 6 % 255, 120, 200 - n * 4 % 200))
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=95)
    return buffer.getvalue()
