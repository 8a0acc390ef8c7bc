"""Test builders for products and photos (usable by every stores test module); stores are made
by the one store builder, ``tumbuh.conftest.make_store``."""

import io
import itertools

from PIL import Image, ImageDraw

from tumbuh.accounts.services import system_actor
from tumbuh.stores import qris
from tumbuh.stores.models import Product
from tumbuh.stores.services import shop

_numbers = itertools.count(1)

# The static QRIS of the qriskit vectors ("TOKO CONTOH", NMID ID1020012345678), CRC made right.
_BODY = (
    "00020101021126620014COM.GO-JEK.WWW011993600914123456789010210G1234567890303UMI51440014"
    "ID.CO.QRIS.WWW0215ID10200123456780303UMI5204581253033605802ID5911TOKO CONTOH6007JAKARTA"
    "61051011062120708KASIR-016304"
)
STATIC_QRIS = _BODY + qris.crc16(_BODY)


def make_product(store, title=None, *, price_idr=15_000, stock=10, by=None, **fields) -> Product:
    """A product through the services, added by ``by`` or else the system actor."""
    number = next(_numbers)
    return shop.create_product(
        store=store,
        title=title or f"Keripik Singkong {number}",
        price_idr=price_idr,
        stock=stock,
        by=by or system_actor(),
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
