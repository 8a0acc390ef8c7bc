"""Halal visit photos go through ``core.images``: stored as a JPEG encoded again, with no EXIF
(a phone photo's GPS position of the kitchen stays on the phone); what is not a photo, a
decompression bomb or a file over 5 MB is refused and nothing is stored."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tumbuh.core.models import AuditEvent
from tumbuh.core.refusals import Refused
from tumbuh.core.tests.pictures import metadata_in, phone_photo, png_declaring
from tumbuh.licensing import services
from tumbuh.licensing.error_codes import LicensingError
from tumbuh.licensing.models import HalalCase, HalalEvidencePhoto
from tumbuh.licensing.tests.conftest import halal_case_at

pytestmark = pytest.mark.django_db  # in English: the folder's conftest


@pytest.fixture
def case(officer_32, mentor_32):
    return halal_case_at(HalalCase.Step.VERIFICATION, by=officer_32, mentor=mentor_32)


def stored_files(settings) -> list[Path]:
    roots = (Path(settings.PRIVATE_MEDIA_ROOT), Path(settings.MEDIA_ROOT))
    return [path for root in roots for path in root.rglob("*") if path.is_file()]


def assert_clean_jpeg(photo: HalalEvidencePhoto, size: tuple[int, int]) -> None:
    photo.image.open("rb")
    data = photo.image.read()
    photo.image.close()
    assert photo.image.name.endswith(".jpg")
    assert metadata_in(data) == [] and b"GPS" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG" and stored.size == size
        assert dict(stored.getexif()) == {}
    assert (photo.width, photo.height) == size


def test_a_phone_photo_is_stored_without_its_exif(case, mentor_32):
    sent = phone_photo(size=(80, 60))
    assert b"WGS-84" in sent
    photo = services.add_evidence_photo(
        case=case, upload=SimpleUploadedFile("dapur.jpg", sent), caption="Dapur", by=mentor_32
    )
    assert_clean_jpeg(photo, (80, 60))


def test_the_page_stores_the_photo_without_its_exif(client_of, case, mentor_32):
    response = client_of(mentor_32).post(
        case.get_absolute_url(),
        {"action": "photo", "photo": SimpleUploadedFile("dapur.jpg", phone_photo()), "caption": ""},
    )
    assert response.status_code == 302
    assert_clean_jpeg(case.photos.get(), (64, 48))


def test_a_decompression_bomb_is_refused_and_nothing_is_stored(case, mentor_32, settings):
    events = AuditEvent.objects.count()
    with pytest.raises(Refused) as refused:
        services.add_evidence_photo(
            case=case,
            upload=SimpleUploadedFile("bom.png", png_declaring(20_000, 20_000)),
            by=mentor_32,
        )
    assert refused.value.code == LicensingError.PHOTO_TOO_LARGE
    assert not HalalEvidencePhoto.objects.exists() and stored_files(settings) == []
    assert AuditEvent.objects.count() == events


def test_a_text_file_named_jpg_is_refused_with_the_reason(client_of, case, mentor_32, settings):
    text = SimpleUploadedFile("dapur.jpg", b"Bukan foto, hanya catatan.\n" * 10)
    response = client_of(mentor_32).post(
        case.get_absolute_url(), {"action": "photo", "photo": text, "caption": "Dapur"}
    )
    assert [str(message) for message in response.context["messages"]] == [
        "The file is not a photo Tumbuh can read (JPEG, PNG or WebP)."
    ]
    with pytest.raises(Refused) as refused:
        services.add_evidence_photo(
            case=case, upload=SimpleUploadedFile("a.jpg", b"teks"), by=mentor_32
        )
    assert (refused.value.code, refused.value.field) == (LicensingError.PHOTO_NOT_IMAGE, "photo")
    assert not HalalEvidencePhoto.objects.exists() and stored_files(settings) == []


class _HugeUpload:
    """A 6 MB upload that fails the test if anything reads it."""

    size = 6 * 1024 * 1024
    name = "besar.jpg"

    def read(self, *args):
        raise AssertionError("the upload was read")

    seek = chunks = __iter__ = read


def test_a_file_over_5_mb_is_refused_before_it_is_read(case, mentor_32, settings):
    with pytest.raises(Refused) as refused:
        services.add_evidence_photo(case=case, upload=_HugeUpload(), by=mentor_32)
    assert refused.value.code == LicensingError.PHOTO_TOO_LARGE
    assert refused.value.messages == ["The photo is too large (at most 5 MB)."]
    assert not HalalEvidencePhoto.objects.exists() and stored_files(settings) == []
