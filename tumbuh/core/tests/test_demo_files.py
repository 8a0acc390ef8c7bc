"""After ``tumbuh demo --no-serve``, no file under the var directory holds a clear NIK or a clear
Indonesian mobile phone number (UU 27/2022), demo files included.

The demo's partner lists carry full synthetic NIKs and phone numbers, as a partner's would; they
go through the real import and must not stay on disk. The demo runs on the test provinces with
everything it may write pointed into one temporary var directory: media and private uploads,
e-mail (the file backend), the payment sandbox, a log file at DEBUG level and the report of
``--report``. Then every file is read whole, and every member of a zip (XLSX) or gzip file too.
"""

import gzip
import io
import logging
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from tumbuh.conftest import TEST_PROVINCES
from tumbuh.regions.services import load_regions
from tumbuh.registry.models import Person
from tumbuh.registry.synthetic import generate

# Sixteen digits in a row, or in four groups of four (3204 1203 8500 0011).
NIK_SHAPED = re.compile(rb"(?<!\d)(?:\d{16}|\d{4}[ .-]\d{4}[ .-]\d{4}[ .-]\d{4})(?!\d)")
# 0812-3456-7890, 081234567890, +62 812 3456 7890, 6281234567890, (0812) 3456 7890.
MOBILE_PHONE = re.compile(rb"(?<![\d.,])(?:\+62|62|0)[ -]?\(?8\d{2}\)?(?:[ .-]?\d){6,9}(?!\d)")


IMAGE_MAGIC = (b"\xff\xd8", b"\x89PNG", b"GIF8")
# The Message-ID Python writes on every e-mail ends in a random 64-bit number, which one time in
# about 1,800 has exactly sixteen digits: <178...52.4321.4489534874065190@host>. It is no one's.
MESSAGE_ID = re.compile(rb"^(Message-ID:[ \t]*<)[^>\r\n]*(>)", re.IGNORECASE | re.MULTILINE)


def readable_parts(path: Path):
    """``(name, bytes)`` of the file, and of each member when it is a zip or gzip file. Of an
    image, its metadata only (EXIF and text chunks, where a number could be written): its
    compressed pixels are random bytes, which now and then hold sixteen digits in a row."""
    data = path.read_bytes()
    if data.startswith(IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        yield str(path), image_metadata(data)
        return
    yield str(path), MESSAGE_ID.sub(rb"\1\2", data)
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield f"{path}!{member}", archive.read(member)
    elif data[:2] == b"\x1f\x8b":
        yield f"{path}!gunzip", gzip.decompress(data)


def image_metadata(data: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        parts = [repr(dict(exif)), repr(image.info)]
    return " ".join(parts).encode()


def clear_personal_numbers(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for name, data in readable_parts(path):
            for pattern in (NIK_SHAPED, MOBILE_PHONE):
                found += [(name, match.decode()) for match in pattern.findall(data)]
    return found


def test_the_scan_finds_the_numbers_of_a_partner_file(tmp_path):
    """The patterns catch what the generator writes (CSV and XLSX), so an empty scan means it."""
    generate(businesses=30, seed=3, out_dir=tmp_path, provinces=["53"])
    found = clear_personal_numbers(tmp_path)
    assert any(NIK_SHAPED.fullmatch(number.encode()) for _name, number in found)
    assert any(MOBILE_PHONE.fullmatch(number.encode()) for _name, number in found)
    assert any(".xlsx!" in name for name, _number in found)


def test_the_scan_passes_over_a_message_id_but_not_a_number_in_the_mail(tmp_path):
    """The one thing the scan passes over is the random number Python puts in a Message-ID."""
    mail = tmp_path / "mail.log"
    mail.write_bytes(
        b"Subject: Kartu\nMessage-ID: <178000000000.4321.4489534874065190@tumbuh>\n\n"
        b"NIK 3204120385000011, WA 0812-3456-7890, ref <1.2.4489534874065191@x>\n"
    )
    found = [number for _name, number in clear_personal_numbers(tmp_path)]
    assert found == ["3204120385000011", "4489534874065191", "0812-3456-7890"]


@pytest.mark.django_db
def test_the_demo_leaves_no_clear_nik_or_phone_number_under_the_var_directory(
    settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    import tumbuh.demo

    var = tmp_path / "var"
    var.mkdir()
    settings.VAR_DIR = var
    settings.MEDIA_ROOT = var / "media"
    settings.PRIVATE_MEDIA_ROOT = var / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = var / "mail"
    settings.TUMBUH_PAYMENT_SANDBOX_DIR = str(var / "payment-sandbox")
    log = logging.FileHandler(var / "tumbuh.log", encoding="utf-8")
    log.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(log)
    root.setLevel(logging.DEBUG)
    monkeypatch.setattr(tumbuh.demo, "load_regions", lambda: load_regions(provinces=TEST_PROVINCES))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            call_command(
                tumbuh.demo.Command(),
                "--no-serve",
                "--seed",
                "7",
                "--report",
                str(var / "demo-report.json"),
                stdout=io.StringIO(),
            )
    finally:
        root.removeHandler(log)
        root.setLevel(level)
        log.close()

    # The partner lists did carry NIKs, and went through the import.
    assert Person.objects.exclude(nik_encrypted=None).count() > 100
    written = {path.relative_to(var).as_posix() for path in var.rglob("*") if path.is_file()}
    assert {"demo-report.json", "tumbuh.log", "demo/registry-7/truth.csv"} <= written
    assert not any(name.endswith(("businesses.csv", ".xlsx")) for name in written)
    assert clear_personal_numbers(var) == []
