"""Uploaded images: checked, decoded and encoded again with Pillow, so only pixels are kept.

Every image a person uploads (product photos, QRIS stickers, halal visit photos, attendance
sign-in sheets) passes here before anything is stored:

1. its declared size is checked before a byte is read (:func:`check_upload_size`);
2. Pillow opens it, trying only real image formats (a PDF, an EPS or a text file renamed
   ``.jpg`` is refused), and refuses a decompression bomb: a small file that declares more than
   ``max_pixels`` pixels (:func:`open_image`);
3. the EXIF orientation is applied, transparency is laid on white, the pixels become RGB;
4. it is encoded again, JPEG or WebP, no larger than ``longest_side`` on its long side, with no
   EXIF, ICC or XMP block (:func:`encode`): a phone photo's GPS position, camera serial number
   and date never reach the storage.

:func:`clean_image` does all of it. A refusal is a ``core.refusals.Refused`` with a code of
:class:`ImageError` and a message in the user's language; an app whose stable codes predate this
module passes ``codes`` to answer its own (``stores``: ``not_an_image``; ``programmes``:
``bad_evidence``).

Pillow is imported where an image is opened or encoded: the forms and services that import this
module are imported by every view and the API, and most requests never touch an image.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from tumbuh.core.refusals import Refused

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "CleanImage",
    "ImageError",
    "check_upload_size",
    "clean_image",
    "encode",
    "open_image",
]

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
LONGEST_SIDE = 2000
JPEG_QUALITY = 85
WEBP_QUALITY = 80
# Pillow tries only these decoders: no PDF, EPS (Ghostscript), PSD, TIFF or SVG parser is ever
# reached by an upload. GIF, animated WebP and MPO (a phone's multi-picture JPEG, which the JPEG
# opener reads) give their first frame.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
EXTENSIONS = {"JPEG": "jpg", "WEBP": "webp"}


class ImageError(StrEnum):
    """Why an upload is not stored (the strings are the ones ``stores`` always answered)."""

    TOO_LARGE = "photo_too_large"
    EMPTY = "photo_empty"
    NOT_AN_IMAGE = "not_an_image"
    BROKEN = "broken_image"
    TOO_MANY_PIXELS = "too_many_pixels"


@dataclass(frozen=True)
class CleanImage:
    """An upload encoded again: its bytes (no metadata), pixel size and file extension."""

    data: bytes
    size: tuple[int, int]
    extension: str

    def as_file(self, stem: str) -> ContentFile:
        """The bytes as a file named ``<stem>.<extension>``, for ``FieldFile.save``."""
        return ContentFile(self.data, name=f"{stem}.{self.extension}")


def _refuse(
    code: ImageError, message: str, codes: Mapping[ImageError, str] | None, field: str
) -> Refused:
    return Refused((codes or {}).get(code, code), message, field=field)


def check_upload_size(
    upload,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    codes: Mapping[ImageError, str] | None = None,
    field: str = "",
) -> None:
    """Refuse an upload above ``max_bytes`` from its declared size, before reading it.

    An upload that declares no size is refused as too large: it cannot be judged unread.
    """
    size = getattr(upload, "size", None)
    if size is None or size > max_bytes:
        raise _refuse(
            ImageError.TOO_LARGE,
            _("The photo is too large (at most %(limit)d MB).")
            % {"limit": max_bytes // (1024 * 1024)},
            codes,
            field,
        )
    if size == 0:
        raise _refuse(ImageError.EMPTY, _("The photo file is empty."), codes, field)


def open_image(
    upload,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
    draft_side: int | None = None,
    codes: Mapping[ImageError, str] | None = None,
    field: str = "",
) -> Image.Image:
    """An uploaded file as an upright RGB image with no metadata, or a refusal.

    ``draft_side`` lets a JPEG decoder shrink while decoding (to no less than that many pixels
    on each side): far less memory for a large phone photo that will be made smaller anyway.
    """
    from PIL import Image, UnidentifiedImageError

    check_upload_size(upload, max_bytes=max_bytes, codes=codes, field=field)
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it: a bomb either way.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=ACCEPTED_FORMATS)
            if image.width * image.height > max_pixels:
                raise Image.DecompressionBombError("more pixels than max_pixels")
            if draft_side:
                image.draft("RGB", (draft_side, draft_side))
            image.load()
            image = _upright_rgb(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            ImageError.TOO_MANY_PIXELS,
            _("The picture has too many pixels (at most %(limit)d million).")
            % {"limit": max_pixels // 1_000_000},
            codes,
            field,
        ) from None
    except UnidentifiedImageError:
        raise _refuse(
            ImageError.NOT_AN_IMAGE,
            _("The file is not a photo Tumbuh can read (JPEG, PNG or WebP)."),
            codes,
            field,
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(
            ImageError.BROKEN,
            _("The photo is damaged or incomplete; take or choose it again."),
            codes,
            field,
        ) from None
    return image


def _upright_rgb(image: Image.Image) -> Image.Image:
    """Turned as the camera said (EXIF orientation), transparency on white, RGB, no metadata."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image = image.convert("RGB")
    # ``convert`` copies ``info`` (EXIF, ICC profile, XMP, comments): drop it, so no encoder
    # can be handed it by accident.
    image.info = {}
    return image


def encode(
    image: Image.Image,
    *,
    longest_side: int = LONGEST_SIDE,
    image_format: str = "JPEG",
    quality: int | None = None,
) -> CleanImage:
    """``image`` as JPEG or WebP bytes no larger than ``longest_side``, with no metadata block."""
    from PIL import Image

    if image_format not in EXTENSIONS:
        raise ValueError(f"Images are stored as JPEG or WebP, not {image_format!r}.")
    image = image.copy()
    image.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    image.info = {}
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=quality or JPEG_QUALITY, optimize=True)
    else:
        image.save(buffer, "WEBP", quality=quality or WEBP_QUALITY, method=4)
    return CleanImage(buffer.getvalue(), image.size, EXTENSIONS[image_format])


def clean_image(
    upload,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_pixels: int = MAX_PIXELS,
    longest_side: int = LONGEST_SIDE,
    image_format: str = "JPEG",
    codes: Mapping[ImageError, str] | None = None,
    field: str = "",
) -> CleanImage:
    """An uploaded image checked, decoded, turned upright and encoded again, or a refusal.

    Call it before the transaction that stores the result: a refused upload stores nothing.
    """
    image = open_image(
        upload,
        max_bytes=max_bytes,
        max_pixels=max_pixels,
        draft_side=longest_side,
        codes=codes,
        field=field,
    )
    return encode(image, longest_side=longest_side, image_format=image_format)
