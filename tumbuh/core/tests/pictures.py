"""Test pictures made with Pillow when a test runs: a phone photo with GPS, a decompression bomb.

Shared by the tests of ``core.images`` and of every app that takes an uploaded image.
"""

import io
import struct
import zlib

from PIL import ExifTags, Image, ImageCms

# Markers a phone photo carries and a stored image must not: the EXIF block, its GPS datum and
# camera, the ICC profile, the XMP packet.
METADATA_MARKERS = (b"Exif\x00\x00", b"WGS-84", b"SAMSUNG", b"ICC_PROFILE", b"ns.adobe.com/xap")


def phone_photo(size=(64, 48), *, orientation: int = 1, color=(120, 160, 90)) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, a GPS position (Bandung), an
    orientation tag, an ICC profile and an XMP packet."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SAMSUNG"
    exif[ExifTags.Base.Model] = "SM-A155F"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (6.0, 54.0, 52.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (107.0, 36.0, 36.0)
    gps[ExifTags.GPS.GPSMapDatum] = "WGS-84"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:xmp="http://ns.adobe.com/xap/1.0/"/></x:xmpmeta>'
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(
        buffer, "JPEG", exif=exif, icc_profile=icc, xmp=xmp, quality=90
    )
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header declares ``width`` x ``height`` pixels: opening
    it costs nothing, decoding it would ask for ``width * height * 3`` bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    # signature (8), IHDR length (4), b"IHDR" (4), then width and height, then the chunk's CRC
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def metadata_in(data: bytes) -> list[bytes]:
    """The metadata markers found in ``data`` (empty for a clean image)."""
    return [marker for marker in METADATA_MARKERS if marker in data]
