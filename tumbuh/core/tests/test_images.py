"""``core.images``: every uploaded image decoded and encoded again, with limits and no metadata."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tumbuh.core import images
from tumbuh.core.images import ImageError
from tumbuh.core.refusals import Refused
from tumbuh.core.tests.pictures import metadata_in, phone_photo, png_declaring


class _HugeUpload:
    """A 50 MB upload that fails the test if anything reads it."""

    size = 50 * 1024 * 1024
    name = "besar.jpg"

    def read(self, *args):
        raise AssertionError("the upload was read")

    seek = chunks = __iter__ = read


def _saved(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def _refusal(upload, **options) -> Refused:
    with pytest.raises(Refused) as refused:
        images.clean_image(upload, **options)
    return refused.value


def test_a_phone_photo_loses_its_exif_gps_icc_and_xmp():
    sent = phone_photo()
    with Image.open(io.BytesIO(sent)) as original:  # the test's photo does carry them
        assert original.getexif().get_ifd(0x8825)  # GPSInfo
    assert len(metadata_in(sent)) == 5

    cleaned = images.clean_image(SimpleUploadedFile("foto.jpg", sent))

    assert (cleaned.extension, cleaned.size) == ("jpg", (64, 48))
    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert stored.format == "JPEG" and stored.size == (64, 48)
        assert dict(stored.getexif()) == {}
        assert not {"exif", "icc_profile", "xmp"} & set(stored.info)
    assert metadata_in(cleaned.data) == []
    assert b"Exif" not in cleaned.data and b"GPS" not in cleaned.data


def test_as_webp_no_metadata_either():
    cleaned = images.clean_image(SimpleUploadedFile("foto.jpg", phone_photo()), image_format="WEBP")
    assert cleaned.extension == "webp"
    assert cleaned.data[:4] == b"RIFF" and cleaned.data[8:12] == b"WEBP"
    assert b"EXIF" not in cleaned.data and b"ICCP" not in cleaned.data
    assert b"XMP " not in cleaned.data and metadata_in(cleaned.data) == []
    assert cleaned.as_file("a").name == "a.webp"


def test_the_exif_orientation_is_applied():
    # Red on the left, blue on the right, taken with the phone turned: "rotate 90° clockwise".
    picture = Image.new("RGB", (40, 20), (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    sent = _saved(picture, "JPEG", exif=exif, quality=95)

    cleaned = images.clean_image(SimpleUploadedFile("foto.jpg", sent))

    assert cleaned.size == (20, 40)
    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert stored.size == (20, 40)
        assert 0x0112 not in stored.getexif()  # not turned a second time by a viewer
        red, _green, blue = stored.getpixel((10, 5))
        assert red > 200 and blue < 60  # the left side is now the top
        red, _green, blue = stored.getpixel((10, 35))
        assert blue > 200 and red < 60


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (7_000, 7_000)])
def test_a_decompression_bomb_is_refused(width, height):
    # 20000 x 20000: Pillow's own limit; 7000 x 7000 (49 million): above MAX_PIXELS only.
    bomb = SimpleUploadedFile("bom.png", png_declaring(width, height))
    assert bomb.size < 100
    refused = _refusal(bomb)
    assert refused.code == ImageError.TOO_MANY_PIXELS == "too_many_pixels"


def test_pillows_bomb_warning_is_a_refusal_too(monkeypatch, english):
    # Between Pillow's limit and twice it, Pillow only warns: refused all the same.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    sent = _saved(Image.new("RGB", (40, 40)), "PNG")  # 1600 pixels
    refused = _refusal(SimpleUploadedFile("a.png", sent))
    assert refused.code == ImageError.TOO_MANY_PIXELS
    assert refused.messages == ["The picture has too many pixels (at most 40 million)."]


def test_a_text_file_named_jpg_is_refused_with_the_reason(english):
    refused = _refusal(SimpleUploadedFile("foto.jpg", b"Ini bukan foto, hanya teks.\n" * 20))
    assert refused.code == ImageError.NOT_AN_IMAGE == "not_an_image"
    assert refused.messages == ["The file is not a photo Tumbuh can read (JPEG, PNG or WebP)."]


def test_the_refusal_is_in_the_users_language():
    refused = _refusal(SimpleUploadedFile("foto.jpg", b"Ini bukan foto"))
    assert refused.messages == [
        "Berkas ini bukan foto yang dapat dibaca Tumbuh (JPEG, PNG, atau WebP)."
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",  # Ghostscript's
        b"%PDF-1.4 not a photo" * 10,
        b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
    ],
)
def test_only_image_decoders_are_tried(content):
    assert _refusal(SimpleUploadedFile("a.jpg", content)).code == ImageError.NOT_AN_IMAGE


def test_an_oversize_file_is_refused_before_a_byte_is_read(english):
    refused = _refusal(_HugeUpload())
    assert refused.code == ImageError.TOO_LARGE == "photo_too_large"
    assert refused.messages == ["The photo is too large (at most 8 MB)."]
    # The limit is the caller's; a file one byte over it is refused the same way.
    one_over = SimpleUploadedFile("a.jpg", phone_photo())
    refused = _refusal(one_over, max_bytes=one_over.size - 1)
    assert refused.code == ImageError.TOO_LARGE


def test_an_empty_or_damaged_file_is_refused():
    assert _refusal(SimpleUploadedFile("a.jpg", b"")).code == ImageError.EMPTY
    truncated = _saved(Image.effect_noise((300, 200), 60).convert("RGB"), "JPEG")[:1500]
    assert _refusal(SimpleUploadedFile("a.jpg", truncated)).code == ImageError.BROKEN


def test_the_long_side_is_bounded():
    sent = _saved(Image.new("RGB", (3000, 1000), "white"), "PNG")
    assert images.clean_image(ContentFile(sent, name="a.png")).size == (2000, 667)
    small = images.clean_image(ContentFile(sent, name="a.png"), longest_side=300)
    assert small.size == (300, 100)


def test_a_gif_gives_its_first_frame_and_transparency_becomes_white():
    frames = [Image.new("RGB", (20, 20), (255, 0, 0)), Image.new("RGB", (20, 20), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    cleaned = images.clean_image(ContentFile(buffer.getvalue(), name="a.gif"))
    with Image.open(io.BytesIO(cleaned.data)) as stored:
        red, _green, blue = stored.getpixel((10, 10))
        assert red > 200 and blue < 60

    clear = _saved(Image.new("RGBA", (20, 20), (0, 0, 0, 0)), "PNG")
    cleaned = images.clean_image(ContentFile(clear, name="a.png"))
    with Image.open(io.BytesIO(cleaned.data)) as stored:
        assert stored.mode == "RGB" and min(stored.getpixel((10, 10))) > 245


def test_an_app_answers_its_own_codes_with_the_same_messages(english):
    codes = {ImageError.NOT_AN_IMAGE: "bad_evidence"}
    refused = _refusal(SimpleUploadedFile("a.jpg", b"teks"), codes=codes, field="evidence")
    assert (refused.code, refused.reason, refused.field) == (
        "bad_evidence",
        "bad_evidence",
        "evidence",
    )
    assert refused.messages == ["The file is not a photo Tumbuh can read (JPEG, PNG or WebP)."]
    # A code the mapping leaves out stays core's.
    assert _refusal(SimpleUploadedFile("a.jpg", b""), codes=codes).code == ImageError.EMPTY


def test_only_jpeg_or_webp_are_written():
    with pytest.raises(ValueError, match="JPEG or WebP"):
        images.encode(Image.new("RGB", (4, 4)), image_format="PNG")
