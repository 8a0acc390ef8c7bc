"""Product photos and QRIS sticker photos: checked, resized and read with Pillow (and zxing-cpp).

A phone photo of several megabytes becomes a WebP of at most 30 KB (800 px on its long side,
smaller if needed) and a thumbnail of at most 4 KB (240 px), so that a catalogue page of 24
products opens on 2G. The checks are ``core.images``'s, as for every uploaded image: the size of
an upload before any byte of it is decoded, decompression bombs, files that are not images (each
refused with a reason); the EXIF orientation is applied and no metadata is kept.

Both files are stored in the public storage, which names them after the hash of their bytes
(``<public id>.<hash>.webp``, see ``tumbuh.core.storage``): a new photo gets new names, so
browsers may keep them for a year.

Pillow and zxing-cpp are imported where a photo is processed or read, as in ``core.images``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

from tumbuh.core import images as core_images
from tumbuh.core.images import ImageError
from tumbuh.core.refusals import Refused
from tumbuh.stores.error_codes import StoresError

if TYPE_CHECKING:
    from PIL import Image

MAX_UPLOAD_BYTES = core_images.MAX_UPLOAD_BYTES
MAX_PIXELS = core_images.MAX_PIXELS
PHOTO_BYTES = 30 * 1024
THUMBNAIL_BYTES = 4 * 1024
PHOTO_SIDE = 800
THUMBNAIL_SIDE = 240
# The codes the stores app always answered (``StoresError``); a decompression bomb was, and
# stays, "not_an_image" here.
CODES = {
    ImageError.TOO_LARGE: StoresError.PHOTO_TOO_LARGE,
    ImageError.EMPTY: StoresError.PHOTO_EMPTY,
    ImageError.NOT_AN_IMAGE: StoresError.NOT_AN_IMAGE,
    ImageError.BROKEN: StoresError.BROKEN_IMAGE,
    ImageError.TOO_MANY_PIXELS: StoresError.NOT_AN_IMAGE,
}


@dataclass(frozen=True)
class Picture:
    """A resized photo and its thumbnail, as WebP bytes with their sizes."""

    photo: bytes
    photo_size: tuple[int, int]
    thumbnail: bytes
    thumbnail_size: tuple[int, int]


def check_upload_size(upload) -> None:
    """Refuse an upload above ``MAX_UPLOAD_BYTES`` from its declared size, before reading it."""
    core_images.check_upload_size(upload, max_bytes=MAX_UPLOAD_BYTES, codes=CODES)


def open_image(upload) -> Image.Image:
    """Open an uploaded file as an image, upright, RGB, without metadata, refusing what is not a
    photo (``core.images.open_image``)."""
    return core_images.open_image(
        upload,
        max_bytes=MAX_UPLOAD_BYTES,
        max_pixels=MAX_PIXELS,
        # JPEG decoders can shrink while decoding: far less memory for a big phone photo.
        draft_side=PHOTO_SIDE * 2,
        codes=CODES,
    )


def _encode(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=quality, method=4)
    return buffer.getvalue()


def _webp_within(image: Image.Image, *, side: int, limit: int) -> tuple[bytes, tuple[int, int]]:
    """Encode ``image`` as WebP within ``limit`` bytes: lower the quality, then the size.

    When even the lowest quality is too big, the side shrinks by the square root of the excess
    (bytes grow about with the area), so a noisy photo takes a few encodings, not dozens.
    """
    from PIL import Image

    while True:
        resized = image.copy()
        resized.thumbnail((side, side), Image.Resampling.LANCZOS)
        for quality in (75, 55, 35):
            data = _encode(resized, quality)
            if len(data) <= limit:
                return data, resized.size
        if side <= 48:
            return data, resized.size
        side = max(48, int(side * min(0.9, (limit / len(data)) ** 0.5)))


def resize(image: Image.Image) -> Picture:
    photo, photo_size = _webp_within(image, side=PHOTO_SIDE, limit=PHOTO_BYTES)
    thumbnail, thumbnail_size = _webp_within(image, side=THUMBNAIL_SIDE, limit=THUMBNAIL_BYTES)
    return Picture(photo, photo_size, thumbnail, thumbnail_size)


def process_photo(upload) -> Picture:
    """An uploaded product photo as a ≤ 30 KB WebP and a ≤ 4 KB thumbnail, or a refusal."""
    return resize(open_image(upload))


def attach(product, picture: Picture) -> None:
    """Give ``product`` (saved or not) the files of ``picture``; the caller saves the product.

    The storage adds the content hash to each name; the same bytes again keep the same name.
    """
    product.photo.save(f"{product.public_id}.webp", ContentFile(picture.photo), save=False)
    product.photo_width, product.photo_height = picture.photo_size
    product.thumbnail.save(f"{product.public_id}.webp", ContentFile(picture.thumbnail), save=False)
    product.thumbnail_width, product.thumbnail_height = picture.thumbnail_size


def delete_files(names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def read_qr(upload) -> str:
    """The text of the QR code in a photo (e.g. a QRIS sticker), or a refusal with the reason."""
    import zxingcpp
    from PIL import ImageOps

    image = open_image(upload)
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    if not results:
        # A dim or washed-out photo of a sticker: try again in stretched grey levels.
        image = ImageOps.autocontrast(ImageOps.grayscale(image))
        results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    texts = [r.text for r in results if r.text]
    if not texts:
        raise Refused(
            StoresError.NO_QR,
            _("No QR code was found in the photo. Photograph the sticker closer, in good light."),
        )
    return texts[0]


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading a request body larger than the limit: a 50 MB upload is never stored.

    Installed by the views that take photos, before anything reads ``request.POST``.
    """

    def __init__(self, request=None, limit: int = MAX_UPLOAD_BYTES + 256 * 1024):
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.too_large = content_length > self.limit

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
